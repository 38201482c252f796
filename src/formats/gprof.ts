/**
 * gprof's text output (binutils' `gprof prog gmon.out`, of a program built with `gcc -pg`): the
 * flat profile and the call graph (docs/FORMATS.md, "gprof"). gprofText.ts reads the tables;
 * this file turns them into the model's call graph.
 *
 * Choices, and why:
 *
 * - Figures are gprof's own, as printed (seconds to two decimals): a function's self time is its
 *   primary line's (the flat profile's), its total that line's self plus children, its calls the
 *   `called` column with self-calls added (`80+1751200` is 1751280 calls, 80 of them primitive).
 *   The flat profile's `calls` column leaves self-calls out, the call graph's counts them after
 *   the `+`. An edge caller -> callee is the arc line of the callee's entry: its calls, self and
 *   self plus children.
 * - Cycles: gprof gathers mutually recursive functions into a `<cycle N as a whole>` and passes
 *   no time between its members; a member's total is its self plus its callees outside the
 *   cycle, as gprof prints it, and an arc from outside into a member carries the whole cycle's
 *   time, as gprof prints it. A member's primitive calls are those from outside its cycle. The
 *   cycle itself is not made a function (its self is its members' self: the time would count
 *   twice). gprof prints the count alone on an arc between members; its time is estimated as
 *   the callee's figures times the arc's share of the callee's calls (so the derived tree shows
 *   the members in turn), and a self-call carries no time (the total already holds it).
 * - The flat profile alone (`gprof -p`) has no totals: a function's total is then its self
 *   time, with a warning. With `-l` (line by line) the flat profile's rows are lines: they add up
 *   to their function and fill the line table; gprof's call graph by line is not read (it
 *   propagates no time), with a warning.
 * - Frames: the name as gprof prints it (demangled C++ included); a file and line where gprof
 *   printed them (`--inline-file-names`, `-l`) or, for a static function, where its index entry
 *   names the file. Two functions gprof prints under one name (static functions of two files)
 *   that nothing else separates keep gprof's index in their name (`helper [3]`). C++'s `std::`
 *   and `__gnu_cxx::` are library code, reserved names (`_init`, `__libc_csu_init`) the
 *   runtime's, the rest the user's.
 * - Clock `cpu` (gprof samples the program counter on a profiling timer: user and system time),
 *   unit seconds, the sampling period from `Each sample counts as`.
 * - The tree is derived from the call graph and flagged as approximate (core/callGraphTree.ts).
 * - gprof's binary gmon.out is claimed only to say how to turn it into text.
 */
import { CallGraphBuilder } from '../core/callGraphBuilder';
import { ProfileBuilder, type Frame, type FrameKind, type Profile } from '../core/profile';
import type { ImportOptions } from './choices';
import { formatFail, type FormatFail } from './errors';
import { readGprofTables, type GprofName, type GprofTables } from './gprofText';

const NAME = /\.gprof(?:\.txt)?$|(?:^|[\\/])gprof\.txt$/i;
/** gmon.out's magic and version (1, in either byte order). */
const GMON = /^gmon(?:[\u0001-\u0003]\u0000\u0000\u0000|\u0000\u0000\u0000[\u0001-\u0003])/;
const FIRST_LINE =
  /^(?:Flat profile:|flat profile:|call graph profile:|\s*Call graph(?: \(explanation follows\))?)\s*$/;
const TABLE_MARK = /(?:^|\n)(?:\s*granularity: each sample hit covers |Each sample counts as )/;

const fail: FormatFail = formatFail(
  'The gprof output',
  'write it again with `gprof <program> gmon.out > out.gprof`',
);

/**
 * Whether a file holds gprof's text output: by name first (`*.gprof`, `*.gprof.txt`,
 * `gprof.txt`), then by content: its first line is a table's title (`Flat profile:`,
 * `Call graph`, `-T`'s `call graph profile:`) and gprof's sampling line follows. gprof's binary
 * gmon.out is claimed too, to say what to do with it.
 */
export function isGprof(name: string | undefined, text: string): boolean {
  if (GMON.test(text)) return true;
  if (name && NAME.test(name)) return true;
  const head = text.slice(0, 32768).replace(/^\uFEFF/, '');
  const first = head.split('\n').find((line) => line.trim() !== '');
  return first !== undefined && FIRST_LINE.test(first.replace(/\r$/, '')) && TABLE_MARK.test(head);
}

/** A function of the profile being built: its frame and gprof's figures. */
interface Fn {
  readonly name: GprofName;
  self: number;
  total: number;
  calls: number;
  primitive: number;
  /** Calls from other members of its cycle. */
  internal: number;
  /** The first line of a function read by line (`-l`), from its entry row. */
  entryLine: number | null;
}

const nameKey = (n: GprofName) => `${n.name}\u0000${n.file ?? ''}`;
const key = (n: GprofName) => (n.index >= 0 ? `#${n.index}` : nameKey(n));

function newFn(name: GprofName): Fn {
  return { name, self: 0, total: 0, calls: 0, primitive: 0, internal: 0, entryLine: null };
}

/** The functions of the call graph's entries, and of flat profile rows the graph lacks. */
function graphFunctions(t: GprofTables, fns: Map<string, Fn>): void {
  for (const e of t.entries) {
    const k = key(e.name);
    if (fns.has(k)) continue;
    const fn = newFn(e.name);
    fn.self = e.self;
    fn.total = e.self + e.children;
    fn.calls = e.calls + e.selfCalls;
    fn.primitive = e.calls;
    fns.set(k, fn);
  }
  const named = new Set([...fns.values()].map((f) => f.name.name));
  for (const row of t.flat ?? []) {
    if (named.has(row.name.name)) continue;
    const fn = newFn(row.name);
    fn.self = fn.total = row.self;
    fn.calls = fn.primitive = row.calls ?? 0;
    fns.set(key(row.name), fn);
  }
}

/**
 * The functions of the flat profile: one per row, or with `-l` one per function its line rows
 * add up to, each row also a line of the line table.
 */
function flatFunctions(t: GprofTables, fns: Map<string, Fn>): void {
  const rows = t.flat ?? [];
  for (const row of rows) {
    const name: GprofName = { ...row.name, line: row.name.address ? null : row.name.line };
    const k = key(name);
    let fn = fns.get(k);
    if (!fn) fns.set(k, (fn = newFn(name)));
    fn.self += row.self;
    fn.total += row.self;
    if (row.calls !== null) {
      fn.calls += row.calls;
      fn.primitive += row.calls;
      if (row.name.address && row.name.line !== null) fn.entryLine = row.name.line;
    }
  }
}

/** What kind of code a native function name is. */
function nativeKind(name: string): FrameKind {
  // The qualified name: before any template or parameter list, after a return type.
  const head = name.split(/[(<]/, 1)[0].trim().split(' ').pop() ?? '';
  if (/^(?:std|__gnu_cxx|__cxxabiv1)::/.test(head)) return 'library';
  if (/^_[_A-Z]/.test(head) || /^(?:_init|_fini|_start|frame_dummy)$/.test(head)) return 'runtime';
  return 'user';
}

/**
 * The frame of each function. A static function without a printed file gets its index entry's
 * file; functions that still share a name and file keep gprof's index in their name.
 */
function framesOf(fns: Map<string, Fn>, t: GprofTables): Map<Fn, Frame> {
  const place = (fn: Fn) => {
    const file = fn.name.file ?? t.indexFiles.get(fn.name.index) ?? null;
    return { file, line: fn.entryLine ?? fn.name.line };
  };
  const seen = new Map<string, number>();
  for (const fn of fns.values()) {
    const id = `${fn.name.name}\u0000${place(fn).file ?? ''}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const frames = new Map<Fn, Frame>();
  for (const fn of fns.values()) {
    const { file, line } = place(fn);
    const shared = (seen.get(`${fn.name.name}\u0000${file ?? ''}`) ?? 0) > 1;
    const name = shared && fn.name.index >= 0 ? `${fn.name.name} [${fn.name.index}]` : fn.name.name;
    frames.set(fn, { name, file, line1: line, col1: null, kind: nativeKind(fn.name.name) });
  }
  return frames;
}

interface Edge {
  readonly caller: Fn;
  readonly callee: Fn;
  readonly calls: number;
  self: number;
  total: number;
  readonly counted: boolean;
}

/**
 * The edges of the arcs, each once (an arc shows in its caller's entry and its callee's), with
 * the time of arcs between members of a cycle estimated (see the module comment).
 */
function edgesOf(t: GprofTables, fns: Map<string, Fn>): Edge[] {
  // An arc names a function whose entry is missing (a damaged file) by its index: the flat
  // profile's function of that name stands in, else one without figures.
  const alias = new Map<string, Fn>();
  const fnOf = (n: GprofName): Fn => {
    const k = key(n);
    let fn = fns.get(k) ?? alias.get(k);
    if (fn) return fn;
    fn = fns.get(nameKey(n));
    if (fn && fn.name.index < 0) alias.set(k, fn);
    else fns.set(k, (fn = newFn(n)));
    return fn;
  };
  const edges = new Map<string, Edge>();
  const ids = new Map<Fn, number>();
  const idOf = (fn: Fn) => ids.get(fn) ?? (ids.set(fn, ids.size), ids.size - 1);
  for (const arc of t.arcs) {
    const caller = fnOf(arc.caller);
    const callee = fnOf(arc.callee);
    const id = `${idOf(caller)}>${idOf(callee)}`;
    if (edges.has(id)) continue;
    const counted = arc.self === null || arc.children === null;
    const self = arc.self ?? 0;
    edges.set(id, {
      caller,
      callee,
      calls: arc.calls,
      self,
      total: self + (arc.children ?? 0),
      counted,
    });
    if (counted && caller !== callee) callee.internal += arc.calls;
  }
  for (const e of edges.values()) {
    if (!e.counted || e.caller === e.callee) continue;
    const share = e.callee.primitive > 0 ? Math.min(1, e.calls / e.callee.primitive) : 0;
    e.self = e.callee.self * share;
    e.total = e.callee.total * share;
  }
  return [...edges.values()];
}

function warningsOf(t: GprofTables, label: string, byLine: boolean): string[] {
  const warnings: string[] = [];
  if (t.skipped) {
    warnings.push(
      `${label}: ${t.skipped} lines of its tables read as no row gprof writes (the first is ` +
        `line ${t.firstSkipped}); they were skipped. The file may be damaged.`,
    );
  }
  if (!t.hasGraph) {
    warnings.push(
      `${label} has no call graph (gprof -p): totals are the functions' self times and there ` +
        'are no callers; run gprof without -p for them.',
    );
  } else if (byLine) {
    warnings.push(
      `${label} is by source line (gprof -l), whose call graph gprof fills with no time: ` +
        'functions add up their lines and their totals are their self times; run gprof ' +
        'without -l for the call graph.',
    );
  }
  if (t.dimension !== undefined && t.dimension !== 'seconds') {
    warnings.push(`${label} counts its samples in "${t.dimension.slice(0, 40)}", not seconds.`);
  }
  return warnings;
}

/**
 * Reads gprof's text output (see the module comment). Throws a ProfileFormatError naming
 * `options.sourceFile` for gprof's binary gmon.out and for text without any function.
 */
export function importGprof(text: string, options: ImportOptions = {}): Profile {
  const file = options.sourceFile;
  if (GMON.test(text)) {
    fail(
      file,
      "is gprof's binary gmon.out, which only gprof reads with the program that wrote it",
      'write its text with `gprof <program> gmon.out > out.gprof` and open out.gprof',
    );
  }
  const t = readGprofTables(text.replace(/^\uFEFF/, ''));
  const byLine = (t.flat ?? []).some((r) => r.name.address !== null);
  const builder = new ProfileBuilder();
  const fns = new Map<string, Fn>();
  if (t.hasGraph && !byLine) graphFunctions(t, fns);
  else flatFunctions(t, fns);
  const edges = t.hasGraph && !byLine ? edgesOf(t, fns) : [];
  for (const fn of fns.values()) fn.primitive = Math.max(0, fn.primitive - fn.internal);
  if (fns.size === 0) {
    fail(file, 'holds no function: gprof printed neither a flat profile nor a call graph row');
  }
  const graph = new CallGraphBuilder(builder);
  const frames = framesOf(fns, t);
  const fnIndex = new Map<Fn, number>();
  let selfSum = 0;
  for (const fn of fns.values()) {
    const id = graph.functionOf(builder.frame(frames.get(fn)!));
    fnIndex.set(fn, id);
    graph.addFunction(id, fn.calls, fn.primitive, fn.self, fn.total);
    selfSum += fn.self;
  }
  for (const e of edges)
    graph.addEdge(fnIndex.get(e.caller)!, fnIndex.get(e.callee)!, e.calls, e.self, e.total);
  if (byLine) {
    for (const row of t.flat ?? []) {
      const frame = frames.get(fns.get(key({ ...row.name, line: null }))!)!;
      if (row.name.file && row.name.line !== null && row.self > 0)
        builder.addLine(row.name.file, row.name.line, builder.frame(frame), row.self);
    }
  }
  graph.finish();
  const label = file ? `"${file}"` : 'The gprof output';
  const seconds = t.dimension === undefined || t.dimension === 'seconds';
  const period = t.samplePeriod;
  return builder.build(
    {
      profiler: 'gprof',
      clock: 'cpu',
      unit: seconds ? 'seconds' : 'none',
      ...(seconds && period !== undefined && { intervalUs: period * 1e6 }),
      ...(period !== undefined && { sampleCount: Math.round(selfSum / period) }),
      duration: selfSum,
      sourceFile: file,
      warnings: warningsOf(t, label, byLine),
    },
    { treeIsApproximate: true },
  );
}
