/**
 * Rows of non-overlapping intervals sorted by start: the common shape of the flame graph layout
 * and the time-order chart. Drawing a frame looks up only the visible part of each row (binary
 * search) and jumps over runs of sub-pixel boxes, so its cost follows what is on screen, not the
 * size of the profile.
 */

/** One row: interval i is `[start[i], end[i])` and shows tree node `node[i]`. */
export interface IntervalRow {
  readonly node: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
}

/** A chart: rows (top to bottom) over the extent `[min, max)` of the x axis. */
export interface IntervalRows {
  readonly rows: readonly IntervalRow[];
  readonly min: number;
  readonly max: number;
}

/** The first interval of a row that ends after `x` (`row.node.length` when none). */
export function firstEndingAfter(row: IntervalRow, x: number): number {
  let lo = 0;
  let hi = row.end.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (row.end[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The first interval of a row at or after index `from` that starts at or after `x` (`row.node.length`
 * when none). Gallops from `from` before the binary search, so a target a few intervals away
 * costs a few steps whatever the row's length.
 */
export function firstStartingFrom(row: IntervalRow, x: number, from = 0): number {
  const start = row.start;
  const n = start.length;
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < n && start[hi] < x) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (start[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The interval of a row containing `x`, or -1. */
export function intervalAt(row: IntervalRow, x: number): number {
  const i = firstEndingAfter(row, x);
  return i < row.start.length && row.start[i] <= x ? i : -1;
}

/**
 * Calls `visit(i)` for the intervals of `row` that overlap `[x0, x1)` and are at least `minWidth`
 * wide. After a narrower interval it jumps (galloping search) to the first interval starting at
 * least `minWidth` further on: boxes under a pixel are skipped without being visited one by one,
 * so a row costs at most about (visible pixels x log n). Each skipped run is reported to
 * `skipped(from, to, first, last)` (its extent, at most 2 x `minWidth` wide, and the indexes of
 * its first and last intervals), so that a renderer can show where there is something too small
 * to draw. Returns how many intervals were visited.
 */
export function visitVisible(
  row: IntervalRow,
  x0: number,
  x1: number,
  minWidth: number,
  visit: (i: number) => void,
  skipped?: (from: number, to: number, first: number, last: number) => void,
): number {
  const starts = row.start;
  const ends = row.end;
  const n = starts.length;
  let visited = 0;
  let i = firstEndingAfter(row, x0);
  while (i < n) {
    const s = starts[i];
    if (s >= x1) break;
    const e = ends[i];
    if (e - s >= minWidth) {
      visit(i);
      visited++;
      i++;
    } else {
      // Skip to the next pixel's worth of x: what starts in between is narrower than minWidth,
      // except perhaps the last one, which may reach past it (intervals do not overlap).
      const next = firstStartingFrom(row, s + minWidth, i + 1);
      const last = next - 1;
      if (last > i && ends[last] - starts[last] >= minWidth) {
        skipped?.(s, ends[last - 1], i, last - 1);
        i = last;
      } else {
        const end = last > i ? last : i;
        skipped?.(s, ends[end], i, end);
        i = next > i + 1 ? next : i + 1;
      }
    }
  }
  return visited;
}

/**
 * Prefix sums of the widths of a row's intervals (`cover[i]` = total width of intervals before
 * i), so the share of a stretch that is covered by boxes too small to draw costs two reads.
 */
export function coverage(row: IntervalRow): Float64Array {
  const n = row.start.length;
  const cover = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cover[i + 1] = cover[i] + (row.end[i] - row.start[i]);
  return cover;
}
