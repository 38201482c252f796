/**
 * The panel's keys: Ctrl/Cmd+F and / focus the search, Escape clears it or zooms out one step,
 * the arrows move the selection from box to box, Enter zooms to the selected box (in the sandwich:
 * re-centres on its function), + and - zoom.
 */
import type { Chart, Hit } from './chart';
import { firstEndingAfter, intervalAt, type IntervalRows } from './layout/intervals';
import { onMainChart, type Store } from './store';

/** What the keys act on: the panel's state, charts and actions. */
export interface KeyTarget {
  readonly store: Store;
  readonly mainChart: Chart;
  readonly callersChart: Chart;
  readonly calleesChart: Chart;
  readonly search: HTMLElement & { value: string };
  updateSearch(): void;
  /** Keeps the first `depth` steps of the zoom path. */
  zoomOut(depth: number): void;
  /** Zooms the main chart to a box (one more step of the zoom path). */
  zoomInto(hit: Hit): void;
  /** Re-centres the sandwich on a function. */
  showSandwich(frameId: number): void;
  /** A box was selected with the keyboard. */
  selected(chart: Chart, hit: Hit): void;
}

/** The box a key moves the selection to. Up goes to the caller row on screen. */
export function neighbour(
  rows: IntervalRows['rows'],
  sel: Hit,
  key: string,
  flipped: boolean,
): Hit | null {
  const row = rows[sel.row];
  const start = row.start[sel.index];
  const end = row.end[sel.index];
  const toParent = key === (flipped ? 'ArrowDown' : 'ArrowUp');
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    let i = sel.index + (key === 'ArrowLeft' ? -1 : 1);
    // Skip boxes of zero width.
    while (i >= 0 && i < row.node.length && row.end[i] <= row.start[i])
      i += key === 'ArrowLeft' ? -1 : 1;
    return i >= 0 && i < row.node.length ? { row: sel.row, index: i, node: row.node[i] } : null;
  }
  const r = sel.row + (toParent ? -1 : 1);
  const target = rows[r];
  if (!target) return null;
  if (toParent) {
    const i = intervalAt(target, start);
    return i < 0 ? null : { row: r, index: i, node: target.node[i] };
  }
  const i = firstEndingAfter(target, start);
  return i < target.node.length && target.start[i] < end
    ? { row: r, index: i, node: target.node[i] }
    : null;
}

/** The first box of the first row, where the arrows start when nothing is selected. */
export function firstBox(rows: IntervalRows): Hit | null {
  const row = rows.rows[0];
  return row && row.node.length ? { row: 0, index: 0, node: row.node[0] } : null;
}

/** The chart the arrows move in. */
function keyChart(p: KeyTarget): Chart | undefined {
  const view = p.store.ui.view;
  if (onMainChart(view)) return p.mainChart;
  if (view === 'sandwich') {
    return document.activeElement === p.callersChart.canvas ? p.callersChart : p.calleesChart;
  }
  return undefined;
}

/** Escape: clears the search when typing in it, else zooms out one step. */
function escape(p: KeyTarget, e: KeyboardEvent, inSearch: boolean): void {
  const { store } = p;
  const ui = store.ui;
  if (inSearch && ui.search) {
    ui.search = '';
    p.search.value = '';
    store.save();
    p.updateSearch();
    return;
  }
  if (onMainChart(ui.view) && ui.zoom.length) {
    e.preventDefault();
    p.zoomOut(ui.zoom.length - 1);
  }
}

/** Arrows, Enter, + and - on a chart. */
function chartKey(p: KeyTarget, chart: Chart, e: KeyboardEvent): void {
  const src = chart.current;
  if (!src) return;
  if (e.key.startsWith('Arrow')) {
    e.preventDefault();
    const sel = chart.selection;
    const flipped = chart === p.callersChart;
    const next = sel ? neighbour(src.rows.rows, sel, e.key, flipped) : firstBox(src.rows);
    if (!next) return;
    p.selected(chart, next);
  } else if (e.key === 'Enter') {
    const sel = chart.selection;
    if (!sel) return;
    e.preventDefault();
    if (chart === p.mainChart) p.zoomInto(sel);
    else if (sel.node > 0) p.showSandwich(src.tree.frame[sel.node]);
  } else if (e.key === '+' || e.key === '=') chart.zoomBy(0.8);
  else if (e.key === '-') chart.zoomBy(1.25);
}

/** Listens to the keys on the whole page. */
export function attachKeyboard(p: KeyTarget): void {
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    const inSearch = !!target?.closest?.('vscode-textfield');
    if ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !inSearch)) {
      e.preventDefault();
      p.search.focus();
      return;
    }
    if (e.key === 'Escape') {
      escape(p, e, inSearch);
      return;
    }
    if (inSearch || p.store.ui.view === 'table') return;
    const chart = keyChart(p);
    if (chart) chartKey(p, chart, e);
  });
}
