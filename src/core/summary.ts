/**
 * The summary of a profile: what `heatlens ... --json` prints and what the table shows. The
 * JSON shape is a public contract, documented key by key in README's "JSON output" section and
 * versioned by `schemaVersion`: keys may be added within a version, never removed or changed.
 * Figures keep full precision (a profile in seconds can hold microsecond figures). Pure.
 */
import { formatShare, formatWeight } from './format';
import { functionStats } from './functionStats';
import { measuredLines } from './lineHeat';
import { profileTotal } from './profile';
import type { FrameKind, Profile, ProfileMeta, WeightUnit } from './profile';

/** The version of the `--json` contract this code writes. */
export const SUMMARY_SCHEMA_VERSION = 1;

/** One function in a summary. */
export interface SummaryFunction {
  readonly name: string;
  /**
   * Absolute path (after source mapping), a runtime module's id (`node:fs`,
   * `node:internal/...`) or a URL as the profiler recorded it, or null when it gave none.
   */
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

/** One source line in a summary: a line the profiler measured. */
export interface SummaryLine {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** Time on the line itself; the lines' self figures never add up to more than `total`. */
  readonly self: number;
  /**
   * Time spent below the line in code that is not the user's (libraries, the standard
   * library), while it was the deepest line of the user's code on the stack; not part of
   * `self`. 0 where the profiler does not record it.
   */
  readonly external: number;
}

/** The `--json` object. */
export interface Summary {
  readonly schemaVersion: number;
  readonly profiler: string;
  readonly unit: WeightUnit;
  readonly clock: ProfileMeta['clock'];
  /** The profile's total weight (the root's total), in `unit`. */
  readonly total: number;
  /** Length of the recording in `unit`, or null when unknown. */
  readonly duration: number | null;
  /**
   * 'measured' when the profiler records lines; 'none' when it records functions only
   * (cProfile, yappi, collapsed stacks, speedscope): `lines` is then empty.
   */
  readonly lineFigures: 'measured' | 'none';
  /** The heaviest functions, sorted by total, descending. */
  readonly functions: readonly SummaryFunction[];
  /** The heaviest measured lines, sorted by self + external, descending. */
  readonly lines: readonly SummaryLine[];
  readonly warnings: readonly string[];
}

/**
 * Summarizes a profile: its totals, its `limit` heaviest functions (by total) and measured
 * lines (by self + external). `limit` defaults to 50; 0 means no limit.
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
      self: stat.self,
      total: stat.total,
      calls: stat.calls,
      kind: stat.frame.kind,
    });
  }
  const measured = measuredLines(profile);
  const lines = measured
    .slice(0, cap)
    .map((l) => ({ file: l.file, line: l.line1, self: l.self, external: l.external }));
  const { meta } = profile;
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    profiler: meta.profiler,
    unit: meta.unit,
    clock: meta.clock,
    total: profileTotal(profile),
    duration: meta.duration === undefined ? null : meta.duration,
    lineFigures: measured.length ? 'measured' : 'none',
    functions,
    lines,
    warnings: [...meta.warnings],
  };
}

const PROFILER_NAMES: Record<string, string> = {
  v8: 'V8 CPU profiler',
  'chrome-trace': 'Chrome trace',
  cprofile: 'cProfile',
  yappi: 'yappi',
  'heatlens-sampler': "Heatlens' Python sampler",
  pprof: 'pprof',
  speedscope: 'speedscope file',
  collapsed: 'collapsed stacks',
  callgrind: 'callgrind',
  'v8-log': "V8's tick processor",
};

/** The profiler as people call it: "V8 CPU profiler", "cProfile", "collapsed stacks". */
export function profilerName(profiler: string): string {
  return PROFILER_NAMES[profiler] ?? profiler;
}

const TIME_UNITS = new Set<WeightUnit>(['nanoseconds', 'microseconds', 'milliseconds', 'seconds']);

/** "234 ms of wall-clock time (V8 CPU profiler)", "560 samples (collapsed stacks)". */
function headline(summary: Summary): string {
  const total = formatWeight(summary.total, summary.unit);
  const clock =
    TIME_UNITS.has(summary.unit) && summary.clock !== 'unknown'
      ? ` of ${summary.clock === 'cpu' ? 'CPU' : 'wall-clock'} time`
      : '';
  return `Total: ${total}${clock} (${profilerName(summary.profiler)})`;
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

/**
 * Runtime frames that cost little themselves (Node's module loader and the like), and pseudo
 * frames with no time at all (a `(program)` node V8 wrote without samples).
 */
function isQuietRuntime(f: SummaryFunction, total: number): boolean {
  return (f.kind === 'runtime' && f.self < 0.01 * total) || (f.kind === 'pseudo' && !(f.total > 0));
}

/**
 * The summary as a readable table: the heaviest functions and lines with times and shares,
 * then the warnings. Paths under `relativeTo` are shown relative to it. Unless `all` is set,
 * runtime frames whose own time is under 1% of the total (Node's module loader wraps every
 * program, so it tops any list by total) and lines of Node's own modules are left out, and the
 * table says how many; the JSON summary always lists everything. Figures have three significant
 * digits whatever their size ("7.80 µs" in a profile counted in seconds).
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
  const out: string[] = [headline(summary)];

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
      ...(withCalls ? [f.calls === null ? '-' : f.calls.toLocaleString('en-US')] : []),
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
    const withExternal = lines.some((l) => l.external > 0);
    const head = ['Self', '%', ...(withExternal ? ['Below*', '%'] : []), 'Line'];
    const rows = lines.map((l) => [
      w(l.self),
      share(l.self),
      ...(withExternal ? [w(l.external), share(l.external)] : []),
      where(l.file, l.line),
    ]);
    out.push(
      '',
      withExternal ? 'Hottest lines (by self + below*)' : 'Hottest lines (by self)',
      ...table([head, ...rows], withExternal ? 4 : 2),
    );
    if (withExternal) {
      out.push(
        '* Below: time spent below the line in code that is not yours (libraries, the standard',
        '  library), while it was the deepest line of your code on the stack; not part of Self.',
      );
    }
  } else if (summary.lineFigures === 'none' && summary.functions.length) {
    out.push(
      '',
      `No line figures: ${profilerName(summary.profiler)} records functions, not lines.`,
    );
  }
  const hiddenFunctions = summary.functions.length - shownFunctions.length;
  const hiddenLines = summary.lines.length - shownLines.length;
  const hidden: string[] = [];
  if (hiddenFunctions > 0) {
    hidden.push(
      `${hiddenFunctions} runtime function${hiddenFunctions === 1 ? '' : 's'} with little time of their own`,
    );
  }
  if (hiddenLines > 0) {
    hidden.push(`${hiddenLines} line${hiddenLines === 1 ? '' : 's'} of Node's own modules`);
  }
  if (hidden.length) {
    const verb = hiddenFunctions + hiddenLines === 1 ? 'is' : 'are';
    out.push(
      '',
      `(${hidden.join(' and ')} ${verb} not shown; --all shows them, --json lists everything.)`,
    );
  }
  if (!summary.functions.length && !summary.lines.length) {
    out.push('', 'The profile holds no samples.');
  }
  for (const warning of summary.warnings) out.push('', `Warning: ${warning}`);
  return out.join('\n') + '\n';
}
