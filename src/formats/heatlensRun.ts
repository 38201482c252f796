/**
 * Heatlens' own file format for stored runs (`.heatlens.json`): a faithful copy of a
 * {@link Profile}, every field of the model, so that a run reopened from the history shows exactly
 * what it showed when it was made.
 *
 * JSON with the typed arrays as base64 of their little-endian bytes (exact, and about a third
 * larger than binary; the run history gzips the file). Frames travel as parallel arrays with file
 * names interned. Of the call tree, parent, frame, self and children are stored; totals, depths
 * and child ranges are recomputed on reading exactly as the builder computes them (the same
 * additions in the same order), so they cannot disagree with the rest. The first key is
 * `"format": "heatlens-run"` so that the format is recognisable from the first bytes.
 *
 * Reading validates everything an analysis indexes with (node, frame and file ids, parent order,
 * array lengths), so a damaged file fails with a {@link ProfileFormatError} that names it instead
 * of crashing a view later.
 */
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
} from '../core/profile';
import { treeShape } from '../core/callTree';
import { base64ToBytes, bytesToBase64 } from '../shared/wire';
import { ProfileFormatError } from './errors';

/** The value of the `format` key. */
export const HEATLENS_RUN_FORMAT = 'heatlens-run';
/** The version this code writes; it reads this one and older ones. */
export const HEATLENS_RUN_VERSION = 1;
/** The file name extension of a stored run. */
export const HEATLENS_RUN_EXTENSION = '.heatlens.json';

/** The JSON shape of a stored run (version 1). Typed arrays are base64 strings. */
interface RunFileV1 {
  format: typeof HEATLENS_RUN_FORMAT;
  version: 1;
  meta: ProfileMeta;
  treeIsApproximate: boolean;
  frames: {
    name: string[];
    /** Index into `files`, or -1 for no file. */
    file: number[];
    files: string[];
    /** null for unknown. */
    line1: (number | null)[];
    col1: (number | null)[];
    kind: FrameKind[];
  };
  tree: { size: number; parent: string; frame: string; self: string; children: string };
  samples?: { count: number; node: string; weight: string; start: string };
  lines: {
    files: string[];
    count: number;
    file: string;
    line1: string;
    frame: string;
    self: string;
    /** Time below each line in code outside the user's (optional: older runs lack it). */
    external?: string;
    /** The same weights per tree node (optional: V8 profiles only). */
    perNode?: { count: number; node: string; file: string; line1: string; self: string };
  };
  callGraph?: {
    functions: {
      count: number;
      frame: string;
      calls: string;
      primitiveCalls: string;
      self: string;
      total: string;
    };
    edges: {
      count: number;
      caller: string;
      callee: string;
      calls: string;
      /** Per-caller primitive calls (pstats), when the profile has them; NaN where an edge has none. */
      primitiveCalls?: string;
      self: string;
      total: string;
    };
  };
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

/** Serializes a profile to the bytes of a `.heatlens.json` file (UTF-8 JSON). */
export function serializeProfile(profile: Profile): Uint8Array {
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const frameFile = profile.frames.map((f) => {
    if (f.file === null) return -1;
    let id = fileIds.get(f.file);
    if (id === undefined) {
      id = files.length;
      files.push(f.file);
      fileIds.set(f.file, id);
    }
    return id;
  });
  const { tree, samples, lines, callGraph } = profile;
  const graph = callGraph
    ? {
        functions: {
          count: callGraph.functions.length,
          frame: b64(Int32Array.from(callGraph.functions, (f) => f.frame)),
          calls: b64(Float64Array.from(callGraph.functions, (f) => f.calls)),
          primitiveCalls: b64(Float64Array.from(callGraph.functions, (f) => f.primitiveCalls)),
          self: b64(Float64Array.from(callGraph.functions, (f) => f.self)),
          total: b64(Float64Array.from(callGraph.functions, (f) => f.total)),
        },
        edges: {
          count: callGraph.edges.length,
          caller: b64(Int32Array.from(callGraph.edges, (e) => e.caller)),
          callee: b64(Int32Array.from(callGraph.edges, (e) => e.callee)),
          calls: b64(Float64Array.from(callGraph.edges, (e) => e.calls)),
          ...(callGraph.edges.some((e) => e.primitiveCalls !== undefined) && {
            primitiveCalls: b64(
              Float64Array.from(callGraph.edges, (e) => e.primitiveCalls ?? Number.NaN),
            ),
          }),
          self: b64(Float64Array.from(callGraph.edges, (e) => e.self)),
          total: b64(Float64Array.from(callGraph.edges, (e) => e.total)),
        },
      }
    : undefined;
  const file: RunFileV1 = {
    format: HEATLENS_RUN_FORMAT,
    version: HEATLENS_RUN_VERSION,
    meta: profile.meta,
    treeIsApproximate: profile.treeIsApproximate,
    frames: {
      name: profile.frames.map((f) => f.name),
      file: frameFile,
      files,
      line1: profile.frames.map((f) => f.line1),
      col1: profile.frames.map((f) => f.col1),
      kind: profile.frames.map((f) => f.kind),
    },
    tree: {
      size: tree.size,
      parent: b64(tree.parent),
      frame: b64(tree.frame),
      self: b64(tree.self),
      children: b64(tree.children),
    },
    samples: samples && {
      count: samples.count,
      node: b64(samples.node),
      weight: b64(samples.weight),
      start: b64(samples.start),
    },
    lines: {
      files: [...lines.files],
      count: lines.count,
      file: b64(lines.file),
      line1: b64(lines.line1),
      frame: b64(lines.frame),
      self: b64(lines.self),
      external: lines.external && b64(lines.external),
      perNode: lines.perNode && {
        count: lines.perNode.count,
        node: b64(lines.perNode.node),
        file: b64(lines.perNode.file),
        line1: b64(lines.perNode.line1),
        self: b64(lines.perNode.self),
      },
    },
    callGraph: graph,
  };
  return new TextEncoder().encode(JSON.stringify(file));
}

/**
 * True when `bytes` look like a stored Heatlens run: the name ends in `.heatlens.json`, or the
 * content starts with the format key (after whitespace and a byte-order mark).
 */
export function isHeatlensRun(name: string | undefined, bytes: Uint8Array): boolean {
  if (name && name.toLowerCase().endsWith(HEATLENS_RUN_EXTENSION)) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).replace(/^\uFEFF?\s*/, '');
  return /^\{\s*"format"\s*:\s*"heatlens-run"/.test(head);
}

/**
 * The run format version a stored run's bytes declare, read from their first bytes only (the
 * serializer writes `{"format":"heatlens-run","version":N` first); undefined when they do not
 * start that way. Tells a file from a newer Heatlens, to be left alone, from a damaged one.
 */
export function runFileVersion(bytes: Uint8Array): number | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, 200));
  const m = /^\s*\{\s*"format"\s*:\s*"heatlens-run"\s*,\s*"version"\s*:\s*(\d+)/.exec(head);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a stored run. Throws {@link ProfileFormatError} naming `name` when the bytes are not a
 * Heatlens run, come from a newer Heatlens, or are damaged.
 */
export function deserializeProfile(bytes: Uint8Array, name: string): Profile {
  const fail = (what: string): never => {
    throw new ProfileFormatError(
      `"${name}" is not a readable Heatlens run: ${what}. Delete it (or profile the program ` +
        'again); Heatlens writes these files itself.',
      name,
    );
  };
  if (bytes.length === 0) fail('it is empty');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not the parser's message: it quotes the text, and a profile file is not ours to quote.
    fail('it is not valid JSON; it may have been cut short');
  }
  const root = obj(value, 'the file', fail);
  if (root.format !== HEATLENS_RUN_FORMAT) fail('it has no "format": "heatlens-run" key');
  if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) {
    fail('its "version" is not a positive integer');
  }
  if ((root.version as number) > HEATLENS_RUN_VERSION) {
    throw new ProfileFormatError(
      `"${name}" was written by a newer Heatlens (run format version ${String(root.version)}; ` +
        `this one reads up to ${HEATLENS_RUN_VERSION}). Update Heatlens to open it.`,
      name,
    );
  }

  const meta = readMeta(root.meta, fail);
  const frames = readFrames(root.frames, fail);
  const tree = readTree(root.tree, frames.length, fail);
  const samples = root.samples === undefined ? undefined : readSamples(root.samples, tree, fail);
  const lines = readLines(root.lines, frames.length, tree.size, fail);
  const callGraph =
    root.callGraph === undefined ? undefined : readCallGraph(root.callGraph, frames.length, fail);
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

type Fail = (what: string) => never;

function b64(view: ArrayBufferView): string {
  return bytesToBase64(view);
}

function obj(v: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function count(v: unknown, what: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    fail(`${what} is not a count (a whole number, 0 or more)`);
  }
  return v as number;
}

/** A typed array of `length` elements from base64; fails when the byte count does not match. */
function typed<T extends Int32Array | Float64Array>(
  v: unknown,
  make: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
  length: number,
  what: string,
  fail: Fail,
): T {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) fail(`${what} is not base64`);
  const bytes = base64ToBytes(v as string);
  if (bytes.byteLength !== length * make.BYTES_PER_ELEMENT) {
    fail(`${what} holds ${bytes.byteLength} bytes where ${length} numbers were announced`);
  }
  return new make(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
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

function readTree(v: unknown, frameCount: number, fail: Fail): CallTree {
  const t = obj(v, '"tree"', fail);
  const n = count(t.size, '"tree.size"', fail);
  if (n < 1) fail('the call tree has no root');
  const parent = typed(t.parent, Int32Array, n, '"tree.parent"', fail);
  const frame = typed(t.frame, Int32Array, n, '"tree.frame"', fail);
  const self = typed(t.self, Float64Array, n, '"tree.self"', fail);
  const children = typed(t.children, Int32Array, n - 1, '"tree.children"', fail);
  if (parent[0] !== -1 || frame[0] !== -1) fail('node 0 of the call tree is not the root');
  for (let i = 1; i < n; i++) {
    if (parent[i] < 0 || parent[i] >= i) fail(`node ${i} of the call tree has parent ${parent[i]}`);
  }
  checkIds(frame, frameCount, 'the frame of tree node', fail, 1);
  checkWeights(self, 'the self weight of tree node', fail);
  // Derived as freezeTree derives them, so totals are bit-identical.
  const { total, depth, childCount, childStart } = treeShape(parent, self);
  // The stored order of children is kept; check it lists every node once, under its parent.
  const seen = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    for (let k = childStart[p]; k < childStart[p] + childCount[p]; k++) {
      const c = children[k];
      if (c < 1 || c >= n || parent[c] !== p || seen[c]) {
        fail(`the children of tree node ${p} do not match the parents of the nodes`);
      }
      seen[c] = 1;
    }
    // Heaviest first, as the model promises: a damaged file's weights may not match its order.
    const from = childStart[p];
    const to = from + childCount[p];
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
  return { size: n, parent, frame, self, total, depth, childStart, childCount, children };
}

function readSamples(v: unknown, tree: CallTree, fail: Fail): Samples {
  const s = obj(v, '"samples"', fail);
  const n = count(s.count, '"samples.count"', fail);
  const node = typed(s.node, Int32Array, n, '"samples.node"', fail);
  const weight = typed(s.weight, Float64Array, n, '"samples.weight"', fail);
  const start = typed(s.start, Float64Array, n, '"samples.start"', fail);
  checkIds(node, tree.size, 'the node of sample', fail);
  checkWeights(weight, 'the weight of sample', fail);
  return { count: n, node, weight, start };
}

function readLines(v: unknown, frameCount: number, nodeCount: number, fail: Fail): LineTable {
  const l = obj(v, '"lines"', fail);
  if (!Array.isArray(l.files) || l.files.some((s) => typeof s !== 'string')) {
    fail('"lines.files" is not a list of strings');
  }
  const files = Object.freeze([...(l.files as string[])]);
  const n = count(l.count, '"lines.count"', fail);
  const file = typed(l.file, Int32Array, n, '"lines.file"', fail);
  const line1 = typed(l.line1, Int32Array, n, '"lines.line1"', fail);
  const frame = typed(l.frame, Int32Array, n, '"lines.frame"', fail);
  const self = typed(l.self, Float64Array, n, '"lines.self"', fail);
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
    table.external = typed(l.external, Float64Array, n, '"lines.external"', fail);
    checkWeights(table.external, 'the external weight of line entry', fail);
  }
  if (l.perNode !== undefined) {
    const p = obj(l.perNode, '"lines.perNode"', fail);
    const m = count(p.count, '"lines.perNode.count"', fail);
    const node = typed(p.node, Int32Array, m, '"lines.perNode.node"', fail);
    const pFile = typed(p.file, Int32Array, m, '"lines.perNode.file"', fail);
    const pLine = typed(p.line1, Int32Array, m, '"lines.perNode.line1"', fail);
    const pSelf = typed(p.self, Float64Array, m, '"lines.perNode.self"', fail);
    checkIds(node, nodeCount, 'the node of per-node line entry', fail);
    checkIds(pFile, files.length, 'the file of per-node line entry', fail);
    for (let i = 0; i < m; i++) {
      if (pLine[i] < 1) fail(`per-node line entry #${i} has line ${pLine[i]}`);
    }
    checkWeights(pSelf, 'the self weight of per-node line entry', fail);
    table.perNode = { count: m, node, file: pFile, line1: pLine, self: pSelf };
  }
  return table;
}

function readCallGraph(v: unknown, frameCount: number, fail: Fail): CallGraph {
  const g = obj(v, '"callGraph"', fail);
  const f = obj(g.functions, '"callGraph.functions"', fail);
  const e = obj(g.edges, '"callGraph.edges"', fail);
  const nf = count(f.count, '"callGraph.functions.count"', fail);
  const ne = count(e.count, '"callGraph.edges.count"', fail);
  const fFrame = typed(f.frame, Int32Array, nf, '"callGraph.functions.frame"', fail);
  const fCalls = typed(f.calls, Float64Array, nf, '"callGraph.functions.calls"', fail);
  const fPrim = typed(
    f.primitiveCalls,
    Float64Array,
    nf,
    '"callGraph.functions.primitiveCalls"',
    fail,
  );
  const fSelf = typed(f.self, Float64Array, nf, '"callGraph.functions.self"', fail);
  const fTotal = typed(f.total, Float64Array, nf, '"callGraph.functions.total"', fail);
  const eCaller = typed(e.caller, Int32Array, ne, '"callGraph.edges.caller"', fail);
  const eCallee = typed(e.callee, Int32Array, ne, '"callGraph.edges.callee"', fail);
  const eCalls = typed(e.calls, Float64Array, ne, '"callGraph.edges.calls"', fail);
  // Runs written before edges kept their primitive calls have none.
  const ePrim =
    e.primitiveCalls === undefined
      ? undefined
      : typed(e.primitiveCalls, Float64Array, ne, '"callGraph.edges.primitiveCalls"', fail);
  const eSelf = typed(e.self, Float64Array, ne, '"callGraph.edges.self"', fail);
  const eTotal = typed(e.total, Float64Array, ne, '"callGraph.edges.total"', fail);
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
