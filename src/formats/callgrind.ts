/**
 * callgrind files (docs/FORMATS.md, "callgrind"; valgrind's manual, "Callgrind Format
 * Specification"): valgrind's `--tool=callgrind`, yappi's `save(type="callgrind")` and
 * pyprof2calltree's output.
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
 *   `--separate-recs`, on by default) are merged into the function they repeat, so recursion
 *   shows as a self-edge; the levels still decide the figures (callgrindParser.ts). Calls of a
 *   function are the calls on its incoming edges (callgrind counts calls only there), its
 *   primitive calls those into its outermost level. In valgrind's files a function's total is
 *   what `callgrind_annotate --inclusive=yes` gives its outermost level: the inclusive cost of
 *   the calls into it, or, for a function nothing calls, its self cost plus the calls it made
 *   there; exact, recursion direct or mutual included, whenever valgrind separated the levels.
 *   An edge's total adds only calls not nested in a call of the same pair (what cProfile
 *   records). Files without levels (yappi, pyprof2calltree) give a function its self cost plus
 *   the inclusive cost of its calls to others, capped at the whole: exact without mutual
 *   recursion, an overestimate inside a cycle of several functions. An edge's self cost is not
 *   in the format: it is estimated as the callee's self times the edge's share of the callee's
 *   total.
 * - Costs and call counts past 2^64 (no 64-bit counter holds them) are damage: they count as 0,
 *   with a warning, so that no total becomes infinite.
 * - valgrind's cost lines become the line table (self cost per source line, `fi=`/`fe=` inlined
 *   files included). yappi and pyprof2calltree put each function's whole self time on its `def`
 *   line, which is not line-level data, so their files get no line table; their function lines
 *   come from the name (`name file:line` for yappi, `name:line` where pyprof2calltree
 *   disambiguates) or from that cost line. For native code the line of a function is the first
 *   line of its own file that has a cost (near the signature with gcc -g), an approximation.
 * - The tree is derived from the call graph and flagged as approximate (core/callGraphTree.ts).
 */
import { CallGraphBuilder } from '../core/callGraphBuilder';
import { stronglyConnected } from '../core/graphCycles';
import {
  ProfileBuilder,
  type Frame,
  type FrameKind,
  type Profile,
  type WeightUnit,
} from '../core/profile';
import { CallgrindParser } from './callgrindParser';
import type { CallgrindFunction } from './callgrindTables';
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

/**
 * Reads a callgrind file into a profile: the call graph with exact per-function self costs and
 * per-edge calls and inclusive costs, the line table where the producer records real lines, and
 * an approximate tree. Throws a {@link ProfileFormatError} naming the file when the text is not a
 * readable callgrind file (garbage, no `events:` line, a malformed line, a file cut short).
 */
export function importCallgrind(text: string, options: CallgrindOptions = {}): Profile {
  return importCallgrindPieces([text], options);
}

/**
 * {@link importCallgrind} over the file's text in pieces that each end at a line end (the last
 * may not): for files too large for one string, decoded by byteLines.ts's `bytePieces`.
 */
export function importCallgrindPieces(
  pieces: Iterable<string>,
  options: CallgrindOptions = {},
): Profile {
  const parser = new CallgrindParser(options.sourceFile);
  for (const piece of pieces) parser.feed(piece);
  parser.finish();
  return callgrindProfile(parser, options.sourceFile);
}

/** {@link importCallgrind} over lines given one at a time (a trailing `\r` is ignored). */
export function importCallgrindLines(
  lines: Iterable<string>,
  options: CallgrindOptions = {},
): Profile {
  const parser = new CallgrindParser(options.sourceFile);
  for (const line of lines) parser.feedLine(line);
  parser.finish();
  return callgrindProfile(parser, options.sourceFile);
}

function producerOf(parser: CallgrindParser): Producer {
  const { creator, weightName } = parser.header;
  if (/^callgrind/i.test(creator)) return 'valgrind';
  if (/^yappi/i.test(creator)) return 'yappi';
  if (/pyprof2calltree/i.test(creator) || (!creator && weightName === 'ns'))
    return 'pyprof2calltree';
  return 'other';
}

/** The unit of the weight, and the factor that converts costs to it. */
function unitOf(parser: CallgrindParser, producer: Producer): { unit: WeightUnit; scale: number } {
  const { weightName, longNames } = parser.header;
  const long = longNames.get(weightName) ?? '';
  const is = (short: RegExp, full: RegExp): boolean => short.test(weightName) || full.test(long);
  if (producer === 'yappi' && /^ticks$/i.test(weightName))
    return { unit: 'microseconds', scale: 1 };
  if (is(/^ns$/i, /^nanoseconds?$/i)) return { unit: 'nanoseconds', scale: 1 };
  if (is(/^(?:us|µs)$/i, /^microseconds?$/i)) return { unit: 'microseconds', scale: 1 };
  if (is(/^ms$/i, /^milliseconds?$/i)) return { unit: 'milliseconds', scale: 1 };
  if (/\(10ns\)/i.test(weightName)) return { unit: 'nanoseconds', scale: 10 };
  return { unit: 'none', scale: 1 };
}

/** What the reader should know about the file's header and names. */
function headerWarnings(parser: CallgrindParser, label: string): string[] {
  const warnings: string[] = [];
  const { allEvents, weightName, longNames } = parser.header;
  if (parser.undefinedRefs.size) {
    const list = [...parser.undefinedRefs];
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
  if (parser.hugeNumbers) {
    warnings.push(
      `${label} holds ${parser.hugeNumbers} costs or call counts larger than a 64-bit counter ` +
        `(the first at line ${parser.firstHugeLine}); they count as 0. The file may be damaged.`,
    );
  }
  return warnings;
}

function callgrindProfile(parser: CallgrindParser, source: string | undefined): Profile {
  const label = source ?? 'The profile';
  const producer = producerOf(parser);
  const h = parser.header;
  if (producer === 'valgrind' && h.totalsSeen < Math.max(1, h.parts)) {
    parser.fail('it ends before its `totals:` line, so it was cut short.');
  }
  const warnings = headerWarnings(parser, label);
  const { unit, scale } = unitOf(parser, producer);
  const python = producer === 'yappi' || producer === 'pyprof2calltree';
  const builder = new ProfileBuilder();
  const frameOf = parser.fns.map((f) =>
    builder.frame(python ? pythonFrameOf(f, producer) : nativeFrame(f)),
  );
  const whole = addCallGraph(parser, builder, frameOf, scale, producer === 'valgrind');
  if (!python) addLines(parser, builder, frameOf, scale);
  if (!parser.costLines && !parser.edges.count)
    warnings.push(`${label} holds no costs: nothing was recorded.`);
  if (producer === 'valgrind' && h.weightIndex >= 0 && h.totalsSum !== whole / scale) {
    warnings.push(
      `${label}: its cost lines add up to ${whole / scale} ${h.weightName}, its totals: lines to ${h.totalsSum}.`,
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

/**
 * The call graph, one function per frame (see the module comment for the figures), handed to
 * core with the tree derived from it. `levels`: the file is valgrind's, whose recursion levels
 * make totals exact. Returns the whole run: the sum of the self costs.
 */
function addCallGraph(
  parser: CallgrindParser,
  builder: ProfileBuilder,
  frameOf: readonly number[],
  scale: number,
  levels: boolean,
): number {
  const { fns, edges } = parser;
  const n = fns.length;
  const calls = new Float64Array(n);
  const primitive = new Float64Array(n);
  const into = new Float64Array(n);
  const intoRecords = new Int32Array(n);
  const out = new Float64Array(n);
  for (let e = 0; e < edges.count; e++) {
    const caller = edges.caller.data[e];
    const callee = edges.callee.data[e];
    calls[callee] += edges.calls.data[e];
    if (levels) {
      primitive[callee] += edges.primitive.data[e];
      into[callee] += edges.intoOuter.data[e];
      intoRecords[callee] += edges.intoOuterRecords.data[e];
      out[caller] += edges.fromOuter.data[e];
    } else if (frameOf[caller] === frameOf[callee]) {
      primitive[callee] -= edges.calls.data[e];
    } else {
      out[caller] += edges.inclusive.data[e];
    }
  }
  let whole = 0;
  for (const f of fns) whole += f.self * scale;
  const caps = cycleCaps(parser);
  const graph = new CallGraphBuilder(builder);
  const fnOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = fns[i];
    // With levels: the calls into the outermost level, or what it did when nothing called it.
    const estimate = !levels
      ? f.self + out[i]
      : intoRecords[i] > 0
        ? into[i]
        : f.selfOuter + out[i];
    const total = Math.min(estimate, caps[i]);
    fnOf[i] = graph.functionOf(frameOf[i]);
    graph.addFunction(
      fnOf[i],
      calls[i],
      levels ? primitive[i] : calls[i] + primitive[i],
      f.self * scale,
      total * scale,
    );
  }
  for (let fn = 0; fn < graph.functionCount; fn++) {
    graph.setTotal(fn, Math.min(whole, graph.functionFigures(fn).total));
  }
  for (let e = 0; e < edges.count; e++) {
    graph.addEdge(
      fnOf[edges.caller.data[e]],
      fnOf[edges.callee.data[e]],
      edges.calls.data[e],
      0,
      (levels ? edges.outer.data[e] : edges.inclusive.data[e]) * scale,
    );
  }
  // An edge's self cost: the callee's self times the edge's share of the callee's total.
  graph.forEachEdge((caller, callee, _calls, _self, total) => {
    const f = graph.functionFigures(callee);
    graph.setEdgeSelf(
      caller,
      callee,
      f.total > 0 ? (f.self * Math.min(total, f.total)) / f.total : 0,
    );
  });
  graph.finish();
  return whole;
}

/**
 * Per function, the most its total can be when the file does not tell its recursion levels and
 * it calls itself through others (it shares a cycle of the graph with them): the inclusive cost
 * of the calls that enter the cycle from outside, the time the cycle was on the stack (Infinity
 * for the others). Without levels, the calls inside a cycle nest in one another and their sum
 * counts the same time many times; this bound keeps such a total within the run.
 */
function cycleCaps(parser: CallgrindParser): Float64Array {
  const { fns, edges } = parser;
  const caps = new Float64Array(fns.length).fill(Infinity);
  if (!fns.some((f) => !f.leveled)) return caps;
  const { component, size } = stronglyConnected(
    fns.length,
    edges.caller.data,
    edges.callee.data,
    edges.count,
  );
  const entry = new Float64Array(size.length);
  for (let e = 0; e < edges.count; e++) {
    const a = component[edges.caller.data[e]];
    const b = component[edges.callee.data[e]];
    if (a !== b) entry[b] += edges.inclusive.data[e];
  }
  fns.forEach((f, i) => {
    const c = component[i];
    if (size[c] > 1 && !f.leveled && entry[c] > 0) caps[i] = entry[c];
  });
  return caps;
}

/** valgrind's cost lines as the line table (self cost per source line). */
function addLines(
  parser: CallgrindParser,
  builder: ProfileBuilder,
  frameOf: readonly number[],
  scale: number,
): void {
  parser.cells.forEach((table, fn) => {
    if (!table) return;
    for (const [key, cost] of table) {
      const f = parser.pool.text[Math.floor(key / 16777216)];
      if (f && f !== '???') builder.addLine(f, key % 16777216, frameOf[fn], cost * scale);
    }
  });
}

/** A Python function of a yappi or pyprof2calltree file. */
function pythonFrameOf(f: CallgrindFunction, producer: Producer): Frame {
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
function nativeFrame(f: CallgrindFunction): Frame {
  const file = f.file && f.file !== '???' ? f.file : null;
  let kind: FrameKind = 'user';
  if (f.name === '(below main)') kind = 'pseudo';
  else if (/\.so(?:\.[\d.]+)?$|[\\/]ld-linux/.test(f.object) || /^\/(?:usr|lib)\//.test(file ?? ''))
    kind = 'library';
  else if (!file && /^0x[0-9a-f]+$/i.test(f.name)) kind = 'runtime';
  return { name: f.name, file, line1: f.minLine || null, col1: null, kind };
}
