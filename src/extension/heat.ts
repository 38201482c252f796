import * as vscode from 'vscode';
import { formatShare, formatWeight } from '../core/format';
import { heatLevel } from '../core/heatLevels';
import type { WeightUnit } from '../core/profile';
import type { ShownProfile } from './results';
import { setting } from './settings';
import { HEAT_COLORS, type ThemeKind } from '../shared/palette';

/** Heat levels, coolest first. One decoration type each, created once. */
const LEVELS = 5;

function gutterIcon(level: number, theme: ThemeKind): vscode.Uri {
  // A bar whose width grows with the level, so heat reads without relying on color alone.
  const width = 3 + level;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">` +
    `<rect x="${16 - width}" y="0" width="${width}" height="16" fill="${HEAT_COLORS[theme][level]}"/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

/**
 * The label after a hot line: "12.3 ms · 8.1%". Figures that are not a line measurement say
 * what they are: a call-graph profiler's function total on its `def` line, a function's self
 * time without line data on its definition line; time below the line in code outside the
 * user's comes after its own time.
 */
export function heatLabel(
  c: { self: number; placed: number; external: number },
  shown: ShownProfile,
  unit: WeightUnit,
): string {
  const figure = (v: number) => `${formatWeight(v, unit)} · ${formatShare(v, shown.total)}`;
  if (shown.defLineHeat) return `${figure(c.self)} function total`;
  const own = c.self > 0 ? figure(c.self) : '';
  const what = c.self > 0 && c.placed >= c.self * 0.999 ? ' function self' : '';
  if (!(c.external > 0)) return `${own}${what}`;
  const below = `${figure(c.external)} below, outside your code`;
  return own ? `${own}${what} + ${below}` : below;
}

/**
 * Paints the shown profile's line heat on editors: a whole-line background and gutter bar per heat
 * level, overview-ruler marks, and an after-line label ("12.3 ms · 8.1%") on the hottest lines.
 * Levels are shares of the whole run by default (see core/heatLevels.ts); `heatlens.heat.scale`
 * set to "file" scales them by the file's hottest line instead.
 */
export class HeatPainter implements vscode.Disposable {
  private readonly levels: vscode.TextEditorDecorationType[];
  private readonly labels: vscode.TextEditorDecorationType;

  constructor() {
    this.levels = Array.from({ length: LEVELS }, (_, i) =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(`heatlens.heat${i + 1}Background`),
        overviewRulerColor: new vscode.ThemeColor(`heatlens.heat${i + 1}Ruler`),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        gutterIconSize: 'contain',
        dark: { gutterIconPath: gutterIcon(i, 'dark') },
        light: { gutterIconPath: gutterIcon(i, 'light') },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this.labels = vscode.window.createTextEditorDecorationType({
      after: {
        color: new vscode.ThemeColor('heatlens.labelForeground'),
        margin: '0 0 0 2em',
        fontStyle: 'normal',
      },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
  }

  /** Paints (or clears, when `shown` is undefined or has nothing for the file) one editor. */
  paint(editor: vscode.TextEditor, shown: ShownProfile | undefined): void {
    const results =
      shown && setting('heat.enabled') ? shown.forDocument(editor.document) : undefined;
    if (!shown || !results || results.lines.length === 0 || shown.total <= 0) {
      this.clear(editor);
      return;
    }
    const minShare = setting('heat.minShare') / 100;
    const scale = setting('heat.scale');
    const lineCount = editor.document.lineCount;
    // Merge entries that edits moved onto one line.
    const perLine = new Map<number, { self: number; placed: number; external: number }>();
    for (const l of results.lines) {
      if (l.line0 >= lineCount) continue;
      const cell = perLine.get(l.line0) ?? { self: 0, placed: 0, external: 0 };
      cell.self += l.self;
      cell.placed += l.placed;
      cell.external += l.external;
      perLine.set(l.line0, cell);
    }
    // A line's heat is its own time plus the time below it in code outside the user's (the
    // call site of a library, Python sampler): the line a person can change. The label keeps
    // the two apart.
    const heatOf = (c: { self: number; external: number }) => c.self + c.external;
    const visible = [...perLine].filter(([, c]) => heatOf(c) / shown.total >= minShare);
    const fileMax = Math.max(0, ...visible.map(([, c]) => heatOf(c)));
    const buckets: vscode.Range[][] = Array.from({ length: LEVELS }, () => []);
    for (const [line0, c] of visible) {
      const level = heatLevel(heatOf(c), shown.total, fileMax, scale);
      buckets[level].push(new vscode.Range(line0, 0, line0, 0));
    }
    this.levels.forEach((type, i) => editor.setDecorations(type, buckets[i]));
    const labelCount = Math.max(0, setting('heat.labelCount'));
    const unit = shown.profile.meta.unit;
    const labelled = visible.sort((a, b) => heatOf(b[1]) - heatOf(a[1])).slice(0, labelCount);
    editor.setDecorations(
      this.labels,
      labelled.map(([line0, c]) => {
        const end = editor.document.lineAt(line0).range.end;
        return {
          range: new vscode.Range(end, end),
          renderOptions: { after: { contentText: heatLabel(c, shown, unit) } },
        };
      }),
    );
  }

  clear(editor: vscode.TextEditor): void {
    for (const type of this.levels) editor.setDecorations(type, []);
    editor.setDecorations(this.labels, []);
  }

  dispose(): void {
    for (const type of this.levels) type.dispose();
    this.labels.dispose();
  }
}
