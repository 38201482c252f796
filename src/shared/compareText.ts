/**
 * What the editor shows of a comparison of two runs, as plain data and text (no `vscode`, so it
 * is unit-tested with Node): which lines get a mark and which a label, their color class, and the
 * CodeLens, hover and status bar texts. Changes within noise (significance.ts) are not colored and
 * say "within noise" wherever their figures appear.
 */
import type { FunctionDelta, LineDelta, ProfileDiff } from '../core/diff';
import { describeNoise, describeNormalisation, formatChange, formatDelta } from '../core/diff';
import { formatWeight } from '../core/format';
import type { WeightUnit } from '../core/profile';

/** How a line or function changed: red, green, or nothing beyond noise (not colored). */
export type Change = 'slower' | 'faster' | 'same';

/** The weight every share of a comparison is taken against: the larger of the two runs. */
export function referenceTotal(diff: ProfileDiff): number {
  // The scaled before total: under 'total' normalisation it equals the after total by
  // construction; otherwise it is in the after unit like every other figure.
  const largest = Math.max(diff.afterTotal, diff.beforeTotal * diff.scale);
  return largest > 0 ? largest : 1;
}

/**
 * The change class of a delta: 'same' when it is within noise (significance.ts), unless
 * `showNoise` asks to color every change by its sign.
 */
export function changeOf(delta: number, significant: boolean, showNoise = false): Change {
  if (!(delta !== 0 && Number.isFinite(delta)) || (!significant && !showNoise)) return 'same';
  return delta > 0 ? 'slower' : 'faster';
}

/** A line to mark in the editor. */
export interface MarkedLine<T extends { delta: LineDelta }> {
  readonly item: T;
  readonly change: Change;
  /**
   * The after-line label ("+12.3 ms · +40%", "+0.8 ms · +3.1% · within noise"), on the lines that
   * changed most.
   */
  readonly label?: string;
}

/**
 * The lines worth marking: hot in either run (at least `minShare` of the reference weight).
 * Changes beyond noise are colored; with `showNoise` the others are too. The `labelCount` lines
 * with the largest changes beyond noise get a label, then, if labels are left, the largest within
 * noise (muted, saying so): two runs of the same program show their hottest lines "within
 * noise" rather than nothing, so that the comparison visibly happened.
 */
export function markLines<T extends { delta: LineDelta }>(
  items: readonly T[],
  diff: ProfileDiff,
  minShare: number,
  labelCount: number,
  showNoise = false,
): MarkedLine<T>[] {
  const reference = referenceTotal(diff);
  const hot = items.filter(
    (i) => Math.max(i.delta.before, i.delta.after) >= minShare * reference && minShare >= 0,
  );
  const labelled = new Set(
    [...hot]
      .sort(
        (a, b) =>
          Number(b.delta.significant) - Number(a.delta.significant) ||
          Math.abs(b.delta.delta) - Math.abs(a.delta.delta),
      )
      .slice(0, Math.max(0, labelCount)),
  );
  return hot.map((item) => ({
    item,
    change: changeOf(item.delta.delta, item.delta.significant, showNoise),
    label: labelled.has(item) ? lineChangeText(item.delta, diff.unit) : undefined,
  }));
}

/** A line's change as its label says it. */
export function lineChangeText(delta: LineDelta, unit: WeightUnit): string {
  return formatChange(delta.delta, delta.ratio, unit, delta.significant);
}

/** True when a function matters enough for a CodeLens: `threshold` (a fraction) of either run. */
export function functionMatters(fn: FunctionDelta, diff: ProfileDiff, threshold: number): boolean {
  const weight = Math.max(fn.before?.total ?? 0, fn.after?.total ?? 0);
  return weight > 0 && weight >= threshold * referenceTotal(diff);
}

const INLINED: Record<'before' | 'after' | 'both', string> = {
  before: ' · ran inlined in the earlier run (its lines counted)',
  after: ' · ran inlined in this run (its lines counted)',
  both: ' · ran inlined (its lines counted)',
};

/** The CodeLens title above a function in a comparison. */
export function functionDeltaTitle(fn: FunctionDelta, unit: WeightUnit): string {
  const w = (v: number) => formatWeight(v, unit);
  const noise = fn.totalSignificant ? '' : ' · within noise';
  // Nothing sampled is not the same as nothing run: a function below one sample's worth of time
  // runs unseen, so "not sampled" rather than "new" or "removed".
  if (!fn.before && fn.after) {
    return `$(diff) not sampled in the earlier run: ${w(fn.after.total)} total, ${w(fn.after.self)} self${noise}`;
  }
  if (fn.before && !fn.after) {
    return `$(diff) not sampled in this run (was ${w(fn.before.total)} total, ${w(fn.before.self)} self)${noise}`;
  }
  const before = fn.before!;
  const after = fn.after!;
  const selfRatio = before.self > 0 ? fn.selfDelta / before.self : null;
  const inlined = fn.inlined ? INLINED[fn.inlined] : '';
  const total = `${formatDelta(fn.totalDelta, fn.totalRatio, unit)} total (${w(before.total)} → ${w(after.total)})`;
  const self = `self ${formatDelta(fn.selfDelta, selfRatio, unit)}`;
  if (!fn.totalSignificant && !fn.selfSignificant) {
    return `$(diff) within noise: ${total} · ${self}${inlined}`;
  }
  return (
    `$(diff) ${total}${fn.totalSignificant ? '' : ' (within noise)'} · ` +
    `${self}${fn.selfSignificant ? '' : ' (within noise)'}${inlined}`
  );
}

/** The short name of the normalisation shown, for the status bar. */
export function normalisationName(diff: ProfileDiff): string {
  return diff.normalisation === 'typical'
    ? 'normalised by typical change'
    : diff.normalisation === 'total'
      ? 'normalised by total'
      : 'absolute';
}

/** "2 lines changed beyond noise", "no change beyond noise": the status bar's verdict. */
export function significanceSummary(diff: ProfileDiff): string {
  const n = diff.significantLines;
  const f = diff.significantFunctions;
  if (n === 0 && f === 0) return 'no change beyond noise';
  if (n > 0) return `${n} ${n === 1 ? 'line' : 'lines'} changed beyond noise`;
  return `${f} ${f === 1 ? 'function' : 'functions'} changed beyond noise`;
}

/**
 * The changes beyond noise, for the status bar's tooltip: "steps.js:14 +1.40 s · +201% (z = 9.3)",
 * "work: +1.39 s · +71% total (z = 8.3)", the most certain first, at most `max`.
 */
export function changeList(diff: ProfileDiff, max = 5): string[] {
  const z = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : v > 0 ? '∞' : '-∞');
  const out = diff.changes.slice(0, max).map((c) => {
    if ('line1' in c && 'z' in c) {
      return `${baseName(c.file)}:${c.line1} ${formatDelta(c.delta, c.ratio, diff.unit)} (z = ${z(c.z)})`;
    }
    const f = c as FunctionDelta;
    const [delta, ratio, score, what] = f.totalSignificant
      ? [f.totalDelta, f.totalRatio, f.totalZ, 'total']
      : [
          f.selfDelta,
          f.before && f.before.self > 0 ? f.selfDelta / f.before.self : null,
          f.selfZ,
          'self',
        ];
    return `${f.name || '(anonymous)'}: ${formatDelta(delta, ratio, diff.unit)} ${what} (z = ${z(score)})`;
  });
  if (diff.changes.length > max) out.push(`and ${diff.changes.length - max} more`);
  return out;
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/**
 * The status bar text of a comparison: both totals as measured, the change, which
 * normalisation the editor shows and how many lines changed beyond noise, e.g.
 * "$(diff) 1.10 s vs 1.23 s (-10.6%) · normalised by typical change · 1 line changed beyond noise".
 */
export function compareStatusText(diff: ProfileDiff): string {
  const after = formatWeight(diff.afterTotal, diff.unit);
  const before = formatWeight(diff.beforeTotal, diff.beforeUnit);
  let change = '';
  if (diff.beforeUnit === diff.unit && diff.beforeTotal > 0) {
    const pct = ((diff.afterTotal - diff.beforeTotal) / diff.beforeTotal) * 100;
    change = ` (${pct > 0 ? '+' : ''}${pct.toFixed(1)}%)`;
  }
  return `$(diff) ${after} vs ${before}${change} · ${normalisationName(diff)} · ${significanceSummary(diff)}`;
}

/**
 * The hover on a compared line, as Markdown lines (figures only: nothing a profile names), e.g.
 * "**Heatlens** · this line: 12.3 ms → 14.1 ms, +1.80 ms · +15% · within noise" and how sure.
 */
export function lineHoverLines(delta: LineDelta, diff: ProfileDiff): string[] {
  const w = (v: number) => formatWeight(v, diff.unit);
  const z = Number.isFinite(delta.z) ? delta.z.toFixed(1) : delta.z > 0 ? '∞' : '-∞';
  const verdict = delta.significant
    ? `beyond noise (z = ${z})`
    : `within noise (z = ${z}): this much can come from sampling and the machine alone`;
  return [
    `**Heatlens** · this line: before ${w(delta.before)} → after ${w(delta.after)}, ` +
      `${formatDelta(delta.delta, delta.ratio, diff.unit)}`,
    `Change ${verdict}.`,
    describeNoise(diff, 'lines'),
    `Comparison ${describeNormalisation(diff)}.`,
  ];
}
