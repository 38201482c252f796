import * as vscode from 'vscode';
import { formatShare, formatWeight } from '../core/format';
import type { ShownProfile } from './results';
import { setting } from './settings';

/** Heat levels, coolest first. One decoration type each, created once. */
const LEVELS = 5;

/** Default gutter colors per level (SVG icons cannot use theme colors; the rest of the heat can). */
const GUTTER_COLORS = ['#f5c26b', '#f29e4c', '#ee7b3a', '#e4572e', '#c81d25'];

function gutterIcon(level: number): vscode.Uri {
  // A bar whose width grows with the level, so heat reads without relying on color alone.
  const width = 3 + level;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">` +
    `<rect x="${16 - width}" y="0" width="${width}" height="16" fill="${GUTTER_COLORS[level]}"/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

/**
 * Paints the shown profile's line heat on editors: a whole-line background and gutter bar per heat
 * level, overview-ruler marks, and an after-line label ("12.3 ms · 8.1%") on the hottest lines.
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
        gutterIconPath: gutterIcon(i),
        gutterIconSize: 'contain',
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
    const lineCount = editor.document.lineCount;
    // Merge entries that edits moved onto one line.
    const perLine = new Map<number, number>();
    for (const l of results.lines) {
      if (l.line0 < lineCount) perLine.set(l.line0, (perLine.get(l.line0) ?? 0) + l.self);
    }
    const visible = [...perLine].filter(([, self]) => self / shown.total >= minShare);
    const max = Math.max(0, ...visible.map(([, self]) => self));
    const buckets: vscode.Range[][] = Array.from({ length: LEVELS }, () => []);
    for (const [line0, self] of visible) {
      // Levels scale with the hottest line so that the hottest line is always fully red.
      const level = Math.min(LEVELS - 1, Math.floor((self / max) * LEVELS - 1e-9));
      buckets[Math.max(0, level)].push(new vscode.Range(line0, 0, line0, 0));
    }
    this.levels.forEach((type, i) => editor.setDecorations(type, buckets[i]));
    const labelCount = Math.max(0, setting('heat.labelCount'));
    const unit = shown.profile.meta.unit;
    const labelled = visible.sort((a, b) => b[1] - a[1]).slice(0, labelCount);
    editor.setDecorations(
      this.labels,
      labelled.map(([line0, self]) => {
        const end = editor.document.lineAt(line0).range.end;
        return {
          range: new vscode.Range(end, end),
          renderOptions: {
            after: {
              contentText: `${formatWeight(self, unit)} · ${formatShare(self, shown.total)}`,
            },
          },
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
