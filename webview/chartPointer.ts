/**
 * The mouse on a chart's canvas: drag to pan (and scroll), the wheel to scroll, pan (Shift or a
 * sideways wheel) and zoom (Ctrl/Cmd), hover and click mapped to boxes through the chart's
 * viewport (viewport.ts).
 */
import { ROW_HEIGHT, type Hit, type Viewport } from './viewport';

/** Moving the mouse less than this (CSS px) between press and release is a click, not a drag. */
const DRAG_THRESHOLD = 4;

/** What the pointer asks of the chart it is attached to. */
export interface PointerTarget {
  readonly canvas: HTMLCanvasElement;
  readonly view: Viewport;
  /** Whether the chart shows anything (the wheel does nothing otherwise). */
  hasSource(): boolean;
  /** Moves the view and redraws. */
  setViewport(x0: number, x1: number, scrollY?: number): void;
  zoomBy(factor: number, fraction?: number): void;
  panBy(fraction: number): void;
  /** The box under the mouse (null: none); the chart redraws its hover outline if it changed. */
  setHovered(hit: Hit | null): void;
}

/** What a chart tells its owner. */
export interface ChartHandlers {
  hover(hit: Hit | null, event: MouseEvent): void;
  click(hit: Hit, event: MouseEvent): void;
  /** The visible range or scroll position changed (through the mouse). */
  viewportChanged?(): void;
}

interface Drag {
  x: number;
  y: number;
  x0: number;
  x1: number;
  scrollY: number;
  moved: boolean;
}

/** Listens to the mouse on `target`'s canvas (and to the button's release anywhere). */
export function attachPointer(target: PointerTarget, handlers: ChartHandlers): void {
  const { canvas, view } = target;
  let drag: Drag | null = null;

  const local = (e: MouseEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };

  canvas.addEventListener('mousemove', (e) => {
    const d = drag;
    if (d && (e.buttons & 1) === 1) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD) return;
      d.moved = true;
      const perPx = (d.x1 - d.x0) / view.width;
      target.setViewport(
        d.x0 - dx * perPx,
        d.x1 - dx * perPx,
        d.scrollY + (view.flipped ? dy : -dy),
      );
      handlers.viewportChanged?.();
      return;
    }
    const [mx, my] = local(e);
    const hit = view.hitAt(mx, my);
    target.setHovered(hit);
    handlers.hover(hit, e);
  });
  canvas.addEventListener('mouseleave', (e) => {
    target.setHovered(null);
    handlers.hover(null, e);
  });
  canvas.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return;
    drag = {
      x: e.clientX,
      y: e.clientY,
      x0: view.x0,
      x1: view.x1,
      scrollY: view.scrollY,
      moved: false,
    };
  });
  window.addEventListener('mouseup', (e) => {
    const d = drag;
    drag = null;
    if (!d || d.moved || e.button !== 0 || e.target !== canvas) return;
    const [mx, my] = local(e);
    const hit = view.hitAt(mx, my);
    if (hit) handlers.click(hit, e);
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      if (!target.hasSource()) return;
      e.preventDefault();
      const unit = e.deltaMode === 1 ? ROW_HEIGHT : e.deltaMode === 2 ? view.height : 1;
      const dx = e.deltaX * unit;
      const dy = e.deltaY * unit;
      const [mx] = local(e);
      if (e.ctrlKey || e.metaKey) {
        target.zoomBy(Math.exp(dy * 0.002), mx / view.width);
      } else if (e.shiftKey || Math.abs(dx) > Math.abs(dy)) {
        const d = e.shiftKey && !dx ? dy : dx;
        target.panBy(d / view.width);
      } else {
        target.setViewport(view.x0, view.x1, view.scrollY + (view.flipped ? -dy : dy));
      }
      handlers.viewportChanged?.();
    },
    { passive: false },
  );
}
