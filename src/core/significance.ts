/**
 * Is a change between two runs larger than the noise? The statistics behind every delta of a
 * comparison (diff.ts): lines, functions and call-tree nodes. Pure.
 *
 * The choices, and why:
 *
 * - **Weights are counts.** A sampling profiler's weight of a line or function is the number of
 *   samples that landed there times a sample's weight, and sample counts are Poisson: the count
 *   n of an item is known to about ±sqrt(n). V8 weighs each sample by the time since the one
 *   before (its `timeDeltas`), so samples are not equal: a weight w that is a sum of sample
 *   weights w_i has variance sum(w_i^2) = w x g, where the *grain* g = sum(w_i^2) / sum(w_i) (the
 *   interval when samples are even, more when some are long: a machine too busy to sample on
 *   time makes the figures less certain, and so should the test). An item's equivalent sample
 *   count is w / g. The grain is the run's, over all its samples, or the item's own when that is
 *   coarser ({@link localGrain}: a 100 ms pause of the whole process is one sample, charged to
 *   the one line that happened to run, which must not make that line "changed"); lines take the
 *   coarsest grain of the functions that ran them (the line table keeps no per-sample weights).
 *   Without per-sample weights (Python's sampler keeps counts per stack) the grain is the
 *   run's mean sample weight, else the sampling interval, or 1 for profiles counted in samples.
 * - **Deterministic profilers** (cProfile, yappi, callgrind: exact call counts and times) have
 *   no sampling error, but two runs still differ: time measured per call moves with the machine
 *   (a preempted call is charged the time it waited), in chunks that land on whatever ran, like
 *   samples. They are tested with the same model and a nominal grain ({@link NOMINAL_GRAIN_NS}),
 *   which the dispersion estimate below then sets from the comparison itself, in both
 *   directions: for them the grain is a measure of the noise between these two runs, not a
 *   property of the profiler.
 * - **Dispersion.** Between two real runs, lines also move for reasons sampling does not cover
 *   (when V8 compiled or inlined a function, where garbage collection struck, what else the
 *   machine ran). Most lines of two runs did not change, so their z-scores should look like a
 *   standard normal's; when they are wider, every variance is multiplied by lambda =
 *   median(z^2) / 0.455 (the median of chi-square with one degree of freedom), the "genomic
 *   control" of genetics. Sampled runs are never made more certain than sampling allows
 *   (lambda >= 1). A spread wider than {@link MAX_DISPERSION} says that most lines really
 *   changed (two different workloads), not that the noise is that large: then lambda is 1 and
 *   diff.ts stops scaling by the typical change.
 * - **The test.** Two Poisson counts n_A and n_B (equivalent samples) with the null hypothesis
 *   "same weight after scaling": conditional on n_A + n_B, n_B is binomial; its score z-test is
 *   z = (a - b) / sqrt(lambda x (b/G_A + a/G_B) x G_A x G_B) for the scaled before weight b, the
 *   after weight a and the grains G_A, G_B in after units (G_A includes the scale). It pools
 *   the two counts, so an item seen in one run only is judged fairly: 0 against 1 sample is
 *   z = 1, 0 against 16 is z = 4. Comparing shares of two runs (normalised by total) is the
 *   two-proportion test; the Poisson form leaves out the (1 - share) factor of the binomial
 *   variance, which only makes large shares a little harder to call changed. The scale of the
 *   before run is taken as known: it comes from several lines or from the totals, far more
 *   certain than one line. Below {@link MIN_SIGNIFICANT_COUNT} equivalent samples on both sides
 *   nothing is called changed: there the normal approximation claims far too much.
 * - **Hundreds of lines at once.** At 1.96 one line in twenty of two identical runs would be
 *   flagged. Each family (the lines, the functions, the tree nodes of a comparison) is tested
 *   at a family-wise error of {@link ALPHA} by Bonferroni: |z| must pass the normal quantile of
 *   1 - ALPHA / (2m) for m tests (3.9 for 100 lines, 4.4 for 1000). Bonferroni rather than an
 *   FDR procedure because the promise is about identical runs, where every flag is false: then
 *   the chance of any flag at all is at most ALPHA.
 * - **A minimum effect.** With enough samples, tiny changes are certain and still mean nothing
 *   (the run-to-run drift of one line, 2% of a long run); so a change must also exceed
 *   {@link MIN_RELATIVE_CHANGE} *by* the significance margin (an interval null hypothesis,
 *   symmetric in ratio: |a - b| - 10% x min(a, b) >= z x sigma, so x1.1 and /1.1 are the band's
 *   edges), and be at least {@link MIN_SHARE_CHANGE} of the run. 10% is also how far 'auto',
 *   without a typical change, lets two runs' totals differ before it scales them.
 */
import { frameSelfAndTotal } from './functionStats';
import { profileTotal, type Profile, type WeightUnit } from './profile';

/** Family-wise error rate: the chance that two identical runs show any change at all. */
export const ALPHA = 0.01;

/** A change must exceed this fraction of the smaller side (beyond the noise margin). */
export const MIN_RELATIVE_CHANGE = 0.1;

/** A change must be at least this share of the run (the larger of the two totals). */
export const MIN_SHARE_CHANGE = 0.001;

/**
 * A change needs this many equivalent samples on at least one side: below it the normal
 * approximation of the counts claims far too much (one long sample where 0.03 were expected is a
 * 3% event, not the 6 sigma its z-score says).
 */
export const MIN_SIGNIFICANT_COUNT = 10;

/** The grain deterministic profilers are tested with before dispersion sets it: 1 ms. */
export const NOMINAL_GRAIN_NS = 1e6;

/** Items of fewer equivalent samples (both runs together) do not inform the dispersion. */
export const MIN_DISPERSION_COUNT = 20;

/** Fewer informative items than this: no dispersion estimate (lambda stays 1). */
export const MIN_DISPERSION_ITEMS = 8;

/**
 * The widest spread taken for noise in sampled runs (twice sampling's standard error). Beyond
 * it the lines that should be unchanged are not: most of the program changed.
 */
export const MAX_DISPERSION = 4;

/** Median of a chi-square variable with one degree of freedom. */
const CHI2_MEDIAN = 0.454936423119572;

const NANOSECONDS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

/** How certain one run's figures are (see the module comment). */
export interface NoiseModel {
  /** Weight of one equivalent sample, in the profile's unit. */
  readonly grain: number;
  /**
   * Where the grain comes from: the run's sample weights, its sampling interval, sample counts,
   * or a nominal grain for exact (deterministic) figures.
   */
  readonly source: 'samples' | 'interval' | 'counts' | 'exact';
  /** Sums of squared sample weights per node and frame, when the run kept its samples. */
  readonly squares?: SampleSquares;
}

/**
 * Sums of squared sample weights (in the profile's unit, squared), for local grains: a pause of
 * the whole process (the machine was busy, a collection ran) is one long sample that lands on
 * whatever line was running, and makes that line's figure far less certain than the run's
 * grain says. An item's own sum(w^2) / sum(w) is its grain when that is coarser.
 */
export interface SampleSquares {
  /** Per node of the tree: of the samples at it (self) and in its subtree (total). */
  readonly nodeSelf: Float64Array;
  readonly nodeTotal: Float64Array;
  /** Per frame: of its self samples, and of the samples during which it was on the stack. */
  readonly frameSelf: Float64Array;
  readonly frameTotal: Float64Array;
}

/** The sums of squared sample weights of a run with samples, per node and per frame. */
export function sampleSquares(profile: Profile): SampleSquares | undefined {
  const { samples, tree } = profile;
  if (!samples || samples.count === 0 || profile.callGraph) return undefined;
  const nodeSelf = new Float64Array(tree.size);
  for (let i = 0; i < samples.count; i++) {
    const w = samples.weight[i];
    const n = samples.node[i];
    if (w > 0 && Number.isFinite(w) && n >= 0 && n < tree.size) nodeSelf[n] += w * w;
  }
  const nodeTotal = nodeSelf.slice();
  // Children have larger ids than their parents: one pass from the leaves up.
  for (let n = tree.size - 1; n > 0; n--) nodeTotal[tree.parent[n]] += nodeTotal[n];
  // The same walk as the per-frame figures (recursion counted once), over the squares.
  const { self, total } = frameSelfAndTotal({
    ...profile,
    tree: { ...tree, self: nodeSelf, total: nodeTotal },
  });
  return { nodeSelf, nodeTotal, frameSelf: self, frameTotal: total };
}

/**
 * An item's grain: its own samples' sum(w^2) / sum(w) when that is coarser than the run's `grain`
 * (a pause landed on it), else the run's (a handful of samples that happen to be short do not make
 * an item more certain than the run).
 */
export function localGrain(weight: number, squares: number, grain: number): number {
  return weight > 0 && squares > 0 ? Math.max(grain, squares / weight) : grain;
}

/** The noise model of one run. */
export function noiseModel(profile: Profile): NoiseModel {
  const { samples, meta } = profile;
  if (samples && samples.count > 0 && !profile.callGraph) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < samples.count; i++) {
      const w = samples.weight[i];
      if (!(w > 0) || !Number.isFinite(w)) continue;
      sum += w;
      squares += w * w;
    }
    if (sum > 0 && Number.isFinite(squares)) {
      return { grain: squares / sum, source: 'samples', squares: sampleSquares(profile) };
    }
  }
  if (meta.unit === 'samples') return { grain: 1, source: 'counts' };
  if (!profile.callGraph && meta.sampleCount !== undefined && meta.sampleCount > 0) {
    const total = profileTotal(profile);
    if (total > 0) return { grain: total / meta.sampleCount, source: 'counts' };
  }
  const ns = NANOSECONDS_PER[meta.unit];
  if (!profile.callGraph && meta.intervalUs !== undefined && meta.intervalUs > 0 && ns) {
    return { grain: (meta.intervalUs * 1e3) / ns, source: 'interval' };
  }
  return { grain: ns ? NOMINAL_GRAIN_NS / ns : 1, source: 'exact' };
}

/**
 * What the test of one change needs, all in the after run's unit. Crosses to the webview, which
 * tests the nodes of the differential flame graph with it.
 */
export interface NoiseParams {
  /** One before sample's weight once scaled (the before grain times the scale). */
  readonly beforeGrain: number;
  readonly afterGrain: number;
  /** Variance multiplier estimated from the comparison (>= 1 for sampled runs). */
  readonly dispersion: number;
  /** {@link MIN_RELATIVE_CHANGE}. */
  readonly minRelative: number;
  /** The smallest change that counts, as a weight ({@link MIN_SHARE_CHANGE} of the run). */
  readonly minChange: number;
}

/** One item's own grains (after units, the before one scaled), when it has them. */
export interface ItemGrains {
  readonly before: number;
  readonly after: number;
}

/**
 * The standard error of after - before under the null hypothesis (pooled counts), with the
 * run's grains or the item's own.
 */
export function changeSigma(
  before: number,
  after: number,
  p: NoiseParams,
  item?: ItemGrains,
): number {
  const b = before > 0 ? before : 0;
  const a = after > 0 ? after : 0;
  const ga = item?.before ?? p.beforeGrain;
  const gb = item?.after ?? p.afterGrain;
  if (!(ga > 0) || !(gb > 0)) return 0;
  return Math.sqrt(p.dispersion * (b / ga + a / gb) * ga * gb);
}

/** The z-score of a change (after - scaled before); 0 when there is nothing on either side. */
export function changeZ(before: number, after: number, p: NoiseParams, item?: ItemGrains): number {
  const delta = after - before;
  if (delta === 0) return 0;
  const sigma = changeSigma(before, after, p, item);
  return sigma > 0 ? delta / sigma : delta > 0 ? Infinity : -Infinity;
}

/**
 * True when a change is beyond the noise: at least `minChange`, seen in at least
 * {@link MIN_SIGNIFICANT_COUNT} equivalent samples on one side, and larger than `minRelative` x
 * the smaller side (after/before beyond 1.1 or below 1/1.1 for 10%) by `zCritical` standard
 * errors.
 */
export function isSignificant(
  before: number,
  after: number,
  p: NoiseParams,
  zCritical: number,
  item?: ItemGrains,
): boolean {
  const delta = Math.abs(after - before);
  if (!(delta > 0) || delta < p.minChange) return false;
  const counts = Math.max(
    before / (item?.before ?? p.beforeGrain),
    after / (item?.after ?? p.afterGrain),
  );
  if (!(counts >= MIN_SIGNIFICANT_COUNT)) return false;
  // The band is symmetric in ratio: x1.1 and /1.1 are its edges (10% of the smaller side).
  const excess = delta - p.minRelative * Math.max(0, Math.min(before, after));
  return excess > 0 && excess >= zCritical * changeSigma(before, after, p, item);
}

/** A change, judged: its z-score and whether it is beyond the noise. */
export interface Judged {
  readonly z: number;
  readonly significant: boolean;
}

/** {@link changeZ} and {@link isSignificant} together. */
export function judge(
  before: number,
  after: number,
  p: NoiseParams,
  zCritical: number,
  item?: ItemGrains,
): Judged {
  return {
    z: changeZ(before, after, p, item),
    significant: isSignificant(before, after, p, zCritical, item),
  };
}

/**
 * The |z| a change must pass when `tests` changes are tested together at a family-wise error
 * of `alpha` (two-sided Bonferroni).
 */
export function criticalZ(tests: number, alpha = ALPHA): number {
  const m = Math.max(1, tests);
  return normalQuantile(1 - alpha / (2 * m));
}

// Acklam's rational approximation of the inverse normal CDF (relative error below 1.2e-9).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** The standard normal quantile: the z with P(Z <= z) = p. */
export function normalQuantile(p: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** One item of both runs for the estimates below: before (converted, unscaled) and after. */
export interface PairedWeight {
  readonly before: number;
  readonly after: number;
}

/**
 * The dispersion lambda of a comparison (see the module comment): median(z^2) / 0.455 over the
 * items with at least {@link MIN_DISPERSION_COUNT} equivalent samples, tested with `p` (whose
 * dispersion is ignored). Null when fewer than {@link MIN_DISPERSION_ITEMS} items qualify.
 */
export function estimateDispersion(
  items: readonly PairedWeight[],
  scale: number,
  p: Omit<NoiseParams, 'dispersion'>,
): number | null {
  const unit = { ...p, dispersion: 1 };
  const squares: number[] = [];
  for (const { before, after } of items) {
    const b = before * scale;
    if (b / p.beforeGrain + after / p.afterGrain < MIN_DISPERSION_COUNT) continue;
    const z = changeZ(b, after, unit);
    squares.push(z * z);
  }
  if (squares.length < MIN_DISPERSION_ITEMS) return null;
  return median(squares) / CHI2_MEDIAN;
}

/** The median of a list of numbers (sorted copy; the mean of the middle two when even). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Items of fewer equivalent samples (both runs together) do not inform the typical change. */
export const MIN_TYPICAL_COUNT = 20;

/** Fewer informative items than this: no typical change (a few items can all have changed). */
export const MIN_TYPICAL_ITEMS = 5;

/**
 * The typical change of a comparison: the median of after / before over the items (lines) with
 * at least {@link MIN_TYPICAL_COUNT} equivalent samples in the two runs together, unweighted, so
 * that a few items that really changed (however heavy) do not move it, while a machine that ran
 * everything 20% slower does. Grains are in after units, the before one unscaled. Null when
 * fewer than {@link MIN_TYPICAL_ITEMS} items qualify or the median is not a finite ratio (most
 * items are in one run only: two different programs); else the ratio and how many items it was
 * taken over.
 */
export function typicalRatio(
  items: readonly PairedWeight[],
  beforeGrain: number,
  afterGrain: number,
): { ratio: number; items: number } | null {
  const logs: number[] = [];
  for (const { before, after } of items) {
    if (before / beforeGrain + after / afterGrain < MIN_TYPICAL_COUNT) continue;
    logs.push(before > 0 ? (after > 0 ? Math.log(after / before) : -Infinity) : Infinity);
  }
  if (logs.length < MIN_TYPICAL_ITEMS) return null;
  const m = median(logs);
  return Number.isFinite(m) ? { ratio: Math.exp(m), items: logs.length } : null;
}
