/**
 * The tooltip over the charts: what a box stands for (its place, its figures in this call path and
 * for its function, before and after in the differential view), placed beside the mouse or under
 * a box selected with the keyboard. Hidden whenever anything scrolls.
 */
import type { CallTree, Frame } from '../src/core/profile';
import { formatChange } from '../src/core/diff';
import { formatShare, formatWeight } from '../src/core/format';
import { isSignificant, type ItemGrains } from '../src/core/significance';
import type { ChartSource, Hit } from './chart';
import { el } from './dom';
import { nodeGrains } from './layout/diffColors';
import type { Model } from './model';
import { isOpenable } from './openSource';
import type { UiState } from './store';
import type { Box } from './viewport';

/** Which chart a box is in: the main one, or a half of the sandwich. */
export type ChartRole = 'main' | 'callers' | 'callees';

/** A tooltip's title (the function's name) and lines. */
export interface TooltipContent {
  title: string;
  lines: string[];
}

/** The tooltip element. */
export class Tooltip {
  // Hidden until it has something to say (an empty tooltip has no name).
  readonly root = el('div', { id: 'tooltip', role: 'tooltip', hidden: '' });

  constructor() {
    document.addEventListener('scroll', () => (this.root.hidden = true), true);
  }

  hide(): void {
    this.root.hidden = true;
  }

  /** Shows content beside the mouse; hides the tooltip when there is none. */
  atMouse(content: TooltipContent | null, e: MouseEvent): void {
    if (!content) {
      this.hide();
      return;
    }
    this.fill(content);
    this.place(e.clientX, e.clientY);
  }

  /** Shows content under a box of a canvas (a keyboard selection). */
  atBox(content: TooltipContent, canvas: HTMLCanvasElement, box: Box): void {
    this.fill(content);
    const r = canvas.getBoundingClientRect();
    this.place(r.left + box.x + Math.min(box.w / 2, 40), r.top + box.y + box.h);
  }

  private fill(content: TooltipContent): void {
    const title = el('div', { class: 'tt-title' }, content.title);
    this.root.replaceChildren(
      title,
      ...content.lines.map((l) => el('div', { class: 'tt-line' }, l)),
    );
  }

  private place(x: number, y: number): void {
    const tooltip = this.root;
    tooltip.hidden = false;
    const r = tooltip.getBoundingClientRect();
    const left = x + 14 + r.width > window.innerWidth ? Math.max(0, x - 14 - r.width) : x + 14;
    const top = y + 16 + r.height > window.innerHeight ? Math.max(0, y - 8 - r.height) : y + 16;
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  }
}

/** Where a frame is: file and line, or what kind of code it is. */
function place(frame: Frame): string {
  return frame.file
    ? `${frame.file}${frame.line1 ? `:${frame.line1}` : ''}`
    : frame.kind === 'pseudo'
      ? 'Profiler pseudo-frame'
      : `${frame.kind} code`;
}

/** What the tooltip says about a box of a chart showing `src`, or null when there is nothing. */
export function tooltipContent(
  m: Model,
  ui: UiState,
  role: ChartRole,
  src: ChartSource,
  hit: Hit,
): TooltipContent | null {
  const unit = m.profile.meta.unit;
  const w = (v: number): string => `${formatWeight(v, unit)} (${formatShare(v, m.total)})`;
  const tree: CallTree = src.tree;
  const node = hit.node;
  const main = role === 'main';
  if (main && ui.view === 'diff') return diffTooltipContent(m, ui, src, node);
  if (node === 0) return { title: 'All', lines: [`Total: ${w(tree.total[0])}`] };
  const frame = src.frames[tree.frame[node]];
  const lines: string[] = [place(frame)];
  const approx = m.profile.treeIsApproximate && main ? ' (approximate)' : '';
  const inverted = main && ui.view === 'flame' && ui.inverted;
  if (inverted) {
    lines.push(`Time in this call path: ${w(tree.total[node])}${approx}`);
  } else if (main && ui.view === 'timeOrder') {
    const row = src.rows.rows[hit.row];
    const d = row.end[hit.index] - row.start[hit.index];
    lines.push(`Duration here: ${w(d)}`);
    lines.push(
      `From ${formatWeight(row.start[hit.index] - src.rows.min, unit)} to ${formatWeight(row.end[hit.index] - src.rows.min, unit)}`,
    );
  } else {
    lines.push(`Total here: ${w(tree.total[node])}${approx}`);
    lines.push(`Self here: ${w(tree.self[node])}${approx}`);
  }
  const f = m.functionFigures(ui.myCodeOnly, tree.frame[node]);
  if (f) {
    lines.push(`Function total: ${w(f.total)} · self: ${w(f.self)}`);
    lines.push(
      f.calls === null
        ? 'Calls: not counted (a sampling profiler sees time, not calls)'
        : `Calls: ${f.calls.toLocaleString('en-US')}`,
    );
  }
  if (isOpenable(frame)) lines.push('Ctrl/Cmd+click: open the source');
  return { title: frame.name || '(anonymous)', lines };
}

/** A box's total before and after, and its change as the tooltip words it ("+4.00 ms · +40%"). */
export interface BoxChange {
  readonly before: string;
  readonly after: string;
  readonly change: string;
}

/** The total of a box of the differential view before and after, and its change. */
export function diffBoxChange(
  m: Model,
  ui: UiState,
  src: ChartSource,
  node: number,
): BoxChange | null {
  const c = m.compare;
  const d = m.diff(ui.myCodeOnly);
  if (!c || !d) return null;
  const bt = d.beforeTotal[node];
  const at = src.tree.total[node];
  const significant = isSignificant(
    bt,
    at,
    c.noise,
    c.critical.nodes,
    nodeGrains(d.test, node, bt, at),
  );
  return {
    before: formatWeight(bt, c.unit),
    after: formatWeight(at, c.unit),
    change: formatChange(at - bt, bt > 0 ? (at - bt) / bt : null, c.unit, significant),
  };
}

/** Before, after and the change of a box of the differential view, and of its function. */
function diffTooltipContent(
  m: Model,
  ui: UiState,
  src: ChartSource,
  node: number,
): TooltipContent | null {
  const c = m.compare;
  const d = m.diff(ui.myCodeOnly);
  if (!c || !d) return null;
  const unit = c.unit;
  const tree = src.tree;
  const fw = (v: number): string => formatWeight(v, unit);
  const change = (before: number, after: number, zCritical: number, grains?: ItemGrains) =>
    formatChange(
      after - before,
      before > 0 ? (after - before) / before : null,
      unit,
      isSignificant(before, after, c.noise, zCritical, grains),
    );
  // Functions are judged once, by the comparison itself, as in the editor's CodeLens.
  const functionChange = (before: number, after: number, significant: boolean): string =>
    formatChange(after - before, before > 0 ? (after - before) / before : null, unit, significant);
  const lines: string[] = [];
  const frame = node > 0 ? src.frames[tree.frame[node]] : undefined;
  if (frame) lines.push(place(frame));
  const bt = d.beforeTotal[node];
  const at = tree.total[node];
  const z = c.critical.nodes;
  const here = diffBoxChange(m, ui, src, node)!.change;
  lines.push(`${node > 0 ? 'Total here' : 'Total'}: before ${fw(bt)} · after ${fw(at)} · ${here}`);
  if (node > 0) {
    const bs = d.beforeSelf[node];
    const as = tree.self[node];
    lines.push(`Self here: before ${fw(bs)} · after ${fw(as)} · ${change(bs, as, z)}`);
    const fid = tree.frame[node];
    const inlined = c.inlinedBefore.has(fid);
    if (!(bt > 0)) {
      lines.push(
        inlined
          ? 'Call path not in the earlier run: V8 ran this function inlined there'
          : 'Call path not sampled in the earlier run',
      );
    }
    const before = c.beforeByFrame.get(fid);
    const after = m.functionFigures(false, fid);
    if (before && after) {
      lines.push(
        `Function total: before ${fw(before.total)}${inlined ? ' (on its lines)' : ''} · after ${fw(after.total)} · ${functionChange(before.total, after.total, c.changedFrames.has(fid))}`,
      );
    } else if (after) lines.push('Function: not sampled in the earlier run');
  }
  lines.push(
    c.normalisation === 'typical'
      ? 'Before weights normalised by the typical change'
      : c.normalisation === 'total'
        ? 'Before weights normalised by total'
        : 'As measured',
  );
  if (isOpenable(frame)) lines.push('Ctrl/Cmd+click: open the source');
  return { title: frame ? frame.name || '(anonymous)' : 'All', lines };
}
