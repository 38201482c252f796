/**
 * The time-order chart (a "flame chart"): samples in the order they were taken, with consecutive
 * samples that share a stack prefix merged into one interval per depth. Row r holds the frames at
 * tree depth r + 1 (the synthetic root has no row), and every row is sorted by start time, so
 * drawing finds the visible part of a row by binary search.
 */
import type { CallTree, Samples } from '../../src/core/profile';
import type { IntervalRow, IntervalRows } from './intervals';

/**
 * Closed intervals of all rows in the order they close, appended to flat typed arrays that double
 * when full, then split into rows (the order within a row is kept: rows come out sorted). One
 * sequential buffer rather than a buffer per row: a 100 000-deep chart has as many rows, and
 * appending to each in turn was slow and allocated a great deal.
 */
class IntervalBuffer {
  row = new Int32Array(1024);
  node = new Int32Array(1024);
  start = new Float64Array(1024);
  end = new Float64Array(1024);
  length = 0;

  push(row: number, node: number, start: number, end: number): void {
    if (this.length === this.node.length) {
      const n = this.length * 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.row = grow(this.row, new Int32Array(n));
      this.node = grow(this.node, new Int32Array(n));
      this.start = grow(this.start, new Float64Array(n));
      this.end = grow(this.end, new Float64Array(n));
    }
    const i = this.length++;
    this.row[i] = row;
    this.node[i] = node;
    this.start[i] = start;
    this.end[i] = end;
  }

  rows(rowCount: number): IntervalRow[] {
    const n = this.length;
    const offset = new Int32Array(rowCount + 1);
    for (let i = 0; i < n; i++) offset[this.row[i] + 1]++;
    for (let r = 0; r < rowCount; r++) offset[r + 1] += offset[r];
    const node = new Int32Array(n);
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    const at = offset.slice(0, rowCount);
    for (let i = 0; i < n; i++) {
      const k = at[this.row[i]]++;
      node[k] = this.node[i];
      start[k] = this.start[i];
      end[k] = this.end[i];
    }
    const rows: IntervalRow[] = [];
    for (let r = 0; r < rowCount; r++) {
      const from = offset[r];
      const to = offset[r + 1];
      rows.push({
        node: node.subarray(from, to),
        start: start.subarray(from, to),
        end: end.subarray(from, to),
      });
    }
    return rows;
  }
}

/** What the work budget of {@link timeOrder} cut, for the note the view shows. */
export interface TimeOrderCut {
  /** Rows drawn: frames deeper than this are left out (their time shows on the row above). */
  readonly depth: number;
  /** The deepest stack among the samples, in frames. */
  readonly maxDepth: number;
  /** The interval budget. */
  readonly intervals: number;
}

/** The chart and, when the budget cut it, how. */
export interface TimeOrderChart extends IntervalRows {
  /** Null when every frame of every sample is drawn. */
  readonly cut: TimeOrderCut | null;
}

/**
 * Intervals the chart may hold. It costs the sum of the stack changes between samples: normal
 * profiles make about one interval per sample (the bench's 3.8M samples make 3M), while deep
 * stacks alternating with shallow ones make samples x depth (100 000 deep: billions). Above the
 * budget, the chart is drawn down to the deepest row that fits; 6M intervals is about 120 MB, and
 * the worst case (100 000 deep) builds in under 2 s.
 */
export const TIME_ORDER_BUDGET = 6_000_000;

/** Attempts at a smaller depth before the last resort of one row (which always fits). */
const MAX_ATTEMPTS = 6;

/**
 * Builds the chart. `nodeMap` (from a derived tree such as "my code only") maps each sample's
 * node to a node of `tree`. A gap between samples (a sample starting after the previous one ended)
 * closes every open interval, so time with no sample is left blank. Zero-weight samples are
 * skipped; starts that go backwards are clamped so rows stay sorted.
 *
 * Bounded work: when the chart would hold more than `budget` intervals, it is built again with
 * rows only down to the deepest that fits (estimated from the attempt that overflowed), each
 * attempt stopping as soon as it overflows; one row (at most one interval per sample) is the last
 * resort. `cut` says how deep the rows go.
 */
export function timeOrder(
  tree: CallTree,
  samples: Samples,
  nodeMap?: Int32Array,
  budget: number = TIME_ORDER_BUDGET,
): TimeOrderChart {
  let maxDepth = 0;
  for (let i = 0; i < samples.count; i++) {
    const leaf = nodeMap ? nodeMap[samples.node[i]] : samples.node[i];
    if (samples.weight[i] > 0 && tree.depth[leaf] > maxDepth) maxDepth = tree.depth[leaf];
  }
  const opened = new Float64Array(maxDepth + 1);
  let cap = maxDepth;
  for (let attempt = 0; ; attempt++) {
    const last = cap <= 1 || attempt >= MAX_ATTEMPTS;
    if (last) cap = Math.min(cap, 1);
    opened.fill(0);
    const r = build(tree, samples, nodeMap, cap, last ? Infinity : budget, opened);
    if (typeof r !== 'number') {
      const cut = cap < maxDepth ? { depth: cap, maxDepth, intervals: budget } : null;
      return { ...r, cut };
    }
    // Overflowed after r samples: scale the intervals opened per row so far to all samples, and
    // keep the rows that fit (at most half the previous depth, so attempts stay few).
    const scale = samples.count / Math.max(1, r);
    let sum = 0;
    let fit = 0;
    while (fit < cap && (sum + opened[fit]) * scale <= budget) sum += opened[fit++];
    cap = Math.max(1, Math.min(fit, cap >> 1));
  }
}

/**
 * One attempt: the chart with rows down to depth `cap`, or the number of samples read when more
 * than `budget` intervals opened. `opened[k]` counts the intervals opened in row k.
 */
function build(
  tree: CallTree,
  samples: Samples,
  nodeMap: Int32Array | undefined,
  cap: number,
  budget: number,
  opened: Float64Array,
): IntervalRows | number {
  const { parent, depth } = tree;
  let maxDepth = 0;
  for (let i = 0; i < tree.size; i++) if (depth[i] > maxDepth) maxDepth = depth[i];
  // Each node's ancestor (or itself) at depth `cap` or above: parents precede children.
  let shown: Int32Array | undefined;
  if (cap < maxDepth) {
    shown = new Int32Array(tree.size);
    for (let i = 0; i < tree.size; i++) shown[i] = depth[i] <= cap ? i : shown[parent[i]];
    maxDepth = cap;
  }
  let count = 0;
  const buffer = new IntervalBuffer();
  let rowCount = 0;
  // The open stack: openNode[k] is the node at depth k + 1, open since openStart[k].
  const openNode = new Int32Array(maxDepth + 1);
  const openStart = new Float64Array(maxDepth + 1);
  let open = 0;
  const entering = new Int32Array(maxDepth + 1);
  let prevLeaf = -1;
  let prevEnd = -Infinity;
  let min = Infinity;

  const close = (downTo: number, at: number): void => {
    while (open > downTo) {
      open--;
      if (open >= rowCount) rowCount = open + 1;
      buffer.push(open, openNode[open], openStart[open], at);
    }
  };

  for (let i = 0; i < samples.count; i++) {
    const w = samples.weight[i];
    if (!(w > 0)) continue;
    let s = samples.start[i];
    if (s < prevEnd) s = prevEnd;
    if (s < min) min = s;
    let leaf = nodeMap ? nodeMap[samples.node[i]] : samples.node[i];
    if (shown) leaf = shown[leaf];
    // Floating starts are sums of deltas: allow a rounding error relative to their size.
    if (Math.abs(s - prevEnd) > 1e-9 * Math.max(1, Math.abs(s))) {
      close(0, prevEnd);
      prevLeaf = -1;
    }
    if (leaf !== prevLeaf) {
      // Walk up from the new leaf until a node that is already open: what is below it opens,
      // what was open below it closes. Costs the number of intervals that change, not the depth.
      let entered = 0;
      let n = leaf;
      while (n > 0) {
        const k = depth[n] - 1;
        if (k < open && openNode[k] === n) break;
        entering[entered++] = n;
        n = parent[n];
      }
      close(n > 0 ? depth[n] : 0, s);
      for (let e = 0; e < entered; e++) opened[depth[entering[e]] - 1]++;
      count += entered;
      if (count > budget) return i + 1;
      while (entered > 0) {
        const node = entering[--entered];
        openNode[open] = node;
        openStart[open] = s;
        open++;
      }
      prevLeaf = leaf;
    }
    prevEnd = s + w;
  }
  close(0, prevEnd);
  return {
    rows: buffer.rows(rowCount),
    min: min === Infinity ? 0 : min,
    max: prevEnd === -Infinity ? 0 : prevEnd,
  };
}
