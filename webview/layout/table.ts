/**
 * The table view's rows: one per function, with self and total time and, for deterministic
 * profilers, exact call counts.
 */
import type { CallGraph, CallTree, Frame } from '../../src/core/profile';
import { nestedOccurrences } from './tree';

/** One function of the table. */
export interface TableRow {
  readonly frameId: number;
  readonly self: number;
  /** Time with the function on the stack, recursion counted once. */
  readonly total: number;
  /** Exact number of calls (call-graph profiles), or null when the profiler did not count. */
  readonly calls: number | null;
}

/** Columns the table sorts by. */
export type TableSort = 'self' | 'total' | 'calls' | 'name';

/**
 * Rows from a call tree (sampling profilers): self is the sum over the function's nodes, total
 * the sum over its outermost nodes, calls unknown. Functions with no time are left out.
 */
export function tableRowsFromTree(tree: CallTree, frameCount: number): TableRow[] {
  const nested = nestedOccurrences(tree);
  const self = new Float64Array(frameCount);
  const total = new Float64Array(frameCount);
  const present = new Uint8Array(frameCount);
  for (let i = 1; i < tree.size; i++) {
    const f = tree.frame[i];
    present[f] = 1;
    self[f] += tree.self[i];
    if (!nested[i]) total[f] += tree.total[i];
  }
  const rows: TableRow[] = [];
  for (let f = 0; f < frameCount; f++) {
    if (present[f] && total[f] > 0)
      rows.push({ frameId: f, self: self[f], total: total[f], calls: null });
  }
  return rows;
}

/**
 * Rows from a deterministic profiler's call graph: its exact self, total and call counts (the
 * approximated tree is never used for these figures). `keep` filters functions ("my code only"
 * hides the others but does not change the exact figures of those that stay).
 */
export function tableRowsFromGraph(
  graph: CallGraph,
  frames: readonly Frame[],
  keep: (frame: Frame) => boolean = () => true,
): TableRow[] {
  return graph.functions
    .filter((f) => frames[f.frame] && keep(frames[f.frame]))
    .map((f) => ({ frameId: f.frame, self: f.self, total: f.total, calls: f.calls }));
}

/** Sorts rows in place: numbers descending, names ascending; ties by the other figures. */
export function sortTableRows(
  rows: TableRow[],
  by: TableSort,
  frames: readonly Frame[],
): TableRow[] {
  const name = (r: TableRow): string => frames[r.frameId]?.name ?? '';
  return rows.sort((a, b) => {
    switch (by) {
      case 'name':
        return name(a).localeCompare(name(b)) || b.total - a.total;
      case 'self':
        return b.self - a.self || b.total - a.total;
      case 'calls':
        return (b.calls ?? -1) - (a.calls ?? -1) || b.total - a.total;
      default:
        return b.total - a.total || b.self - a.self;
    }
  });
}
