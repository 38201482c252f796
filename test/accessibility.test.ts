// Heat must stay readable and visible in every default theme: text over a heat background, the
// label after a hot line, and the graphics that carry meaning (gutter bars and triangles, ruler
// marks) against the editor background, by WCAG 2's contrast ratio (4.5:1 for text, 3:1 for
// graphics). The colors come from package.json's defaults and src/shared/palette.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMPARE_COLORS, HEAT_COLORS, type ThemeKind } from '../src/shared/palette';

type Theme = 'dark' | 'light' | 'highContrast' | 'highContrastLight';
type Rgba = [number, number, number, number];

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { colors: { id: string; defaults: Record<Theme, string | null> }[] };
};
const colors = new Map(manifest.contributes.colors.map((c) => [c.id, c.defaults]));

/** Editor background and foreground of VS Code's default themes of each kind. */
const THEMES: Record<Theme, { name: string; background: string; foreground: string }[]> = {
  dark: [
    { name: 'Dark Modern', background: '#1f1f1f', foreground: '#cccccc' },
    { name: 'Dark+', background: '#1e1e1e', foreground: '#d4d4d4' },
  ],
  light: [
    { name: 'Light Modern', background: '#ffffff', foreground: '#3b3b3b' },
    { name: 'Light+', background: '#ffffff', foreground: '#000000' },
  ],
  highContrast: [{ name: 'Dark High Contrast', background: '#000000', foreground: '#ffffff' }],
  highContrastLight: [
    { name: 'Light High Contrast', background: '#ffffff', foreground: '#292929' },
  ],
};
const ICON_KIND: Record<Theme, ThemeKind> = {
  dark: 'dark',
  light: 'light',
  highContrast: 'dark',
  highContrastLight: 'light',
};

function rgba(hex: string): Rgba {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex);
  assert.ok(m, `not a color: ${hex}`);
  const v = (i: number) => parseInt(m[1].slice(i, i + 2), 16) / 255;
  return [v(0), v(2), v(4), m[2] ? parseInt(m[2], 16) / 255 : 1];
}

/** `top` painted over the opaque `below`. */
function over(top: Rgba, below: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1) as Rgba;
}

function luminance(c: Rgba): number {
  const lin = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function color(id: string, theme: Theme): string | null {
  const defaults = colors.get(id);
  assert.ok(defaults, `package.json has no color ${id}`);
  return defaults[theme];
}

/** The line's background with a tint (null: the theme's own background). */
function line(tint: string | null, background: string): Rgba {
  return tint ? over(rgba(tint), rgba(background)) : rgba(background);
}

const heatBackgrounds = [1, 2, 3, 4, 5].map((l) => `heatlens.heat${l}Background`);

for (const theme of Object.keys(THEMES) as Theme[]) {
  for (const t of THEMES[theme]) {
    test(`${t.name}: code on every heat and comparison background keeps 4.5:1`, () => {
      for (const id of [
        ...heatBackgrounds,
        'heatlens.compare.slowerBackground',
        'heatlens.compare.fasterBackground',
      ]) {
        const r = contrast(rgba(t.foreground), line(color(id, theme), t.background));
        assert.ok(r >= 4.5, `${id}: ${r.toFixed(2)}:1`);
      }
    });

    test(`${t.name}: the heat label keeps 4.5:1 on every heat level`, () => {
      const label = color('heatlens.labelForeground', theme)!;
      for (const id of heatBackgrounds) {
        const bg = line(color(id, theme), t.background);
        const r = contrast(over(rgba(label), bg), bg);
        assert.ok(r >= 4.5, `label on ${id}: ${r.toFixed(2)}:1`);
      }
    });

    test(`${t.name}: comparison labels keep 4.5:1 on their lines`, () => {
      const cases: [string, string | null][] = [
        ['heatlens.compare.slowerForeground', 'heatlens.compare.slowerBackground'],
        ['heatlens.compare.fasterForeground', 'heatlens.compare.fasterBackground'],
        ['heatlens.compare.sameForeground', null],
      ];
      for (const [fg, bgId] of cases) {
        const bg = line(bgId ? color(bgId, theme) : null, t.background);
        const r = contrast(over(rgba(color(fg, theme)!), bg), bg);
        assert.ok(r >= 4.5, `${fg}: ${r.toFixed(2)}:1`);
      }
    });

    test(`${t.name}: gutter icons and ruler marks keep 3:1 against the editor`, () => {
      const kind = ICON_KIND[theme];
      const graphics: [string, string][] = [
        ...HEAT_COLORS[kind].map((c, i): [string, string] => [`heat level ${i + 1} bar`, c]),
        ['slower triangle', COMPARE_COLORS[kind].slower],
        ['faster triangle', COMPARE_COLORS[kind].faster],
        ...[1, 2, 3, 4, 5].map((l): [string, string] => [
          `heatlens.heat${l}Ruler`,
          color(`heatlens.heat${l}Ruler`, theme)!,
        ]),
        ['heatlens.compare.slowerRuler', color('heatlens.compare.slowerRuler', theme)!],
        ['heatlens.compare.fasterRuler', color('heatlens.compare.fasterRuler', theme)!],
      ];
      for (const [what, c] of graphics) {
        const r = contrast(over(rgba(c), rgba(t.background)), rgba(t.background));
        assert.ok(r >= 3, `${what} ${c}: ${r.toFixed(2)}:1`);
      }
    });
  }
}

test('the ruler marks are the gutter icons colors, level by level', () => {
  for (const theme of Object.keys(THEMES) as Theme[]) {
    const kind = ICON_KIND[theme];
    HEAT_COLORS[kind].forEach((c, i) =>
      assert.equal(color(`heatlens.heat${i + 1}Ruler`, theme), c, `${theme} level ${i + 1}`),
    );
    assert.equal(color('heatlens.compare.slowerRuler', theme), COMPARE_COLORS[kind].slower);
    assert.equal(color('heatlens.compare.fasterRuler', theme), COMPARE_COLORS[kind].faster);
  }
});

test('hotter levels stand out more: each bar contrasts more with the background than the last', () => {
  // On a dark background hot colors are darker, on a light one they are darker too: the ratio
  // against white rises with the level, against black it falls. Either way the order is kept.
  for (const kind of ['dark', 'light'] as const) {
    const bg = rgba(kind === 'dark' ? '#1f1f1f' : '#ffffff');
    const ratios = HEAT_COLORS[kind].map((c) => contrast(rgba(c), bg));
    const ordered = ratios.every((r, i) =>
      i === 0 ? true : kind === 'dark' ? r < ratios[i - 1] : r > ratios[i - 1],
    );
    assert.ok(ordered, `${kind}: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  }
});
