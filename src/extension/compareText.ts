/**
 * What the editor shows of a comparison of two runs, as plain data and text (no `vscode`, so it
 * is unit-tested with Node): which lines get a mark and which a label, their color class, and the
 * CodeLens and status bar texts.
 */
import type { FunctionDelta, LineDelta, ProfileDiff } from '../core/diff';
import { formatDelta } from '../core/diff';
import { formatWeight } from '../core/format';
import type { WeightUnit } from '../core/profile';

/** How a line or function changed: red, green, or too little to color. */
export type Change = 'slower' | 'faster' | 'same';

/** The weight every share of a comparison is taken against: the larger of the two runs. */
export function referenceTotal(diff: ProfileDiff): number {
  // The scaled before total: under 'total' normalisation it equals the after total by
  // construction; 'none' compares as measured, so the before total is in the after unit.
  const largest = Math.max(diff.afterTotal, diff.beforeTotal * diff.scale);
  return largest > 0 ? largest : 1;
}

/**
 * The change class of a delta: 'same' when it is below `minShare` (a fraction) of `reference`
 * (sampling noise moves every line a little between two runs of the same code).
 */
export function changeOf(delta: number, reference: number, minShare: number): Change {
  if (!(Math.abs(delta) >= minShare * reference) || delta === 0) return 'same';
  return delta > 0 ? 'slower' : 'faster';
}

/** A line to mark in the editor. */
export interface MarkedLine<T extends { delta: LineDelta }> {
  readonly item: T;
  readonly change: Change;
  /** The after-line label ("+12.3 ms · +40%"), on the lines that changed most. */
  readonly label?: string;
}

/**
 * The lines worth marking: hot in either run (at least `minShare` of the reference weight). The
 * `labelCount` with the largest change get a label.
 */
export function markLines<T extends { delta: LineDelta }>(
  items: readonly T[],
  diff: ProfileDiff,
  minShare: number,
  labelCount: number,
): MarkedLine<T>[] {
  const reference = referenceTotal(diff);
  const hot = items.filter(
    (i) => Math.max(i.delta.before, i.delta.after) >= minShare * reference && minShare >= 0,
  );
  const labelled = new Set(
    [...hot]
      .sort((a, b) => Math.abs(b.delta.delta) - Math.abs(a.delta.delta))
      .slice(0, Math.max(0, labelCount)),
  );
  return hot.map((item) => ({
    item,
    change: changeOf(item.delta.delta, reference, minShare),
    label: labelled.has(item)
      ? formatDelta(item.delta.delta, item.delta.ratio, diff.unit)
      : undefined,
  }));
}

/** True when a function matters enough for a CodeLens: `threshold` (a fraction) of either run. */
export function functionMatters(fn: FunctionDelta, diff: ProfileDiff, threshold: number): boolean {
  const weight = Math.max(fn.before?.total ?? 0, fn.after?.total ?? 0);
  return weight > 0 && weight >= threshold * referenceTotal(diff);
}

/** The CodeLens title above a function in a comparison. */
export function functionDeltaTitle(fn: FunctionDelta, unit: WeightUnit): string {
  const w = (v: number) => formatWeight(v, unit);
  if (!fn.before && fn.after) {
    return `$(diff) new in this run: ${w(fn.after.total)} total, ${w(fn.after.self)} self`;
  }
  if (fn.before && !fn.after) {
    return `$(diff) not in this run (was ${w(fn.before.total)} total, ${w(fn.before.self)} self)`;
  }
  const before = fn.before!;
  const after = fn.after!;
  const selfRatio = before.self > 0 ? fn.selfDelta / before.self : null;
  return (
    `$(diff) ${formatDelta(fn.totalDelta, fn.totalRatio, unit)} total ` +
    `(${w(before.total)} → ${w(after.total)}) · self ${formatDelta(fn.selfDelta, selfRatio, unit)}`
  );
}

/** "normalised by total" or "absolute": the short name of the normalisation shown. */
export function normalisationName(diff: ProfileDiff): string {
  return diff.normalisation === 'total' ? 'normalised by total' : 'absolute';
}

/**
 * The status bar text of a comparison: both totals as measured, the change, and which
 * normalisation the editor shows, e.g. "$(diff) 1.10 s vs 1.23 s (-10.6%) · normalised by total".
 */
export function compareStatusText(diff: ProfileDiff): string {
  const after = formatWeight(diff.afterTotal, diff.unit);
  const before = formatWeight(diff.beforeTotal, diff.beforeUnit);
  let change = '';
  if (diff.beforeUnit === diff.unit && diff.beforeTotal > 0) {
    const pct = ((diff.afterTotal - diff.beforeTotal) / diff.beforeTotal) * 100;
    change = ` (${pct > 0 ? '+' : ''}${pct.toFixed(1)}%)`;
  }
  return `$(diff) ${after} vs ${before}${change} · ${normalisationName(diff)}`;
}
