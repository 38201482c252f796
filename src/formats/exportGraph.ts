/**
 * The function-level view that the call-graph writers (pstats, callgrind) write: one entry per
 * function, keyed by (name, file, line), and one per caller -> callee pair.
 *
 * Both formats key functions without a column, so model frames that differ only in column or
 * kind (two arrow functions on one line) become one function here, with the figures of the
 * merged function (its total counts the time either was on the stack, once).
 *
 * - A profile with a call graph (cProfile, yappi, callgrind) gives its graph as it is: calls,
 *   primitive calls, self and total per function and per edge. An edge without primitive calls
 *   (callgrind has none) gives its calls.
 * - A profile with only a tree (sampled: V8, speedscope, collapsed, Heatlens' Python sampler)
 *   gets the graph its tree implies, with the definitions cProfile uses, so that the figures a
 *   reader computes from the graph are the tree's own:
 *   - self: the self weight of every node of the function;
 *   - total: the weight of its outermost nodes (recursion counted once), exactly what
 *     functionStats shows for the tree;
 *   - calls: the number of tree nodes of the function, the fewest calls the stacks imply (each
 *     distinct call path was entered at least once); primitive calls: its outermost nodes; root
 *     calls: its nodes right under the root. Sample counts would not be calls at all (one long
 *     call gives many samples), and no choice of counts changes a weight: pstats readers take
 *     self and total from the function's own figures, callgrind readers from its costs.
 *   - an edge's `total` is cProfile's: the weight of the callee's nodes under the caller, a pair
 *     nested in the same pair counted once. Its `inclusive` is what callgrind needs, which
 *     differs only under mutual recursion: the callee's weight less the weight of nested calls
 *     of the caller inside it, so that a function's self plus the inclusive costs of its calls
 *     to others add up exactly to its total (callgrind readers, ours and KCachegrind, compute a
 *     function's total that way; cProfile's edge figures would count `a` inside `a -> b -> a`
 *     twice).
 *   Self weight on the tree's root (samples with an empty stack) belongs to no function and is
 *   not written.
 */
import type { Frame, Profile } from '../core/profile';

/** One function as the call-graph writers see it. */
export interface ExportFunction {
  readonly name: string;
  readonly file: string | null;
  readonly line1: number | null;
  /** The model frames merged into this function. */
  readonly frames: number[];
  calls: number;
  primitiveCalls: number;
  /** Calls from no recorded caller (the outermost calls). */
  rootCalls: number;
  self: number;
  total: number;
}

/** One caller -> callee pair: the callee's figures for calls from that caller. */
export interface ExportEdge {
  /** Index into {@link ExportGraph.functions}. */
  readonly caller: number;
  readonly callee: number;
  calls: number;
  primitiveCalls: number;
  self: number;
  /** pstats' edge figure (cProfile's): time with this pair on the stack, nested pairs once. */
  total: number;
  /** callgrind's inclusive cost of the calls (see the file comment). */
  inclusive: number;
}

/** The functions and edges of a profile, for the call-graph writers. */
export interface ExportGraph {
  readonly functions: readonly ExportFunction[];
  readonly edges: readonly ExportEdge[];
  /** Function index per model frame id; -1 for frames in no function. */
  readonly functionOfFrame: Int32Array;
  /** True when the graph was derived from the tree (the profile has no call graph). */
  readonly fromTree: boolean;
}

/** The key the call-graph formats identify a function by. */
function keyOf(f: Frame): string {
  return `${f.name}\u0000${f.file ?? ''}\u0000${f.file === null ? 'n' : ''}\u0000${f.line1 ?? ''}`;
}

class Groups {
  readonly functions: ExportFunction[] = [];
  readonly edges: ExportEdge[] = [];
  private readonly byKey = new Map<string, number>();
  /** Per caller function, its edges by callee (small-integer keys keep lookups fast). */
  private readonly edgeIds: Array<Map<number, number> | undefined> = [];
  readonly functionOfFrame: Int32Array;

  constructor(private readonly frames: readonly Frame[]) {
    this.functionOfFrame = new Int32Array(frames.length).fill(-1);
  }

  of(frame: number): number {
    let fn = this.functionOfFrame[frame];
    if (fn >= 0) return fn;
    const f = this.frames[frame];
    const key = keyOf(f);
    fn = this.byKey.get(key) ?? -1;
    if (fn < 0) {
      fn = this.functions.length;
      this.functions.push({
        name: f.name,
        file: f.file,
        line1: f.line1,
        frames: [],
        calls: 0,
        primitiveCalls: 0,
        rootCalls: 0,
        self: 0,
        total: 0,
      });
      this.byKey.set(key, fn);
    }
    this.functions[fn].frames.push(frame);
    this.functionOfFrame[frame] = fn;
    return fn;
  }

  /** The index of the caller -> callee edge, made on first use. */
  edgeIndex(caller: number, callee: number): number {
    let byCallee = this.edgeIds[caller];
    if (!byCallee) this.edgeIds[caller] = byCallee = new Map();
    let at = byCallee.get(callee);
    if (at === undefined) {
      at = this.edges.length;
      byCallee.set(callee, at);
      this.edges.push({
        caller,
        callee,
        calls: 0,
        primitiveCalls: 0,
        self: 0,
        total: 0,
        inclusive: 0,
      });
    }
    return at;
  }

  edge(caller: number, callee: number): ExportEdge {
    return this.edges[this.edgeIndex(caller, callee)];
  }
}

/** The functions and edges to write for `profile` (see the file comment). */
export function exportGraph(profile: Profile): ExportGraph {
  return profile.callGraph ? fromCallGraph(profile) : fromTree(profile);
}

function fromCallGraph(profile: Profile): ExportGraph {
  const graph = profile.callGraph!;
  const groups = new Groups(profile.frames);
  for (const g of graph.functions) {
    if (!profile.frames[g.frame]) continue;
    const f = groups.functions[groups.of(g.frame)];
    f.calls += g.calls;
    f.primitiveCalls += g.primitiveCalls;
    f.self += g.self;
    f.total += g.total;
  }
  const inCalls = new Float64Array(profile.frames.length);
  for (const e of graph.edges) {
    if (!profile.frames[e.caller] || !profile.frames[e.callee]) continue;
    const edge = groups.edge(groups.of(e.caller), groups.of(e.callee));
    edge.calls += e.calls;
    edge.primitiveCalls += e.primitiveCalls ?? e.calls;
    edge.self += e.self;
    edge.total += e.total;
    edge.inclusive += e.total;
  }
  for (const e of groups.edges) inCalls[e.callee] += e.calls;
  groups.functions.forEach((f, i) => {
    f.rootCalls = Math.max(0, f.calls - inCalls[i]);
  });
  return {
    functions: groups.functions,
    edges: groups.edges,
    functionOfFrame: groups.functionOfFrame,
    fromTree: false,
  };
}

function fromTree(profile: Profile): ExportGraph {
  const { tree } = profile;
  const groups = new Groups(profile.frames);
  const n = tree.size;
  const fnOf = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) fnOf[i] = groups.of(tree.frame[i]);
  const count = groups.functions.length;
  const onStack = new Int32Array(count);
  // Per function, its nearest node on the current path; per node, the one it hid.
  const nearest = new Int32Array(count).fill(-1);
  const hidden = new Int32Array(n);
  // Per node, the edge from its parent's function to its own (-1 under the root); per edge, how
  // many of its pairs are on the current path.
  const edgeOf = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) {
    const p = tree.parent[i];
    if (p > 0) edgeOf[i] = groups.edgeIndex(fnOf[p], fnOf[i]);
  }
  const pairOnStack = new Int32Array(groups.edges.length);
  let maxDepth = 0;
  for (let i = 0; i < n; i++) if (tree.depth[i] > maxDepth) maxDepth = tree.depth[i];
  const path = new Int32Array(maxDepth + 1);

  // Depth first with an explicit stack: entries >= 0 enter a node, ~id leaves it.
  const stack: number[] = [];
  for (let c = tree.childCount[0] - 1; c >= 0; c--)
    stack.push(tree.children[tree.childStart[0] + c]);
  while (stack.length) {
    const entry = stack.pop() as number;
    if (entry < 0) {
      const node = ~entry;
      const g = fnOf[node];
      onStack[g]--;
      nearest[g] = hidden[node];
      if (edgeOf[node] >= 0) pairOnStack[edgeOf[node]]--;
      continue;
    }
    const node = entry;
    const g = fnOf[node];
    const fn = groups.functions[g];
    const self = tree.self[node];
    const total = tree.total[node];
    fn.calls++;
    fn.self += self;
    if (onStack[g] === 0) {
      fn.total += total;
      fn.primitiveCalls++;
    }
    const e = edgeOf[node];
    if (e < 0) fn.rootCalls++;
    else {
      const edge = groups.edges[e];
      edge.calls++;
      edge.self += self;
      if (pairOnStack[e]++ === 0) {
        edge.total += total;
        edge.primitiveCalls++;
      }
      if (edge.caller !== g) edge.inclusive += total;
    }
    // A nested call of this function inside one of its callees: that callee's inclusive cost
    // already holds this node's weight, which the function's own figures hold too.
    path[tree.depth[node]] = node;
    const outer = nearest[g];
    if (outer >= 0) {
      const via = path[tree.depth[outer] + 1];
      if (via !== node) groups.edge(g, fnOf[via]).inclusive -= total;
    }
    hidden[node] = outer;
    nearest[g] = node;
    onStack[g]++;
    stack.push(~node);
    const start = tree.childStart[node];
    for (let c = tree.childCount[node] - 1; c >= 0; c--) stack.push(tree.children[start + c]);
  }
  return {
    functions: groups.functions,
    edges: groups.edges,
    functionOfFrame: groups.functionOfFrame,
    fromTree: true,
  };
}
