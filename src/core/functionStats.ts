/**
 * Per-function figures: self, total (recursion counted once) and calls where the profiler
 * counted them. Pure and cached per profile.
 */
import type { Frame, Profile } from './profile';

/** One function's figures, in the profile's unit. */
export interface FunctionStat {
  readonly frameId: number;
  readonly frame: Frame;
  /** Time spent in the function itself. */
  readonly self: number;
  /** Time during which the function was on the stack (a recursive function counts once). */
  readonly total: number;
  /** Calls counted by a deterministic profiler; null for sampling profilers. */
  readonly calls: number | null;
}

const cache = new WeakMap<Profile, readonly FunctionStat[]>();

/**
 * Sums a per-frame figure over the tree: self over every node, total over the outermost node of
 * each frame on every path (a node whose frame is already on the stack above it adds nothing,
 * so recursion counts once). Depth-first with an explicit stack and a per-frame depth counter.
 */
export function frameSelfAndTotal(profile: Pick<Profile, 'tree' | 'frames'>): {
  self: Float64Array;
  total: Float64Array;
} {
  const { tree } = profile;
  const frameCount = profile.frames.length;
  const self = new Float64Array(frameCount);
  const total = new Float64Array(frameCount);
  const onStack = new Int32Array(frameCount);
  if (tree.size <= 1) return { self, total };
  // Each entry is a node id to enter (>= 0) or ~id to leave.
  const stack: number[] = [];
  for (let c = tree.childCount[0] - 1; c >= 0; c--)
    stack.push(tree.children[tree.childStart[0] + c]);
  while (stack.length) {
    const entry = stack.pop() as number;
    if (entry < 0) {
      onStack[tree.frame[~entry]]--;
      continue;
    }
    const f = tree.frame[entry];
    self[f] += tree.self[entry];
    if (onStack[f] === 0) total[f] += tree.total[entry];
    onStack[f]++;
    stack.push(~entry);
    const start = tree.childStart[entry];
    for (let c = tree.childCount[entry] - 1; c >= 0; c--) stack.push(tree.children[start + c]);
  }
  return { self, total };
}

/**
 * Every function of the profile, sorted by total weight (heaviest first, then by self, then by
 * frame id). With a call graph (deterministic profilers) the figures and call counts come from
 * the graph, never from the tree approximated from it. The synthetic root is not a function;
 * pseudo frames are included (filter on `frame.kind` to hide them).
 */
export function functionStats(profile: Profile): readonly FunctionStat[] {
  const cached = cache.get(profile);
  if (cached) return cached;
  const { frames } = profile;
  const stats: FunctionStat[] = [];
  const graph = profile.callGraph;
  if (graph) {
    const seen = new Set<number>();
    for (const fn of graph.functions) {
      if (seen.has(fn.frame) || !frames[fn.frame]) continue;
      seen.add(fn.frame);
      stats.push({
        frameId: fn.frame,
        frame: frames[fn.frame],
        self: fn.self,
        total: fn.total,
        calls: fn.calls,
      });
    }
  } else {
    const { self, total } = frameSelfAndTotal(profile);
    const present = new Uint8Array(frames.length);
    for (let i = 1; i < profile.tree.size; i++) present[profile.tree.frame[i]] = 1;
    for (let f = 0; f < frames.length; f++) {
      if (present[f])
        stats.push({ frameId: f, frame: frames[f], self: self[f], total: total[f], calls: null });
    }
  }
  stats.sort((a, b) => b.total - a.total || b.self - a.self || a.frameId - b.frameId);
  const result = Object.freeze(stats.map((s) => Object.freeze(s)));
  cache.set(profile, result);
  return result;
}
