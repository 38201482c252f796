/**
 * Derived call trees (my code only, inverted, sandwich halves) in the same flat form as the
 * profile's own {@link CallTree}, so one layout and one renderer serve them all.
 */
import { freezeTree } from '../../src/core/callTree';
import type { CallTree } from '../../src/core/profile';

/**
 * Grows a tree node by node, merging a frame under a parent into one node, and freezes it into a
 * {@link CallTree} with totals, depths and children sorted heaviest first (ties by id).
 */
export class TreeBuilder {
  private parent: number[] = [-1];
  private frame: number[] = [-1];
  private self: number[] = [0];
  private readonly ids = new Map<number, number>();

  /** The node for `frame` under `parent`, created on first use. */
  child(parent: number, frame: number): number {
    // parent * 2^24 + frame stays an exact integer (see ProfileBuilder.child).
    const key = parent * 16777216 + frame;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.parent.length;
      this.parent.push(parent);
      this.frame.push(frame);
      this.self.push(0);
      this.ids.set(key, id);
    }
    return id;
  }

  /** Whether the node for `frame` under `parent` exists already. */
  has(parent: number, frame: number): boolean {
    return this.ids.has(parent * 16777216 + frame);
  }

  addSelf(node: number, weight: number): void {
    this.self[node] += weight;
  }

  get size(): number {
    return this.parent.length;
  }

  build(): CallTree {
    const tree = freezeTree(
      new Int32Array(this.parent),
      new Int32Array(this.frame),
      new Float64Array(this.self),
    );
    this.parent = this.frame = this.self = [];
    this.ids.clear();
    return tree;
  }
}

// Trees are immutable: what is derived from one is cached by identity.
const preorders = new WeakMap<CallTree, Int32Array>();
const nesteds = new WeakMap<CallTree, Uint8Array>();

/**
 * Node ids in depth-first pre-order, children heaviest first: left to right in a flame graph.
 * Cached per tree; do not modify the result.
 */
export function preorder(tree: CallTree): Int32Array {
  let cached = preorders.get(tree);
  if (!cached) preorders.set(tree, (cached = computePreorder(tree)));
  return cached;
}

function computePreorder(tree: CallTree): Int32Array {
  const out = new Int32Array(tree.size);
  if (tree.size === 0) return out;
  const stack = new Int32Array(tree.size);
  let sp = 0;
  let o = 0;
  stack[sp++] = 0;
  while (sp > 0) {
    const n = stack[--sp];
    out[o++] = n;
    const s = tree.childStart[n];
    // Push in reverse so the heaviest child comes out first.
    for (let k = tree.childCount[n] - 1; k >= 0; k--) stack[sp++] = tree.children[s + k];
  }
  return out;
}

/** The path from the root's child down to `node` (node ids, outermost first). */
export function pathTo(tree: CallTree, node: number): number[] {
  const path: number[] = [];
  for (let n = node; n > 0; n = tree.parent[n]) path.push(n);
  return path.reverse();
}

/**
 * For each node, whether an ancestor has the same frame (a recursive re-entry). Totals of
 * functions count only the outermost occurrence, so that recursion is counted once. Cached per
 * tree; do not modify the result.
 */
export function nestedOccurrences(tree: CallTree): Uint8Array {
  let cached = nesteds.get(tree);
  if (!cached) nesteds.set(tree, (cached = computeNested(tree)));
  return cached;
}

function computeNested(tree: CallTree): Uint8Array {
  const nested = new Uint8Array(tree.size);
  const order = preorder(tree);
  // onStack[frame] = how many nodes of that frame are on the current root path.
  let maxFrame = -1;
  for (let i = 1; i < tree.size; i++) if (tree.frame[i] > maxFrame) maxFrame = tree.frame[i];
  const onStack = new Int32Array(maxFrame + 1);
  const pathNodes = new Int32Array(tree.size);
  let depth = 0;
  for (let k = 0; k < order.length; k++) {
    const n = order[k];
    const d = tree.depth[n];
    // Leave the nodes below this one's depth.
    while (depth > d) {
      const left = pathNodes[--depth];
      if (left > 0) onStack[tree.frame[left]]--;
    }
    if (n > 0) {
      const f = tree.frame[n];
      if (onStack[f] > 0) nested[n] = 1;
      onStack[f]++;
    }
    pathNodes[depth++] = n;
  }
  return nested;
}
