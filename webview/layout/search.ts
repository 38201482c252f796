/**
 * Search over function names, plain or regular expression, and the share of time the matches
 * cover: a match nested under another match is not counted twice.
 */
import type { CallTree, Frame } from '../../src/core/profile';

/** A compiled query: `match` is null when the query is empty or invalid (`error` says why). */
export interface CompiledSearch {
  readonly match: ((name: string) => boolean) | null;
  readonly error?: string;
}

/**
 * Compiles a query. Plain queries match a case-insensitive substring; regular expressions are
 * case-insensitive too (people search for `json` and mean `JSON.parse`).
 */
export function compileSearch(query: string, regex: boolean): CompiledSearch {
  if (!query) return { match: null };
  if (!regex) {
    const needle = query.toLowerCase();
    return { match: (name) => name.toLowerCase().includes(needle) };
  }
  try {
    const re = new RegExp(query, 'i');
    return { match: (name) => re.test(name) };
  } catch (e) {
    return { match: null, error: `Invalid regular expression: ${(e as Error).message}` };
  }
}

/** What a search found in one tree. */
export interface SearchResult {
  /** Per frame: 1 when its name matches. */
  readonly frames: Uint8Array;
  /** Per node: 1 when its frame matches. */
  readonly nodes: Uint8Array;
  /** How many nodes match. */
  readonly nodeCount: number;
  /** How many distinct functions match (among frames present in the tree). */
  readonly functionCount: number;
  /** Time with a matching function on the stack: totals of matches without a matching ancestor. */
  readonly total: number;
}

/** Runs a search over a tree. */
export function searchTree(
  tree: CallTree,
  frames: readonly Frame[],
  match: (name: string) => boolean,
): SearchResult {
  const frameHit = new Uint8Array(frames.length);
  for (let f = 0; f < frames.length; f++) if (match(frames[f].name)) frameHit[f] = 1;
  const nodes = new Uint8Array(tree.size);
  // covered[n]: n or one of its ancestors matches. Parents come before children in id order.
  const covered = new Uint8Array(tree.size);
  const seen = new Uint8Array(frames.length);
  let nodeCount = 0;
  let functionCount = 0;
  let total = 0;
  for (let i = 1; i < tree.size; i++) {
    const f = tree.frame[i];
    const above = covered[tree.parent[i]];
    if (frameHit[f]) {
      nodes[i] = 1;
      nodeCount++;
      if (!seen[f]) {
        seen[f] = 1;
        functionCount++;
      }
      if (!above) total += tree.total[i];
      covered[i] = 1;
    } else covered[i] = above;
  }
  return { frames: frameHit, nodes, nodeCount, functionCount, total };
}
