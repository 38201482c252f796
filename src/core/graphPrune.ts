/**
 * The part of a call graph (functionGraph.ts) that is drawn: gprof2dot's pruning, a focus on one
 * function, a cap on the nodes, and the cycles. Pure.
 *
 * - Thresholds as gprof2dot's `-n` and `-e` (percent of the whole, defaults 0.5 and 0.1): a
 *   function is shown when its total share is at least the node threshold, an edge when both its
 *   ends are shown and the time passed along it is at least the edge threshold (a call to itself
 *   whose time is not known is shown with its function).
 * - Focus (gprof2dot's `--root` and `--leaf` together): a function, its callees `depth` levels
 *   down and its callers `depth` levels up, through the edges over the thresholds. The focused
 *   function is shown whatever its share.
 * - Cap: past `maxNodes` functions, the heaviest are kept (the focused one always) and the graph
 *   says it was capped, so that a layout stays within what a person can wait for.
 * - Cycles: the strongly connected parts of the graph shown (graphCycles.ts), numbered from 1
 *   in the order of their heaviest function, and the edges inside them; a function calling
 *   itself is a cycle of one.
 */
import type { FunctionGraph, GraphLink, GraphNode } from './functionGraph';
import { stronglyConnected } from './graphCycles';

/** gprof2dot's defaults, in percent of the whole. */
export const DEFAULT_NODE_THRESHOLD = 0.5;
export const DEFAULT_EDGE_THRESHOLD = 0.1;

/** What to show of a graph. */
export interface GraphOptions {
  /** Percent of the whole under which a function is left out (default 0.5). */
  readonly nodeThreshold?: number;
  /** Percent of the whole under which an edge is left out (default 0.1). */
  readonly edgeThreshold?: number;
  /** Show only this function and its callers and callees `depth` levels away. */
  readonly focus?: { readonly frameId: number; readonly depth: number } | null;
  /** At most this many functions (the heaviest); default: no cap. */
  readonly maxNodes?: number;
  /** Functions that may be shown at all (the view's "my code only"); default: every one. */
  readonly keep?: (frameId: number) => boolean;
}

/** A function drawn, with its shares of the whole (fractions, 0..1). */
export interface ShownNode extends GraphNode {
  readonly totalShare: number;
  readonly selfShare: number;
  /** The cycle it is in (1, 2, ...), or 0. */
  readonly cycle: number;
}

/** An edge drawn, between `nodes[from]` and `nodes[to]`. */
export interface ShownEdge extends GraphLink {
  readonly from: number;
  readonly to: number;
  /** The time passed along it, as a fraction of the whole. */
  readonly share: number;
  /** True when both ends are in one cycle (a recursive call, direct or not). */
  readonly inCycle: boolean;
}

/** The graph to draw. */
export interface ShownGraph {
  /** Heaviest first (then by frame id). */
  readonly nodes: readonly ShownNode[];
  /** By caller, then callee (indices into `nodes`). */
  readonly edges: readonly ShownEdge[];
  readonly total: number;
  readonly exact: boolean;
  /** How many cycles `nodes` holds. */
  readonly cycles: number;
  /** Functions in the whole graph. */
  readonly functions: number;
  /** Functions over the thresholds (and within the focus) before the cap. */
  readonly eligible: number;
  /** True when `maxNodes` left some of them out. */
  readonly capped: boolean;
  /** The function focused on, when it is in the graph; else null. */
  readonly focus: number | null;
  readonly nodeThreshold: number;
  readonly edgeThreshold: number;
}

/**
 * A function's calls to itself whose time the file does not give (callgrind without recursion
 * levels: the time is inside the function's own total). Drawn whenever the function is, as
 * gprof2dot does: a cycle of one is always shown.
 */
export function untimedRecursion(l: GraphLink): boolean {
  return l.caller === l.callee && l.weight === 0 && (l.calls ?? 0) > 0;
}

const heavierFirst = (a: GraphNode, b: GraphNode): number =>
  b.total - a.total || b.self - a.self || a.frameId - b.frameId;

/** The functions within `depth` calls of `start`, following `next` (callees or callers). */
function reach(start: number, depth: number, next: Map<number, number[]>, into: Set<number>): void {
  let frontier = [start];
  for (let level = 0; level < depth && frontier.length; level++) {
    const found: number[] = [];
    for (const f of frontier) {
      for (const g of next.get(f) ?? []) {
        if (into.has(g)) continue;
        into.add(g);
        found.push(g);
      }
    }
    frontier = found;
  }
}

/** The functions a focus keeps: the focused one, its callees and callers `depth` levels away. */
function focusSet(focus: number, depth: number, links: readonly GraphLink[]): Set<number> {
  const down = new Map<number, number[]>();
  const up = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, k: number, v: number) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const l of links) {
    add(down, l.caller, l.callee);
    add(up, l.callee, l.caller);
  }
  const callees = new Set([focus]);
  reach(focus, depth, down, callees);
  const callers = new Set([focus]);
  reach(focus, depth, up, callers);
  return new Set([...callees, ...callers]);
}

/** Numbers the cycles of the graph shown and marks the edges inside them. */
function cyclesOf(
  nodeCount: number,
  edges: readonly { from: number; to: number }[],
): { cycle: Int32Array; count: number; inCycle: (e: { from: number; to: number }) => boolean } {
  const from = Int32Array.from(edges, (e) => e.from);
  const to = Int32Array.from(edges, (e) => e.to);
  const { component, size } = stronglyConnected(nodeCount, from, to);
  const selfLoop = new Uint8Array(nodeCount);
  for (const e of edges) if (e.from === e.to) selfLoop[e.from] = 1;
  const number = new Int32Array(size.length);
  const cycle = new Int32Array(nodeCount);
  let count = 0;
  // Nodes come heaviest first: a cycle's number is the rank of its heaviest function.
  for (let i = 0; i < nodeCount; i++) {
    const c = component[i];
    if (size[c] < 2 && !selfLoop[i]) continue;
    if (!number[c]) number[c] = ++count;
    cycle[i] = number[c];
  }
  return { cycle, count, inCycle: (e) => component[e.from] === component[e.to] && !!cycle[e.from] };
}

/** The graph to draw of `graph` (see the module comment). */
export function pruneGraph(graph: FunctionGraph, options: GraphOptions = {}): ShownGraph {
  const nodeThreshold = options.nodeThreshold ?? DEFAULT_NODE_THRESHOLD;
  const edgeThreshold = options.edgeThreshold ?? DEFAULT_EDGE_THRESHOLD;
  const whole = graph.total;
  const share = (v: number) => (whole > 0 ? v / whole : 0);
  const nodeMin = nodeThreshold / 100;
  const edgeMin = edgeThreshold / 100;
  const keep = options.keep ?? (() => true);
  const byFrame = new Map<number, GraphNode>();
  for (const n of graph.nodes) byFrame.set(n.frameId, n);
  const focusNode = options.focus ? byFrame.get(options.focus.frameId) : undefined;
  const passes = new Set<number>();
  for (const n of graph.nodes) {
    if (n === focusNode || (keep(n.frameId) && share(n.total) >= nodeMin)) passes.add(n.frameId);
  }
  let links = graph.links.filter(
    (l) =>
      passes.has(l.caller) &&
      passes.has(l.callee) &&
      (share(l.weight) >= edgeMin || untimedRecursion(l)),
  );
  let chosen = [...passes].map((f) => byFrame.get(f)!);
  if (focusNode) {
    const near = focusSet(focusNode.frameId, options.focus!.depth, links);
    chosen = chosen.filter((n) => near.has(n.frameId));
  }
  chosen.sort(heavierFirst);
  const eligible = chosen.length;
  const max = options.maxNodes ?? Infinity;
  const capped = chosen.length > max;
  if (capped) {
    const top = chosen.slice(0, Math.max(0, max));
    if (focusNode && !top.includes(focusNode)) {
      top.pop();
      top.push(focusNode);
      top.sort(heavierFirst);
    }
    chosen = top;
  }
  const index = new Map<number, number>();
  chosen.forEach((n, i) => index.set(n.frameId, i));
  links = links.filter((l) => index.has(l.caller) && index.has(l.callee));
  const placed = links
    .map((l) => ({ link: l, from: index.get(l.caller)!, to: index.get(l.callee)! }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const cycles = cyclesOf(chosen.length, placed);
  return {
    nodes: chosen.map((n, i) => ({
      ...n,
      totalShare: share(n.total),
      selfShare: share(n.self),
      cycle: cycles.cycle[i],
    })),
    edges: placed.map(({ link, from, to }) => ({
      ...link,
      from,
      to,
      share: share(link.weight),
      inCycle: cycles.inCycle({ from, to }),
    })),
    total: whole,
    exact: graph.exact,
    cycles: cycles.count,
    functions: graph.nodes.length,
    eligible,
    capped,
    focus: focusNode ? focusNode.frameId : null,
    nodeThreshold,
    edgeThreshold,
  };
}
