/**
 * Reading the columnar form of a profile (profileColumns.ts) back into a {@link Profile}, for the
 * webview's wire form and the stored-run file alike. Each caller brings its own error (`fail`)
 * and says how much to check: a stored file is hostile input and gets every check an analysis
 * relies on (ids in range, weights finite and not negative, children matching parents, base64
 * well formed); the wire from the extension's own host gets the structural checks that keep an
 * index inside its array (parent order, frame ids, array lengths), which cost nothing on a
 * million-node profile.
 */
import { treeShape } from './callTree';
import type {
  CallGraph,
  CallTree,
  Frame,
  FrameKind,
  GraphEdge,
  GraphFunction,
  LineTable,
  Profile,
  ProfileMeta,
  Samples,
  WeightUnit,
} from './profile';
import { typedFromBytes, type TypedArrayClass } from '../util/typedArrays';

/** Throws the reader's own error with a sentence saying what is wrong. */
export type Fail = (what: string) => never;

/** Options of {@link readProfileColumns}. */
export interface ColumnReadOptions {
  readonly fail: Fail;
  /** `all` for files (hostile input), `structure` for the extension's own wire. */
  readonly checks: 'all' | 'structure';
  /** How a field is named in a message (`"tree.parent"` in a file, `tree.parent` on the wire). */
  readonly field: (path: string) => string;
}

const KINDS: readonly FrameKind[] = ['user', 'library', 'runtime', 'pseudo'];
const UNITS: readonly WeightUnit[] = [
  'microseconds',
  'nanoseconds',
  'milliseconds',
  'seconds',
  'samples',
  'bytes',
  'none',
];
const CLOCKS: readonly ProfileMeta['clock'][] = ['cpu', 'wall', 'unknown'];

const EMPTY_LINES: LineTable = Object.freeze({
  files: Object.freeze([]),
  count: 0,
  file: new Int32Array(0),
  line1: new Int32Array(0),
  frame: new Int32Array(0),
  self: new Float64Array(0),
});

/**
 * A profile from its columns (an object as profileColumns made it, after a trip through JSON or
 * a channel). A missing line table reads as an empty one. Calls `options.fail` on anything that
 * does not fit.
 */
export function readProfileColumns(
  root: Record<string, unknown>,
  options: ColumnReadOptions,
): Profile {
  const r = new ColumnReader(options);
  const fail = options.fail;
  const meta = readMeta(root.meta, fail);
  const frames = readFrames(root.frames, fail);
  const tree = r.tree(root.tree, frames.length);
  const samples = root.samples === undefined ? undefined : r.samples(root.samples, tree);
  const lines = root.lines === undefined ? EMPTY_LINES : r.lines(root.lines, frames.length, tree);
  const callGraph =
    root.callGraph === undefined ? undefined : r.callGraph(root.callGraph, frames.length);
  if (typeof root.treeIsApproximate !== 'boolean') fail('"treeIsApproximate" is not a boolean');
  return Object.freeze({
    meta,
    frames: Object.freeze(frames),
    tree,
    samples,
    lines,
    callGraph,
    treeIsApproximate: root.treeIsApproximate as boolean,
  });
}

/** An object, or a failure naming `what`. */
export function obj(v: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function count(v: unknown, what: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    fail(`${what} is not a count (a whole number, 0 or more)`);
  }
  return v as number;
}

function checkIds(ids: Int32Array, limit: number, what: string, fail: Fail, from = 0): void {
  for (let i = from; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= limit) fail(`${what} #${i} (${ids[i]}) is out of range`);
  }
}

function checkWeights(values: Float64Array, what: string, fail: Fail): void {
  for (let i = 0; i < values.length; i++) {
    // The builder stores no negative or non-finite weights; such a value means damage.
    if (!(values[i] >= 0) || !Number.isFinite(values[i])) fail(`${what} #${i} is ${values[i]}`);
  }
}

function readMeta(v: unknown, fail: Fail): ProfileMeta {
  const m = obj(v, '"meta"', fail);
  if (typeof m.profiler !== 'string') fail('"meta.profiler" is not a string');
  if (!CLOCKS.includes(m.clock as ProfileMeta['clock'])) fail('"meta.clock" is not known');
  if (!UNITS.includes(m.unit as WeightUnit)) fail('"meta.unit" is not a known unit');
  if (!Array.isArray(m.warnings) || m.warnings.some((w) => typeof w !== 'string')) {
    fail('"meta.warnings" is not a list of strings');
  }
  const out: Record<string, unknown> = { ...m };
  for (const key of ['intervalUs', 'sampleCount', 'startEpochMs', 'duration'] as const) {
    // JSON writes NaN and Infinity as null: read that as "not known".
    if (m[key] === null) delete out[key];
    else if (m[key] !== undefined && typeof m[key] !== 'number') {
      fail(`"meta.${key}" is not a number`);
    }
  }
  if (
    m.command !== undefined &&
    (!Array.isArray(m.command) || m.command.some((c) => typeof c !== 'string'))
  ) {
    fail('"meta.command" is not a list of strings');
  }
  if (m.sourceFile !== undefined && typeof m.sourceFile !== 'string') {
    fail('"meta.sourceFile" is not a string');
  }
  // Every other key is kept as written: the model may grow fields this version does not check.
  if (m.command !== undefined) out.command = Object.freeze([...(m.command as string[])]);
  out.warnings = Object.freeze([...(m.warnings as string[])]);
  return Object.freeze(out) as unknown as ProfileMeta;
}

function readFrames(v: unknown, fail: Fail): Frame[] {
  const f = obj(v, '"frames"', fail);
  const { name, file, files, line1, col1, kind } = f;
  if (!Array.isArray(name)) fail('"frames.name" is not a list');
  const n = (name as unknown[]).length;
  for (const [key, list] of Object.entries({ file, line1, col1, kind })) {
    if (!Array.isArray(list) || list.length !== n) {
      fail(`"frames.${key}" is not a list of ${n} entries like "frames.name"`);
    }
  }
  if (!Array.isArray(files) || files.some((s) => typeof s !== 'string')) {
    fail('"frames.files" is not a list of strings');
  }
  const fileList = files as string[];
  const position = (p: unknown, i: number, key: string): number | null => {
    if (p === null) return null;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) {
      fail(`frame #${i} has a ${key} that is neither null nor a 1-based number`);
    }
    return p as number;
  };
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const fi = (file as unknown[])[i];
    if (typeof (name as unknown[])[i] !== 'string') fail(`frame #${i} has no name`);
    if (typeof fi !== 'number' || !Number.isInteger(fi) || fi < -1 || fi >= fileList.length) {
      fail(`frame #${i} names file ${String(fi)}, which is not in "frames.files"`);
    }
    const k = (kind as unknown[])[i] as FrameKind;
    if (!KINDS.includes(k)) fail(`frame #${i} has an unknown kind ${JSON.stringify(k)}`);
    frames.push(
      Object.freeze({
        name: (name as string[])[i],
        file: (fi as number) === -1 ? null : fileList[fi as number],
        line1: position((line1 as unknown[])[i], i, 'line'),
        col1: position((col1 as unknown[])[i], i, 'column'),
        kind: k,
      }),
    );
  }
  return frames;
}

/** Reads the typed columns, with the checks the options ask for. */
class ColumnReader {
  private readonly fail: Fail;
  private readonly all: boolean;
  private readonly field: (path: string) => string;

  constructor(options: ColumnReadOptions) {
    this.fail = options.fail;
    this.all = options.checks === 'all';
    this.field = options.field;
  }

  /** A typed array of `length` elements; fails when the byte count does not match. */
  private typed<T extends Int32Array | Float64Array>(
    v: unknown,
    make: TypedArrayClass<T>,
    length: number,
    path: string,
  ): T {
    const what = this.field(path);
    // A file is JSON: its columns are base64 text, checked before decoding.
    if (this.all && (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))) {
      this.fail(`${what} is not base64`);
    }
    const result = typedFromBytes(make, v, length);
    if ('wrong' in result) {
      if (result.wrong === 'not bytes') this.fail(`${what} is neither bytes nor base64`);
      else this.fail(`${what} holds ${result.bytes} bytes where ${length} numbers were announced`);
    }
    return result as T;
  }

  tree(v: unknown, frameCount: number): CallTree {
    const fail = this.fail;
    const t = obj(v, '"tree"', fail);
    const n = count(t.size, '"tree.size"', fail);
    if (n < 1) fail('the call tree has no root');
    const parent = this.typed(t.parent, Int32Array, n, 'tree.parent');
    const frame = this.typed(t.frame, Int32Array, n, 'tree.frame');
    const self = this.typed(t.self, Float64Array, n, 'tree.self');
    const children = this.typed(t.children, Int32Array, n - 1, 'tree.children');
    if (parent[0] !== -1 || frame[0] !== -1) fail('node 0 of the call tree is not the root');
    for (let i = 1; i < n; i++) {
      if (parent[i] < 0 || parent[i] >= i) {
        fail(`node ${i} of the call tree has parent ${parent[i]}`);
      }
    }
    checkIds(frame, frameCount, 'the frame of tree node', fail, 1);
    if (this.all) checkWeights(self, 'the self weight of tree node', fail);
    // Derived as freezeTree derives them, so totals are bit-identical.
    const { total, depth, childCount, childStart } = treeShape(parent, self);
    if (this.all) checkChildren(children, parent, total, childStart, childCount, fail);
    return { size: n, parent, frame, self, total, depth, childStart, childCount, children };
  }

  samples(v: unknown, tree: CallTree): Samples {
    const s = obj(v, '"samples"', this.fail);
    const n = count(s.count, '"samples.count"', this.fail);
    const node = this.typed(s.node, Int32Array, n, 'samples.node');
    const weight = this.typed(s.weight, Float64Array, n, 'samples.weight');
    const start = this.typed(s.start, Float64Array, n, 'samples.start');
    if (this.all) {
      checkIds(node, tree.size, 'the node of sample', this.fail);
      checkWeights(weight, 'the weight of sample', this.fail);
    }
    return { count: n, node, weight, start };
  }

  lines(v: unknown, frameCount: number, tree: CallTree): LineTable {
    const fail = this.fail;
    const l = obj(v, '"lines"', fail);
    if (!Array.isArray(l.files) || l.files.some((s) => typeof s !== 'string')) {
      fail('"lines.files" is not a list of strings');
    }
    const files = Object.freeze([...(l.files as string[])]);
    const n = count(l.count, '"lines.count"', fail);
    const file = this.typed(l.file, Int32Array, n, 'lines.file');
    const line1 = this.typed(l.line1, Int32Array, n, 'lines.line1');
    const frame = this.typed(l.frame, Int32Array, n, 'lines.frame');
    const self = this.typed(l.self, Float64Array, n, 'lines.self');
    checkIds(file, files.length, 'the file of line entry', fail);
    checkIds(frame, frameCount, 'the frame of line entry', fail);
    for (let i = 0; i < n; i++) if (line1[i] < 1) fail(`line entry #${i} has line ${line1[i]}`);
    checkWeights(self, 'the self weight of line entry', fail);
    const table: { -readonly [K in keyof LineTable]: LineTable[K] } = {
      files,
      count: n,
      file,
      line1,
      frame,
      self,
    };
    if (l.external !== undefined) {
      table.external = this.typed(l.external, Float64Array, n, 'lines.external');
      checkWeights(table.external, 'the external weight of line entry', fail);
    }
    if (l.perNode !== undefined) {
      const p = obj(l.perNode, '"lines.perNode"', fail);
      const m = count(p.count, '"lines.perNode.count"', fail);
      const node = this.typed(p.node, Int32Array, m, 'lines.perNode.node');
      const pFile = this.typed(p.file, Int32Array, m, 'lines.perNode.file');
      const pLine = this.typed(p.line1, Int32Array, m, 'lines.perNode.line1');
      const pSelf = this.typed(p.self, Float64Array, m, 'lines.perNode.self');
      checkIds(node, tree.size, 'the node of per-node line entry', fail);
      checkIds(pFile, files.length, 'the file of per-node line entry', fail);
      for (let i = 0; i < m; i++) {
        if (pLine[i] < 1) fail(`per-node line entry #${i} has line ${pLine[i]}`);
      }
      checkWeights(pSelf, 'the self weight of per-node line entry', fail);
      table.perNode = { count: m, node, file: pFile, line1: pLine, self: pSelf };
    }
    return table;
  }

  callGraph(v: unknown, frameCount: number): CallGraph {
    const fail = this.fail;
    const g = obj(v, '"callGraph"', fail);
    const f = obj(g.functions, '"callGraph.functions"', fail);
    const e = obj(g.edges, '"callGraph.edges"', fail);
    const nf = count(f.count, '"callGraph.functions.count"', fail);
    const ne = count(e.count, '"callGraph.edges.count"', fail);
    const fn = (key: string) => this.typed(f[key], Float64Array, nf, `callGraph.functions.${key}`);
    const ed = (key: string) => this.typed(e[key], Float64Array, ne, `callGraph.edges.${key}`);
    const fFrame = this.typed(f.frame, Int32Array, nf, 'callGraph.functions.frame');
    const [fCalls, fPrim, fSelf, fTotal] = ['calls', 'primitiveCalls', 'self', 'total'].map(fn);
    const eCaller = this.typed(e.caller, Int32Array, ne, 'callGraph.edges.caller');
    const eCallee = this.typed(e.callee, Int32Array, ne, 'callGraph.edges.callee');
    const eCalls = ed('calls');
    // Runs written before edges kept their primitive calls have none.
    const ePrim = e.primitiveCalls === undefined ? undefined : ed('primitiveCalls');
    const eSelf = ed('self');
    const eTotal = ed('total');
    checkIds(fFrame, frameCount, 'the frame of call-graph function', fail);
    checkIds(eCaller, frameCount, 'the caller of call-graph edge', fail);
    checkIds(eCallee, frameCount, 'the callee of call-graph edge', fail);
    // Call-graph figures are kept as the importer stored them (NaN included): they are the
    // producer's own numbers, and the run must read back as it was shown.
    const functions: GraphFunction[] = [];
    for (let i = 0; i < nf; i++) {
      functions.push(
        Object.freeze({
          frame: fFrame[i],
          calls: fCalls[i],
          primitiveCalls: fPrim[i],
          self: fSelf[i],
          total: fTotal[i],
        }),
      );
    }
    const edges: GraphEdge[] = [];
    for (let i = 0; i < ne; i++) {
      edges.push(
        Object.freeze({
          caller: eCaller[i],
          callee: eCallee[i],
          calls: eCalls[i],
          ...(ePrim && !Number.isNaN(ePrim[i]) && { primitiveCalls: ePrim[i] }),
          self: eSelf[i],
          total: eTotal[i],
        }),
      );
    }
    return { functions, edges };
  }
}

/**
 * Checks that the stored children list every node once, under its parent, and puts them heaviest
 * first where a damaged file's weights no longer match its order (the model promises that order).
 */
function checkChildren(
  children: Int32Array,
  parent: Int32Array,
  total: Float64Array,
  childStart: Int32Array,
  childCount: Int32Array,
  fail: Fail,
): void {
  const n = parent.length;
  const seen = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const from = childStart[p];
    const to = from + childCount[p];
    for (let k = from; k < to; k++) {
      const c = children[k];
      if (c < 1 || c >= n || parent[c] !== p || seen[c]) {
        fail(`the children of tree node ${p} do not match the parents of the nodes`);
      }
      seen[c] = 1;
    }
    for (let k = from + 1; k < to; k++) {
      if (total[children[k - 1]] < total[children[k]]) {
        const sorted = Array.from(children.subarray(from, to)).sort(
          (a, b) => total[b] - total[a] || a - b,
        );
        children.set(sorted, from);
        break;
      }
    }
  }
}
