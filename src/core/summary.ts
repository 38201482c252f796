/**
 * The summary of a profile: what `heatlens ... --json` prints and what the table shows. The
 * JSON shape is a public contract (issue 2, "The CLI"): fields may be added, never removed or
 * changed. Pure.
 */
import { formatShare, formatWeight } from './format';
import { functionStats } from './functionStats';
import { hotLines } from './lineHeat';
import { profileTotal } from './profile';
import type { FrameKind, Profile, ProfileMeta, WeightUnit } from './profile';

/** One function in a summary. */
export interface SummaryFunction {
  readonly name: string;
  /** Absolute path (after source mapping) or URL, or null when the profiler gave none. */
  readonly file: string | null;
  /** 1-based line of the function's start, or null. */
  readonly line: number | null;
  readonly self: number;
  /** Recursion counted once. */
  readonly total: number;
  /** Calls counted by a deterministic profiler, or null. */
  readonly calls: number | null;
  readonly kind: FrameKind;
}

/** One source line in a summary. */
export interface SummaryLine {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly self: number;
}

/** The `--json` object. */
export interface Summary {
  readonly profiler: string;
  readonly unit: WeightUnit;
  readonly clock: ProfileMeta['clock'];
  /** The profile's total weight (the root's total), in `unit`. */
  readonly total: number;
  /** Length of the recording in `unit`, or null when unknown. */
  readonly duration: number | null;
  /** The heaviest functions, sorted by total, descending. */
  readonly functions: readonly SummaryFunction[];
  /** The heaviest lines, sorted by self, descending. */
  readonly lines: readonly SummaryLine[];
  readonly warnings: readonly string[];
}

/** Three decimals are below any profiler's resolution in every unit we use. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Summarizes a profile: its totals, its `limit` heaviest functions (by total) and lines (by
 * self). `limit` defaults to 50; 0 means no limit.
 */
export function summarize(profile: Profile, options: { limit?: number } = {}): Summary {
  const limit = options.limit === undefined ? 50 : options.limit;
  const cap = limit > 0 ? limit : Infinity;
  const functions: SummaryFunction[] = [];
  for (const stat of functionStats(profile)) {
    if (functions.length >= cap) break;
    functions.push({
      name: stat.frame.name,
      file: stat.frame.file,
      line: stat.frame.line1,
      self: round(stat.self),
      total: round(stat.total),
      calls: stat.calls,
      kind: stat.frame.kind,
    });
  }
  const lines = hotLines(profile)
    .slice(0, cap)
    .map((l) => ({ file: l.file, line: l.line1, self: round(l.self) }));
  const { meta } = profile;
  return {
    profiler: meta.profiler,
    unit: meta.unit,
    clock: meta.clock,
    total: round(profileTotal(profile)),
    duration: meta.duration === undefined ? null : round(meta.duration),
    functions,
    lines,
    warnings: [...meta.warnings],
  };
}

/** A path relative to `base` when it lies under it, else as is. */
function shortPath(file: string, base: string | undefined): string {
  if (!base) return file;
  const sep = base.includes('\\') && !base.includes('/') ? '\\' : '/';
  const prefix = base.endsWith(sep) ? base : base + sep;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

function table(rows: string[][], rightAligned: number): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i < rightAligned
          ? cell.padStart(widths[i])
          : i === row.length - 1
            ? cell
            : cell.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** Runtime frames that cost little themselves: Node's module loader and the like. */
function isQuietRuntime(f: SummaryFunction, total: number): boolean {
  return f.kind === 'runtime' && f.self < 0.01 * total;
}

/**
 * The summary as a readable table: the heaviest functions and lines with times and shares,
 * then the warnings. Paths under `relativeTo` are shown relative to it. Unless `all` is set,
 * runtime frames whose own time is under 1% of the total (Node's module loader wraps every
 * program, so it tops any list by total) and lines of Node's own modules are left out, and the
 * table says how many; the JSON summary always lists everything.
 */
export function formatSummaryTable(
  summary: Summary,
  options: { relativeTo?: string; maxFunctions?: number; maxLines?: number; all?: boolean } = {},
): string {
  const { unit, total } = summary;
  const w = (v: number) => formatWeight(v, unit);
  const share = (v: number) => formatShare(v, total);
  const where = (file: string | null, line: number | null) =>
    file === null ? '' : `${shortPath(file, options.relativeTo)}${line === null ? '' : `:${line}`}`;
  const clock =
    summary.clock === 'unknown' ? '' : `${summary.clock === 'cpu' ? 'CPU' : 'wall-clock'} `;
  const out: string[] = [`Total: ${w(total)} of ${clock}time (${summary.profiler} profiler)`];

  const shownFunctions = options.all
    ? summary.functions
    : summary.functions.filter((f) => !isQuietRuntime(f, total));
  const functions = shownFunctions.slice(0, options.maxFunctions ?? 20);
  if (functions.length) {
    const withCalls = functions.some((f) => f.calls !== null);
    const head = ['Total', '%', 'Self', '%', ...(withCalls ? ['Calls'] : []), 'Function', 'Where'];
    const rows = functions.map((f) => [
      w(f.total),
      share(f.total),
      w(f.self),
      share(f.self),
      ...(withCalls ? [f.calls === null ? '-' : String(f.calls)] : []),
      f.name,
      where(f.file, f.line),
    ]);
    out.push('', 'Hottest functions (by total)', ...table([head, ...rows], withCalls ? 5 : 4));
  }
  const shownLines = options.all
    ? summary.lines
    : summary.lines.filter((l) => !l.file.startsWith('node:'));
  const lines = shownLines.slice(0, options.maxLines ?? 10);
  if (lines.length) {
    const rows = lines.map((l) => [w(l.self), share(l.self), where(l.file, l.line)]);
    out.push('', 'Hottest lines (by self)', ...table([['Self', '%', 'Line'], ...rows], 2));
  }
  const hidden = summary.functions.length - shownFunctions.length;
  if (hidden > 0) {
    out.push(
      '',
      `(${hidden} runtime function${hidden === 1 ? '' : 's'} with little time of their own and ` +
        "the lines of Node's own modules are not shown; --all shows them, --json lists everything.)",
    );
  }
  if (!summary.functions.length && !summary.lines.length) {
    out.push('', 'The profile holds no samples.');
  }
  for (const warning of summary.warnings) out.push('', `Warning: ${warning}`);
  return out.join('\n') + '\n';
}
