/**
 * Pan and zoom of an SVG drawing through its viewBox: the wheel zooms around the mouse, a drag on
 * the background pans, `fit()` shows the whole drawing (at most at 1.5 times its size), and
 * `reveal()` brings a box into view. The drawing's units are CSS pixels at scale 1.
 */

/** What is shown: the drawing's point at the pane's top left, and pixels per unit. */
export interface PanZoomView {
  x: number;
  y: number;
  scale: number;
}

export class SvgPanZoom {
  private view: PanZoomView = { x: 0, y: 0, scale: 1 };
  private width = 0;
  private height = 0;
  private drag: { x: number; y: number; vx: number; vy: number } | null = null;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly pane: HTMLElement,
  ) {
    pane.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = pane.getBoundingClientRect();
        this.zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY / 400));
      },
      { passive: false },
    );
    pane.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || (e.target as Element).closest('.node')) return;
      this.drag = { x: e.clientX, y: e.clientY, vx: this.view.x, vy: this.view.y };
      pane.setPointerCapture(e.pointerId);
    });
    pane.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d) return;
      this.view.x = d.vx - (e.clientX - d.x) / this.view.scale;
      this.view.y = d.vy - (e.clientY - d.y) / this.view.scale;
      this.apply();
    });
    const end = () => (this.drag = null);
    pane.addEventListener('pointerup', end);
    pane.addEventListener('pointercancel', end);
  }

  /** The drawing's size changed (a new layout). */
  setSize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }

  /** Zoom by `factor` keeping the drawing's point under (px, py) in place. */
  zoomAt(px: number, py: number, factor: number): void {
    const v = this.view;
    const next = Math.min(8, Math.max(0.02, v.scale * factor));
    v.x += px / v.scale - px / next;
    v.y += py / v.scale - py / next;
    v.scale = next;
    this.apply();
  }

  /** Zoom around the pane's centre. */
  zoomBy(factor: number): void {
    this.zoomAt(this.pane.clientWidth / 2, this.pane.clientHeight / 2, factor);
  }

  /** The whole drawing, centred. */
  fit(): void {
    const w = this.pane.clientWidth || 1;
    const h = this.pane.clientHeight || 1;
    const scale = Math.min(1.5, w / (this.width || 1), h / (this.height || 1));
    this.view = {
      scale,
      x: this.width / 2 - w / 2 / scale,
      y: this.height / 2 - h / 2 / scale,
    };
    this.apply();
  }

  /** Scrolls a box (drawing units, centre and size) into view if it is not. */
  reveal(cx: number, cy: number, bw: number, bh: number): void {
    const v = this.view;
    const w = this.pane.clientWidth / v.scale;
    const h = this.pane.clientHeight / v.scale;
    if (cx - bw / 2 < v.x || cx + bw / 2 > v.x + w) v.x = cx - w / 2;
    if (cy - bh / 2 < v.y || cy + bh / 2 > v.y + h) v.y = cy - h / 2;
    this.apply();
  }

  /** The current view (for tests and the state). */
  get current(): Readonly<PanZoomView> {
    return this.view;
  }

  /** Sets the viewBox from the view and the pane's size. */
  apply(): void {
    const v = this.view;
    const w = this.pane.clientWidth / v.scale;
    const h = this.pane.clientHeight / v.scale;
    this.svg.setAttribute('viewBox', `${v.x} ${v.y} ${w} ${h}`);
  }
}
