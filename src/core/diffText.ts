/**
 * A comparison of two runs in words and figures for people: the normalisation and the noise
 * threshold in a sentence, a change as "+12.3 ms · +40%". The editor, the CLI and the flame
 * graph's differential view all word it so.
 */
import type { CriticalZ, ProfileDiff } from './diffTypes';
import { formatWeight } from './format';
import type { WeightUnit } from './model';
import { ALPHA, MIN_RELATIVE_CHANGE, type NoiseModel } from './significance';

function formatScale(scale: number): string {
  if (scale >= 10) return scale.toFixed(1);
  if (scale >= 0.01) return scale.toFixed(2);
  return scale.toPrecision(2);
}

/**
 * A sentence naming the normalisation shown: "normalised by the typical change: before 2.10 s
 * scaled x1.04, the median change of 12 lines (after 2.20 s)", "normalised by total: before
 * 2.10 s scaled x0.67 to after 1.40 s", or "not normalised: before 2.10 s and after 2.00 s
 * compared as measured".
 */
export function describeNormalisation(diff: ProfileDiff): string {
  const b = formatWeight(diff.beforeTotal, diff.beforeUnit);
  const a = formatWeight(diff.afterTotal, diff.unit);
  if (diff.normalisation === 'typical') {
    return (
      `normalised by the typical change: before ${b} scaled x${formatScale(diff.scale)}, ` +
      `the median change of ${diff.typicalLines} lines (after ${a})`
    );
  }
  if (diff.normalisation === 'total') {
    return `normalised by total: before ${b} scaled x${formatScale(diff.scale)} to after ${a}`;
  }
  return `not normalised: before ${b} and after ${a} compared as measured`;
}

/**
 * What "within noise" means in this comparison, in a sentence: "A change counts when |z| >= 3.9
 * (99% for all 120 lines together) and it exceeds 10% of its before figure; one sample weighs
 * 1.16 ms (V8's sample times), run-to-run spread x1.3."
 */
export function describeNoise(diff: ProfileDiff, family: keyof CriticalZ = 'lines'): string {
  const z = diff.critical[family].toFixed(1);
  const sources: Record<NoiseModel['source'], string> = {
    samples: 'its sample times',
    interval: 'its sampling interval',
    counts: 'sample counts',
    exact: 'exact timings, spread measured between the runs',
  };
  const grain = formatWeight(diff.noise.afterGrain * diff.noise.dispersion, diff.unit);
  return (
    `A change counts when |z| ≥ ${z} (${Math.round((1 - ALPHA) * 100)}% for all the ` +
    `${family} of the comparison together) and it is more than ` +
    `${Math.round(MIN_RELATIVE_CHANGE * 100)}% (x${1 + MIN_RELATIVE_CHANGE}); noise as if one sample ` +
    `weighed ${grain} (${sources[diff.afterNoise.source]}` +
    `${diff.noise.dispersion > 1.05 && diff.afterNoise.source !== 'exact' ? `, spread x${diff.noise.dispersion.toFixed(1)} wider than sampling alone` : ''}).`
  );
}

function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : text;
}

/**
 * A change for people: "+12.3 ms · +40%", "-3.10 ms · -8.2%"; "+5.00 ms · not sampled before"
 * when there was nothing before (no ratio: nothing was sampled there in the old run, which is not
 * the same as not having run). Percentages keep two or three figures.
 */
export function formatDelta(delta: number, ratio: number | null, unit: WeightUnit): string {
  const weight = signed(formatWeight(delta, unit), delta);
  if (ratio === null) return delta > 0 ? `${weight} · not sampled before` : weight;
  if (!Number.isFinite(ratio)) return `${weight} · ${String(ratio)}`;
  const pct = ratio * 100;
  const abs = Math.abs(pct);
  if (abs < 0.05) return `${weight} · 0%`;
  const text = abs >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  return `${weight} · ${signed(text, pct)}%`;
}

/** {@link formatDelta}, followed by " · within noise" when the change is not significant. */
export function formatChange(
  delta: number,
  ratio: number | null,
  unit: WeightUnit,
  significant: boolean,
): string {
  const text = formatDelta(delta, ratio, unit);
  return significant ? text : `${text} · within noise`;
}
