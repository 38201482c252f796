/**
 * `window.heatlensDebug`: read-only figures of the main chart for the webview tests and the
 * benchmark (no way to change what the page shows through it, beyond where the chart looks).
 */
import type { Chart } from './chart';

/** What the tests and the benchmark read. */
export interface DebugHook {
  lastDraw(): ReturnType<Chart['draw']> | undefined;
  /** Centre of the widest visible box of a function in the main chart (CSS px, page coords). */
  locate(name: string): { x: number; y: number; node: number } | null;
  viewport(): { x0: number; x1: number; scrollY: number } | null;
  /** Draws the main chart synchronously at a viewport and returns the draw's figures. */
  drawAt(x0: number, x1: number, scrollY?: number): ReturnType<Chart['draw']> | null;
  /** Set by the benchmark: called after every frame of the main chart. */
  onPaint?: () => void;
}

/** Puts the hook for `mainChart` on the window and returns it. */
export function installDebugHook(mainChart: Chart): DebugHook {
  const debug: DebugHook = {
    lastDraw: () => mainChart.lastStats,
    locate(name) {
      const src = mainChart.current;
      if (!src) return null;
      let best: { x: number; y: number; node: number; w: number } | null = null;
      src.rows.rows.forEach((row, r) => {
        for (let i = 0; i < row.node.length; i++) {
          const node = row.node[i];
          if (node === 0 || src.frames[src.tree.frame[node]].name !== name) continue;
          const box = mainChart.boxOf({ row: r, index: i, node });
          if (box && (!best || box.w > best.w)) {
            const rect = mainChart.canvas.getBoundingClientRect();
            best = {
              x: rect.left + box.x + box.w / 2,
              y: rect.top + box.y + box.h / 2,
              node,
              w: box.w,
            };
          }
        }
      });
      if (!best) return null;
      const { x, y, node } = best;
      return { x, y, node };
    },
    viewport: () => (mainChart.current ? mainChart.viewport : null),
    drawAt(x0, x1, scrollY) {
      if (!mainChart.current) return null;
      mainChart.setViewport(x0, x1, scrollY);
      return mainChart.draw();
    },
  };
  (window as unknown as { heatlensDebug: DebugHook }).heatlensDebug = debug;
  return debug;
}
