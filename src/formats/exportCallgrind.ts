/**
 * Writes a profile in callgrind format (docs/FORMATS.md, "callgrind"; valgrind's "Callgrind Format
 * Specification"), for KCachegrind / QCachegrind and for our own importer (callgrind.ts).
 *
 * What is written:
 *
 * - One block per function of exportGraph.ts (a call graph as the model holds it, or the graph a
 *   sampled tree implies): `fl=`, `fn=`, its self cost on cost lines, then one `cfl=`/`cfn=`/
 *   `calls=<count> <callee line>` and a cost line with the inclusive cost per callee. Names and
 *   files use name compression (`fn=(3) name` once, `fn=(3)` afterwards).
 * - Costs are integers, as the format wants: times in nanoseconds (`events: ns`; exact for
 *   nanosecond, microsecond and millisecond weights that are whole numbers, else rounded to the
 *   nanosecond, and for seconds exact to the nanosecond, which is cProfile's own resolution);
 *   other units as whole numbers, scaled by 1000s only when a weight has a fraction (named in
 *   the `event:` line). Each function's self cost lines are rounded as a running sum, so they
 *   add up to its self weight rounded once.
 * - A function's self cost goes on its definition line; where the model has line weights for
 *   it (V8 position ticks, valgrind's lines) that add up to no more than its self weight, they
 *   are written per line (`fi=` for lines in another file) and only the rest goes on the
 *   definition line. Heatlens' Python sampler also counts library time on the caller's line, so
 *   such lines add up to more than the function's self: they are left out rather than inflate
 *   it.
 * - Calls: a call graph's counts exactly per edge. callgrind has no place for calls from no
 *   caller (a program's outermost call): readers see those functions with the calls of their
 *   callers only, as with pyprof2calltree's files. Sampled trees get the call counts of
 *   exportGraph.ts (tree nodes). The call's cost line sits on the caller's definition line (the
 *   model has no call sites).
 * - A function's total is not in the format: readers (KCachegrind, ours) take its self cost plus
 *   the inclusive costs of its calls to other functions. That is exactly the total for a tree;
 *   for a call graph with recursion through several functions, the graph's edge figures are
 *   written as they are and a reader's total can differ from the recorded one, as it would for
 *   the profiler's own callgrind output.
 *
 * Function identity: callgrind readers tell functions apart by file and name only, so two
 * functions of one file with one name (Python's `<genexpr>`, `__init__` of two classes, V8's
 * `value` getters in node:internal) would merge. They are written as `name:line`, the convention
 * of pyprof2calltree, which our importer (and pyprof2calltree's users) read back as name and
 * line. Our importer applies that convention to files without a `creator:` line whose event is
 * `ns`, and then reads frames the Python way (`~` for no file) and keeps no line table; so time
 * profiles of Python, and time profiles with such name clashes, are written that way. Other
 * profiles (valgrind's instruction counts, JavaScript without clashes, collapsed sample counts)
 * get `creator: heatlens` and `???` for no file, valgrind's conventions, and keep their line
 * weights through a round trip; a name clash there is still written as `name:line`, which then
 * stays in the name.
 */
import type { Profile } from '../core/profile';
import { exportGraph, type ExportEdge, type ExportFunction, type ExportGraph } from './exportGraph';
import { ExportRangeError, MAX_EXACT, integerScale, timeFactor } from './exportUnits';

const PY_FILE = /\.py[wc]?$|^<frozen |^<string>$/;
/** A name our importer (pyprof2calltree's convention) would split into name and line. */
const NAME_WITH_LINE = /^(.*\S):(\d+)$/;

/** Makes a name or file fit on one callgrind line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/** The callgrind text of `profile` (see the file comment). */
export function exportCallgrind(profile: Profile): string {
  const graph = exportGraph(profile);
  const { functions, edges } = graph;
  const unit = profile.meta.unit;
  const ns = timeFactor(unit, 'nanoseconds');
  const clash = nameClashes(functions);
  const python = ns !== null && writesPython(profile, functions, clash.includes(true));
  const linesOf = lineWeightsByFunction(profile, graph);

  const scale =
    ns ??
    integerScale(
      (function* () {
        for (const f of functions) yield f.self;
        for (const e of edges) yield e.inclusive;
        for (const list of linesOf.values()) for (const l of list) yield l.weight;
      })(),
    );
  const out = headerLines(profile, python, ns !== null, scale);

  const fileIds = new Map<string, number>();
  const fileRef = (file: string): string => {
    const known = fileIds.get(file);
    if (known !== undefined) return `(${known})`;
    const id = fileIds.size + 1;
    fileIds.set(file, id);
    return `(${id}) ${oneLine(file)}`;
  };
  const fileOf = (f: ExportFunction): string => f.file ?? (python ? '~' : '???');
  const nameIds: string[] = functions.map((f, fn) => {
    // A name that already ends in `:digits` would lose them to our importer in Python mode.
    const needsLine = clash[fn] || (python && NAME_WITH_LINE.test(f.name));
    return oneLine(needsLine ? `${f.name}:${f.line1 ?? 0}` : f.name);
  });
  const nameDefined = new Uint8Array(functions.length);
  const nameRef = (fn: number): string => {
    if (nameDefined[fn]) return `(${fn + 1})`;
    nameDefined[fn] = 1;
    return `(${fn + 1}) ${nameIds[fn]}`;
  };

  const callsOf: number[][] = functions.map(() => []);
  edges.forEach((e, i) => callsOf[e.caller].push(i));
  const inclusive = graph.fromTree
    ? edges.map((e) => e.inclusive)
    : inclusiveForTotals(functions, edges, callsOf);
  const whole = (x: number): number => {
    const v = Math.round(x * scale);
    if (v > MAX_EXACT) throw new ExportRangeError('callgrind', `a cost of ${v}`);
    return v > 0 ? v : 0;
  };

  let totals = 0;
  functions.forEach((f, fn) => {
    const own = fileOf(f);
    const def = f.line1 ?? 0;
    out.push(`fl=${fileRef(own)}`, `fn=${nameRef(fn)}`);
    // The self cost lines: the rest on the definition line first (readers take a function's
    // line from there), then the line weights.
    const { detail, written } = selfLineWeights(f, linesOf.get(fn) ?? [], python);
    let running = 0;
    let previous = 0;
    const emit = (weight: number): number => {
      running += weight;
      const now = whole(running);
      const cost = Math.max(0, now - previous);
      previous = now;
      return cost;
    };
    out.push(`${def} ${emit(Math.max(0, f.self - written))}`);
    let current = own;
    for (const l of detail) {
      if (l.file !== current) {
        out.push(`fi=${fileRef(l.file)}`);
        current = l.file;
      }
      out.push(`${l.line1} ${emit(l.weight)}`);
    }
    if (current !== own) out.push(`fi=${fileRef(own)}`);
    totals += previous;
    for (const i of callsOf[fn]) {
      const e = edges[i];
      const callee = functions[e.callee];
      out.push(
        `cfl=${fileRef(fileOf(callee))}`,
        `cfn=${nameRef(e.callee)}`,
        `calls=${Math.max(0, Math.round(e.calls))} ${callee.line1 ?? 0}`,
        `${def} ${whole(inclusive[i])}`,
      );
    }
    out.push('');
  });
  out.push(`totals: ${totals}`, '');
  return out.join('\n');
}

/** Per function, whether another function shares its file and its name. */
function nameClashes(functions: readonly ExportFunction[]): boolean[] {
  const sameName = new Map<string, number>();
  const fileAndName = (f: ExportFunction) => `${f.file ?? ''}\u0000${f.name}`;
  for (const f of functions) sameName.set(fileAndName(f), (sameName.get(fileAndName(f)) ?? 0) + 1);
  return functions.map((f) => (sameName.get(fileAndName(f)) ?? 0) > 1);
}

/**
 * Whether a time profile is written the pyprof2calltree way (see the file comment): when names
 * clash, when a Python profiler wrote it, or when most of its files are Python's.
 */
function writesPython(
  profile: Profile,
  functions: readonly ExportFunction[],
  clashes: boolean,
): boolean {
  let pyFiles = 0;
  let files = 0;
  for (const f of functions) {
    if (f.file === null) continue;
    files++;
    if (PY_FILE.test(f.file)) pyFiles++;
  }
  return (
    clashes ||
    /^(?:cprofile|yappi|heatlens-sampler)$/.test(profile.meta.profiler) ||
    (files > 0 && pyFiles * 2 > files)
  );
}

interface LineWeight {
  file: string;
  line1: number;
  weight: number;
}

/** The model's line weights per function of the graph. */
function lineWeightsByFunction(profile: Profile, graph: ExportGraph): Map<number, LineWeight[]> {
  const linesOf = new Map<number, LineWeight[]>();
  const { lines } = profile;
  for (let i = 0; i < lines.count; i++) {
    const fn = graph.functionOfFrame[lines.frame[i]];
    if (fn === undefined || fn < 0) continue;
    let list = linesOf.get(fn);
    if (!list) linesOf.set(fn, (list = []));
    list.push({ file: lines.files[lines.file[i]], line1: lines.line1[i], weight: lines.self[i] });
  }
  return linesOf;
}

/** The file's opening lines, down to the blank line before the first function. */
function headerLines(profile: Profile, python: boolean, time: boolean, scale: number): string[] {
  const unit = profile.meta.unit;
  const eventName = time
    ? 'ns'
    : unit === 'samples'
      ? 'Samples'
      : unit === 'bytes'
        ? 'Bytes'
        : 'Cost';
  const eventLong = time
    ? 'nanoseconds'
    : `${unit === 'none' ? 'cost' : unit}${scale === 1 ? '' : ` x ${scale}`}`;
  const out: string[] = ['# callgrind format', 'version: 1'];
  if (!python) out.push('creator: heatlens');
  else out.push('# written by Heatlens; names and built-ins follow pyprof2calltree');
  if (profile.meta.command?.length) out.push(`cmd: ${oneLine(profile.meta.command.join(' '))}`);
  else if (profile.meta.sourceFile) out.push(`cmd: ${oneLine(profile.meta.sourceFile)}`);
  out.push('positions: line', `event: ${eventName} : ${eventLong}`, `events: ${eventName}`, '');
  return out;
}

/**
 * The line weights written as a function's own cost lines (`written`, their sum), own file
 * first, then the others, each by line: none when they add up to more than its self weight, and
 * none that a reader would take for its definition line.
 */
function selfLineWeights(
  f: ExportFunction,
  list: readonly LineWeight[],
  python: boolean,
): { detail: LineWeight[]; written: number } {
  const def = f.line1 ?? 0;
  const detail: LineWeight[] = [];
  let covered = 0;
  for (const l of list) covered += l.weight;
  if (list.length && covered <= f.self * (1 + 1e-9)) {
    for (const l of list) {
      const inOwnFile = l.file === f.file;
      // A line before the definition (or any line of a function without one) in the
      // function's own file would be taken for its definition line.
      if (inOwnFile && (def === 0 || (!python && l.line1 < def))) continue;
      detail.push(l);
    }
  }
  let written = 0;
  for (const l of detail) written += l.weight;
  detail.sort((a, b) =>
    a.file === b.file
      ? a.line1 - b.line1
      : a.file === f.file
        ? -1
        : b.file === f.file
          ? 1
          : a.file < b.file
            ? -1
            : 1,
  );
  return { detail, written };
}

/**
 * The strongly connected components of the call graph (self-edges aside): component id per
 * function. Iterative Tarjan, so that deep graphs do not overflow the JavaScript stack.
 */
function components(count: number, edges: readonly ExportEdge[], callsOf: number[][]): Int32Array {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const component = new Int32Array(count).fill(-1);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  let next = 0;
  let components = 0;
  for (let root = 0; root < count; root++) {
    if (index[root] >= 0) continue;
    // Frames of the walk: a function and the position in its out-edges.
    const walk: Array<[number, number]> = [[root, 0]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (walk.length) {
      const top = walk[walk.length - 1];
      const [v, k] = top;
      if (k < callsOf[v].length) {
        top[1]++;
        const w = edges[callsOf[v][k]].callee;
        if (w === v) continue;
        if (index[w] < 0) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          walk.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      walk.pop();
      if (walk.length) {
        const u = walk[walk.length - 1][0];
        low[u] = Math.min(low[u], low[v]);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components++;
      }
    }
  }
  return component;
}

/**
 * The inclusive cost to write per edge of a recorded call graph. A callgrind reader takes a
 * function's total as its self cost plus the inclusive costs of its calls to other functions.
 * That holds for a profiler's own figures except inside recursion through several functions
 * (`a -> b -> a`): there the edge `a -> b` already holds the nested `a`, whose time `a`'s own
 * figures hold too, so the sum exceeds `a`'s total. For such functions, the edges to functions
 * of the same cycle (where the double count is) are scaled down by the excess, so the reader
 * gets the recorded total back; every other edge is written as recorded. (A function whose
 * total exceeds that sum, yappi's time in code it does not profile, keeps its edges: nothing
 * in the format can carry the difference.)
 */
function inclusiveForTotals(
  functions: readonly ExportFunction[],
  edges: readonly ExportEdge[],
  callsOf: number[][],
): number[] {
  const result = edges.map((e) => e.inclusive);
  const component = components(functions.length, edges, callsOf);
  functions.forEach((f, fn) => {
    let out = 0;
    let inCycle = 0;
    for (const i of callsOf[fn]) {
      const callee = edges[i].callee;
      if (callee === fn) continue;
      out += result[i];
      if (component[callee] === component[fn]) inCycle += result[i];
    }
    const excess = f.self + out - f.total;
    if (!(excess > 1e-12 * Math.max(1, f.total)) || !(inCycle > 0)) return;
    const keep = Math.max(0, inCycle - excess) / inCycle;
    for (const i of callsOf[fn]) {
      const callee = edges[i].callee;
      if (callee !== fn && component[callee] === component[fn]) result[i] *= keep;
    }
  });
  return result;
}
