import * as vscode from 'vscode';
import { formatCalls, formatShare, formatWeight } from '../core/format';
import { summarize, type Summary } from '../core/summary';
import { noIcons } from '../shared/markdownText';
import type { Presenter } from './controller';
import { openAt } from './controller';

/** How many lines and functions the list offers: the CLI table's defaults. */
const LINES = 10;
const FUNCTIONS = 20;

type Item = vscode.QuickPickItem & { target?: { file: string; line1: number } };

/**
 * "Heatlens: Hot Lines": the shown profile's hottest lines and functions as text, in a quick pick a
 * screen reader reads item by item, with the figures of the gutter labels, CodeLens and the CLI's
 * table (all from core/summary.ts). Picking one opens its source at the line.
 */
export async function showHotLines(presenter: Presenter): Promise<void> {
  const shown = presenter.current;
  if (!shown) {
    void vscode.window.showInformationMessage(
      presenter.comparison
        ? 'Heatlens: a comparison is shown; its changed lines are in the status bar tooltip. Show one run to list its hot lines.'
        : 'Heatlens: there is no profile to show. Run "Heatlens: Profile Current File" first.',
    );
    return;
  }
  const summary = summarize(shown.profile, { limit: 0 });
  const items = hotLineItems(summary);
  const picked = await vscode.window.showQuickPick(items, {
    title: `Heatlens: hot lines of ${noIcons(shown.run.label)} (${formatWeight(summary.total, summary.unit)})`,
    placeHolder: 'Pick a line or function to open its source',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked?.target) await openAt(picked.target.file, picked.target.line1);
}

/** The quick pick's items: lines (when the profiler measured them), then functions by self time. */
export function hotLineItems(summary: Summary): Item[] {
  const { unit, total } = summary;
  const figure = (v: number) => `${formatWeight(v, unit)} · ${formatShare(v, total)}`;
  const where = (file: string, line: number) =>
    noIcons(`${vscode.workspace.asRelativePath(file)}:${line}`);
  const items: Item[] = [];
  const lines = summary.lines.slice(0, LINES);
  if (lines.length) {
    items.push({ label: 'Hottest lines', kind: vscode.QuickPickItemKind.Separator });
    for (const l of lines) {
      const below = l.external > 0 ? ` + ${figure(l.external)} below, outside your code` : '';
      items.push({
        label: where(l.file, l.line),
        description: `${figure(l.self)}${below}`,
        target: { file: l.file, line1: l.line },
      });
    }
  }
  const functions = summary.functions
    .filter((f) => f.kind !== 'pseudo' && f.self > 0)
    .sort((a, b) => b.self - a.self)
    .slice(0, FUNCTIONS);
  if (functions.length) {
    items.push({
      label: 'Hottest functions (by self time)',
      kind: vscode.QuickPickItemKind.Separator,
    });
    for (const f of functions) {
      const calls = f.calls !== null ? ` · ${formatCalls(f.calls)}` : '';
      items.push({
        label: noIcons(f.name || '(anonymous)'),
        description: f.file ? where(f.file, f.line ?? 1) : f.kind,
        detail: `${figure(f.self)} self · ${figure(f.total)} total${calls}`,
        target: f.file && f.line !== null ? { file: f.file, line1: f.line } : undefined,
      });
    }
  }
  if (!items.length) items.push({ label: 'The profile has no samples.' });
  return items;
}
