/**
 * Trees derived from a call tree for the views of the flame graph panel: "my code only", the
 * inverted (bottom-up) tree, and the two halves of the sandwich view. Each is a plain
 * {@link CallTree}, so layout, search and drawing treat them all alike.
 */
import type { CallGraph, CallTree, Frame } from '../../src/core/profile';
import { TreeBuilder, nestedOccurrences, preorder } from './tree';

/** A derived tree and, for each node of the source tree, the node it became. */
export interface MappedTree {
  readonly tree: CallTree;
  /** Source node id -> derived node id (hidden nodes map to their nearest kept ancestor's). */
  readonly nodeMap: Int32Array;
}

/** The frames "my code only" keeps: the user's own code. */
export function isMyCode(frame: Frame): boolean {
  return frame.kind === 'user';
}

/**
 * Hides the frames `keep` rejects (by default library, runtime and pseudo frames) and folds their
 * time into the nearest caller that stays (as self time there). Paths that become equal merge, so
 * `a > lib > b` and `a > other lib > b` both become `a > b`. Time spent with no kept frame on the
 * stack stays on the root.
 */
export function myCodeOnly(
  tree: CallTree,
  frames: readonly Frame[],
  keep: (frame: Frame) => boolean = isMyCode,
): MappedTree {
  const kept = frames.map((f) => keep(f));
  const b = new TreeBuilder();
  const nodeMap = new Int32Array(tree.size);
  b.addSelf(0, tree.size ? tree.self[0] : 0);
  for (let i = 1; i < tree.size; i++) {
    const p = nodeMap[tree.parent[i]];
    const f = tree.frame[i];
    const m = kept[f] ? b.child(p, f) : p;
    nodeMap[i] = m;
    b.addSelf(m, tree.self[i]);
  }
  return { tree: b.build(), nodeMap };
}

/** What the work budget of {@link invertTree} cut, for the note the view shows. */
export interface InvertCut {
  /** Callers shown per stack at most (below the function itself); deeper callers are merged. */
  readonly depth: number;
  /** The deepest stack of the source tree, in frames (the root not counted). */
  readonly maxDepth: number;
  /** True when the node budget ran out: some chains stop sooner than `depth`. */
  readonly nodesFull: boolean;
  /** The node budget. */
  readonly nodes: number;
}

/** The inverted tree and, when the budget cut it, how. */
export interface InvertedTree {
  readonly tree: CallTree;
  /** Null when every chain of callers is complete. */
  readonly cut: InvertCut | null;
}

/** Work budgets of {@link invertTree}. */
export interface InvertBudget {
  /** Caller steps walked in all (the sum of the chains' lengths). */
  readonly steps: number;
  /** Nodes of the inverted tree (top-level functions are always kept). */
  readonly nodes: number;
}

/**
 * Every chain costs its length, so a 100 000-deep recursion with self time at every level would
 * walk 5e9 steps. The 1M-node bench profile (depth ~25) walks 9.6M steps (0.8 s) into a few tens
 * of thousands of nodes; these budgets leave it exact and bound the worst case (100 000 distinct
 * frames deep) to about 3 s and 300 MB.
 */
export const INVERT_BUDGET: InvertBudget = { steps: 16_000_000, nodes: 1_500_000 };

/**
 * The inverted (bottom-up) tree: its top-level nodes are the functions that had self time, and
 * below each are the callers that led to it, outermost last. A node's total is the self time of
 * its top-level function spent under that chain of callers.
 *
 * Bounded work: when the chains' lengths add up to more than `budget.steps`, every chain is cut at
 * the same depth (the deepest that fits), and once the tree holds `budget.nodes` nodes no new
 * caller nodes are made; the time of the callers left out stays on the last caller shown (as its
 * self time), so every total stays right. `cut` says what was left out.
 */
export function invertTree(tree: CallTree, budget: InvertBudget = INVERT_BUDGET): InvertedTree {
  const b = new TreeBuilder();
  if (tree.size) b.addSelf(0, tree.self[0]);
  // Chain lengths (callers below the function itself) per length, to pick the depth cap.
  let maxDepth = 0;
  for (let i = 1; i < tree.size; i++) if (tree.depth[i] > maxDepth) maxDepth = tree.depth[i];
  const byLength = new Float64Array(maxDepth + 1);
  let steps = 0;
  let longest = 0;
  for (let i = 1; i < tree.size; i++) {
    if (!(tree.self[i] > 0)) continue;
    const length = tree.depth[i] - 1;
    byLength[length]++;
    steps += length;
    if (length > longest) longest = length;
  }
  let cap = longest;
  if (steps > budget.steps) {
    // Cost of cap c: the sum over chains of min(length, c). Grow c while it fits.
    let longer = 0; // chains longer than c
    for (let l = 1; l <= longest; l++) longer += byLength[l];
    let cost = 0;
    cap = 0;
    while (cap < longest && cost + longer <= budget.steps) {
      cost += longer;
      cap++;
      longer -= byLength[cap];
    }
  }
  let nodesFull = false;
  for (let i = 1; i < tree.size; i++) {
    const w = tree.self[i];
    if (!(w > 0)) continue;
    let node = b.child(0, tree.frame[i]);
    let a = tree.parent[i];
    for (let k = 0; k < cap && a > 0; k++, a = tree.parent[a]) {
      if (b.size >= budget.nodes && !b.has(node, tree.frame[a])) {
        nodesFull = true;
        break;
      }
      node = b.child(node, tree.frame[a]);
    }
    b.addSelf(node, w);
  }
  const cut =
    cap < longest || nodesFull ? { depth: cap, maxDepth, nodesFull, nodes: budget.nodes } : null;
  return { tree: b.build(), cut };
}

/** The two halves of the sandwich view of one function. */
export interface Sandwich {
  readonly frameId: number;
  /**
   * Callers, inverted: node 0's only child is the function, its children are its direct callers,
   * theirs the callers' callers. Weights are the function's total time under each chain.
   */
  readonly callers: CallTree;
  /** Callees: node 0's only child is the function, with everything it called below it. */
  readonly callees: CallTree;
  /** Total time of the function, recursion counted once. */
  readonly total: number;
  /** Self time of the function. */
  readonly self: number;
  /** True when the figures are a deterministic profiler's exact call-graph figures (one level). */
  readonly exact: boolean;
}

/**
 * The sandwich of a function from a call tree, merged over all its occurrences. Only outermost
 * occurrences count (those with no ancestor of the same function), so recursion is counted once:
 * a recursive call shows inside the callees, not as a second copy of the function's time.
 */
export function sandwichFromTree(tree: CallTree, frameId: number): Sandwich {
  const nested = nestedOccurrences(tree);
  const order = preorder(tree);
  const pos = new Int32Array(tree.size);
  for (let k = 0; k < order.length; k++) pos[order[k]] = k;
  const subtree = new Int32Array(tree.size).fill(1);
  for (let i = tree.size - 1; i > 0; i--) subtree[tree.parent[i]] += subtree[i];

  const callees = new TreeBuilder();
  const callers = new TreeBuilder();
  const calleeTop = callees.child(0, frameId);
  const callerTop = callers.child(0, frameId);
  const mapped = new Int32Array(tree.size);
  let total = 0;
  let self = 0;
  for (let i = 1; i < tree.size; i++) {
    if (tree.frame[i] !== frameId) continue;
    self += tree.self[i];
    if (nested[i]) continue;
    total += tree.total[i];
    // Callees: the whole subtree, merged under the one top node.
    mapped[i] = calleeTop;
    callees.addSelf(calleeTop, tree.self[i]);
    const end = pos[i] + subtree[i];
    for (let k = pos[i] + 1; k < end; k++) {
      const m = order[k];
      const to = callees.child(mapped[tree.parent[m]], tree.frame[m]);
      mapped[m] = to;
      callees.addSelf(to, tree.self[m]);
    }
    // Callers: the path to the root, inverted, weighted by this occurrence's total.
    let node = callerTop;
    for (let a = tree.parent[i]; a > 0; a = tree.parent[a])
      node = callers.child(node, tree.frame[a]);
    callers.addSelf(node, tree.total[i]);
  }
  return {
    frameId,
    callers: callers.build(),
    callees: callees.build(),
    total,
    self,
    exact: false,
  };
}

/**
 * The sandwich of a function from a deterministic profiler's call graph: exact figures, one level
 * deep (a call graph has no longer stacks). Recursive self-edges are left out, as their times are
 * not additive; root calls and recursion leave the function's own box wider than its callers.
 */
export function sandwichFromGraph(graph: CallGraph, frameId: number): Sandwich {
  const fn = graph.functions.find((f) => f.frame === frameId);
  const total = fn?.total ?? 0;
  const self = fn?.self ?? 0;
  const callers = new TreeBuilder();
  const callees = new TreeBuilder();
  const callerTop = callers.child(0, frameId);
  const calleeTop = callees.child(0, frameId);
  let fromCallers = 0;
  for (const e of graph.edges) {
    if (e.caller === e.callee) continue;
    if (e.callee === frameId) {
      callers.addSelf(callers.child(callerTop, e.caller), e.total);
      fromCallers += e.total;
    }
    if (e.caller === frameId) callees.addSelf(callees.child(calleeTop, e.callee), e.total);
  }
  // Calls from the top level (no caller) keep the rest of the function's time on its own box.
  if (total > fromCallers) callers.addSelf(callerTop, total - fromCallers);
  callees.addSelf(calleeTop, self);
  return { frameId, callers: callers.build(), callees: callees.build(), total, self, exact: true };
}
