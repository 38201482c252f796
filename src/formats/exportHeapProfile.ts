/**
 * Writes a profile in bytes as a V8 `.heapprofile` (the shape V8 writes and heapProfile.ts reads):
 * what `heatlens profile --memory --out` saves of a Node memory run, after folding and source
 * maps, so TypeScript functions keep their .ts files and lines when the file is opened again.
 * (Other viewers of `.heapprofile` files were not tried on it.)
 *
 * - The call tree is written as it is: each node's `callFrame` (the frame's name, its file as a
 *   `file://` URL, 0-based line and column, or -1), `selfSize` (the node's self bytes) and
 *   `children`; a node's total is its subtree's, as the reader sums it, so every function's self
 *   and total survive a round trip.
 * - `samples` is empty: the model keeps no individual allocations (a run's profile is a tree), and
 *   the reader takes the tree's sizes, not the samples.
 * - Frames without a file (pseudo frames: a folded helper, a worker thread's label) are written
 *   without a script, as V8 writes its own `(root)` and `(V8 API)`.
 */
import { oneBasedToV8 } from '../core/positions';
import type { Profile } from '../core/profile';
import { pathToFileUrl } from '../util/fileUrl';

interface HeapNode {
  callFrame: {
    functionName: string;
    scriptId: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
  selfSize: number;
  id: number;
  children: HeapNode[];
}

/** Writes `profile` (its weights taken as bytes) as a `.heapprofile` (see the module comment). */
export function exportHeapProfile(profile: Profile): string {
  const { tree, frames } = profile;
  const nodes: HeapNode[] = new Array(tree.size);
  for (let n = 0; n < tree.size; n++) {
    const frame = n === 0 ? undefined : frames[tree.frame[n]];
    nodes[n] = {
      callFrame: {
        // The reader names V8's unnamed functions "(anonymous)": written unnamed again, so that
        // they are classified as V8's own are.
        functionName: !frame ? '(root)' : frame.name === '(anonymous)' ? '' : frame.name,
        scriptId: '0',
        url: frame?.file ? pathToFileUrl(frame.file) : '',
        lineNumber: frame ? oneBasedToV8(frame.line1) : -1,
        columnNumber: frame ? oneBasedToV8(frame.col1) : -1,
      },
      selfSize: tree.self[n],
      id: n + 1,
      children: [],
    };
  }
  // Children in the tree's order (heaviest first); a parent's id is below its children's.
  for (let n = 0; n < tree.size; n++) {
    const start = tree.childStart[n];
    for (let k = 0; k < tree.childCount[n]; k++) {
      nodes[n].children.push(nodes[tree.children[start + k]]);
    }
  }
  return JSON.stringify({ head: nodes[0], samples: [] });
}
