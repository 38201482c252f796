/**
 * The call graph view's layout: the graph to draw (src/core/graphPrune.ts) as DOT
 * (src/formats/exportDot.ts), laid out by Graphviz's `dot` compiled to WebAssembly (`@viz-js/viz`),
 * read back as positions: where each node's box and each edge's curve and label go. The presenter
 * draws them itself (webview/callGraphView.ts), so every name reaches the page as text. Pure: the
 * caller measures its labels (`size`), and the same function runs in the webview, in Node for the
 * benchmark (bench/callGraph.mjs), and in the tests.
 *
 * Node sizes are given to Graphviz (fixed, no label): it places boxes the presenter measured in
 * its own font. Edge labels are given as text (Graphviz reserves room for them) up to
 * {@link FAST_ABOVE} nodes; past that the layout uses dot's fast settings without edge labels
 * (about ten times faster), and the presenter puts each label at its curve's middle.
 */
import type { ShownGraph } from '../core/graphPrune';
import type { Frame } from '../core/profile';
import { FAST_ABOVE, graphDot } from '../formats/exportDot';
import { graphviz } from '../formats/exportSvg';

/**
 * The most functions the view lays out at once: about a second of Graphviz on a laptop's core
 * with the fast settings, where 5,000 take tens of seconds (bench/callGraph.mjs). Past it the
 * view shows the heaviest and says so.
 */
export const MAX_SHOWN = 1000;

/** A box, in points from the top left. */
export interface LaidNode {
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge's curve: cubic Bézier control points (x0, y0, x1, y1, ...), and its arrow's tip. */
export interface LaidEdge {
  readonly points: readonly number[];
  /** Where the arrowhead ends (on the callee's box), or null when Graphviz drew none. */
  readonly tip: readonly [number, number] | null;
  /** The label's centre (Graphviz's, or the curve's middle). */
  readonly label: readonly [number, number];
}

/** Where everything goes, for `graph.nodes` and `graph.edges` in their order. */
export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
  /** True when the fast settings were used (see the module comment). */
  readonly fast: boolean;
  /** Milliseconds Graphviz took. */
  readonly ms: number;
}

interface Json0 {
  bb?: string;
  objects?: { name: string; pos?: string; width?: string; height?: string }[];
  edges?: { tail: number; head: number; pos?: string; lp?: string; _gvid: number }[];
}

const numbers = (s: string): number[] => s.split(',').map(Number);

/** An edge's `pos` ("e,x,y x,y x,y ...") as control points and the arrow's tip. */
function edgePath(pos: string): { points: number[]; tip: [number, number] | null } {
  let tip: [number, number] | null = null;
  const points: number[] = [];
  for (const part of pos.trim().split(/\s+/)) {
    if (part.startsWith('e,')) {
      const [x, y] = numbers(part.slice(2));
      tip = [x, y];
    } else if (!part.startsWith('s,')) points.push(...numbers(part));
  }
  return { points, tip };
}

/** The middle of a path of cubic Bézier segments (of its middle segment, at t = 0.5). */
function middle(points: readonly number[]): [number, number] {
  const segments = Math.floor((points.length / 2 - 1) / 3);
  if (segments < 1) {
    const n = points.length / 2;
    const a = Math.floor((n - 1) / 2);
    const b = Math.ceil((n - 1) / 2);
    return [(points[2 * a] + points[2 * b]) / 2, (points[2 * a + 1] + points[2 * b + 1]) / 2];
  }
  const s = Math.floor(segments / 2) * 6;
  const p = (i: number) => points[s + i];
  const at = (i: number) => (p(i) + 3 * p(i + 2) + 3 * p(i + 4) + p(i + 6)) / 8;
  return [at(0), at(1)];
}

/**
 * Lays out `graph`: `size(i)` is node i's box in points (its label measured by the caller).
 * Throws Graphviz's message when it fails.
 */
export async function layoutGraph(
  graph: ShownGraph,
  frames: readonly Frame[],
  size: (index: number) => { width: number; height: number },
): Promise<GraphLayout> {
  const fast = graph.nodes.length > FAST_ABOVE;
  const dot = graphDot(graph, frames, { nodeSize: size, edgeLabels: !fast, fast });
  const v = await graphviz();
  const started = performance.now();
  const result = v.render(dot, { format: 'json0', yInvert: true });
  const ms = performance.now() - started;
  if (result.status !== 'success' || result.output === undefined) {
    const why = result.errors.map((e) => e.message).join(' ');
    throw new Error(`Graphviz could not lay out the call graph: ${why || 'no output'}`);
  }
  const json = JSON.parse(result.output) as Json0;
  // The bounding box's corners (with yInvert, the top is the second number's side).
  const [x0, y0, x1, y1] = numbers(json.bb ?? '0,0,0,0');
  const width = Math.abs(x1 - x0);
  const height = Math.abs(y1 - y0);
  const byName = new Map<string, LaidNode>();
  for (const o of json.objects ?? []) {
    const [x, y] = numbers(o.pos ?? '0,0');
    byName.set(o.name, { x, y, width: Number(o.width) * 72, height: Number(o.height) * 72 });
  }
  const nodes = graph.nodes.map((n) => byName.get(`f${n.frameId}`)!);
  // json0 lists edges in the order of the DOT's statements, which is graph.edges'.
  const laid = [...(json.edges ?? [])].sort((a, b) => a._gvid - b._gvid);
  const edges = laid.map((e): LaidEdge => {
    const { points, tip } = edgePath(e.pos ?? '');
    const label = e.lp ? (numbers(e.lp) as [number, number]) : middle(points);
    return { points, tip, label };
  });
  return { width, height, nodes, edges, fast, ms };
}
