/**
 * The derived columns of a {@link CallTree}: totals, depths and children in order, from the
 * parent, frame and self columns alone. One derivation for the builder and for every reader that
 * restores a tree (a stored run, the webview's wire form and transforms), so their totals are
 * bit-identical.
 */
import type { CallTree } from './model';

/**
 * A {@link CallTree} from parent/frame/self arrays where every parent id is below its child's:
 * totals, depths and children (heaviest first) are derived. Shared by the builder and by code
 * that derives trees from a tree (the webview's transforms).
 */
export function freezeTree(parent: Int32Array, frame: Int32Array, self: Float64Array): CallTree {
  const n = parent.length;
  const { total, depth, childCount, childStart } = treeShape(parent, self);
  const fill = new Int32Array(n);
  const children = new Int32Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    const p = parent[i];
    children[childStart[p] + fill[p]++] = i;
  }
  for (let p = 0; p < n; p++) {
    const c = childCount[p];
    if (c > 1) {
      const s = childStart[p];
      // Builders often make children heaviest first already: check before sorting.
      let ordered = true;
      for (let k = s + 1; k < s + c && ordered; k++) {
        const a = children[k - 1];
        const b = children[k];
        ordered = total[a] > total[b] || (total[a] === total[b] && a < b);
      }
      if (ordered) continue;
      if (c <= 16) {
        // Few children (most nodes): an insertion sort in place, no array per node.
        for (let k = s + 1; k < s + c; k++) {
          const v = children[k];
          let j = k - 1;
          while (j >= s && heavier(total, v, children[j])) {
            children[j + 1] = children[j];
            j--;
          }
          children[j + 1] = v;
        }
        continue;
      }
      const sorted = Array.from(children.subarray(s, s + c)).sort(
        (a, b) => total[b] - total[a] || a - b,
      );
      children.set(sorted, s);
    }
  }
  return { size: n, parent, frame, self, total, depth, childStart, childCount, children };
}

/** Whether node `a` comes before node `b` among siblings: heavier, or as heavy and made first. */
function heavier(total: Float64Array, a: number, b: number): boolean {
  const d = total[b] - total[a];
  return d < 0 || (!(d > 0) && a < b);
}

/**
 * The columns of a {@link CallTree} that follow from parent and self alone (parent ids below
 * their child's): totals, depths, child counts and where each node's children start. One
 * derivation for every reader that restores a tree (a stored run, the webview's wire form), so
 * their totals are bit-identical to the builder's.
 */
export function treeShape(
  parent: Int32Array,
  self: Float64Array,
): Pick<CallTree, 'total' | 'depth' | 'childCount' | 'childStart'> {
  const n = parent.length;
  const total = self.slice();
  for (let i = n - 1; i > 0; i--) total[parent[i]] += total[i];
  const depth = new Int32Array(n);
  const childCount = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    depth[i] = depth[parent[i]] + 1;
    childCount[parent[i]]++;
  }
  const childStart = new Int32Array(n);
  for (let i = 1; i < n; i++) childStart[i] = childStart[i - 1] + childCount[i - 1];
  return { total, depth, childCount, childStart };
}
