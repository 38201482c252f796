/**
 * The call graph of any profile, as the call graph view and the DOT export draw it: a
 * node per function with its total, self and call count, an edge per caller -> callee with the
 * time passed along it and its call count. Pure and cached.
 *
 * - A deterministic profiler's profile (cProfile, yappi, callgrind) has the exact graph
 *   (`Profile.callGraph`): its functions and edges as they are, an edge's time being the callee's
 *   total for the calls from that caller (what gprof2dot puts on its edges), at most the total
 *   of either end.
 * - A sampled profile has stacks: the graph is derived from its tree, a function's figures as
 *   the table's (recursion counted once), an edge's time the callee's time on the stack when
 *   called from that caller (recursion once per edge, src/core/callers.ts). No call counts: a
 *   sample does not say how often a function was called.
 *
 * Shares are of `total`, the profile's total (`profileTotal`), as gprof2dot divides by the whole
 * run: the same denominator for every node, edge and threshold.
 */
import { treeEdges } from './callers';
import { frameSelfAndTotal } from './functionStats';
import { profileTotal, type CallTree, type Profile } from './profile';

/** A function of the graph, in the profile's unit. */
export interface GraphNode {
  readonly frameId: number;
  /** Time in the function itself. */
  readonly self: number;
  /** Time with the function on the stack (recursion counted once). */
  readonly total: number;
  /** All calls, where the profiler counted them; null for sampled profiles. */
  readonly calls: number | null;
  /** Non-recursive calls, where the format has them (pstats, callgrind); else null. */
  readonly primitiveCalls: number | null;
}

/** A caller -> callee edge of the graph. */
export interface GraphLink {
  readonly caller: number;
  readonly callee: number;
  /** The time passed along the edge: the callee's total for calls from this caller. */
  readonly weight: number;
  /** Calls along the edge, where counted; null for sampled profiles. */
  readonly calls: number | null;
  /** Non-recursive calls along the edge, where the format has them (pstats); else null. */
  readonly primitiveCalls: number | null;
}

/** The whole call graph of a profile (no pruning: see graphPrune.ts). */
export interface FunctionGraph {
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
  /** The whole: what shares are of. */
  readonly total: number;
  /** True when the figures are a deterministic profiler's (call counts known). */
  readonly exact: boolean;
}

const byProfile = new WeakMap<Profile, FunctionGraph>();
const byTree = new WeakMap<CallTree, FunctionGraph>();

/** The exact graph of a deterministic profiler's profile. */
function fromCallGraph(profile: Profile): FunctionGraph {
  const graph = profile.callGraph!;
  const frameCount = profile.frames.length;
  const nodes: GraphNode[] = [];
  const seen = new Set<number>();
  for (const f of graph.functions) {
    if (seen.has(f.frame) || f.frame < 0 || f.frame >= frameCount) continue;
    seen.add(f.frame);
    nodes.push({
      frameId: f.frame,
      self: f.self,
      total: f.total,
      calls: f.calls,
      primitiveCalls: f.primitiveCalls,
    });
  }
  // One link per (caller, callee): a format that repeats a pair (callgrind's parts) adds up.
  const links = new Map<number, GraphLink>();
  for (const e of graph.edges) {
    if (!seen.has(e.caller) || !seen.has(e.callee)) continue;
    const key = e.caller * frameCount + e.callee;
    const had = links.get(key);
    const prim = e.primitiveCalls ?? null;
    links.set(key, {
      caller: e.caller,
      callee: e.callee,
      weight: (had?.weight ?? 0) + e.total,
      calls: (had?.calls ?? 0) + e.calls,
      primitiveCalls:
        prim === null || (had && had.primitiveCalls === null)
          ? null
          : (had?.primitiveCalls ?? 0) + prim,
    });
  }
  // No more time passes along an edge than its callee (or its caller) spends on the stack: files
  // without recursion levels sum the inclusive cost of calls nested in a cycle (callgrind's
  // yappi and pyprof2calltree files), which can pass either total.
  const totals = new Map(nodes.map((n) => [n.frameId, n.total]));
  const capped = [...links.values()].map((l) => {
    const most = Math.min(totals.get(l.caller)!, totals.get(l.callee)!);
    return l.weight > most ? { ...l, weight: most } : l;
  });
  return { nodes, links: capped, total: profileTotal(profile), exact: true };
}

/**
 * The graph a call tree implies: `tree` is the profile's own tree or one derived from it (the
 * webview's "my code only"), its figures relative to the profile's total.
 */
export function treeFunctionGraph(profile: Profile, tree: CallTree = profile.tree): FunctionGraph {
  const cached = byTree.get(tree);
  if (cached) return cached;
  const view = { tree, frames: profile.frames };
  const { self, total } = frameSelfAndTotal(view);
  const present = new Uint8Array(profile.frames.length);
  for (let i = 1; i < tree.size; i++) present[tree.frame[i]] = 1;
  const nodes: GraphNode[] = [];
  for (let f = 0; f < present.length; f++) {
    if (present[f])
      nodes.push({ frameId: f, self: self[f], total: total[f], calls: null, primitiveCalls: null });
  }
  const links = treeEdges(view).map((e): GraphLink => ({
    caller: e.caller,
    callee: e.callee,
    weight: e.weight,
    calls: null,
    primitiveCalls: null,
  }));
  const result: FunctionGraph = { nodes, links, total: profileTotal(profile), exact: false };
  byTree.set(tree, result);
  return result;
}

/** The call graph of a profile: exact where the profiler recorded one, else from its tree. */
export function functionGraph(profile: Profile): FunctionGraph {
  if (!profile.callGraph) return treeFunctionGraph(profile);
  let g = byProfile.get(profile);
  if (!g) byProfile.set(profile, (g = fromCallGraph(profile)));
  return g;
}
