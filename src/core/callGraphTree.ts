/**
 * An approximate call tree built from a call graph (pstats, callgrind).
 *
 * A deterministic profiler's call graph records, per function, its calls and self and total
 * time, and per caller -> callee edge the callee's figures for calls from that caller. It does
 * not record stacks, so it does not define a unique tree: if `a` and `b` both call `c`, and `c`
 * calls `d`, the graph cannot tell whether `d`'s time was spent under `a`'s calls of `c` or
 * under `b`'s. The tree this file builds assumes that a function behaves the same whatever its
 * caller: each node of function `f` stands for a share `s = weight / total(f)` of `f`'s total
 * time, its self weight is `self(f) * s`, and each callee `g` gets `edgeTotal(f -> g) * s`. This
 * is the same assumption gprof makes and the one speedscope's callgrind importer documents; it
 * is exact for trees and for functions with a single caller, and only an approximation
 * elsewhere, which is why a profile built this way sets `treeIsApproximate` and function-level
 * numbers must come from the graph itself.
 *
 * Cycles (recursion, direct or mutual) are cut: a function already on the current path is not
 * expanded again; the recursive call shows as a box of its own whose callees are those shown
 * above it. Direct recursion needs no box: a profiler's total for `f` already holds its
 * recursive calls. The edge totals of a function that recurses through others overlap (a call
 * nested in another counts in both, so together they can exceed the function's total), so a
 * node hands out its weight heaviest callee first, the outer call being the heaviest, and never
 * more than it has. What its callees and self do not take up (time in functions the profiler
 * did not record, overlap) is dropped rather than turned into self time, so the tree never shows
 * more than the graph holds.
 *
 * A graph expands into a tree that can grow exponentially with depth, so the work is bounded:
 * nodes are expanded heaviest first; a node lighter than `minShare` of the whole, or at
 * `maxDepth`, becomes a leaf holding its whole weight as self; past `maxNodes` nodes, further
 * callees' weight stays in their caller's self. Totals are thus preserved at every node even
 * where detail is cut; when the depth or node bound cut something visible, the builder gets a
 * warning saying so.
 */
import type { CallGraph, ProfileBuilder } from './profile';

/** A function the tree starts from, with the weight its root calls account for. */
export interface CallGraphRoot {
  /** Index into `graph.functions`. */
  readonly fn: number;
  readonly weight: number;
}

/** Bounds on the tree built from a call graph. */
export interface TreeFromGraphOptions {
  /** Where the tree starts; default {@link findCallGraphRoots}. */
  readonly roots?: readonly CallGraphRoot[];
  /** Deepest node expanded (the root's children have depth 1). Default 256. */
  readonly maxDepth?: number;
  /** Nodes lighter than this share of the roots' weight are not expanded. Default 1e-5. */
  readonly minShare?: number;
  /** Most nodes created. Default 300 000. */
  readonly maxNodes?: number;
}

/** What building the tree did. */
export interface TreeFromGraphResult {
  readonly nodes: number;
  /** Calls into a function already on the path, not followed. */
  readonly cycleCuts: number;
  /** True when the depth or node bound stopped the expansion of a node that had callees. */
  readonly truncated: boolean;
}

/**
 * The functions a call graph's tree starts from. A function is a root when some of its calls came
 * from no recorded caller: its calls exceed the sum of the calls on all its incoming edges (pstats:
 * cProfile records no caller for the outermost call, docs/FORMATS.md, "Python pstats"), or it has
 * no caller other than itself (callgrind, where calls are only known from edges). The root weight
 * is the function's total less the totals of its incoming edges from other functions; for a
 * recursive function those edges may be nested inside the root call, so the weight is its total
 * scaled by root calls over primitive calls instead (root calls are always primitive).
 *
 * Roots can overlap: a function called only by code the profiler did not record (yappi without
 * built-ins: class bodies run by `__build_class__`) is a root, yet its time also lies inside
 * its real caller's. So roots are granted heaviest first, and together never more than the
 * larger of the summed self times and the largest total. When the roots found cover less than
 * half of that (callgrind files converted from pstats lose the outermost calls, and a recursive
 * `exec` then has callers only), the heaviest function becomes a root too.
 */
export function findCallGraphRoots(graph: CallGraph): CallGraphRoot[] {
  return rootsOf(graphTables(graph));
}

/** {@link findCallGraphRoots} over a graph in columns. */
function rootsOf(g: GraphTables): CallGraphRoot[] {
  const n = g.functionCount;
  const inCalls = new Float64Array(n);
  const inTotal = new Float64Array(n);
  const hasCaller = new Uint8Array(n);
  for (let e = 0; e < g.edgeCount; e++) {
    const callee = g.edgeCallee[e];
    const caller = g.edgeCaller[e];
    if (callee < 0) continue;
    inCalls[callee] += g.edgeCalls[e];
    if (caller !== callee) {
      hasCaller[callee] = 1;
      inTotal[callee] += g.edgeTotal[e];
    }
  }
  const { self, total, calls, primitiveCalls } = g;
  let selfSum = 0;
  let heaviest = -1;
  for (let i = 0; i < n; i++) {
    if (self[i] > 0) selfSum += self[i];
    if (total[i] > 0 && (heaviest < 0 || total[i] > total[heaviest])) heaviest = i;
  }
  if (heaviest < 0) return [];
  const cap = Math.max(selfSum, total[heaviest]);
  const candidates: CallGraphRoot[] = [];
  for (let i = 0; i < n; i++) {
    if (!(total[i] > 0)) continue;
    if (!hasCaller[i]) {
      candidates.push({ fn: i, weight: total[i] });
      continue;
    }
    const rootCalls = calls[i] - inCalls[i];
    if (!(rootCalls > 0)) continue;
    const recursive = calls[i] > primitiveCalls[i];
    let weight = recursive ? 0 : total[i] - inTotal[i];
    if (!(weight > 0)) weight = total[i] * Math.min(1, rootCalls / Math.max(1, primitiveCalls[i]));
    candidates.push({ fn: i, weight: Math.min(weight, total[i]) });
  }
  const grant = (list: CallGraphRoot[], granted: number, out: CallGraphRoot[]): number => {
    for (const r of list.sort((a, b) => b.weight - a.weight || a.fn - b.fn)) {
      const w = Math.min(r.weight, cap - granted);
      if (!(w > 0)) break;
      out.push({ fn: r.fn, weight: w });
      granted += w;
    }
    return granted;
  };
  const roots: CallGraphRoot[] = [];
  let granted = grant(candidates, 0, []);
  if (granted < cap / 2 && !candidates.some((r) => r.fn === heaviest)) {
    candidates.push({ fn: heaviest, weight: total[heaviest] });
  }
  granted = grant(candidates, 0, roots);
  return roots;
}

/**
 * A call graph in columns, what the tree is built from: per function its frame and figures;
 * per edge its caller and callee as function indexes (-1 for a frame without a function) and
 * its calls and total.
 */
export interface GraphTables {
  readonly functionCount: number;
  readonly frame: Int32Array;
  readonly calls: Float64Array;
  readonly primitiveCalls: Float64Array;
  readonly self: Float64Array;
  readonly total: Float64Array;
  readonly edgeCount: number;
  readonly edgeCaller: Int32Array;
  readonly edgeCallee: Int32Array;
  readonly edgeCalls: Float64Array;
  readonly edgeTotal: Float64Array;
}

/** The columns of a graph of objects; an edge's frames name the first function of each. */
export function graphTables(graph: CallGraph): GraphTables {
  const index = functionIndex(graph);
  const fns = graph.functions;
  const n = fns.length;
  const m = graph.edges.length;
  const t = {
    functionCount: n,
    frame: new Int32Array(n),
    calls: new Float64Array(n),
    primitiveCalls: new Float64Array(n),
    self: new Float64Array(n),
    total: new Float64Array(n),
    edgeCount: m,
    edgeCaller: new Int32Array(m),
    edgeCallee: new Int32Array(m),
    edgeCalls: new Float64Array(m),
    edgeTotal: new Float64Array(m),
  };
  fns.forEach((f, i) => {
    t.frame[i] = f.frame;
    t.calls[i] = f.calls;
    t.primitiveCalls[i] = f.primitiveCalls;
    t.self[i] = f.self;
    t.total[i] = f.total;
  });
  graph.edges.forEach((e, i) => {
    t.edgeCaller[i] = index.get(e.caller) ?? -1;
    t.edgeCallee[i] = index.get(e.callee) ?? -1;
    t.edgeCalls[i] = e.calls;
    t.edgeTotal[i] = e.total;
  });
  return t;
}

/** Function index per frame id (-1 where a frame has none); the first function wins. */
function functionIndex(graph: CallGraph): { get(frame: number): number | undefined } {
  let max = -1;
  for (const f of graph.functions) if (f.frame > max) max = f.frame;
  const index = new Int32Array(max + 1).fill(-1);
  graph.functions.forEach((f, i) => {
    if (f.frame >= 0 && index[f.frame] < 0) index[f.frame] = i;
  });
  return {
    get: (frame) => (frame >= 0 && frame <= max && index[frame] >= 0 ? index[frame] : undefined),
  };
}

/**
 * Out-edges of each function with a positive total, self-edges left out (recursion is cut
 * anyway): `outTo/outTotal[outStart[f] .. outStart[f + 1])`, heaviest first (ties in graph
 * order). Counting sort by caller, then each caller's few edges by weight.
 */
function outEdges(g: GraphTables): {
  outStart: Int32Array;
  outTo: Int32Array;
  outTotal: Float64Array;
} {
  const n = g.functionCount;
  const m = g.edgeCount;
  const outStart = new Int32Array(n + 1);
  let kept = 0;
  const keep = (e: number): boolean => {
    const a = g.edgeCaller[e];
    const b = g.edgeCallee[e];
    return a >= 0 && b >= 0 && a !== b && g.edgeTotal[e] > 0;
  };
  for (let e = 0; e < m; e++) {
    if (!keep(e)) continue;
    outStart[g.edgeCaller[e] + 1]++;
    kept++;
  }
  for (let f = 0; f < n; f++) outStart[f + 1] += outStart[f];
  const fill = outStart.slice(0, n);
  const outTo = new Int32Array(kept);
  const outTotal = new Float64Array(kept);
  for (let e = 0; e < m; e++) {
    if (!keep(e)) continue;
    const k = fill[g.edgeCaller[e]]++;
    outTo[k] = g.edgeCallee[e];
    outTotal[k] = g.edgeTotal[e];
  }
  for (let f = 0; f < n; f++) sortHeaviestFirst(outTo, outTotal, outStart[f], outStart[f + 1]);
  return { outStart, outTo, outTotal };
}

/** Sorts `to/total[start .. end)` by total, heaviest first, ties in their order. */
function sortHeaviestFirst(to: Int32Array, total: Float64Array, start: number, end: number): void {
  if (end - start < 2) return;
  if (end - start <= 32) {
    // Insertion sort, stable.
    for (let k = start + 1; k < end; k++) {
      const t = to[k];
      const w = total[k];
      let j = k - 1;
      while (j >= start && total[j] < w) {
        to[j + 1] = to[j];
        total[j + 1] = total[j];
        j--;
      }
      to[j + 1] = t;
      total[j + 1] = w;
    }
    return;
  }
  const order = Array.from({ length: end - start }, (_, k) => start + k).sort(
    (x, y) => total[y] - total[x] || x - y,
  );
  const tos = order.map((k) => to[k]);
  const totals = order.map((k) => total[k]);
  to.set(tos, start);
  total.set(totals, start);
}

interface Pending {
  readonly node: number;
  readonly fn: number;
  readonly weight: number;
  readonly depth: number;
}

/** A max-heap of pending nodes by weight, so that the heaviest are expanded first. */
class Heap {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  push(p: Pending): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (a[up].weight >= p.weight) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = p;
  }
  pop(): Pending {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as Pending;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r].weight > a[l].weight ? r : l;
        if (a[c].weight <= last.weight) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Adds to `builder` the approximate tree of `graph` (see the comment at the top of this file for
 * the assumption it makes). The graph's frame ids must be the builder's. The caller builds the
 * profile with `treeIsApproximate: true`.
 */
export function addTreeFromCallGraph(
  builder: ProfileBuilder,
  graph: CallGraph,
  options: TreeFromGraphOptions = {},
): TreeFromGraphResult {
  return addTreeFromTables(builder, graphTables(graph), options);
}

/** {@link addTreeFromCallGraph} over a graph in columns. */
export function addTreeFromTables(
  builder: ProfileBuilder,
  g: GraphTables,
  options: TreeFromGraphOptions = {},
): TreeFromGraphResult {
  const maxDepth = options.maxDepth ?? 256;
  const maxNodes = options.maxNodes ?? 300_000;
  const { outStart, outTo, outTotal } = outEdges(g);

  const roots = options.roots ?? rootsOf(g);
  let whole = 0;
  for (const r of roots) whole += r.weight > 0 ? r.weight : 0;
  const minWeight = whole * (options.minShare ?? 1e-5);

  // Per created node: its parent and function, to find the functions on its path.
  const nodeParent: number[] = [];
  const nodeFn: number[] = [];
  const heap = new Heap();
  let nodes = 0;
  let cycleCuts = 0;
  let truncated = false;
  const expandable = (fn: number): boolean => outStart[fn + 1] > outStart[fn];
  const place = (
    parent: number,
    fn: number,
    weight: number,
    depth: number,
    expand = true,
  ): boolean => {
    if (nodes >= maxNodes) return false;
    const node = builder.child(parent, g.frame[fn]);
    nodes++;
    nodeParent[node] = parent;
    nodeFn[node] = fn;
    if (!expand) {
      builder.addSelf(node, weight);
    } else if (expandable(fn) && weight >= minWeight && depth < maxDepth) {
      heap.push({ node, fn, weight, depth });
    } else {
      // Light leaves are below what a flame graph can draw: only the depth cap is worth a word.
      if (expandable(fn) && weight >= minWeight) truncated = true;
      builder.addSelf(node, weight);
    }
    return true;
  };

  for (const r of roots) {
    if (r.weight > 0 && !place(0, r.fn, r.weight, 1)) truncated = true;
  }
  // The functions on the path of the node being expanded carry its stamp.
  const onPath = new Int32Array(g.functionCount);
  let stamp = 0;
  while (heap.size) {
    const { node, fn, weight, depth } = heap.pop();
    const fnTotal = g.total[fn];
    const scale = fnTotal > 0 ? weight / fnTotal : 0;
    stamp++;
    for (let n = node; n > 0; n = nodeParent[n]) onPath[nodeFn[n]] = stamp;
    // Heaviest callee first (the out-edges are sorted so), and never more than the node has.
    // Callees come before self: a function recursing through others counts the self time of
    // its nested calls too, and the outer call's callee is what the node stands for.
    let left = weight;
    let lumped = 0;
    for (let k = outStart[fn]; k < outStart[fn + 1] && left > 0; k++) {
      const to = outTo[k];
      const w = Math.min(outTotal[k] * scale, left);
      if (!(w > 0)) continue;
      left -= w;
      const recursive = onPath[to] === stamp;
      if (recursive) cycleCuts++;
      if (!place(node, to, w, depth + 1, !recursive)) {
        truncated = true;
        lumped += w;
      }
    }
    const self = (fnTotal > 0 ? Math.min(left, g.self[fn] * scale) : left) + lumped;
    builder.addSelf(node, self);
  }
  if (truncated) {
    builder.warn(
      'The flame graph of this call graph was cut short to stay small (very deep or very light ' +
        'paths are shown as single boxes); function figures are exact.',
    );
  }
  return { nodes, cycleCuts, truncated };
}
