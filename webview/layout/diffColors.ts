/**
 * The differential view's colors: every box of the new run's flame graph is colored by how its
 * total (the time with that call path on the stack, which is also its width) changed against the
 * old run. Total rather than self, so that width and color speak of the same quantity: a red box
 * got wider, and following the red downwards leads to where the time went (Brendan Gregg's
 * differential flame graphs read the same way). The self change is in the tooltip.
 *
 * Only changes beyond the noise are colored (src/core/significance.ts: the same test as the
 * editor's lines and functions, over all the nodes of the tree at once): a box of one sample
 * that became two is +100% and means nothing, and stays neutral. Levels are symmetric on a log
 * scale, so twice as slow and twice as fast are equally intense: bands start at 5%, 20%, 50% and
 * 2x (a significant change is at least 10%, so the first band shows 10-20%).
 */
import type { CallTree } from '../../src/core/profile';
import {
  isSignificant,
  localGrain,
  type ItemGrains,
  type NoiseParams,
} from '../../src/core/significance';
import type { MappedTree } from './transforms';

/** How a node's change is tested: the comparison's noise and the nodes' critical |z|. */
export interface NodeTest {
  readonly noise: NoiseParams;
  readonly zCritical: number;
  /**
   * Per node: the sums of squared sample weights of the old run (scaled) and of the new one,
   * for the nodes' own grains, when the runs kept their samples.
   */
  readonly beforeSq?: Float64Array;
  readonly afterSq?: Float64Array;
}

/** A node's own grains (significance.ts, localGrain), or undefined without squares. */
export function nodeGrains(
  test: NodeTest,
  node: number,
  before: number,
  after: number,
): ItemGrains | undefined {
  if (!test.beforeSq && !test.afterSq) return undefined;
  return {
    before: localGrain(before, test.beforeSq?.[node] ?? 0, test.noise.beforeGrain),
    after: localGrain(after, test.afterSq?.[node] ?? 0, test.noise.afterGrain),
  };
}

/** Intensity levels on each side of neutral. */
export const DIFF_LEVELS = 4;

/** Ratio bands (after / before, or before / after for faster) that start levels 1..4. */
const BANDS = [1.05, 1.2, 1.5, 2].map(Math.log);

/**
 * The level of a change: 0 neutral (no change, or one within noise), 1..4 slower (red), -1..-4
 * faster (green).
 */
export function changeLevel(
  before: number,
  after: number,
  test: NodeTest,
  grains?: ItemGrains,
): number {
  const delta = after - before;
  if (delta === 0 || !isSignificant(before, after, test.noise, test.zCritical, grains)) return 0;
  // Nothing before (appeared) or nothing after: as intense as it gets.
  if (!(before > 0) || !(after > 0)) return delta > 0 ? DIFF_LEVELS : -DIFF_LEVELS;
  const l = Math.abs(Math.log(after / before));
  let level = 0;
  while (level < DIFF_LEVELS && l >= BANDS[level]) level++;
  return delta > 0 ? level : -level;
}

/**
 * Per node of `tree`: `DIFF_LEVELS + level` (0 .. 2 x DIFF_LEVELS, neutral in the middle), the
 * palette slot offset of its color.
 */
export function diffColors(tree: CallTree, beforeTotal: Float64Array, test: NodeTest): Uint8Array {
  const out = new Uint8Array(tree.size);
  for (let n = 0; n < tree.size; n++) {
    const [b, a] = [beforeTotal[n], tree.total[n]];
    out[n] = DIFF_LEVELS + changeLevel(b, a, test, nodeGrains(test, n, b, a));
  }
  return out;
}

/**
 * Before weights carried onto a derived tree ("my code only"). Self weights add up where nodes
 * merged or hid. A derived node's total is the sum of the totals of the source nodes that enter
 * it (those whose parent maps elsewhere): hidden nodes below them are inside those totals
 * already, and weights on call paths only the old run had stay in them too.
 */
export function mapBeforeWeights(
  source: CallTree,
  mapped: MappedTree,
  beforeTotal: Float64Array,
  beforeSelf: Float64Array,
): { total: Float64Array; self: Float64Array } {
  const size = mapped.tree.size;
  const total = new Float64Array(size);
  const self = new Float64Array(size);
  const map = mapped.nodeMap;
  if (source.size) {
    total[0] = beforeTotal[0];
    self[map[0]] += beforeSelf[0];
  }
  for (let n = 1; n < source.size; n++) {
    const m = map[n];
    self[m] += beforeSelf[n];
    if (m !== map[source.parent[n]]) total[m] += beforeTotal[n];
  }
  return { total, self };
}
