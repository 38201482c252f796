/**
 * The panel's keys (the list, with what each does, is keyHelp.ts' KEYS): Ctrl/Cmd+F and / focus
 * the search, Escape clears it or zooms out one step (as Backspace does), 0 resets the zoom, 1 to
 * 5 show a view, O and Ctrl/Cmd+Enter open the selected function's source, ? opens the help; on a
 * chart with the focus, the arrows move the selection from box to box, Enter zooms to the selected
 * box (in the sandwich: re-centres on its function), + and - zoom.
 */
import type { FlameView } from '../src/shared/protocol';
import { noBoxText } from './announce';
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
  /** Shows a view and puts the focus on it (its chart, or the table). */
  showView(view: FlameView): void;
  /** Opens the source of the function selected in the view shown. */
  openSelectedSource(): void;
  /** Opens the keyboard help. */
  openHelp(): void;
  /** The live region: what the keys do is said there. */
  readonly live: { say(text: string): void };
}

/** The views the digit keys show, in the order of the help. */
const VIEW_KEYS: Record<string, FlameView> = {
  '1': 'flame',
  '2': 'timeOrder',
  '3': 'sandwich',
  '4': 'table',
  '5': 'diff',
  '6': 'callGraph',
};

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

/** The chart the arrows move in: the one with the focus, or the main one when none has it. */
function keyChart(p: KeyTarget, target: Element | null): Chart | undefined {
  const view = p.store.ui.view;
  const onPage = !target || target === document.body || target === document.documentElement;
  if (onMainChart(view)) {
    return onPage || target === p.mainChart.canvas ? p.mainChart : undefined;
  }
  if (view === 'sandwich') {
    if (target === p.callersChart.canvas) return p.callersChart;
    return onPage || target === p.calleesChart.canvas ? p.calleesChart : undefined;
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
    p.live.say('Search cleared');
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
    if (next) p.selected(chart, next);
    else p.live.say(noBoxText(e.key));
  } else if (e.key === 'Enter') {
    const sel = chart.selection;
    if (!sel) return;
    e.preventDefault();
    if (chart === p.mainChart) p.zoomInto(sel);
    else if (sel.node > 0) p.showSandwich(src.tree.frame[sel.node]);
  } else if (e.key === '+' || e.key === '=') {
    chart.zoomBy(0.8);
    p.live.say('Zoomed in');
  } else if (e.key === '-') {
    chart.zoomBy(1.25);
    p.live.say('Zoomed out');
  }
}

/**
 * The keys that act wherever the focus is (but in the search field): views, zoom back and reset,
 * open source, help. Returns whether the key was one of them.
 */
function pageKey(p: KeyTarget, e: KeyboardEvent): boolean {
  const ui = p.store.ui;
  const ctrl = e.ctrlKey || e.metaKey;
  if (e.key === '?') p.openHelp();
  else if ((e.key === 'o' || e.key === 'O') && !ctrl) p.openSelectedSource();
  else if (e.key === 'Enter' && ctrl) p.openSelectedSource();
  else if (ctrl) return false;
  else if (VIEW_KEYS[e.key]) p.showView(VIEW_KEYS[e.key]);
  else if (e.key === '0' && onMainChart(ui.view)) p.zoomOut(0);
  else if (e.key === 'Backspace' && onMainChart(ui.view) && ui.zoom.length) {
    p.zoomOut(ui.zoom.length - 1);
  } else return false;
  e.preventDefault();
  return true;
}

/** Listens to the keys on the whole page. */
export function attachKeyboard(p: KeyTarget): void {
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    // The help dialog handles its own keys (Escape closes it).
    if (target?.closest?.('dialog')) return;
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
    if (inSearch || e.altKey) return;
    if (pageKey(p, e)) return;
    // Only on a chart (or with the focus nowhere): on a button, a checkbox or the table, Enter
    // and the arrows are theirs.
    const chart = keyChart(p, target);
    if (chart && !(e.ctrlKey || e.metaKey)) chartKey(p, chart, e);
  });
}
