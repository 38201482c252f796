/**
 * Python pstats files (`python -m cProfile -o`, `pstats.Stats.dump_stats`, yappi's
 * `save(type="pstat")`), read without Python (docs/FORMATS.md, "Python pstats").
 *
 * The file is one marshalled dict `{(file, firstlineno, name): (cc, nc, tt, ct, callers)}` with
 * `callers = {caller_key: (nc, cc, tt, ct)}` holding the callee's figures for calls from that
 * caller. yappi writes the same shape with the first two fields of the top level swapped
 * (`(ncall, nactualcall, ...)`), so the producer has to be recognised before the figures are read
 * (see `detectPstatsProducer`). The exact figures become the profile's call graph; the tree
 * is derived from it and flagged as approximate (see core/callGraphTree.ts).
 *
 * The dict is read as a stream into columns (pstatsReader.ts); this file decides what the
 * figures mean and hands them to core's call-graph builder, one function per frame.
 */
import { CallGraphBuilder } from '../core/callGraphBuilder';
import { ProfileBuilder, type Frame, type FrameKind, type Profile } from '../core/profile';
import { classifyPythonFrame } from '../core/pythonFrameKind';
import { ProfileFormatError } from './errors';
import { MarshalError } from './marshal';
import { PstatsReader, PstatsShapeError } from './pstatsReader';

/** Which program wrote a pstats file. */
export type PstatsProducer = 'cprofile' | 'yappi';

/** Options of {@link importPstats}. */
export interface PstatsOptions {
  /** The file the bytes came from, for meta and error messages. */
  readonly sourceFile?: string;
}

const NAME = /\.(?:prof|pstats?)$/i;

/** Larger call counts or times (1e15 seconds is 30 million years) only come from damage. */
const MAX_FIGURE = 1e15;

function isKeyTuple(code: number): boolean {
  return code === 0x29 || code === 0x28; // ')' small tuple, '(' tuple
}

/**
 * True when the file looks like a pstats file: by name first (`.prof`, `.pstats`, `.pstat`),
 * then by content (a marshalled dict, with or without the ref flag, whose first key is a
 * 3-tuple starting with a string). An empty dict passes only with a pstats name.
 */
export function isPstats(name: string | undefined, bytes: Uint8Array): boolean {
  if (bytes.length < 2 || (bytes[0] & 0x7f) !== 0x7b /* '{' */) return false;
  if (name && NAME.test(name)) return true;
  const tuple = bytes[1] & 0x7f;
  if (!isKeyTuple(tuple)) return false;
  let i = 2;
  if (tuple === 0x29) {
    if (bytes[i] !== 3) return false;
    i += 1;
  } else {
    if (bytes.length < 6 || bytes[2] !== 3 || bytes[3] || bytes[4] || bytes[5]) return false;
    i += 4;
  }
  const str = bytes[i] & 0x7f;
  // z Z a A u t s: the strings marshal writes for a file name.
  return [0x7a, 0x5a, 0x61, 0x41, 0x75, 0x74, 0x73].includes(str);
}

/**
 * The model's frame for a Python function as profilers key it. cProfile writes built-ins as
 * `('~', 0, '<built-in method builtins.len>')`; yappi (with `builtins=True`) as the module and
 * line 0, `('builtins', 0, 'len')` or `('__builtin__', 0, "<method 'append' of 'list'
 * objects>")`: both become frames without a file, yappi's named `module.name` as yappi itself
 * prints them. A line of 0 means unknown.
 */
export function pythonFrame(
  file: string,
  line: number,
  name: string,
  classify: (file: string | null, name: string) => FrameKind = classifyPythonFrame,
): Frame {
  let f: string | null = file;
  let n = name;
  if (file === '~' || file === '') {
    f = null;
  } else if (line === 0 && !/[\\/]/.test(file) && !file.startsWith('<')) {
    f = null;
    if (!name.startsWith('<')) n = `${file}.${name}`;
  }
  return {
    name: n,
    file: f,
    // A damaged file can hold any number here: only a whole positive line is a line.
    line1: Number.isInteger(line) && line > 0 ? line : null,
    col1: null,
    kind: classify(f, n),
  };
}

/**
 * Tells cProfile's files from yappi's. Where recursion shows, the counts decide: cProfile's
 * top level is (primitive, all), so the first is never larger; yappi's is (all, primitive).
 * Without recursion both fields are equal and other habits decide: cProfile writes built-ins
 * under `~`; yappi qualifies methods (`Class.method`), which cProfile (3.11 and earlier) never
 * does; and yappi's floats are shared with its own stats objects, so marshal gives them the ref
 * flag, where cProfile's, built on the fly, have none. With none of these signs: cProfile.
 */
function detectPstatsProducer(r: PstatsReader): {
  producer: PstatsProducer;
  reason: string;
  mixed: boolean;
} {
  const entries = r.entryKey.length;
  const [first, second] = r.entryFigures;
  let firstLarger = 0;
  let secondLarger = 0;
  for (let i = 0; i < entries; i++) {
    if (first.data[i] > second.data[i]) firstLarger++;
    else if (first.data[i] < second.data[i]) secondLarger++;
  }
  const mixed = firstLarger > 0 && secondLarger > 0;
  if (firstLarger > secondLarger) return { producer: 'yappi', reason: 'call counts', mixed };
  if (secondLarger > firstLarger) return { producer: 'cprofile', reason: 'call counts', mixed };
  const keyAt = (i: number) => r.entryKey.data[i];
  for (let i = 0; i < entries; i++) {
    if (r.string(r.keyFile.data[keyAt(i)]) === '~')
      return { producer: 'cprofile', reason: 'built-ins', mixed };
  }
  for (let i = 0; i < entries; i++) {
    const name = r.string(r.keyName.data[keyAt(i)]);
    if (!name.startsWith('<') && /^[A-Za-z_]\w*\.[A-Za-z_<]/.test(name))
      return { producer: 'yappi', reason: 'qualified names', mixed };
  }
  if (r.floats > 0 && r.flaggedFloats * 2 > r.floats)
    return { producer: 'yappi', reason: 'shared floats', mixed };
  return { producer: 'cprofile', reason: 'default', mixed };
}

/** Reads the dict, turning the reader's errors into a {@link ProfileFormatError}. */
function readStats(bytes: Uint8Array, label: string, file: string | undefined): PstatsReader {
  const fail = (what: string): never => {
    throw new ProfileFormatError(`${label} is not a readable pstats file: ${what}`, file);
  };
  const reader = new PstatsReader(bytes);
  try {
    if (!bytes.length) fail('it is empty.');
    reader.readStats();
  } catch (e) {
    if (e instanceof PstatsShapeError) return fail(e.message);
    if (e instanceof MarshalError) {
      const hint = /code object/.test(e.message)
        ? ''
        : ' Record it again with `python -m cProfile -o out.prof script.py`, or check that the file was copied whole.';
      return fail(`${e.message}${hint}`);
    }
    throw e;
  }
  return reader;
}

/**
 * Replaces, in place, figures no profiler writes: NaN, infinities and magnitudes past 1e15
 * (they would poison every sum they enter), and negative counts and times (a timer that went
 * backwards, or damage: a negative self time is not a time). They count as 0, and a warning
 * says how many there were.
 */
function sanitize(r: PstatsReader, label: string, warnings: string[]): void {
  let absurd = 0;
  let negative = 0;
  const clean = (column: Float64Array, n: number) => {
    for (let i = 0; i < n; i++) {
      const x = column[i];
      if (x >= 0 && x <= MAX_FIGURE) continue;
      if (x < 0 && x >= -MAX_FIGURE) negative++;
      else absurd++;
      column[i] = 0;
    }
  };
  for (const c of r.entryFigures) clean(c.data, r.entryKey.length);
  for (const c of [r.callerCalls, r.callerSelf, r.callerTotal, r.callerPrimitive])
    clean(c.data, c.length);
  if (absurd) {
    warnings.push(
      `${label} holds ${absurd} figures that are not plausible numbers (NaN, infinite or beyond ` +
        `${MAX_FIGURE}); they count as 0. The file may be damaged.`,
    );
  }
  if (negative) {
    warnings.push(
      `${label} holds ${negative} negative call counts or times; they count as 0. A clock that ` +
        'went backwards or a damaged file writes them.',
    );
  }
}

/**
 * The graph function of every key, made frame by frame: the keys of entries first, in file
 * order, then keys that only call. A frame's kind depends on its file alone unless its name
 * starts with `<` (built-ins), so kinds are worked out once per file.
 */
function functionsOfKeys(
  r: PstatsReader,
  builder: ProfileBuilder,
  graph: CallGraphBuilder,
): { fnOfKey: Int32Array; withEntry: number } {
  const fnOfKey = new Int32Array(r.keyCount).fill(-1);
  const kindOfFile = new Map<string, FrameKind>();
  const classify = (file: string | null, name: string): FrameKind => {
    if (file === null || name.startsWith('<')) return classifyPythonFrame(file, name);
    let kind = kindOfFile.get(file);
    if (kind === undefined) kindOfFile.set(file, (kind = classifyPythonFrame(file, name)));
    return kind;
  };
  const make = (key: number) => {
    if (fnOfKey[key] >= 0) return;
    const file = r.string(r.keyFile.data[key]);
    const name = r.string(r.keyName.data[key]);
    const frame = builder.frame(pythonFrame(file, r.keyLine.data[key], name, classify));
    fnOfKey[key] = graph.functionOf(frame);
  };
  for (let i = 0; i < r.entryKey.length; i++) make(r.entryKey.data[i]);
  const withEntry = graph.functionCount;
  for (let i = 0; i < r.callerKey.length; i++) make(r.callerKey.data[i]);
  return { fnOfKey, withEntry };
}

/**
 * Reads a pstats file (cProfile's or yappi's) into a profile: exact per-function figures and
 * per-edge figures as the call graph (calls = nc, primitive calls = cc, self = tt, total = ct),
 * and an approximate tree derived from it. Times are in seconds. Throws a
 * {@link ProfileFormatError} naming the file when the bytes are not a readable pstats file.
 */
export function importPstats(bytes: Uint8Array, options: PstatsOptions = {}): Profile {
  const file = options.sourceFile;
  const label = file ?? 'The profile';
  const r = readStats(bytes, label, file);
  const warnings: string[] = [];
  if (!r.atEnd) {
    warnings.push(
      `${label} has ${bytes.length - r.offset} bytes after its statistics; they were ignored.`,
    );
  }
  sanitize(r, label, warnings);
  // Without recursion both fields are equal, so a wrong guess changes only the label and clock.
  const { producer, mixed } = detectPstatsProducer(r);
  if (mixed) {
    warnings.push(
      `${label}: the call counts of some functions read as cProfile's and others as yappi's; ` +
        `read as ${producer === 'yappi' ? 'yappi' : 'cProfile'} (the majority).`,
    );
  }

  const builder = new ProfileBuilder();
  const graph = new CallGraphBuilder(builder);
  const { fnOfKey, withEntry } = functionsOfKeys(r, builder, graph);
  const [f0, f1, tt, ct] = r.entryFigures.map((c) => c.data);
  const swapped = producer === 'yappi';
  let totalTime = 0;
  for (let i = 0; i < r.entryKey.length; i++) {
    const fn = fnOfKey[r.entryKey.data[i]];
    graph.addFunction(fn, swapped ? f0[i] : f1[i], swapped ? f1[i] : f0[i], tt[i], ct[i]);
    totalTime += tt[i];
  }
  // Caller tuples are (nc, cc, tt, ct) for both producers.
  for (let i = 0; i < r.callerKey.length; i++) {
    graph.addEdge(
      fnOfKey[r.callerKey.data[i]],
      fnOfKey[r.callerCallee.data[i]],
      r.callerCalls.data[i],
      r.callerSelf.data[i],
      r.callerTotal.data[i],
      r.callerPrimitive.data[i],
    );
  }
  if (graph.functionCount > withEntry) {
    warnings.push(
      `${label}: ${graph.functionCount - withEntry} callers have no statistics of their own; they are shown with no time.`,
    );
  }
  if (!r.entryKey.length) warnings.push(`${label} holds no functions: nothing was profiled.`);
  graph.finish();
  return builder.build(
    {
      profiler: producer,
      // cProfile's default timer is time.perf_counter (wall clock); yappi's clock (CPU by
      // default, or wall) is not written into the file.
      clock: producer === 'cprofile' ? 'wall' : 'unknown',
      unit: 'seconds',
      duration: totalTime,
      sourceFile: file,
      warnings,
    },
    { treeIsApproximate: true },
  );
}
