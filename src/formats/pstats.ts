/**
 * Python pstats files (`python -m cProfile -o`, `pstats.Stats.dump_stats`, yappi's
 * `save(type="pstat")`), read without Python (FORMATS.md, "Python pstats").
 *
 * The file is one marshalled dict `{(file, firstlineno, name): (cc, nc, tt, ct, callers)}` with
 * `callers = {caller_key: (nc, cc, tt, ct)}` holding the callee's figures for calls from that
 * caller. yappi writes the same shape with the first two fields of the top level swapped
 * (`(ncall, nactualcall, ...)`), so the producer has to be recognised before the figures are read
 * (see `detectPstatsProducer`). The exact figures become the profile's call graph; the tree
 * is derived from it and flagged as approximate (see core/callGraphTree.ts).
 */
import { addTreeFromCallGraph } from '../core/callGraphTree';
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import { classifyPythonFrame } from '../core/pythonFrameKind';
import { ProfileFormatError } from './errors';
import { MarshalDict, MarshalError, MarshalReader, type MarshalValue } from './marshal';

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

const utf8 = new TextDecoder('utf-8');

function text(v: MarshalValue): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8.decode(v); // Python 2 wrote file names as bytes.
  return undefined;
}

function num(v: MarshalValue): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A pstats key as the file has it. */
interface RawKey {
  readonly file: string;
  readonly line: number;
  readonly name: string;
}

/** The four figures of a top-level value or a caller value, as marshal read them. */
type Figures = readonly [number, number, number, number];

interface RawEntry {
  readonly key: RawKey;
  readonly v: Figures;
  readonly callers: MarshalDict;
}

/**
 * The model's frame for a Python function as profilers key it. cProfile writes built-ins as
 * `('~', 0, '<built-in method builtins.len>')`; yappi (with `builtins=True`) as the module and
 * line 0, `('builtins', 0, 'len')` or `('__builtin__', 0, "<method 'append' of 'list'
 * objects>")`: both become frames without a file, yappi's named `module.name` as yappi itself
 * prints them. A line of 0 means unknown.
 */
export function pythonFrame(file: string, line: number, name: string): Frame {
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
    kind: classifyPythonFrame(f, n),
  };
}

function describeValue(v: MarshalValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a ${v.length}-tuple`;
  if (v instanceof MarshalDict) return 'a dict';
  if (v instanceof Uint8Array) return 'bytes';
  return `a ${typeof v}`;
}

/**
 * Tells cProfile's files from yappi's. Where recursion shows, the counts decide: cProfile's
 * top level is (primitive, all), so the first is never larger; yappi's is (all, primitive).
 * Without recursion both fields are equal and other habits decide: cProfile writes built-ins
 * under `~`; yappi qualifies methods (`Class.method`), which cProfile (3.11 and earlier) never
 * does; and yappi's floats are shared with its own stats objects, so marshal gives them the ref
 * flag, where cProfile's, built on the fly, have none. With none of these signs: cProfile.
 */
function detectPstatsProducer(
  entries: readonly RawEntry[],
  floats: { floats: number; flaggedFloats: number },
): { producer: PstatsProducer; reason: string; mixed: boolean } {
  let firstLarger = 0;
  let secondLarger = 0;
  for (const e of entries) {
    if (e.v[0] > e.v[1]) firstLarger++;
    else if (e.v[0] < e.v[1]) secondLarger++;
  }
  const mixed = firstLarger > 0 && secondLarger > 0;
  if (firstLarger > secondLarger) return { producer: 'yappi', reason: 'call counts', mixed };
  if (secondLarger > firstLarger) return { producer: 'cprofile', reason: 'call counts', mixed };
  if (entries.some((e) => e.key.file === '~'))
    return { producer: 'cprofile', reason: 'built-ins', mixed };
  const qualified = entries.some(
    (e) => !e.key.name.startsWith('<') && /^[A-Za-z_]\w*\.[A-Za-z_<]/.test(e.key.name),
  );
  if (qualified) return { producer: 'yappi', reason: 'qualified names', mixed };
  if (floats.floats > 0 && floats.flaggedFloats * 2 > floats.floats)
    return { producer: 'yappi', reason: 'shared floats', mixed };
  return { producer: 'cprofile', reason: 'default', mixed };
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
  const fail = (what: string): never => {
    throw new ProfileFormatError(`${label} is not a readable pstats file: ${what}`, file);
  };
  const reader = new MarshalReader(bytes);
  let top: MarshalValue;
  try {
    if (!bytes.length) fail('it is empty.');
    top = reader.read();
  } catch (e) {
    if (e instanceof MarshalError) {
      const hint = /code object/.test(e.message)
        ? ''
        : ' Record it again with `python -m cProfile -o out.prof script.py`, or check that the file was copied whole.';
      return fail(`${e.message}${hint}`);
    }
    throw e;
  }
  if (!(top instanceof MarshalDict)) {
    return fail(`expected a dict of functions at offset 0, found ${describeValue(top)}.`);
  }
  const warnings: string[] = [];
  if (!reader.atEnd) {
    warnings.push(
      `${label} has ${bytes.length - reader.offset} bytes after its statistics; they were ignored.`,
    );
  }

  const readKey = (v: MarshalValue, where: string): RawKey => {
    if (Array.isArray(v) && v.length === 3) {
      const f = text(v[0]);
      const line = num(v[1]);
      const name = text(v[2]);
      if (f !== undefined && line !== undefined && name !== undefined)
        return { file: f, line, name };
    }
    return fail(`${where} should be a (file, line, name) tuple but is ${describeValue(v)}.`);
  };
  // Figures no profiler writes (NaN, infinities, more than 1e15 calls or seconds) would poison
  // every sum they enter: they count as 0, and a warning says how many there were.
  let absurd = 0;
  const sane = (x: number): number => {
    if (Number.isFinite(x) && Math.abs(x) <= MAX_FIGURE) return x;
    absurd++;
    return 0;
  };
  const readFigures = (v: MarshalValue, size: number, where: () => string): Figures => {
    if (
      !Array.isArray(v) ||
      v.length !== size ||
      typeof v[0] !== 'number' ||
      typeof v[1] !== 'number' ||
      typeof v[2] !== 'number' ||
      typeof v[3] !== 'number'
    ) {
      return fail(`${where()} should be a ${size}-tuple starting with four numbers.`);
    }
    return [sane(v[0]), sane(v[1]), sane(v[2]), sane(v[3])];
  };

  const entries: RawEntry[] = [];
  top.entries.forEach(([k, v], i) => {
    const key = readKey(k, `key ${i + 1}`);
    const where = `the figures of ${key.name} (${key.file}:${key.line})`;
    const figures = readFigures(v, 5, () => where);
    const callers = (v as MarshalValue[])[4];
    if (!(callers instanceof MarshalDict))
      return fail(`${where} should end with a dict of callers.`);
    entries.push({ key, v: figures, callers });
  });

  // Without recursion both fields are equal, so a wrong guess changes only the label and clock.
  const { producer, mixed } = detectPstatsProducer(entries, reader);
  if (mixed) {
    warnings.push(
      `${label}: the call counts of some functions read as cProfile's and others as yappi's; ` +
        `read as ${producer === 'yappi' ? 'yappi' : 'cProfile'} (the majority).`,
    );
  }

  const builder = new ProfileBuilder();
  // Function index per key, and the graph's functions, merged by frame in case two keys map to
  // one. Keys are looked up by the tuple object first: marshal refs often share them.
  const fnOfTuple = new Map<MarshalValue, number>();
  // file -> name -> line -> function: no key string to build on each lookup.
  const fnOfKey = new Map<string, Map<string, Map<number, number>>>();
  const fnOfFrame = new Map<number, number>();
  const functions: Array<{
    frame: number;
    calls: number;
    primitiveCalls: number;
    self: number;
    total: number;
  }> = [];
  /** The function of a key tuple; `owner` names the entry it came from, for errors only. */
  const functionFor = (tuple: MarshalValue, owner: RawEntry | null): number => {
    let fn = fnOfTuple.get(tuple);
    if (fn !== undefined) return fn;
    let file: string | undefined;
    let line: number | undefined;
    let name: string | undefined;
    if (Array.isArray(tuple) && tuple.length === 3) {
      file = text(tuple[0]);
      line = num(tuple[1]);
      name = text(tuple[2]);
    }
    if (file === undefined || line === undefined || name === undefined) {
      const k = readKey(tuple, owner ? `a caller key of ${owner.key.name}` : 'a key');
      [file, line, name] = [k.file, k.line, k.name];
    }
    let names = fnOfKey.get(file);
    if (!names) fnOfKey.set(file, (names = new Map()));
    let lines = names.get(name);
    if (!lines) names.set(name, (lines = new Map()));
    fn = lines.get(line);
    if (fn === undefined) {
      const frame = builder.frame(pythonFrame(file, line, name));
      fn = fnOfFrame.get(frame);
      if (fn === undefined) {
        fn = functions.length;
        functions.push({ frame, calls: 0, primitiveCalls: 0, self: 0, total: 0 });
        fnOfFrame.set(frame, fn);
      }
      lines.set(line, fn);
    }
    fnOfTuple.set(tuple, fn);
    return fn;
  };
  const swapped = producer === 'yappi';
  const calleeFn = new Int32Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const fn = functionFor(top.entries[i][0], null);
    calleeFn[i] = fn;
    const f = functions[fn];
    f.calls += swapped ? e.v[0] : e.v[1];
    f.primitiveCalls += swapped ? e.v[1] : e.v[0];
    f.self += e.v[2];
    f.total += e.v[3];
  }
  const known = functions.length;
  // Edges keyed by caller frame * 2^24 + callee frame (ProfileBuilder caps frames at 2^24).
  const edgeOf = new Map<number, number>();
  const edges: Array<{
    caller: number;
    callee: number;
    calls: number;
    primitiveCalls: number;
    self: number;
    total: number;
  }> = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const callee = functions[calleeFn[i]].frame;
    for (const [tuple, v] of e.callers.entries) {
      const caller = functions[functionFor(tuple, e)].frame;
      // Caller tuples are (nc, cc, tt, ct) for both producers.
      if (
        !Array.isArray(v) ||
        v.length !== 4 ||
        typeof v[0] !== 'number' ||
        typeof v[2] !== 'number' ||
        typeof v[3] !== 'number'
      ) {
        return fail(`the figures of a caller of ${e.key.name} should be four numbers.`);
      }
      const [calls, self, total] = [sane(v[0]), sane(v[2]), sane(v[3])];
      // The caller's primitive calls: its second figure (cProfile's and yappi's order alike).
      const primitiveCalls = typeof v[1] === 'number' ? sane(v[1]) : calls;
      const id = caller * 16777216 + callee;
      const at = edgeOf.get(id);
      if (at === undefined) {
        edgeOf.set(id, edges.length);
        edges.push({ caller, callee, calls, primitiveCalls, self, total });
      } else {
        edges[at].calls += calls;
        edges[at].primitiveCalls += primitiveCalls;
        edges[at].self += self;
        edges[at].total += total;
      }
    }
  }
  if (absurd) {
    warnings.push(
      `${label} holds ${absurd} figures that are not plausible numbers (NaN, infinite or beyond ` +
        `${MAX_FIGURE}); they count as 0. The file may be damaged.`,
    );
  }
  if (functions.length > known) {
    warnings.push(
      `${label}: ${functions.length - known} callers have no statistics of their own; they are shown with no time.`,
    );
  }

  const graph = {
    functions: functions.map((f) => Object.freeze(f)),
    edges: edges.map((e) => Object.freeze(e)),
  };
  builder.setCallGraph(graph);
  addTreeFromCallGraph(builder, graph);
  let totalTime = 0;
  for (const e of entries) totalTime += e.v[2];
  // Negative self times (a damaged file, or a timer that went backwards) cannot make a negative
  // recording.
  totalTime = Math.max(0, totalTime);
  if (!entries.length) warnings.push(`${label} holds no functions: nothing was profiled.`);
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
