/**
 * One check a format's real fixture must pass, whatever the format (the way speedscope's
 * `checkProfileSnapshot` makes a new importer one test line):
 *
 * - detection by content alone (no file name) picks the fixture's registry row, and so does
 *   detection under each of the row's file-name patterns;
 * - the imported figures (the total, and the heaviest functions' self and total) are the
 *   reference tool's, as recorded beside the fixture (never Heatlens' own earlier output);
 * - where the row writes its format, an export sniffs as that format without a name and reads
 *   back with the same reference figures.
 *
 * The reference readers at the end turn each reference file's shape (speedscope's Sandwich
 * table, `go tool pprof -top`, Python's pstats, callgrind_annotate, Chrome DevTools, gprof, V8's tick processor) into
 * {@link Reference}.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { functionStats } from '../../src/core/functionStats';
import { profileTotal, type Frame, type Profile, type WeightUnit } from '../../src/core/profile';
import { detectFormat, importProfileFile } from '../../src/formats/detect';
import { exportFileName, exportProfile, isExportFormat } from '../../src/formats/exportProfile';
import { timeFactor } from '../../src/formats/exportUnits';
import { pythonFrame } from '../../src/formats/pstats';
import { formatById, type FormatId } from '../../src/formats/registry';
import { readGprofReport } from './gprofTables';
import { readTickReport, tickKey } from './tickProcessor';
import { repoRoot } from './repoRoot';
import { parseShown, type SandwichRow } from './sandwich';

/** One function's figures as the reference tool reports them. */
export interface ReferenceRow {
  /** As {@link Reference.keyOf} names a frame. */
  readonly key: string;
  readonly self: number;
  /** Omitted when the tool reports self only (callgrind_annotate). */
  readonly total?: number;
  /** How far ours may be from the figures shown (a rounded display); default exact. */
  readonly slack?: number;
}

/** A fixture's figures as its reference tool reported them. */
export interface Reference {
  /** The tool, for messages. */
  readonly tool: string;
  /** The profile's total, where the tool reports one. */
  readonly total?: number;
  readonly rows: readonly ReferenceRow[];
  /** The reference's name of a frame; frames of one name add up (as the tool shows them). */
  readonly keyOf: (frame: Frame) => string;
}

/** How many of the reference's heaviest functions (by self) are compared. */
const TOP = 10;

function readFixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(repoRoot(), path)));
}

/** A file name matching a glob: `*.prof` -> `app.prof`, `callgrind.out*` -> `callgrind.out.1`. */
export function sampleName(glob: string): string {
  return glob.replace(/^\*/, 'app').replace(/\*$/, '.1').replace('*', 'app');
}

/** Self and total per reference key. */
function figuresByKey(profile: Profile, keyOf: (frame: Frame) => string) {
  const out = new Map<string, { self: number; total: number; frames: number }>();
  for (const s of functionStats(profile)) {
    const key = keyOf(s.frame);
    const f = out.get(key) ?? { self: 0, total: 0, frames: 0 };
    out.set(key, { self: f.self + s.self, total: f.total + s.total, frames: f.frames + 1 });
  }
  return out;
}

/**
 * Asserts `profile`'s total and the heaviest reference functions' self and total. `loss` is a
 * relative slack on top of the reference's own (an export's rounding; 0 for an import).
 */
function assertFigures(profile: Profile, ref: Reference, what: string, loss = 0, scale = 1): void {
  const total = profileTotal(profile);
  // `scale`: from the reference's unit to the profile's (an export may change the time unit).
  const near = (ours: number, theirs: number, slack = 0) =>
    Math.abs(ours - theirs * scale) <=
    slack * scale * (1 + 1e-9) + 1e-9 * Math.abs(theirs * scale) + loss * total;
  if (ref.total !== undefined)
    assert.ok(near(total, ref.total), `${what}: total ${total} vs ${ref.tool}'s ${ref.total}`);
  const ours = figuresByKey(profile, ref.keyOf);
  // Names the tool shows twice (two functions of one name) are left out: which is which?
  const counts = new Map<string, number>();
  for (const r of ref.rows) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  const top = ref.rows
    .filter((r) => counts.get(r.key) === 1)
    .sort((a, b) => b.self - a.self || (b.total ?? 0) - (a.total ?? 0) || (a.key < b.key ? -1 : 1))
    .slice(0, TOP);
  assert.ok(top.length >= Math.min(3, ref.rows.length), `${what}: too few reference functions`);
  for (const r of top) {
    const got = ours.get(r.key);
    assert.ok(got, `${what}: no function ${r.key} (${ref.tool} lists it)`);
    assert.ok(
      near(got.self, r.self, r.slack),
      `${what}: self of ${r.key}: ${got.self} vs ${ref.tool}'s ${r.self}`,
    );
    if (r.total !== undefined)
      assert.ok(
        near(got.total, r.total, r.slack),
        `${what}: total of ${r.key}: ${got.total} vs ${ref.tool}'s ${r.total}`,
      );
  }
}

/**
 * The reference's names for the frames of `back`, a profile read back from an export of
 * `profile`: a frame of the same name, file and line in `profile` gives its name (exports may
 * drop what a reference names a frame by, such as a column).
 */
function keysAfterExport(profile: Profile, ref: Reference): (frame: Frame) => string {
  const id = (f: Frame) => `${f.name}\u0000${f.file ?? ''}\u0000${f.line1 ?? ''}`;
  const keys = new Map<string, string>();
  for (const f of profile.frames) if (!keys.has(id(f))) keys.set(id(f), ref.keyOf(f));
  return (f) => keys.get(id(f)) ?? ref.keyOf(f);
}

/** Options of {@link checkFormatConformance}. */
export interface ConformanceOptions {
  /** Which profile of a file of several (`--profile`). */
  readonly choice?: string;
  /** The relative slack of an export's round trip (rounding to whole units); default 1e-9. */
  readonly exportLoss?: number;
}

/**
 * Checks the fixture at `path` (relative to the repository) against its registry row `format`
 * and its reference tool's figures (see the module comment). `reference` undefined: the format
 * has no reference tool's figures (the checks of detection and export still run).
 */
export function checkFormatConformance(
  path: string,
  format: FormatId,
  reference: Reference | undefined,
  options: ConformanceOptions = {},
): void {
  const bytes = readFixture(path);
  const row = formatById(format);
  assert.ok(row, `no registry row ${format}`);
  assert.equal(detectFormat(undefined, bytes)?.id, format, `${path}: detected by content alone`);
  for (const glob of row.patterns) {
    const name = sampleName(glob);
    assert.equal(detectFormat(name, bytes)?.id, format, `${path} named ${name}`);
  }
  const name = basename(path);
  const profile = importProfileFile(name, bytes, { choice: options.choice });
  if (reference) assertFigures(profile, reference, path);
  if (!isExportFormat(format)) return;
  const exported = exportProfile(profile, format);
  assert.equal(detectFormat(undefined, exported)?.id, format, `${path}: its export by content`);
  const back = importProfileFile(exportFileName(name, format), exported);
  const what = `${path} exported as ${format} and read back`;
  if (reference) {
    const scale = timeFactor(profile.meta.unit, back.meta.unit) ?? 1;
    const keyOf = keysAfterExport(profile, reference);
    assertFigures(back, { ...reference, keyOf }, what, options.exportLoss ?? 1e-9, scale);
  } else assert.ok(Math.abs(profileTotal(back) - profileTotal(profile)) <= 1e-9, what);
}

// --- Reference readers: each reference file's shape as a Reference. ---

const json = <T>(path: string): T => JSON.parse(readFileSync(join(repoRoot(), path), 'utf8')) as T;

/**
 * speedscope's Sandwich table (`*.expected.json`, test/fixtures/speedscope/record.mjs), shown
 * rounded: each row's slack is half a unit of the last digit shown. `unit` is the profile's.
 */
export function speedscopeTable(
  path: string,
  unit: WeightUnit,
  keyOf: (frame: Frame) => string = (frame) => frame.name,
): Reference {
  const rows = json<{ functions: SandwichRow[] }>(path).functions.map((r) => {
    const self = parseShown(r.self, unit);
    const total = parseShown(r.total, unit);
    return {
      key: r.name,
      self: self.value,
      total: total.value,
      slack: Math.max(self.tolerance, total.tolerance),
    };
  });
  return { tool: 'speedscope', rows, keyOf };
}

/** Chrome DevTools' own model of a .cpuprofile (test/fixtures/node/devtools_figures.mjs). */
export function devtoolsFigures(path: string, profile: string): Reference {
  const file =
    json<
      Record<string, { total: number; functions: Record<string, { self: number; total: number }> }>
    >(path)[profile];
  const base = (url: string) => url.replace(/^.*[\\/]/, '');
  const slack = 1e-6 * file.total;
  const rows = Object.entries(file.functions).map(([key, f]) => {
    const [, fn, url, line] = /^(.*) (\S*) (-?\d+)$/.exec(key)!;
    return { key: `${fn} ${base(url)} ${line}`, self: f.self, total: f.total, slack };
  });
  return {
    tool: 'Chrome DevTools',
    total: file.total,
    rows,
    keyOf: (f) => `${f.name} ${f.file ? base(f.file) : ''} ${f.line1 ?? 0}`,
  };
}

/** `go tool pprof -top` per sample type (test/fixtures/pprof/pprof_top.py). */
export function pprofTop(path: string, file: string, type: string): Reference {
  const t =
    json<
      Record<
        string,
        Record<string, { total: number; functions: Record<string, { flat: number; cum: number }> }>
      >
    >(path)[file][type];
  const rows = Object.entries(t.functions).map(([key, f]) => ({
    key,
    self: f.flat,
    total: f.cum,
  }));
  return { tool: 'go tool pprof', total: t.total, rows, keyOf: (f) => f.name };
}

const pythonKey = (f: Frame) => `${f.name}\u0000${f.file ?? ''}\u0000${f.line1 ?? ''}`;
type PythonKey = [string, number, string];

/** Python's pstats reading of a pstats file (test/fixtures/python/expected.py). */
export function pstatsFigures(path: string): Reference {
  const want = json<{
    producer: string;
    functions: { key: PythonKey; self: number; total: number }[];
  }>(path);
  const rows = want.functions.map((f) => ({
    key: pythonKey(pythonFrame(...f.key)),
    self: f.self,
    total: f.total,
  }));
  return { tool: `Python's pstats (${want.producer})`, rows, keyOf: pythonKey };
}

/**
 * callgrind_annotate's self cost per function and the file's total (annotate.py); recursion
 * levels (`fib'2`) are one function, as Heatlens merges them.
 */
export function callgrindAnnotate(path: string): Reference {
  const want = json<{ total: number; functions: { file: string; name: string; self: number }[] }>(
    path,
  );
  const self = new Map<string, number>();
  for (const f of want.functions) {
    const key = `${f.name.replace(/'\d+$/, '')} ${f.file}`;
    self.set(key, (self.get(key) ?? 0) + f.self);
  }
  return {
    tool: 'callgrind_annotate',
    total: want.total,
    rows: [...self].map(([key, s]) => ({ key, self: s })),
    keyOf: (f) => `${f.name} ${f.file ? basename(f.file) : ''}`,
  };
}

/** The self cost per function of yappi's own pstat export of the same run (yappi_expected.py). */
export function yappiCallgrind(path: string): Reference {
  const want = json<{ functions: { key: PythonKey; self: number }[] }>(path);
  return {
    tool: "yappi's pstat export",
    rows: want.functions.map((f) => ({ key: pythonKey(pythonFrame(...f.key)), self: f.self })),
    keyOf: pythonKey,
  };
}

/**
 * speedscope's Sandwich table of a trace of duration events (test/fixtures/trace-events/
 * record.mjs), and the thread it shows (`pid:tid`, the importer's choice id). speedscope names a
 * frame by the event's name and its args as JSON ("MinorGC {…}"), Heatlens by the name: the rows
 * of one name add up their self time; their total is compared only where one row has the name
 * (the totals of several may overlap in time).
 */
export function speedscopeTraceTable(path: string): { reference: Reference; choice: string } {
  const table = json<{ profile: string; functions: SandwichRow[] }>(path);
  const thread = /\(pid (\d+)\).*\(tid (\d+)\)/.exec(table.profile);
  assert.ok(thread, `${path}: speedscope's profile "${table.profile}" names no pid and tid`);
  const byName = new Map<string, { self: number; total?: number; slack: number; rows: number }>();
  for (const r of table.functions) {
    const name = r.name.replace(/ [{[].*$/s, '');
    const self = parseShown(r.self, 'microseconds');
    const total = parseShown(r.total, 'microseconds');
    const row = byName.get(name);
    if (!row) {
      byName.set(name, {
        self: self.value,
        total: total.value,
        slack: Math.max(self.tolerance, total.tolerance),
        rows: 1,
      });
    } else {
      row.self += self.value;
      row.total = undefined;
      row.slack += self.tolerance;
      row.rows++;
    }
  }
  const rows = [...byName].map(([key, r]) => ({
    key,
    self: r.self,
    total: r.total,
    slack: r.slack,
  }));
  return {
    reference: { tool: 'speedscope', rows, keyOf: (frame) => frame.name },
    choice: `${thread[1]}:${thread[2]}`,
  };
}

/**
 * `perf report --stdio --children --sort sym -n --show-total-period` (test/fixtures/perf-script/
 * record.sh; `--sort pid,sym` with `--tid`): per symbol, the self period (exact) and the children share of the event count,
 * shown to two decimals (slack: half a hundredth of a percent). `weight` says what the fixture's
 * samples weigh: their period, or 1 each when `perf script -F` left the period out (then the
 * Samples column is the self). A `--tid` report's shares are of every thread's events; its own
 * total is its self periods' sum. Unresolved symbols (perf report shows their address, perf
 * script `[unknown]`) are left out; names are compared without perf's `[k]`/`[.]` mark.
 */
export function perfReport(path: string, weight: 'period' | 'samples' = 'period'): Reference {
  const text = readFileSync(join(repoRoot(), path), 'utf8');
  const samples = Number(/^# Samples: (\d+)/m.exec(text)?.[1]);
  const events = Number(/^# Event count \(approx\.\): (\d+)/m.exec(text)?.[1]);
  assert.ok(samples > 0 && events > 0, `${path}: not a perf report --stdio output`);
  const perSample = weight === 'period' ? 1 : samples / events;
  const all = events * perSample;
  const rows: ReferenceRow[] = [];
  let total = 0;
  // With `--sort pid,sym` a `tid:comm` column comes before the symbol.
  const row = /^\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s+(\d+)\s+(?:\d+:\S*\s+)?\[[.k]\] (.*?)\s*$/gm;
  for (let m = row.exec(text); m; m = row.exec(text)) {
    const self = weight === 'period' ? Number(m[4]) : Number(m[3]);
    total += self;
    if (/^(?:0x)?[0-9a-f]{16}$/.test(m[5])) continue;
    rows.push({ key: m[5], self, total: (Number(m[1]) / 100) * all, slack: 0.00005 * all });
  }
  return { tool: 'perf report', total, rows, keyOf: (f) => f.name };
}

/**
 * gprof's own tables (test/fixtures/gprof/record.sh, read by test/support/gprofTables.ts): per
 * function the flat profile's self seconds and, from the call graph, self plus children (its
 * total; none where gprof printed no call graph, or with `totals: false`, which also leaves out
 * the functions only the call graph lists); the flat profile's last cumulative seconds as the
 * whole. Names gprof printed for two functions are left out.
 * `slack`: seconds either way (rows of `gprof -l` are rounded line by line).
 */
export function gprofTables(
  path: string,
  options: { totals?: boolean; slack?: number } = {},
): Reference {
  const report = readGprofReport(path);
  const rows: ReferenceRow[] = [];
  for (const [key, f] of report.functions) {
    if (report.shared.has(key) || (options.totals === false && !f.inFlat)) continue;
    const g = options.totals === false ? undefined : f.graph;
    rows.push({
      key,
      self: f.self,
      total: g ? g.self + g.children : undefined,
      slack: options.slack,
    });
  }
  return { tool: 'gprof', total: report.total, rows, keyOf: (f) => f.name };
}

/**
 * V8's tick processor (`node --prof-process isolate.log`, test/fixtures/v8-log/record.sh, read by
 * test/support/tickProcessor.ts): the ticks, and each function's self ticks from the flat
 * profile, the tiers of a JavaScript function added up.
 */
export function tickProcessorFigures(path: string): Reference {
  const report = readTickReport(path);
  const rows = [...report.self].map(([key, self]) => ({ key, self }));
  return { tool: "V8's tick processor", total: report.ticks, rows, keyOf: tickKey };
}
