/**
 * The merged flame graph layout: every node of a call tree becomes a box whose width is its total
 * weight, children side by side from their parent's left edge, heaviest first (so the widest
 * stacks line up on the left), one row per depth with the root on row 0.
 */
import type { CallTree } from '../../src/core/profile';
import type { IntervalRow, IntervalRows } from './intervals';
import { preorder } from './tree';

/** A flame graph layout: per-row intervals sorted by x, and each node's row and x. */
export interface FlameLayout extends IntervalRows {
  readonly tree: CallTree;
  /** Left edge of each node, in weight units from the root's left edge. */
  readonly x: Float64Array;
  /** Index of each node inside its row (`rows[depth[n]]`). */
  readonly indexInRow: Int32Array;
}

/** Lays out a call tree. Zero-weight nodes get zero-width boxes (never drawn). */
export function layoutFlame(tree: CallTree): FlameLayout {
  const n = tree.size;
  const x = new Float64Array(n);
  const { childStart, childCount, children } = tree;
  // Parents have smaller ids than children, so one pass in id order places every node.
  for (let p = 0; p < n; p++) {
    let cursor = x[p];
    const s = childStart[p];
    const e = s + childCount[p];
    for (let k = s; k < e; k++) {
      const c = children[k];
      x[c] = cursor;
      cursor += tree.total[c];
    }
  }
  let maxDepth = 0;
  const depth = tree.depth;
  for (let i = 0; i < n; i++) if (depth[i] > maxDepth) maxDepth = depth[i];
  const rowCount = n ? maxDepth + 1 : 0;
  // One array per field for all rows, each row a subarray of it: the fill loop below then writes
  // flat arrays instead of going through a row object per node.
  const offset = new Int32Array(rowCount + 1);
  for (let i = 0; i < n; i++) offset[depth[i] + 1]++;
  for (let d = 0; d < rowCount; d++) offset[d + 1] += offset[d];
  const nodeAll = new Int32Array(n);
  const startAll = new Float64Array(n);
  const endAll = new Float64Array(n);
  // Pre-order visits each row's nodes left to right, so every row comes out sorted by x.
  const fill = offset.slice(0, rowCount);
  const indexInRow = new Int32Array(n);
  const order = preorder(tree);
  const total = tree.total;
  for (let k = 0; k < n; k++) {
    const node = order[k];
    const d = depth[node];
    const at = fill[d]++;
    nodeAll[at] = node;
    startAll[at] = x[node];
    endAll[at] = x[node] + total[node];
    indexInRow[node] = at - offset[d];
  }
  const rows: IntervalRow[] = [];
  for (let d = 0; d < rowCount; d++) {
    const a = offset[d];
    const b = offset[d + 1];
    rows.push({
      node: nodeAll.subarray(a, b),
      start: startAll.subarray(a, b),
      end: endAll.subarray(a, b),
    });
  }
  return {
    tree,
    x,
    indexInRow,
    rows,
    min: 0,
    max: n ? tree.total[0] : 0,
  };
}
