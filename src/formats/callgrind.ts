/**
 * callgrind files (FORMATS.md, "callgrind"; valgrind's manual, "Callgrind Format Specification"):
 * valgrind's `--tool=callgrind`, yappi's `save(type="callgrind")` and pyprof2calltree's output.
 *
 * The format is line-based. Position lines (`ob= fl= fi= fe= fn=`, and `cob= cfi= cfl= cfn=` for
 * call targets) set the context; name compression lets `fn=(12) name` define id 12 and a later
 * `fn=(12)` refer to it (files share one table across fl/fi/fe/cfi/cfl, functions another,
 * objects a third; tables are kept across parts, and a redefinition replaces a name). A cost line
 * is subpositions (`positions:`, default `line`; absolute, `0x` hex, `+n`/`-n` relative to the
 * previous cost line, `*` the same) then one count per event type: the current function's self
 * cost. `calls=count target` is followed by one cost line holding the inclusive cost of those
 * calls; the target position is not needed and is skipped, as KCachegrind does. After it the
 * called file and object are forgotten (the called function is kept, as KCachegrind does).
 * `jump=`/`jcnd=` and their cost lines are skipped. Several parts (threads, dumps) are merged.
 *
 * What the model gets:
 * - The weight is the first event type (`events:`); others are named in a warning. Units: yappi's
 *   `Ticks` are microseconds, pyprof2calltree's `ns` nanoseconds (a `Time_(10ns)` event, as
 *   Xdebug writes, is scaled to nanoseconds); anything else, valgrind's instruction counts
 *   included, has unit `none`.
 * - A function is (object, file at `fn=`, name). valgrind's recursion levels (`fib'2`, from
 *   `--separate-recs`) are merged into the function they repeat, so recursion shows as a
 *   self-edge. Calls of a function are the calls on its incoming edges (callgrind counts
 *   calls only there); its total is its self cost plus the inclusive cost of its calls to other
 *   functions, capped at the whole: exact without mutual recursion, an overestimate inside a
 *   cycle of several functions. An edge's self cost is not in the format: it is estimated as the
 *   callee's self times the edge's share of the callee's total.
 * - valgrind's cost lines become the line table (self cost per source line, `fi=`/`fe=` inlined
 *   files included). yappi and pyprof2calltree put each function's whole self time on its `def`
 *   line, which is not line-level data, so their files get no line table; their function lines
 *   come from the name (`name file:line` for yappi, `name:line` where pyprof2calltree
 *   disambiguates) or from that cost line. For native code the line of a function is the first
 *   line of its own file that has a cost (near the signature with gcc -g), an approximation.
 * - The tree is derived from the call graph and flagged as approximate (core/callGraphTree.ts).
 */
import { addTreeFromCallGraph } from '../core/callGraphTree';
import {
  ProfileBuilder,
  type Frame,
  type FrameKind,
  type GraphEdge,
  type GraphFunction,
  type Profile,
  type WeightUnit,
} from '../core/profile';
import { ProfileFormatError } from './errors';
import { pythonFrame } from './pstats';

/** Options of {@link importCallgrind}. */
export interface CallgrindOptions {
  /** The file the text came from, for meta and error messages. */
  readonly sourceFile?: string;
}

/** Which program wrote a callgrind file, as far as the file tells. */
type Producer = 'valgrind' | 'yappi' | 'pyprof2calltree' | 'other';

const NAME = /(?:^|[\\/])callgrind\.out(?:\.[^\\/]*)?$|\.callgrind$/i;

/**
 * True when the file looks like callgrind: by name first (`callgrind.out.<pid>`, `*.callgrind`),
 * then by content (the `# callgrind format` line, or an `events:` header line followed by
 * position lines near the start, the test KCachegrind uses).
 */
export function isCallgrind(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  const head = text.slice(0, 8192).replace(/^\uFEFF/, '');
  if (head.startsWith('# callgrind format')) return true;
  if (head.includes('\u0000')) return false;
  return /(?:^|\n)events:/.test(head) && /\n(?:fl|fn|ob)=/.test(head);
}

interface Fn {
  readonly name: string;
  readonly file: string;
  readonly object: string;
  self: number;
  /** First line of this function's own file with a self cost, or 0. */
  firstLine: number;
  /** Lowest such line, or 0. */
  minLine: number;
}

interface Edge {
  readonly caller: number;
  readonly callee: number;
  calls: number;
  inclusive: number;
}

const POSITION = /^(ob|fl|fi|fe|fn|cob|cfi|cfl|cfn)=\s*(.*)$/;
const HEADER = /^([A-Za-z][\w ()]*):\s*(.*)$/;

/**
 * Reads a callgrind file into a profile: the call graph with exact per-function self costs and
 * per-edge calls and inclusive costs, the line table where the producer records real lines, and
 * an approximate tree. Throws a {@link ProfileFormatError} naming the file when the text is not a
 * readable callgrind file (garbage, no `events:` line, a malformed line, a file cut short).
 */
export function importCallgrind(text: string, options: CallgrindOptions = {}): Profile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return importCallgrindLines(body.split('\n'), options);
}

/**
 * {@link importCallgrind} over lines given one at a time (a trailing `\r` on a line is ignored):
 * for files too large for one string, read through byteLines.ts.
 */
export function importCallgrindLines(
  lines: Iterable<string>,
  options: CallgrindOptions = {},
): Profile {
  const source = options.sourceFile;
  const label = source ?? 'The profile';
  let lineNo = 0;
  const fail = (what: string): never => {
    throw new ProfileFormatError(
      `${label} is not a readable callgrind file: ${what} Check that the file was copied whole, ` +
        'or record it again (valgrind --tool=callgrind, or yappi save(type="callgrind")).',
      source,
    );
  };
  const failAt = (what: string, line: string): never =>
    fail(
      `line ${lineNo} (${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}) ${what}`,
    );

  // Header state.
  let creator = '';
  let eventNames: string[] | null = null;
  let weightName = '';
  let weightIndex = 0;
  const longNames = new Map<string, string>();
  let positionCount = 1;
  let lineIndex = 0;
  let parts = 0;
  let totalsSeen = 0;
  let totalsSum = 0;
  const allEvents = new Set<string>();

  // Name compression tables.
  const objects = new Map<number, string>();
  const files = new Map<number, string>();
  const names = new Map<number, string>();
  const undefinedRefs = new Set<string>();
  const resolve = (table: Map<number, string>, value: string, kind: string): string => {
    const m = /^\((\d+)\)\s*(.*)$/.exec(value);
    if (!m) return value.trim();
    const id = Number(m[1]);
    const name = m[2].trim();
    if (name) {
      table.set(id, name);
      return name;
    }
    const known = table.get(id);
    if (known !== undefined) return known;
    // yappi writes such references when two functions share a name and a line (nested list
    // comprehensions): KCachegrind carries on with an unknown name, and so do we.
    undefinedRefs.add(`${kind} (${id})`);
    return `(${id})`;
  };

  // Body state.
  let object = '';
  let fnFile = '';
  let fnObject = '';
  let file = '';
  let fnName: string | null = null;
  let currentFn = -1;
  let calledObject: string | null = null;
  let calledFile: string | null = null;
  let calledName: string | null = null;
  let pending: 'calls' | 'jump' | null = null;
  let pendingCalls = 0;
  let pendingAt = 0;
  const last: number[] = [0, 0, 0];

  const fns: Fn[] = [];
  const fnIds = new Map<string, number>();
  const edges = new Map<number, Edge>();
  let costLines = 0;

  const fnFor = (obj: string, f: string, rawName: string): number => {
    // valgrind's --separate-recs names recursion levels `fib'2`: they are the same function.
    const name = rawName.replace(/'\d+$/, '');
    const key = `${obj}\u0000${f}\u0000${name}`;
    let id = fnIds.get(key);
    if (id === undefined) {
      id = fns.length;
      fns.push({ name, file: f, object: obj, self: 0, firstLine: 0, minLine: 0 });
      fnIds.set(key, id);
    }
    return id;
  };

  const parseNumber = (token: string, raw: string): number => {
    const v =
      token.startsWith('0x') || token.startsWith('0X')
        ? parseInt(token.slice(2), 16)
        : Number(token);
    if (!Number.isFinite(v) || token === '' || (!/^\d/.test(token) && !token.startsWith('0x'))) {
      failAt(`has ${JSON.stringify(token)} where a number was expected.`, raw);
    }
    return v;
  };

  // Cost lines are most of a file: scanned by hand, without splitting or allocating.
  let at = 0;
  const badNumber = (raw: string): never => {
    const token =
      raw
        .slice(at)
        .trim()
        .split(/[ \t]+/)[0] ?? '';
    return failAt(`has ${JSON.stringify(token)} where a number was expected.`, raw);
  };
  /** The unsigned number (decimal or 0x hex) at `at`, moving past it. */
  const scanNumber = (raw: string): number => {
    let v = 0;
    let digits = 0;
    if (raw.charCodeAt(at) === 48 && (raw.charCodeAt(at + 1) | 32) === 120 /* 0x */) {
      at += 2;
      for (;;) {
        const c = raw.charCodeAt(at) | 32;
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
        if (d < 0) break;
        v = v * 16 + d;
        digits++;
        at++;
      }
    } else {
      for (;;) {
        const c = raw.charCodeAt(at);
        if (!(c >= 48 && c <= 57)) break;
        v = v * 10 + (c - 48);
        digits++;
        at++;
      }
    }
    const end = raw.charCodeAt(at);
    if (!digits || !(at >= raw.length || end === 32 || end === 9)) badNumber(raw);
    return v;
  };
  const skipSpace = (raw: string): void => {
    while (raw.charCodeAt(at) === 32 || raw.charCodeAt(at) === 9) at++;
  };

  // Per function, self cost per (file id * 2^24 + line).
  const fileIds = new Map<string, number>();
  const fileNames: string[] = [];
  const cells: Array<Map<number, number> | undefined> = [];

  const costLine = (raw: string): void => {
    if (eventNames === null) failAt('is a cost line, but no `events:` line came before it.', raw);
    at = 0;
    for (let i = 0; i < positionCount; i++) {
      skipSpace(raw);
      const c = raw.charCodeAt(at);
      if (at >= raw.length) failAt(`has fewer than ${positionCount} positions.`, raw);
      if (c === 42 /* * */) {
        at++;
      } else if (c === 43 /* + */) {
        at++;
        last[i] += scanNumber(raw);
      } else if (c === 45 /* - */) {
        at++;
        last[i] -= scanNumber(raw);
      } else {
        last[i] = scanNumber(raw);
      }
    }
    let cost = 0;
    if (weightIndex >= 0) {
      for (let k = 0; k <= weightIndex; k++) {
        skipSpace(raw);
        if (at >= raw.length) break; // missing trailing costs are 0
        const v = scanNumber(raw);
        if (k === weightIndex) cost = v;
      }
    }
    if (pending === 'jump') {
      pending = null;
      return;
    }
    if (fnName === null) failAt('is a cost line outside any function (no `fn=` before it).', raw);
    if (currentFn < 0) currentFn = fnFor(fnObject, fnFile, fnName as string);
    const line = lineIndex >= 0 ? last[lineIndex] : 0;
    if (pending === 'calls') {
      pending = null;
      if (calledName === null) failAt('ends a call, but no `cfn=` names the called function.', raw);
      const callee = fnFor(calledObject ?? object, calledFile ?? file, calledName as string);
      const key = currentFn * 16777216 + callee;
      const edge = edges.get(key);
      if (edge) {
        edge.calls += pendingCalls;
        edge.inclusive += cost;
      } else {
        edges.set(key, { caller: currentFn, callee, calls: pendingCalls, inclusive: cost });
      }
      calledObject = calledFile = null;
      return;
    }
    costLines++;
    const fn = fns[currentFn];
    fn.self += cost;
    if (line > 0 && file === fnFile) {
      if (!fn.firstLine) fn.firstLine = line;
      if (!fn.minLine || line < fn.minLine) fn.minLine = line;
    }
    if (line > 0 && line < 16777216 && cost > 0) {
      let fileId = fileIds.get(file);
      if (fileId === undefined) {
        fileId = fileNames.length;
        fileNames.push(file);
        fileIds.set(file, fileId);
      }
      let table = cells[currentFn];
      if (!table) cells[currentFn] = table = new Map();
      const key = fileId * 16777216 + line;
      table.set(key, (table.get(key) ?? 0) + cost);
    }
  };

  for (let raw of lines) {
    lineNo++;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const c = raw.charCodeAt(0);
    if (raw === '' || c === 35 /* # */) continue;
    if (pending === 'calls' && !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42)) {
      lineNo = pendingAt;
      fail(`line ${pendingAt} starts a call (calls=), but no cost line follows it.`);
    }
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42 /* digit + - * */) {
      costLine(raw);
      continue;
    }
    const pos = POSITION.exec(raw);
    if (pos) {
      const [, spec, value] = pos;
      switch (spec) {
        case 'ob':
          object = resolve(objects, value, 'object');
          break;
        case 'fl':
          fnFile = file = resolve(files, value, 'file');
          break;
        case 'fi':
        case 'fe':
          file = resolve(files, value, 'file');
          break;
        case 'fn':
          fnName = resolve(names, value, 'function');
          fnObject = object;
          file = fnFile;
          currentFn = -1;
          break;
        case 'cob':
          calledObject = resolve(objects, value, 'object');
          break;
        case 'cfi':
        case 'cfl':
          calledFile = resolve(files, value, 'file');
          break;
        case 'cfn':
          calledName = resolve(names, value, 'function');
          break;
      }
      continue;
    }
    if (raw.startsWith('calls=') || raw.startsWith('rcalls=')) {
      const count = raw
        .slice(raw.indexOf('=') + 1)
        .trim()
        .split(/[ \t]+/)[0];
      pendingCalls = parseNumber(count, raw);
      pending = 'calls';
      pendingAt = lineNo;
      continue;
    }
    if (raw.startsWith('jump=') || raw.startsWith('jcnd=')) {
      pending = 'jump';
      continue;
    }
    // jfi=, jfn= and keys of later format versions: nothing we show.
    if (/^[a-z]+=/.test(raw)) continue;
    const header = HEADER.exec(raw);
    if (header) {
      const key = header[1].trim();
      const value = header[2].trim();
      if (key === 'events') {
        const evs = value.split(/[ \t]+/).filter(Boolean);
        if (!evs.length) failAt('names no event type.', raw);
        evs.forEach((e) => allEvents.add(e));
        if (eventNames === null) {
          eventNames = evs;
          weightName = evs[0];
          weightIndex = 0;
        } else {
          eventNames = evs;
          weightIndex = evs.indexOf(weightName);
        }
      } else if (key === 'event') {
        const m = /^(\S+?)\s*(?:=[^:]*)?(?::\s*(.*))?$/.exec(value);
        if (m && m[2]) longNames.set(m[1], m[2].trim());
      } else if (key === 'positions') {
        const ps = value.split(/[ \t]+/).filter(Boolean);
        positionCount = Math.max(1, ps.length);
        lineIndex = ps.indexOf('line');
      } else if (key === 'creator') {
        creator = value;
      } else if (key === 'part') {
        parts++;
        // A new part starts from a clean context (KCachegrind does the same).
        object = fnFile = fnObject = file = '';
        fnName = calledName = calledObject = calledFile = null;
        currentFn = -1;
        last.fill(0);
      } else if (key === 'totals') {
        totalsSeen++;
        const t = value.split(/[ \t]+/)[Math.max(0, weightIndex)];
        totalsSum += t ? Number(t) || 0 : 0;
      }
      // version, pid, cmd, thread, desc, summary and unknown keys carry nothing we show.
      continue;
    }
    failAt('is not a callgrind line.', raw);
  }
  if (pending === 'calls')
    fail(`line ${pendingAt} starts a call (calls=), but the file ends there.`);
  if (eventNames === null) fail('it has no `events:` line.');

  const producer: Producer = /^callgrind/i.test(creator)
    ? 'valgrind'
    : /^yappi/i.test(creator)
      ? 'yappi'
      : /pyprof2calltree/i.test(creator) || (!creator && weightName === 'ns')
        ? 'pyprof2calltree'
        : 'other';
  const warnings: string[] = [];
  if (producer === 'valgrind' && totalsSeen < Math.max(1, parts)) {
    fail('it ends before its `totals:` line, so it was cut short.');
  }
  if (undefinedRefs.size) {
    const list = [...undefinedRefs];
    warnings.push(
      `${label} refers to ${list.length} compressed names it never defines (${list.slice(0, 3).join(', ')}${list.length > 3 ? ', ...' : ''}); they are shown as their numbers.`,
    );
  }
  const events = [...allEvents];
  if (events.length > 1) {
    const long = longNames.get(weightName);
    warnings.push(
      `${label} records ${events.length} event types (${events.join(', ')}); Heatlens shows the ` +
        `first, ${weightName}${long ? ` (${long})` : ''}.`,
    );
  }

  let scale = 1;
  let unit: WeightUnit = 'none';
  const weightLong = longNames.get(weightName) ?? '';
  const is = (short: RegExp, long: RegExp): boolean =>
    short.test(weightName) || long.test(weightLong);
  if (producer === 'yappi' && /^ticks$/i.test(weightName)) unit = 'microseconds';
  else if (is(/^ns$/i, /^nanoseconds?$/i)) unit = 'nanoseconds';
  else if (is(/^(?:us|µs)$/i, /^microseconds?$/i)) unit = 'microseconds';
  else if (is(/^ms$/i, /^milliseconds?$/i)) unit = 'milliseconds';
  else if (/\(10ns\)/i.test(weightName)) {
    unit = 'nanoseconds';
    scale = 10;
  }

  const python = producer === 'yappi' || producer === 'pyprof2calltree';
  const builder = new ProfileBuilder();
  const frameOf = fns.map((f) =>
    builder.frame(python ? pythonFrameOf(f, producer) : nativeFrame(f)),
  );

  // Figures per function, merged by frame (two callgrind functions may become one frame).
  const n = fns.length;
  const self = new Float64Array(n);
  const out = new Float64Array(n);
  const calls = new Float64Array(n);
  const selfCalls = new Float64Array(n);
  let whole = 0;
  fns.forEach((f, i) => {
    self[i] = f.self * scale;
    whole += self[i];
  });
  for (const e of edges.values()) {
    calls[e.callee] += e.calls;
    if (frameOf[e.caller] === frameOf[e.callee]) selfCalls[e.callee] += e.calls;
    else out[e.caller] += e.inclusive * scale;
  }
  const byFrame = new Map<
    number,
    { calls: number; primitiveCalls: number; self: number; total: number }
  >();
  fns.forEach((_, i) => {
    const frame = frameOf[i];
    const g = byFrame.get(frame) ?? { calls: 0, primitiveCalls: 0, self: 0, total: 0 };
    g.calls += calls[i];
    g.primitiveCalls += calls[i] - selfCalls[i];
    g.self += self[i];
    g.total = Math.min(whole, g.total + self[i] + out[i]);
    byFrame.set(frame, g);
  });
  const functions: GraphFunction[] = [...byFrame].map(([frame, g]) =>
    Object.freeze({ frame, ...g }),
  );
  const totalOf = new Map(functions.map((f) => [f.frame, f] as const));
  const graphEdges = new Map<string, GraphEdge & { calls: number; self: number; total: number }>();
  for (const e of edges.values()) {
    const caller = frameOf[e.caller];
    const callee = frameOf[e.callee];
    const key = `${caller}:${callee}`;
    const g = graphEdges.get(key) ?? { caller, callee, calls: 0, self: 0, total: 0 };
    g.calls += e.calls;
    g.total += e.inclusive * scale;
    graphEdges.set(key, g);
  }
  for (const g of graphEdges.values()) {
    const f = totalOf.get(g.callee);
    g.self = f && f.total > 0 ? (f.self * Math.min(g.total, f.total)) / f.total : 0;
  }
  const graph = {
    functions,
    edges: [...graphEdges.values()].map((e) => Object.freeze({ ...e })),
  };
  builder.setCallGraph(graph);
  addTreeFromCallGraph(builder, graph);
  if (!python) {
    cells.forEach((table, fn) => {
      if (!table) return;
      for (const [key, cost] of table) {
        const f = fileNames[Math.floor(key / 16777216)];
        if (f && f !== '???') builder.addLine(f, key % 16777216, frameOf[fn], cost * scale);
      }
    });
  }
  if (!costLines && !edges.size) warnings.push(`${label} holds no costs: nothing was recorded.`);
  if (producer === 'valgrind' && weightIndex >= 0 && totalsSum !== whole / scale && !python) {
    warnings.push(
      `${label}: its cost lines add up to ${whole / scale} ${weightName}, its totals: lines to ${totalsSum}.`,
    );
  }
  return builder.build(
    {
      // pyprof2calltree converts cProfile's data; yappi writes its own.
      profiler:
        producer === 'pyprof2calltree' ? 'cprofile' : producer === 'yappi' ? 'yappi' : 'callgrind',
      clock: producer === 'pyprof2calltree' ? 'wall' : 'unknown',
      unit,
      duration: whole,
      sourceFile: source,
      warnings,
    },
    { treeIsApproximate: true },
  );
}

/** A Python function of a yappi or pyprof2calltree file. */
function pythonFrameOf(f: Fn, producer: Producer): Frame {
  let name = f.name;
  let line = f.firstLine;
  if (producer === 'yappi') {
    // yappi names functions `name module:line`, the module being the function's file.
    const m = /:(\d+)$/.exec(name);
    const suffix = m ? ` ${f.file}${m[0]}` : '';
    if (m && name.endsWith(suffix) && name.length > suffix.length) {
      name = name.slice(0, -suffix.length);
      line = Number(m[1]);
    }
  } else {
    // pyprof2calltree appends `:line` to names that two functions of one file share.
    const m = /^(.*\S):(\d+)$/.exec(name);
    if (m) {
      name = m[1];
      line = Number(m[2]);
    }
  }
  return pythonFrame(f.file, line, name);
}

/** A native function of a valgrind (or other) file. */
function nativeFrame(f: Fn): Frame {
  const file = f.file && f.file !== '???' ? f.file : null;
  let kind: FrameKind = 'user';
  if (f.name === '(below main)') kind = 'pseudo';
  else if (/\.so(?:\.[\d.]+)?$|[\\/]ld-linux/.test(f.object) || /^\/(?:usr|lib)\//.test(file ?? ''))
    kind = 'library';
  else if (!file && /^0x[0-9a-f]+$/i.test(f.name)) kind = 'runtime';
  return { name: f.name, file, line1: f.minLine || null, col1: null, kind };
}
