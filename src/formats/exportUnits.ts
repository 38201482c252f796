/**
 * Unit conversions shared by the exporters: formats that want seconds (pstats), nanoseconds
 * (callgrind) or whole numbers (callgrind, collapsed stacks).
 */
import type { WeightUnit } from '../core/profile';

const SECONDS: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1e-9,
  microseconds: 1e-6,
  milliseconds: 1e-3,
  seconds: 1,
};

/** True for the units that measure time. */
export function isTimeUnit(unit: WeightUnit): boolean {
  return SECONDS[unit] !== undefined;
}

/** Factor from `unit` to `to`, both time units; null when either is not time. */
export function timeFactor(unit: WeightUnit, to: WeightUnit): number | null {
  const from = SECONDS[unit];
  const into = SECONDS[to];
  if (from === undefined || into === undefined) return null;
  // Exact where it can be: integral ratios are written as such (1e3, not 1e-6 / 1e-9).
  return from >= into ? Math.round(from / into) : 1 / Math.round(into / from);
}

/**
 * The smallest of 1, 1000, 10^6 and 10^9 that makes every value a whole number (to within
 * floating-point noise); 10^9, with rounding left to the caller, when none does.
 */
export function integerScale(values: Iterable<number>): number {
  const candidates = [1, 1e3, 1e6, 1e9];
  let best = 0;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    while (best < candidates.length - 1) {
      const x = v * candidates[best];
      if (Math.abs(x - Math.round(x)) <= 1e-12 * Math.max(1, x)) break;
      best++;
    }
  }
  return candidates[best];
}

/** The largest whole number every value below which a double holds exactly: 2^53. */
export const MAX_EXACT = 2 ** 53;

/**
 * A profile a format cannot hold: an exporter throws it rather than write a file that its own
 * importer would refuse or read wrong (numbers past 2^53, printed as `2e+21`, or timestamps no
 * recording has).
 */
export class ExportRangeError extends Error {
  constructor(format: string, what: string) {
    super(
      `cannot be written as ${format}: ${what} would be above 2^53, where the format's whole ` +
        'numbers stop being exact; export it to speedscope or pstats instead.',
    );
    this.name = 'ExportRangeError';
  }
}

/**
 * A profile a format cannot hold so that Heatlens reads it back (collapsed stacks of a profile
 * with no samples would be an empty file): refused, saying why, rather than written.
 */
export class ExportEmptyError extends Error {
  constructor(format: string, why: string) {
    super(`cannot be written as ${format}: ${why}.`);
    this.name = 'ExportEmptyError';
  }
}
