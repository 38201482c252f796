/**
 * How a comparison makes the before run's weights comparable with the after run's, and how noisy
 * the figures are once it has (diff.ts, significance.ts). Pure.
 */
import type { Normalisation } from './diffTypes';
import {
  MAX_DISPERSION,
  MIN_RELATIVE_CHANGE,
  MIN_SHARE_CHANGE,
  estimateDispersion,
  typicalRatio,
  type NoiseParams,
  type PairedWeight,
} from './significance';

/** 'auto' without a typical change normalises by total when the totals differ by more than this. */
export const AUTO_THRESHOLD = 0.1;

/** What {@link normalise} needs: the runs' totals, grains (after units, unscaled) and items. */
export interface NormaliseInput {
  readonly asked: Normalisation | 'auto';
  readonly convertible: boolean;
  readonly beforeTotal: number;
  readonly afterTotal: number;
  readonly beforeGrain: number;
  readonly afterGrain: number;
  readonly exact: boolean;
  readonly lines: readonly PairedWeight[];
  readonly spreadItems: readonly PairedWeight[];
}

/**
 * The normalisation, the scale of the before weights and the noise parameters of a comparison
 * (see diff.ts and significance.ts). The dispersion of sampled runs is at least 1 (sampling)
 * and at most {@link MAX_DISPERSION}: a wider spread of the lines that should be unchanged means
 * that they are not, that most of the program changed (two different workloads). Then it says
 * nothing about the noise (sampling's alone is taken), there is no typical change to scale by,
 * and 'auto' falls back to the totals.
 */
export function normalise(input: NormaliseInput): {
  normalisation: Normalisation;
  scale: number;
  typical: { ratio: number; items: number } | null;
  noise: NoiseParams;
} {
  const { asked, beforeTotal, afterTotal } = input;
  const typical = typicalRatio(input.lines, input.beforeGrain, input.afterGrain);
  const scaleOf = (n: Normalisation): number =>
    n === 'typical'
      ? typical!.ratio
      : n === 'total' && beforeTotal > 0
        ? afterTotal / beforeTotal
        : 1;
  const noiseAt = (scale: number): { noise: NoiseParams; spread: number | null } => {
    const grains = {
      beforeGrain: input.beforeGrain * scale,
      afterGrain: input.afterGrain,
      minRelative: MIN_RELATIVE_CHANGE,
      minChange: MIN_SHARE_CHANGE * (Math.max(afterTotal, beforeTotal * scale) || 1),
    };
    const spread = estimateDispersion(input.spreadItems, scale, grains);
    // Sampled runs are never more certain than sampling allows, and a spread past
    // MAX_DISPERSION measures change, not noise (sampling's alone then); exact ones take what
    // was measured.
    const dispersion = input.exact
      ? Math.max(spread ?? 1, 1e-6)
      : spread !== null && spread > 1 && spread <= MAX_DISPERSION
        ? spread
        : 1;
    return { noise: { ...grains, dispersion }, spread };
  };
  const byTotals = (): Normalisation => {
    const lo = Math.min(beforeTotal, afterTotal);
    const hi = Math.max(beforeTotal, afterTotal);
    return !input.convertible || hi > lo * (1 + AUTO_THRESHOLD) ? 'total' : 'none';
  };
  let normalisation: Normalisation =
    asked === 'auto'
      ? typical !== null
        ? 'typical'
        : byTotals()
      : asked === 'typical' && typical === null
        ? 'total'
        : asked;
  let measured = noiseAt(scaleOf(normalisation));
  if (
    asked === 'auto' &&
    normalisation === 'typical' &&
    !input.exact &&
    (measured.spread ?? 0) > MAX_DISPERSION
  ) {
    normalisation = byTotals();
    measured = noiseAt(scaleOf(normalisation));
  }
  return { normalisation, scale: scaleOf(normalisation), typical, noise: measured.noise };
}
