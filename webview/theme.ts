/**
 * Colors from the VS Code theme. The webview gets the theme as `--vscode-*` CSS variables and a
 * body class (vscode-light, vscode-dark, vscode-high-contrast, vscode-high-contrast-light); the
 * canvas cannot use CSS variables, so they are read here and turned into a small palette.
 */
import type { Frame } from '../src/core/profile';
import { frameHue, hashString } from './layout/colors';
import { DIFF_LEVELS } from './layout/diffColors';

/** The kinds of theme VS Code has. */
export type ThemeKind = 'dark' | 'light' | 'hcDark' | 'hcLight';

/** Hues are quantized so a frame's boxes can be batched into a few fills (one path per color). */
const HUE_BUCKETS = 24;
/**
 * Functions of one file share its hue; three shades of it, picked by the function's name, keep
 * neighbouring boxes of the same file apart.
 */
const SHADES = 3;

/** Everything the canvas needs from the theme. */
export interface Palette {
  readonly kind: ThemeKind;
  readonly background: string;
  readonly text: string;
  readonly dimText: string;
  /** Box outline in high-contrast themes, else null. */
  readonly boxBorder: string | null;
  readonly selection: string;
  readonly hover: string;
  /**
   * Where boxes too small to draw lie: a neutral color (r, g, b) whose opacity, up to
   * `tinyAlpha`, says how much of each pixel they cover.
   */
  readonly tinyRgb: readonly [number, number, number];
  readonly tinyAlpha: number;
  readonly font: string;
  readonly fontFamily: string;
  /** Fill colors: index `colorIndex(frame)`; the dimmed copy (search non-match) at + `count`. */
  readonly fills: readonly string[];
  /**
   * Slot of the differential view's neutral color; faster (green) below it, slower (red) above,
   * `DIFF_LEVELS` each side (see layout/diffColors.ts).
   */
  readonly diffNeutral: number;
  /** The same colors as RGBA bytes (4 per fill), for boxes drawn as pixels. */
  readonly rgba: Uint8ClampedArray;
  readonly count: number;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

/** The theme kind from the body class VS Code sets. */
export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'hcLight';
  if (c.contains('vscode-high-contrast')) return 'hcDark';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

/**
 * The palette slot of a frame: 4 kinds x hue buckets. Runtime and pseudo frames are grey (one slot
 * each) so the user's code and libraries stand out.
 */
export function colorIndex(frame: Frame): number {
  if (frame.kind === 'pseudo') return 0;
  if (frame.kind === 'runtime') return 1;
  const bucket = Math.floor((frameHue(frame) / 360) * HUE_BUCKETS) % HUE_BUCKETS;
  const shade = hashString(frame.name) % SHADES;
  return 2 + ((frame.kind === 'library' ? HUE_BUCKETS : 0) + bucket) * SHADES + shade;
}

/** HSL (degrees, percent, percent) to RGB bytes. */
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** Reads the current theme. */
export function readPalette(): Palette {
  const kind = themeKind();
  const style = getComputedStyle(document.documentElement);
  const body = getComputedStyle(document.body);
  const get = (name: string, fallback: string): string =>
    cssVar(style, name, cssVar(body, name, fallback));
  const light = kind === 'light' || kind === 'hcLight';
  const hc = kind === 'hcDark' || kind === 'hcLight';
  const background = get('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e');
  const fg = get('--vscode-editor-foreground', light ? '#1f1f1f' : '#cccccc');
  const dimA = hc ? 0.45 : 0.28;
  const fills: string[] = [];
  const dim: string[] = [];
  const rgba: number[] = [];
  const rgbaDim: number[] = [];
  // Lightness and saturation per theme: dark boxes with light text on dark themes, light boxes
  // with dark text on light themes; high contrast keeps boxes close to the background and
  // outlines them with the theme's contrast border.
  const tone = (h: number, s: number, l: number, a = 1): string =>
    `hsla(${h.toFixed(0)}, ${s}%, ${l}%, ${a})`;
  const add = (h: number, s: number, l: number): void => {
    fills.push(tone(h, s, l));
    dim.push(tone(h, s, l, dimA));
    const [r, g, b] = hslToRgb(Math.round(h), s, l);
    rgba.push(r, g, b, 255);
    rgbaDim.push(r, g, b, Math.round(dimA * 255));
  };
  const shades = (lib: boolean): [number, number] => {
    if (kind === 'dark') return lib ? [25, 30] : [48, 34];
    if (kind === 'light') return lib ? [35, 82] : [65, 78];
    if (kind === 'hcDark') return lib ? [40, 14] : [70, 20];
    return lib ? [40, 94] : [70, 90];
  };
  const greyL = kind === 'dark' ? 30 : kind === 'light' ? 84 : kind === 'hcDark' ? 12 : 94;
  // Slot 0: pseudo frames, slot 1: runtime frames, both grey, pseudo a shade apart.
  for (const l of [greyL + (light ? -5 : -6), greyL]) add(0, 0, l);
  for (const lib of [false, true]) {
    const [s, l] = shades(lib);
    for (let b = 0; b < HUE_BUCKETS; b++) {
      const h = (b * 360) / HUE_BUCKETS;
      for (let k = 0; k < SHADES; k++) {
        add(h, s, l + (k - 1) * (hc ? 3 : 5));
      }
    }
  }
  // The differential view: grey for no change, then red (slower) and green (faster) growing more
  // saturated with the change. Each theme keeps the box text readable: on dark themes the boxes
  // stay dark (green, far brighter than red at one lightness, is kept darker), on light themes
  // light.
  const diffNeutral = fills.length + DIFF_LEVELS;
  const diffTone = (level: number): [number, number] => {
    const k = level - 1; // 0..3
    if (kind === 'dark') return [32 + 15 * k, 30 + 3 * k];
    if (kind === 'hcDark') return [40 + 15 * k, 18 + 3 * k];
    return [55 + 12 * k, (kind === 'light' ? 86 : 90) - 6 * k];
  };
  for (let level = -DIFF_LEVELS; level <= DIFF_LEVELS; level++) {
    if (level === 0) {
      add(0, 0, greyL);
      continue;
    }
    const [sat, lig] = diffTone(Math.abs(level));
    const greenShift = light ? 0 : -4 - 1.5 * Math.abs(level);
    add(level > 0 ? 2 : 128, sat, level > 0 ? lig : lig + greenShift);
  }
  const fontFamily = get('--vscode-editor-font-family', 'monospace');
  return {
    kind,
    background,
    text: fg,
    dimText: light ? 'rgba(0,0,0,0.45)' : 'rgba(255,255,255,0.45)',
    boxBorder: hc ? get('--vscode-contrastBorder', light ? '#0f4a85' : '#6fc3df') : null,
    selection: get('--vscode-focusBorder', light ? '#0090f1' : '#007fd4'),
    hover: light ? 'rgba(0,0,0,0.55)' : 'rgba(255,255,255,0.7)',
    tinyRgb: hc ? (light ? [15, 74, 133] : [111, 195, 223]) : light ? [0, 0, 0] : [255, 255, 255],
    tinyAlpha: hc ? 0.5 : 0.25,
    font: `11px ${fontFamily}`,
    fontFamily,
    fills: [...fills, ...dim],
    diffNeutral,
    rgba: Uint8ClampedArray.from([...rgba, ...rgbaDim]),
    count: fills.length,
  };
}
