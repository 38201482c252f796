/**
 * What the search shows: its figures beside the field (how many functions match, their share and
 * time) or why the pattern is wrong, and its matches highlighted in the charts of the view shown.
 */
import { formatShare, formatWeight } from '../src/core/format';
import type { Chart } from './chart';
import type { Model } from './model';
import { onMainChart, type UiState } from './store';
import type { Toolbar } from './toolbar';

/** The charts the search highlights in. */
export interface SearchCharts {
  readonly mainChart: Chart;
  readonly callersChart: Chart;
  readonly calleesChart: Chart;
}

/** Shows the search of `ui` over the model (nothing without one). */
export function showSearch(
  toolbar: Toolbar,
  m: Model | undefined,
  ui: UiState,
  charts: SearchCharts,
): void {
  const { search, searchInfo } = toolbar;
  searchInfo.textContent = '';
  search.invalid = false;
  if (!m) return;
  // The share is measured on the tree of the current view (so "my code only" is respected).
  const shareTree =
    ui.view === 'flame' ? m.flameTree(ui.myCodeOnly, ui.inverted) : m.base(ui.myCodeOnly);
  const { result, error } = m.search(shareTree, ui.search, ui.regex);
  if (error) {
    search.invalid = true;
    searchInfo.textContent = error;
  } else if (result) {
    searchInfo.textContent = result.functionCount
      ? `${result.functionCount} function${result.functionCount === 1 ? '' : 's'} · ${formatShare(result.total, m.total)} · ${formatWeight(result.total, m.profile.meta.unit)}`
      : 'No match';
    searchInfo.title =
      'Share of the time with a matching function on the stack (nested matches counted once)';
  }
  const highlightFor = (chart: Chart): void => {
    const src = chart.current;
    if (!src) return;
    chart.setHighlight(
      result ? (m.search(src.tree, ui.search, ui.regex).result?.nodes ?? null) : null,
    );
  };
  if (onMainChart(ui.view)) highlightFor(charts.mainChart);
  if (ui.view === 'sandwich') {
    highlightFor(charts.callersChart);
    highlightFor(charts.calleesChart);
  }
}
