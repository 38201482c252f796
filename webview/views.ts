/**
 * What the charts show for the state: the main chart's rows per view (flame graph, inverted,
 * differential, time order) and the sandwich's two halves with the line between them.
 */
import { formatShare, formatWeight } from '../src/core/format';
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
