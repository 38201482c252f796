/**
 * The Canvas2D renderer of interval rows (flame graph, time order, sandwich halves). Layout is
 * computed elsewhere (layout/); what is on screen, pan, zoom and hit-testing are the viewport's
 * (viewport.ts), the mouse is chartPointer.ts's; this module draws what is visible.
 *
 * Measured on headless Chromium without a GPU: Canvas2D fills about a
 * million rectangles per second and is far faster there than WebGL, which falls back to software.
 * So a frame draws only visible rows, finds each row's visible part by binary search, skips boxes
 * under a pixel (drawing a neutral band where they lie, at most one per pixel), sets each fill
 * color once per frame, and draws labels only where they fit.
 */
import type { CallTree, Frame } from '../src/core/profile';
import { coverage, visitVisible, type IntervalRow, type IntervalRows } from './layout/intervals';
import { DIFF_LEVELS } from './layout/diffColors';
import { colorIndex, type Palette } from './theme';
import { attachPointer, type ChartHandlers } from './chartPointer';
import { ROW_HEIGHT, Viewport, type Box, type Hit } from './viewport';

export type { ChartHandlers } from './chartPointer';
export type { Hit } from './viewport';

/** What a chart shows: interval rows whose `node` values are nodes of `tree`. */
export interface ChartSource {
  readonly rows: IntervalRows;
  readonly tree: CallTree;
  readonly frames: readonly Frame[];
  /** Name shown for the synthetic root node (node 0), if a row holds it. */
  readonly rootLabel: string;
  /**
   * Per node of `tree`, a color of the differential view (layout/diffColors.ts: 0 .. 2 x
   * DIFF_LEVELS, neutral in the middle) instead of the frame's own color.
   */
  readonly nodeColor?: Uint8Array;
}

/** Figures of the last frame, for tests and the benchmark. */
export interface DrawStats {
  boxes: number;
  labels: number;
  highlighted: number;
  rows: number;
  ms: number;
}

const LABEL_PAD = 4;
const MIN_LABEL_CHARS = 5;
/** Boxes narrower than this (CSS px) are drawn as pixels of one image rather than fillRects. */
const NARROW_PX = 3;

/** One canvas drawing one {@link ChartSource}. */
export class Chart {
  readonly canvas: HTMLCanvasElement;
  /** What is on screen; pan, zoom and hit-testing. */
  readonly view: Viewport;
  private readonly ctx: CanvasRenderingContext2D;
  private source: ChartSource | undefined;
  private colorOfFrame = new Int32Array(0);
  private palette: Palette;
  private dpr = 1;
  private pending = 0;
  private charWidth = 0;
  private highlight: Uint8Array | null = null;
  private selected: Hit | null = null;
  private hovered: Hit | null = null;
  // Reused across frames: per color, the rectangles (x, y, w) to fill.
  private batches: number[][] = [];
  // Per row, prefix sums of box widths (computed on the row's first draw).
  private readonly covers = new WeakMap<IntervalRow, Float64Array>();
  // Narrow boxes (under NARROW_PX) and the coverage of boxes too small to draw, one pixel per CSS
  // pixel column and visible row, drawn as one image stretched to the rows: a dense view has
  // thousands of these, and writing bytes costs far less than a fillRect each.
  private pixelCanvas: HTMLCanvasElement | undefined;
  private tinyShare = new Float32Array(0);
  private narrowColor = new Int16Array(0);
  lastStats: DrawStats = { boxes: 0, labels: 0, highlighted: 0, rows: 0, ms: 0 };
  /** Called after every frame (the benchmark hooks it). */
  onDrawn: ((stats: DrawStats) => void) | undefined;

  constructor(
    private readonly container: HTMLElement,
    palette: Palette,
    handlers: ChartHandlers,
    /** Rows from the bottom up (the callers half of the sandwich). */
    flipped = false,
  ) {
    this.palette = palette;
    this.view = new Viewport(flipped);
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.className = 'chart';
    // "application": a screen reader leaves its reading mode on the canvas, so the arrows, Enter
    // and + and - reach keyboard.ts; the box moved to is said through the live region
    // (liveRegion.ts). The keys are described by the page's hint (panel.ts).
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-describedby', 'chartKeys');
    this.canvas.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight ArrowUp ArrowDown Enter');
    container.appendChild(this.canvas);
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('This webview has no 2D canvas: the flame graph cannot be drawn.');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
    attachPointer(this, handlers);
  }

  /** Shows a new source; the viewport resets to the whole extent unless `keepViewport`. */
  setSource(source: ChartSource | undefined, keepViewport = false): void {
    this.source = source;
    this.hovered = null;
    this.selected = null;
    this.view.setRows(source?.rows, keepViewport);
    if (source) this.colorOfFrame = Int32Array.from(source.frames, (f) => colorIndex(f));
    this.requestDraw();
  }

  /** The canvas' accessible name (the view, what it shows). */
  setLabel(label: string): void {
    if (this.canvas.getAttribute('aria-label') !== label)
      this.canvas.setAttribute('aria-label', label);
  }

  get current(): ChartSource | undefined {
    return this.source;
  }

  /** Whether the chart shows anything. */
  hasSource(): boolean {
    return !!this.source;
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.charWidth = 0;
    this.requestDraw();
  }

  /** Per node: 1 for a search match. Non-matches are dimmed while a highlight is set. */
  setHighlight(nodes: Uint8Array | null): void {
    this.highlight = nodes;
    this.requestDraw();
  }

  setSelected(hit: Hit | null): void {
    this.selected = hit;
    this.requestDraw();
  }

  get selection(): Hit | null {
    return this.selected;
  }

  /** The box under the mouse (null: none): redraws its outline when it changed. */
  setHovered(hit: Hit | null): void {
    if (hit?.node !== this.hovered?.node || hit?.index !== this.hovered?.index) {
      this.hovered = hit;
      this.requestDraw();
    }
  }

  /** The visible x range, in the source's units. */
  get viewport(): { x0: number; x1: number; scrollY: number } {
    const { x0, x1, scrollY } = this.view;
    return { x0, x1, scrollY };
  }

  /** Shows `[x0, x1)` (clamped to the extent). */
  setViewport(x0: number, x1: number, scrollY?: number): void {
    if (this.view.set(x0, x1, scrollY)) this.requestDraw();
  }

  /** Zooms by `factor` (< 1 zooms in) around a point at `fraction` of the width. */
  zoomBy(factor: number, fraction = 0.5): void {
    if (this.view.zoomBy(factor, fraction)) this.requestDraw();
  }

  /** Pans by a fraction of the visible width. */
  panBy(fraction: number): void {
    if (this.view.panBy(fraction)) this.requestDraw();
  }

  /** Shows a box's x range (zoom) and scrolls its row into view. */
  zoomTo(hit: Hit): void {
    if (this.view.zoomTo(hit)) this.requestDraw();
  }

  /** Pans (without zooming) and scrolls so that a box is on screen. */
  ensureVisible(hit: Hit): void {
    if (this.view.ensureVisible(hit)) this.requestDraw();
  }

  /** The box at a point of the canvas (CSS pixels), or null. */
  hitAt(mx: number, my: number): Hit | null {
    return this.view.hitAt(mx, my);
  }

  /** Where a box is drawn (CSS pixels in the canvas), or null when it is not on screen. */
  boxOf(hit: Hit): Box | null {
    return this.view.boxOf(hit);
  }

  /** Draws on the next animation frame (several requests in one frame draw once). */
  requestDraw(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  /** Draws now (also cancels a pending frame). */
  draw(): DrawStats {
    if (this.pending) {
      cancelAnimationFrame(this.pending);
      this.pending = 0;
    }
    const t0 = performance.now();
    const ctx = this.ctx;
    const p = this.palette;
    const { width: W, height: H } = this.view;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = p.background;
    ctx.fillRect(0, 0, W, H);
    const src = this.source;
    const stats: DrawStats = { boxes: 0, labels: 0, highlighted: 0, rows: 0, ms: 0 };
    if (!src || W <= 0 || H <= 0) {
      this.lastStats = stats;
      return stats;
    }
    if (this.batches.length !== p.fills.length) this.batches = p.fills.map(() => []);
    for (const b of this.batches) b.length = 0;
    ctx.font = p.font;
    if (!this.charWidth) this.charWidth = ctx.measureText('MMMMMMMMMM').width / 10 || 7;
    const labels = this.collectBoxes(src, stats);
    this.fillBoxes();
    this.drawLabels(src, labels, stats);
    this.outline(this.hovered, p.hover, 1);
    this.outline(this.selected, p.selection, 2);
    stats.ms = performance.now() - t0;
    this.lastStats = stats;
    this.onDrawn?.(stats);
    return stats;
  }

  /**
   * Sorts the visible boxes of every visible row into the frame's batches (one per color), draws
   * the narrow and tiny ones as pixels, and returns the boxes wide enough for a label as
   * (row, index, left, width, y) quintuples.
   */
  private collectBoxes(src: ChartSource, stats: DrawStats): number[] {
    const p = this.palette;
    const view = this.view;
    const { rows } = src.rows;
    const tree = src.tree;
    const W = view.width;
    const x0 = view.x0;
    const x1 = view.x1;
    const scale = W / (x1 - x0);
    const minWidth = 1 / scale;
    const batches = this.batches;
    // A label shows at least a few characters and an ellipsis; fewer would say nothing and cost
    // as much to draw (text is the slowest thing on a software canvas).
    const minLabel = this.charWidth * MIN_LABEL_CHARS + LABEL_PAD * 2;
    const labels: number[] = []; // (row, index, left, width, y) per label
    // Coverage of boxes too narrow to draw, per CSS pixel of each visible row (see drawPixels).
    const firstRow = Math.max(0, Math.floor(view.scrollY / ROW_HEIGHT));
    const lastRow = Math.min(
      rows.length - 1,
      Math.floor((view.scrollY + view.height) / ROW_HEIGHT),
    );
    const tinyW = Math.ceil(W);
    const tinyRows = Math.max(0, lastRow - firstRow + 1);
    const cells = tinyW * tinyRows;
    if (this.tinyShare.length < cells) {
      this.tinyShare = new Float32Array(cells);
      this.narrowColor = new Int16Array(cells);
    }
    const tinyShare = this.tinyShare;
    const narrowColor = this.narrowColor;
    tinyShare.fill(0, 0, cells);
    narrowColor.fill(-1, 0, cells);
    let anyPixels = false;
    const highlight = this.highlight;
    const colorOf = this.colorOfFrame;
    const nodeColor = src.nodeColor;
    const diffBase = p.diffNeutral - DIFF_LEVELS;
    const dimOffset = p.count;
    // Visible rows only (firstRow..lastRow, above).
    for (let r = firstRow; r <= lastRow; r++) {
      const row = rows[r];
      const y = view.rowY(r);
      stats.rows++;
      const starts = row.start;
      const ends = row.end;
      const nodes = row.node;
      stats.boxes += visitVisible(
        row,
        x0,
        x1,
        minWidth,
        (i) => {
          const node = nodes[i];
          let c = nodeColor
            ? diffBase + nodeColor[node]
            : node === 0
              ? 1
              : colorOf[tree.frame[node]];
          if (highlight) {
            if (highlight[node]) stats.highlighted++;
            else c += dimOffset;
          }
          let left = (starts[i] - x0) * scale;
          let right = (ends[i] - x0) * scale;
          if (left < -1) left = -1;
          if (right > W + 1) right = W + 1;
          const w = right - left;
          if (w < NARROW_PX) {
            // A narrow box: its pixels, no gap, no label.
            const a = Math.max(0, Math.floor(left));
            const b = Math.min(tinyW, Math.max(a + 1, Math.ceil(right)));
            const base = (r - firstRow) * tinyW;
            for (let px = a; px < b; px++) narrowColor[base + px] = c;
            anyPixels = true;
            return;
          }
          // A one-pixel gap between boxes once they are wide enough to afford it.
          batches[c].push(left, y, w - 1);
          if (w >= minLabel) labels.push(r, i, left, w, y);
        },
        (from, to, first, last) => {
          if (!(to > from)) return; // only zero-width boxes: nothing to show
          let cover = this.covers.get(row);
          if (!cover) this.covers.set(row, (cover = coverage(row)));
          // How much of the stretch the tiny boxes cover sets the opacity of its pixels.
          const share = (cover[last + 1] - cover[first]) / (to - from);
          const a = Math.max(0, Math.floor((from - x0) * scale));
          const b = Math.min(tinyW, Math.max(a + 1, Math.ceil((to - x0) * scale)));
          const base = (r - firstRow) * tinyW;
          for (let px = a; px < b; px++) {
            if (tinyShare[base + px] < share) tinyShare[base + px] = share;
          }
          anyPixels = true;
        },
      );
    }
    if (anyPixels) this.drawPixels(tinyW, tinyRows, firstRow);
    return labels;
  }

  /** Fills the batched boxes, one fill color at a time, and outlines them in high contrast. */
  private fillBoxes(): void {
    const ctx = this.ctx;
    const p = this.palette;
    const batches = this.batches;
    for (let c = 0; c < batches.length; c++) {
      const b = batches[c];
      if (!b.length) continue;
      ctx.fillStyle = p.fills[c];
      // fillRect, not one path of many rects: Skia rasterizes a many-rect path far slower.
      for (let k = 0; k < b.length; k += 3) ctx.fillRect(b[k], b[k + 1], b[k + 2], ROW_HEIGHT - 1);
    }
    if (p.boxBorder) {
      // High contrast: outline boxes wide enough to show an outline.
      ctx.strokeStyle = p.boxBorder;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const b of batches) {
        for (let k = 0; k < b.length; k += 3) {
          if (b[k + 2] >= 4) ctx.rect(b[k] + 0.5, b[k + 1] + 0.5, b[k + 2] - 1, ROW_HEIGHT - 2);
        }
      }
      ctx.stroke();
    }
  }

  /** Draws the labels of {@link collectBoxes}' wide boxes, cut with an ellipsis to fit. */
  private drawLabels(src: ChartSource, labels: number[], stats: DrawStats): void {
    const ctx = this.ctx;
    const p = this.palette;
    const rows = src.rows.rows;
    const highlight = this.highlight;
    ctx.textBaseline = 'middle';
    const cw = this.charWidth;
    for (let k = 0; k < labels.length; k += 5) {
      const r = labels[k];
      const i = labels[k + 1];
      const node = rows[r].node[i];
      const boxLeft = labels[k + 2];
      // Keep the label on screen when the box starts to the left of it.
      const left = Math.max(boxLeft, 0);
      const room = labels[k + 3] - (left - boxLeft) - LABEL_PAD * 2;
      const maxChars = Math.floor(room / cw);
      if (maxChars < MIN_LABEL_CHARS) continue;
      const name =
        node === 0 ? src.rootLabel : src.frames[src.tree.frame[node]].name || '(anonymous)';
      const text = name.length <= maxChars ? name : `${name.slice(0, maxChars - 1)}…`;
      ctx.fillStyle = highlight && !highlight[node] ? p.dimText : p.text;
      ctx.fillText(text, left + LABEL_PAD, labels[k + 4] + (ROW_HEIGHT - 1) / 2 + 0.5);
      stats.labels++;
    }
  }

  /**
   * Draws narrow boxes and the coverage of boxes too small to draw, one image row per chart row,
   * each stretched to the row's height.
   */
  private drawPixels(width: number, rowCount: number, firstRow: number): void {
    const p = this.palette;
    const canvas = (this.pixelCanvas ??= document.createElement('canvas'));
    if (canvas.width !== width || canvas.height < rowCount) {
      canvas.width = width;
      canvas.height = Math.max(rowCount, canvas.height);
    }
    const ictx = canvas.getContext('2d');
    if (!ictx) return;
    const image = ictx.createImageData(width, rowCount);
    const data = image.data;
    const [cr, cg, cb] = p.tinyRgb;
    const maxA = p.tinyAlpha * 255;
    const share = this.tinyShare;
    const color = this.narrowColor;
    const rgba = p.rgba;
    for (let i = 0, n = width * rowCount; i < n; i++) {
      const o = i * 4;
      const c = color[i];
      if (c >= 0) {
        const q = c * 4;
        data[o] = rgba[q];
        data[o + 1] = rgba[q + 1];
        data[o + 2] = rgba[q + 2];
        data[o + 3] = rgba[q + 3];
        continue;
      }
      const s = share[i];
      if (s <= 0) continue;
      data[o] = cr;
      data[o + 1] = cg;
      data[o + 2] = cb;
      // At least a faint trace, so a single tiny box still shows.
      data[o + 3] = Math.max(24, Math.min(1, s) * maxA);
    }
    ictx.putImageData(image, 0, 0);
    const ctx = this.ctx;
    const smoothing = ctx.imageSmoothingEnabled;
    ctx.imageSmoothingEnabled = false;
    for (let k = 0; k < rowCount; k++) {
      ctx.drawImage(canvas, 0, k, width, 1, 0, this.view.rowY(firstRow + k), width, ROW_HEIGHT - 1);
    }
    ctx.imageSmoothingEnabled = smoothing;
  }

  private outline(hit: Hit | null, color: string, width: number): void {
    if (!hit) return;
    const box = this.boxOf(hit);
    if (!box) return;
    this.ctx.strokeStyle = color;
    this.ctx.lineWidth = width;
    this.ctx.strokeRect(
      box.x + width / 2,
      box.y + width / 2,
      Math.max(1, box.w - width),
      box.h - width,
    );
  }

  private resize(): void {
    const rect = this.container.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(0, Math.floor(rect.width));
    const h = Math.max(0, Math.floor(rect.height));
    if (w === this.view.width && h === this.view.height && dpr === this.dpr) return;
    this.view.setSize(w, h);
    this.dpr = dpr;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.charWidth = 0;
    this.draw();
  }

  /** Re-reads the container size (after the layout around the chart changed). */
  refreshSize(): void {
    this.resize();
  }
}
