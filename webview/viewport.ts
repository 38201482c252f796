/**
 * What part of a chart's interval rows is on screen, and the maths of moving it: pan, zoom,
 * scrolling a row into view, and hit-testing (the box under a point, where a box is drawn). No
 * DOM: the chart (chart.ts) owns one, draws what it says, and feeds it the mouse (chartPointer.ts).
 */
import type { BoxRef } from '../src/shared/protocol';
import { intervalAt, type IntervalRows } from './layout/intervals';

/** A box under the mouse or selected: row, index in the row, and the tree node it shows. */
export interface Hit {
  readonly row: number;
  readonly index: number;
  readonly node: number;
}

/** Where a box is drawn, in CSS pixels of the canvas. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const ROW_HEIGHT = 18;

/** The visible x range and vertical scroll of one chart, in its rows' units and CSS pixels. */
export class Viewport {
  /** The visible x range `[x0, x1)`, in the rows' units. */
  x0 = 0;
  x1 = 1;
  /** Pixels scrolled from the first row (from the bottom when flipped). */
  scrollY = 0;
  /** The canvas size in CSS pixels. */
  width = 0;
  height = 0;
  private rows: IntervalRows | undefined;

  constructor(
    /** Rows from the bottom up (the callers half of the sandwich). */
    readonly flipped = false,
  ) {}

  /** Shows new rows; the view resets to their whole extent unless `keepView`. */
  setRows(rows: IntervalRows | undefined, keepView = false): void {
    this.rows = rows;
    if (rows && !keepView) {
      this.x0 = rows.min;
      this.x1 = rows.max > rows.min ? rows.max : rows.min + 1;
      this.scrollY = 0;
    }
  }

  /** A new canvas size (CSS pixels); keeps the scroll within the content. */
  setSize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.scrollY = this.clampScroll(this.scrollY);
  }

  /** Shows `[x0, x1)` (clamped to the extent). False when there are no rows to show. */
  set(x0: number, x1: number, scrollY = this.scrollY): boolean {
    const rows = this.rows;
    if (!rows) return false;
    const { min, max } = rows;
    const extent = Math.max(max - min, Number.MIN_VALUE);
    let span = Math.min(Math.max(x1 - x0, extent * 1e-9), extent);
    if (!(span > 0)) span = extent;
    let a = Math.max(min, x0);
    if (a + span > max) a = max - span;
    this.x0 = a;
    this.x1 = a + span;
    this.scrollY = this.clampScroll(scrollY);
    return true;
  }

  /** Zooms by `factor` (< 1 zooms in) around a point at `fraction` of the width. */
  zoomBy(factor: number, fraction = 0.5): boolean {
    const span = this.x1 - this.x0;
    const at = this.x0 + span * fraction;
    const next = span * factor;
    return this.set(at - next * fraction, at - next * fraction + next);
  }

  /** Pans by a fraction of the visible width. */
  panBy(fraction: number): boolean {
    const span = this.x1 - this.x0;
    return this.set(this.x0 + span * fraction, this.x1 + span * fraction);
  }

  /** Shows a box's x range (zoom) and scrolls its row into view. False when there is no such row. */
  zoomTo(hit: Hit): boolean {
    const row = this.rows?.rows[hit.row];
    if (!row) return false;
    this.set(row.start[hit.index], row.end[hit.index]);
    this.scrollRowIntoView(hit.row);
    return true;
  }

  /** Pans (without zooming) and scrolls so that a box is on screen. False when there is no such row. */
  ensureVisible(hit: Hit): boolean {
    const row = this.rows?.rows[hit.row];
    if (!row) return false;
    const s = row.start[hit.index];
    const e = row.end[hit.index];
    const span = this.x1 - this.x0;
    if (e <= this.x0 || s >= this.x1) {
      const mid = (s + e) / 2;
      this.set(mid - span / 2, mid + span / 2);
    }
    this.scrollRowIntoView(hit.row);
    return true;
  }

  /** Scrolls the least that puts a row on screen. */
  scrollRowIntoView(row: number): void {
    const top = row * ROW_HEIGHT;
    let y = this.scrollY;
    if (top < y) y = top;
    else if (top + ROW_HEIGHT > y + this.height) y = top + ROW_HEIGHT - this.height;
    this.scrollY = this.clampScroll(y);
  }

  /** A scroll position kept within the content (all rows and one empty row below). */
  clampScroll(y: number): number {
    const rows = this.rows?.rows.length ?? 0;
    const content = rows * ROW_HEIGHT + ROW_HEIGHT;
    return Math.max(0, Math.min(y, content - this.height));
  }

  /** The top of a row on the canvas (CSS pixels; off screen when outside 0..height). */
  rowY(row: number): number {
    return this.flipped
      ? this.height - (row + 1) * ROW_HEIGHT + this.scrollY
      : row * ROW_HEIGHT - this.scrollY;
  }

  /** The box at a point of the canvas (CSS pixels), or null. */
  hitAt(mx: number, my: number): Hit | null {
    const rows = this.rows;
    if (!rows || this.width <= 0) return null;
    const yContent = this.flipped ? this.height - my + this.scrollY : my + this.scrollY;
    const r = Math.floor(yContent / ROW_HEIGHT);
    const row = rows.rows[r];
    if (!row) return null;
    const x = this.x0 + (mx / this.width) * (this.x1 - this.x0);
    const i = intervalAt(row, x);
    return i < 0 ? null : { row: r, index: i, node: row.node[i] };
  }

  /** Where a box is drawn (CSS pixels in the canvas), or null when it is not on screen. */
  boxOf(hit: Hit): Box | null {
    const row = this.rows?.rows[hit.row];
    if (!row) return null;
    const scale = this.width / (this.x1 - this.x0);
    const left = Math.max(0, (row.start[hit.index] - this.x0) * scale);
    const right = Math.min(this.width, (row.end[hit.index] - this.x0) * scale);
    const y = this.rowY(hit.row);
    if (right <= left || y + ROW_HEIGHT <= 0 || y >= this.height) return null;
    return { x: left, y, w: right - left, h: ROW_HEIGHT - 1 };
  }
}

/** The box a saved reference (row, index) points at in `rows`. */
export function hitOf(rows: IntervalRows['rows'], b: BoxRef): Hit {
  return { row: b.row, index: b.index, node: rows[b.row].node[b.index] };
}
