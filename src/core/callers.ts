/**
 * Callers and callees of a function (the "sandwich" view). Pure and cached per profile.
 *
 * From a call tree, the weight of an edge caller -> callee is the time the callee spent on the
 * stack when called from that caller, with recursion counted once: a tree node adds its total
 * only when the same caller -> callee edge is not already on the stack above it. So for a
 * directly recursive `fib` called from `main`, main -> fib carries all of fib's time and
 * fib -> fib the time of the recursive calls, each counted once. Calls from the synthetic root
 * are not edges (an entry function has no caller).
 *
 * With a call graph (deterministic profilers), edges and their call counts come from the graph:
 * the weight is the callee's total time for calls from that caller.
 */
import type { Frame, Profile } from './profile';

/** A function next to another in the call graph, with the weight of the edge between them. */
export interface Neighbour {
  readonly frameId: number;
  readonly frame: Frame;
  readonly weight: number;
  /** Calls along this edge, when the profiler counted them; null otherwise. */
  readonly calls: number | null;
}

/** A caller -> callee edge and its weight (and calls, where counted). */
export interface Edge {
  caller: number;
  callee: number;
  weight: number;
  calls: number | null;
}

interface EdgeIndex {
  callersOf: Map<number, Neighbour[]>;
  calleesOf: Map<number, Neighbour[]>;
}

const cache = new WeakMap<Profile, EdgeIndex>();

/**
 * Every caller -> callee edge of a profile's call tree, weighted by the time the callee spent on
 * the stack when called from that caller (recursion once per edge, see the module comment); no
 * call counts (a tree does not have them). Also what the call graph view draws for a sampled
 * profile (functionGraph.ts).
 */
export function treeEdges(profile: Pick<Profile, 'tree' | 'frames'>): Edge[] {
  const { tree } = profile;
  const frameCount = profile.frames.length;
  const weights = new Map<number, number>();
  const active = new Map<number, number>();
  const stack: number[] = [];
  for (let c = tree.childCount[0] - 1; c >= 0; c--)
    stack.push(tree.children[tree.childStart[0] + c]);
  // Entries are node ids to enter (>= 0) or ~id to leave; the key of a node is its edge.
  const keyOf = (node: number) => tree.frame[tree.parent[node]] * frameCount + tree.frame[node];
  while (stack.length) {
    const entry = stack.pop() as number;
    if (entry < 0) {
      const node = ~entry;
      if (tree.parent[node] > 0) {
        const key = keyOf(node);
        active.set(key, (active.get(key) as number) - 1);
      }
      continue;
    }
    if (tree.parent[entry] > 0) {
      const key = keyOf(entry);
      const depth = active.get(key) ?? 0;
      if (depth === 0) weights.set(key, (weights.get(key) ?? 0) + tree.total[entry]);
      active.set(key, depth + 1);
    }
    stack.push(~entry);
    const start = tree.childStart[entry];
    for (let c = tree.childCount[entry] - 1; c >= 0; c--) stack.push(tree.children[start + c]);
  }
  const edges: Edge[] = [];
  for (const [key, weight] of weights) {
    edges.push({
      caller: Math.floor(key / frameCount),
      callee: key % frameCount,
      weight,
      calls: null,
    });
  }
  return edges;
}

function index(profile: Profile): EdgeIndex {
  const cached = cache.get(profile);
  if (cached) return cached;
  const edges: Edge[] = profile.callGraph
    ? profile.callGraph.edges.map((e) => ({
        caller: e.caller,
        callee: e.callee,
        weight: e.total,
        calls: e.calls,
      }))
    : treeEdges(profile);
  const callersOf = new Map<number, Neighbour[]>();
  const calleesOf = new Map<number, Neighbour[]>();
  const push = (map: Map<number, Neighbour[]>, key: number, n: Neighbour) => {
    const list = map.get(key);
    if (list) list.push(n);
    else map.set(key, [n]);
  };
  const { frames } = profile;
  for (const e of edges) {
    if (!frames[e.caller] || !frames[e.callee]) continue;
    push(callersOf, e.callee, {
      frameId: e.caller,
      frame: frames[e.caller],
      weight: e.weight,
      calls: e.calls,
    });
    push(calleesOf, e.caller, {
      frameId: e.callee,
      frame: frames[e.callee],
      weight: e.weight,
      calls: e.calls,
    });
  }
  const byWeight = (a: Neighbour, b: Neighbour) => b.weight - a.weight || a.frameId - b.frameId;
  for (const list of callersOf.values()) list.sort(byWeight);
  for (const list of calleesOf.values()) list.sort(byWeight);
  const result = { callersOf, calleesOf };
  cache.set(profile, result);
  return result;
}

/**
 * The functions that called `frameId` and the functions it called, heaviest edge first.
 * Caller weights are the time spent in `frameId` when called from that caller; callee weights
 * the time spent in the callee when called from `frameId`. The arrays are fresh copies.
 */
export function callersAndCallees(
  profile: Profile,
  frameId: number,
): { callers: Neighbour[]; callees: Neighbour[] } {
  const { callersOf, calleesOf } = index(profile);
  return {
    callers: (callersOf.get(frameId) ?? []).slice(),
    callees: (calleesOf.get(frameId) ?? []).slice(),
  };
}
