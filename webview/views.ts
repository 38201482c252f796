/**
 * What the charts show for the state: the main chart's rows per view (flame graph, inverted,
 * differential, time order) and the sandwich's two halves with the line between them.
 */
import { formatShare, formatWeight } from '../src/core/format';
import type { FlameFocus } from '../src/shared/protocol';
import { frameName } from './announce';
import type { Chart, ChartSource } from './chart';
import { el } from './dom';
import type { IntervalRows } from './layout/intervals';
import type { Model } from './model';
import type { UiState } from './store';

/** The main chart's source for the view shown, or undefined when the profile has no such view. */
export function mainSource(m: Model, ui: UiState): ChartSource | undefined {
  if (ui.view === 'diff') {
    const d = m.diff(ui.myCodeOnly);
    if (!d) return undefined;
    return {
      rows: m.layout(d.tree),
      tree: d.tree,
      frames: m.frames,
      rootLabel: 'all',
      nodeColor: d.colors,
    };
  }
  if (ui.view === 'timeOrder') {
    const rows = m.timeOrder(ui.myCodeOnly);
    if (!rows) return undefined;
    return { rows, tree: m.base(ui.myCodeOnly), frames: m.frames, rootLabel: 'all' };
  }
  const tree = m.flameTree(ui.myCodeOnly, ui.inverted);
  return { rows: m.layout(tree), tree, frames: m.frames, rootLabel: 'all' };
}

/**
 * The state that shows a function the host asked for (`focus`): the sandwich on it, or the flame
 * graph (the differential view for a comparison) zoomed to its heaviest call path. Returns
 * whether the main chart shows it (its source must then be set anew).
 */
export function focusState(m: Model, ui: UiState, focus: FlameFocus): boolean {
  if (focus.view === 'sandwich') {
    ui.sandwichFrame = focus.frameId;
    ui.view = 'sandwich';
    ui.zoom = [];
    return false;
  }
  // A comparison stays in the differential view: it shows the same tree.
  ui.view = ui.view === 'diff' && m.compare ? 'diff' : 'flame';
  ui.inverted = false;
  if (ui.myCodeOnly && m.frames[focus.frameId].kind !== 'user') ui.myCodeOnly = false;
  const tree = m.flameTree(ui.myCodeOnly, false);
  const node = m.heaviestNodeOf(tree, focus.frameId);
  const layout = m.layout(tree);
  ui.zoom = node > 0 ? [{ row: tree.depth[node], index: layout.indexInRow[node] }] : [];
  ui.selected = ui.zoom[0] ?? null;
  ui.sandwichFrame = focus.frameId;
  return true;
}

/**
 * The function the sandwich shows when none was picked: the one selected in the main chart, else
 * the one with the most self time in the user's code, else any (-1: none).
 */
export function defaultSandwichFrame(m: Model | undefined, mainChart: Chart): number {
  const sel = mainChart.selection;
  const src = mainChart.current;
  if (sel && src && sel.node > 0) return src.tree.frame[sel.node];
  const rows = m?.sortedTable(false, 'self') ?? [];
  const user = rows.find((r) => m?.frames[r.frameId].kind === 'user');
  return (user ?? rows[0])?.frameId ?? -1;
}

function withoutRoot(rows: IntervalRows): IntervalRows {
  return { rows: rows.rows.slice(1), min: rows.min, max: rows.max };
}

/** The sandwich of the function picked: callers above it, callees below, its figures between. */
export function renderSandwich(
  sandwichTitle: HTMLElement,
  callersChart: Chart,
  calleesChart: Chart,
  m: Model,
  ui: UiState,
): void {
  const frameId = ui.sandwichFrame;
  const frame = m.frames[frameId];
  const label = frame ? frameName(frame) : 'no function';
  callersChart.setLabel(`Callers of ${label}`);
  calleesChart.setLabel(`Callees of ${label}`);
  sandwichTitle.replaceChildren();
  if (!frame) {
    callersChart.setSource(undefined);
    calleesChart.setSource(undefined);
    sandwichTitle.textContent = 'Pick a function in the flame graph or the table.';
    return;
  }
  const s = m.sandwich(ui.myCodeOnly, frameId);
  if (!(s.total > 0) && ui.myCodeOnly && frame.kind !== 'user') {
    callersChart.setSource(undefined);
    calleesChart.setSource(undefined);
    sandwichTitle.append(
      el('span', { class: 'fn-name' }, frame.name || '(anonymous)'),
      el('span', { class: 'fn-figures' }, ' is hidden by "My code only": turn it off to see it.'),
    );
    return;
  }
  const unit = m.profile.meta.unit;
  const name = el('span', { class: 'fn-name' }, frame.name || '(anonymous)');
  const figures = el(
    'span',
    { class: 'fn-figures' },
    ` total ${formatWeight(s.total, unit)} (${formatShare(s.total, m.total)}) · self ${formatWeight(s.self, unit)} (${formatShare(s.self, m.total)})` +
      (s.exact ? ' · exact call-graph figures, one level of callers and callees' : ''),
  );
  sandwichTitle.append(name, figures);
  const callers = withoutRoot(m.layout(s.callers));
  const callees = withoutRoot(m.layout(s.callees));
  if (callersChart.current?.tree !== s.callers) {
    callersChart.setSource({ rows: callers, tree: s.callers, frames: m.frames, rootLabel: '' });
  }
  if (calleesChart.current?.tree !== s.callees) {
    calleesChart.setSource({ rows: callees, tree: s.callees, frames: m.frames, rootLabel: '' });
  }
  callersChart.refreshSize();
  calleesChart.refreshSize();
}
