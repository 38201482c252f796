/**
 * The line above the charts: that the flame graph is approximated from a call graph, the
 * importer's warnings, and what a view's work budget left out (hostile profiles only).
 */
import { el } from './dom';
import type { Model } from './model';
import type { UiState } from './store';

/** Fills the banner for the profile and view shown (hidden when it has nothing to say). */
export function renderBanner(banner: HTMLElement, m: Model | undefined, ui: UiState): void {
  banner.replaceChildren();
  if (!m) {
    banner.hidden = true;
    return;
  }
  if (m.profile.treeIsApproximate) {
    banner.append(
      el('strong', {}, 'Approximated from a call graph. '),
      document.createTextNode(
        'This profiler records who called whom, not whole stacks, so the flame graph spreads each ' +
          "function's time over its callers in proportion. The table, sandwich and call graph views show the exact figures.",
      ),
    );
  }
  for (const w of m.profile.meta.warnings) banner.append(el('div', { class: 'warning' }, w));
  const note = budgetNote(m, ui);
  if (note) banner.append(el('div', { class: 'warning budget' }, note));
  banner.hidden = !banner.childNodes.length;
}

/** What a view's work budget left out of the chart shown now (hostile profiles only), or null. */
function budgetNote(m: Model, ui: UiState): string | null {
  const n = (v: number) => v.toLocaleString('en-US');
  if (ui.view === 'flame' && ui.inverted) {
    const cut = m.invert(m.base(ui.myCodeOnly)).cut;
    if (!cut) return null;
    return cut.nodesFull
      ? `Inverted view limited to ${n(cut.nodes)} nodes; some chains of callers stop early (their ` +
          'time stays on the last caller shown). The non-inverted flame graph shows every frame.'
      : `Inverted view limited to ${n(cut.depth)} callers per stack (the deepest stack has ` +
          `${n(cut.maxDepth)} frames); deeper callers' time stays on the last caller shown. The ` +
          'non-inverted flame graph shows every frame.';
  }
  if (ui.view === 'timeOrder') {
    const cut = m.timeOrder(ui.myCodeOnly)?.cut;
    if (!cut) return null;
    return (
      `Time order limited to the outermost ${n(cut.depth)} frames of each stack (the deepest has ` +
      `${n(cut.maxDepth)}) to stay under ${n(cut.intervals)} boxes. The flame graph shows every frame.`
    );
  }
  return null;
}
