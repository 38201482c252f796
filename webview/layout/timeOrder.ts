/**
 * The time-order chart (a "flame chart"): samples in the order they were taken, with consecutive
 * samples that share a stack prefix merged into one interval per depth. Row r holds the frames at
 * tree depth r + 1 (the synthetic root has no row), and every row is sorted by start time, so
 * drawing finds the visible part of a row by binary search.
 */
import type { CallTree, Samples } from '../../src/core/profile';
import type { IntervalRow, IntervalRows } from './intervals';

/** A row under construction: typed arrays that double when full. */
class GrowableRow {
  node = new Int32Array(64);
  start = new Float64Array(64);
  end = new Float64Array(64);
  length = 0;

  push(node: number, start: number, end: number): void {
    if (this.length === this.node.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.node = grow(this.node, (n) => new Int32Array(n));
      this.start = grow(this.start, (n) => new Float64Array(n));
      this.end = grow(this.end, (n) => new Float64Array(n));
    }
    this.node[this.length] = node;
    this.start[this.length] = start;
    this.end[this.length] = end;
    this.length++;
  }

  done(): IntervalRow {
    return {
      node: this.node.subarray(0, this.length),
      start: this.start.subarray(0, this.length),
      end: this.end.subarray(0, this.length),
    };
  }
}

/**
 * Builds the chart. `nodeMap` (from a derived tree such as "my code only") maps each sample's
 * node to a node of `tree`. A gap between samples (a sample starting after the previous one ended)
 * closes every open interval, so time with no sample is left blank. Zero-weight samples are
 * skipped; starts that go backwards are clamped so rows stay sorted.
 */
export function timeOrder(tree: CallTree, samples: Samples, nodeMap?: Int32Array): IntervalRows {
  const { parent, depth } = tree;
  let maxDepth = 0;
  for (let i = 0; i < tree.size; i++) if (depth[i] > maxDepth) maxDepth = depth[i];
  const rows: GrowableRow[] = [];
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
      while (rows.length <= open) rows.push(new GrowableRow());
      rows[open].push(openNode[open], openStart[open], at);
    }
  };

  for (let i = 0; i < samples.count; i++) {
    const w = samples.weight[i];
    if (!(w > 0)) continue;
    let s = samples.start[i];
    if (s < prevEnd) s = prevEnd;
    if (s < min) min = s;
    const leaf = nodeMap ? nodeMap[samples.node[i]] : samples.node[i];
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
    rows: rows.map((r) => r.done()),
    min: min === Infinity ? 0 : min,
    max: prevEnd === -Infinity ? 0 : prevEnd,
  };
}
