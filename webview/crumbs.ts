/**
 * The zoom path above the main chart: "All", then the zoomed box's callers down to it, each a
 * button that zooms there.
 */
import type { FlameView } from '../src/shared/protocol';
import type { ChartSource } from './chart';
import { el } from './dom';
import { intervalAt } from './layout/intervals';
import { pathTo } from './layout/tree';
import { hitOf } from './viewport';
import type { UiState } from './store';

/** What the crumbs do when clicked. */
export interface CrumbActions {
  /** Keeps the first `depth` steps of the zoom path (0: all). */
  zoomOut(depth: number): void;
  /** Zooms to the box at `index` of `row` (one more step). */
  zoomTo(row: number, index: number): void;
}

/** Fills the crumbs for the main chart's source; hidden when the main chart is not shown. */
export function renderCrumbs(
  crumbs: HTMLElement,
  src: ChartSource | undefined,
  ui: UiState,
  shown: boolean,
  actions: CrumbActions,
): void {
  crumbs.replaceChildren();
  if (!src || !shown) {
    crumbs.hidden = true;
    return;
  }
  crumbs.hidden = false;
  const rows = src.rows.rows;
  const top = ui.zoom[ui.zoom.length - 1];
  const all = el('button', { class: 'crumb', title: 'Show everything' }, 'All');
  all.addEventListener('click', () => actions.zoomOut(0));
  crumbs.append(all);
  if (!top) {
    crumbs.append(
      el(
        'span',
        { class: 'hint' },
        ' Click a box to zoom · Ctrl/Cmd+click opens the source · Escape goes back · ? lists the keys',
      ),
    );
    return;
  }
  const zoomed = hitOf(rows, top);
  // Ancestors of the zoomed box, each a crumb that zooms to it.
  const path = pathTo(src.tree, zoomed.node);
  const rowOffset = rowOffsetOf(ui.view); // time order has no root row
  const start = rows[top.row].start[top.index];
  path.forEach((node, k) => {
    const depth = src.tree.depth[node];
    const r = depth - rowOffset;
    const label = src.frames[src.tree.frame[node]].name || '(anonymous)';
    crumbs.append(el('span', { class: 'crumb-sep' }, '›'));
    const b = el('button', { class: `crumb${k === path.length - 1 ? ' current' : ''}` }, label);
    b.addEventListener('click', () => {
      const i = intervalAt(rows[r], start);
      if (i < 0) return;
      actions.zoomTo(r, i);
    });
    crumbs.append(b);
  });
}

function rowOffsetOf(view: FlameView): number {
  return view === 'timeOrder' ? 1 : 0;
}
