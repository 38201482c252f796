/**
 * What the panel says to a screen reader through its live region (liveRegion.ts): the box the
 * keyboard moved to ("parse, 42.0% total, 12.0% self, parser.ts line 88"), a zoom, a view, an
 * opened source. The figures are the tooltip's and the table's (the same tree values, through the
 * same formatShare and formatChange): nothing is computed here that they do not show.
 *
 * Pure: no DOM. Names are data; the live region sets these texts with textContent.
 */
import type { Frame } from '../src/core/profile';
import { formatCalls, formatShare, formatWeight } from '../src/core/format';
import type { FlameView } from '../src/shared/protocol';
import type { ChartSource, Hit } from './chart';
import type { FunctionFigures, Model } from './model';
import type { UiState } from './store';
import { diffBoxChange, type ChartRole } from './tooltip';

/** The views' names, as the toolbar's tabs say them. */
export const VIEW_NAMES: Record<FlameView, string> = {
  flame: 'Flame graph',
  timeOrder: 'Time order',
  sandwich: 'Sandwich',
  table: 'Table',
  diff: 'Differential',
  callGraph: 'Call graph',
};

/** A function's name as shown (the tooltip's and the table's "(anonymous)" for none). */
export function frameName(frame: Frame): string {
  return frame.name || '(anonymous)';
}

/**
 * Where a frame is, to be heard: the file's name (not its folders) and line, "parser.ts line 88";
 * or what kind of code it is, as the tooltip says it.
 */
export function spokenPlace(frame: Frame): string {
  if (!frame.file) return frame.kind === 'pseudo' ? 'profiler pseudo-frame' : `${frame.kind} code`;
  const name = frame.file.split(/[\\/]/).filter(Boolean).pop() ?? frame.file;
  return frame.line1 ? `${name} line ${frame.line1}` : name;
}

/** The figures of a box of the main chart or a sandwich half, as the tooltip gives them. */
function boxFigures(m: Model, ui: UiState, role: ChartRole, src: ChartSource, hit: Hit): string {
  const tree = src.tree;
  const node = hit.node;
  const share = (v: number): string => formatShare(v, m.total);
  const main = role === 'main';
  const approx = m.profile.treeIsApproximate && main ? ' (approximate)' : '';
  if (main && ui.view === 'flame' && ui.inverted) {
    return `${share(tree.total[node])} in this call path${approx}`;
  }
  if (main && ui.view === 'timeOrder') {
    const row = src.rows.rows[hit.row];
    const start = row.start[hit.index];
    const end = row.end[hit.index];
    const unit = m.profile.meta.unit;
    return `${share(end - start)} of the run, from ${formatWeight(start - src.rows.min, unit)} to ${formatWeight(end - src.rows.min, unit)}`;
  }
  return `${share(tree.total[node])} total, ${share(tree.self[node])} self${approx}`;
}

/**
 * What a box is, for the live region: its name, figures and place. In the differential view, the
 * change and the totals before and after.
 */
export function describeBox(
  m: Model,
  ui: UiState,
  role: ChartRole,
  src: ChartSource,
  hit: Hit,
): string {
  const node = hit.node;
  const frame = node > 0 ? src.frames[src.tree.frame[node]] : undefined;
  const name = frame ? frameName(frame) : 'All';
  const place = frame ? `, ${spokenPlace(frame)}` : '';
  if (role === 'main' && ui.view === 'diff') {
    const d = diffBoxChange(m, ui, src, node);
    if (d) return `${name}, ${d.change}, total before ${d.before}, after ${d.after}${place}`;
  }
  if (!frame) return `All, ${formatShare(src.tree.total[node], m.total)} total`;
  return `${name}, ${boxFigures(m, ui, role, src, hit)}${place}`;
}

/** A row of the table, for the live region: the function's figures as its cells give them. */
export function describeFunction(m: Model, frame: Frame, f: FunctionFigures): string {
  const calls = f.calls === null ? '' : `, ${formatCalls(f.calls)}`;
  return `${frameName(frame)}, ${formatShare(f.total, m.total)} total, ${formatShare(f.self, m.total)} self${calls}, ${spokenPlace(frame)}`;
}

/** The words for an arrow key that found no box in its direction (where the screen shows it). */
export function noBoxText(key: string): string {
  const where: Record<string, string> = {
    ArrowUp: 'above',
    ArrowDown: 'below',
    ArrowLeft: 'to the left',
    ArrowRight: 'to the right',
  };
  return `No frame ${where[key] ?? 'there'}`;
}

/** What opening a source says: the place opened, or why nothing opens. */
export function openSourceText(frame: Frame | undefined, openable: boolean): string {
  if (!frame) return 'Select a function first: no function is selected.';
  if (!openable) return `${frameName(frame)} has no source file to open (${spokenPlace(frame)}).`;
  return `Opening ${spokenPlace(frame)}, ${frameName(frame)}`;
}

/** The main chart's accessible name: the view, its toggles, and the box it is zoomed to. */
export function mainChartLabel(ui: UiState, src: ChartSource | undefined): string {
  const base =
    ui.view === 'timeOrder'
      ? 'Time order chart'
      : ui.view === 'diff'
        ? 'Differential flame graph'
        : ui.inverted
          ? 'Inverted flame graph'
          : 'Flame graph';
  const mine = ui.myCodeOnly ? ', my code only' : '';
  const top = ui.zoom[ui.zoom.length - 1];
  const row = top && src?.rows.rows[top.row];
  const node = row && top.index < row.node.length ? row.node[top.index] : -1;
  const zoom = src && node > 0 ? `, zoomed to ${frameName(src.frames[src.tree.frame[node]])}` : '';
  return base + mine + zoom;
}
