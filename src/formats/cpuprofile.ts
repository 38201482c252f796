/**
 * V8 `.cpuprofile` files (`node --cpu-prof`, the inspector's `Profiler.stop`, Chrome DevTools),
 * in both layouts:
 *
 * - modern: `{nodes: [{id, callFrame: {functionName, scriptId, url, lineNumber, columnNumber},
 *   hitCount, children: [ids], positionTicks: [{line, ticks}]}], startTime, endTime, samples,
 *   timeDeltas}`, times in microseconds, call-frame positions 0-based, tick lines 1-based;
 * - old (Node before 8, v8-profiler, DevTools before 2016): `{head: <nested tree>, startTime,
 *   endTime, samples, timestamps}`, the call-frame fields on the node itself with 1-based
 *   positions (0 = unknown), `startTime`/`endTime` in seconds, `timestamps` absolute microseconds.
 *
 * Choices, and why:
 *
 * - Self time comes from `samples` and their times, never from `hitCount` (the two can disagree
 *   by a few). Sample i lasts from its time to sample i+1's (Chrome DevTools and speedscope do
 *   the same). The last sample has no successor: it gets the mean sample interval, as in Chrome
 *   DevTools, so a profile's total matches what DevTools shows. A single sample lasts until
 *   `endTime`. The gap between `startTime` and the first sample belongs to no frame.
 * - Time never runs backwards: when samples are stamped before their predecessor (V8 writes
 *   negative deltas now and then), they are taken in time order, as Chrome DevTools does (it
 *   sorts them by time), with a warning; every sample then lasts until the next one in time, so
 *   one bad stamp neither shifts the rest of the recording nor, when every delta is negative,
 *   makes the whole recording last 0 µs.
 * - A file with more `timeDeltas` than `samples` (some Node 10 recordings have one extra):
 *   DevTools reads the entry after the last sample's as the end of that sample; so do we, with a
 *   warning. Fewer entries than samples is damage.
 * - `(root)` is not a frame: its children hang under the model's synthetic root. The other
 *   pseudo frames (`(program)`, `(idle)`, `(garbage collector)`) stay where V8 put them, under the
 *   root, marked `kind: 'pseudo'` so views can hide or label them. (speedscope instead stacks GC
 *   and `(program)` on the previous sample's stack; we keep what the profiler measured.)
 * - `positionTicks` become line weights: a node's self time is split over its lines in
 *   proportion to their ticks, so the lines of a node add up to exactly its self time.
 * - Frames are identified by name, file, line and column; V8 nodes that differ only in
 *   `scriptId` (or deopt details) merge. An unnamed function is called `(anonymous)`.
 * - `file://` URLs become paths (see fileUrl.ts); other URLs (`node:fs`) stay as written.
 *
 * Big profiles: modern files are read by a scanner that writes flat columns without building
 * the JSON object tree (cpuprofileScan.ts); anything it does not expect goes through
 * `JSON.parse` instead. From the columns on, the work is one pass over the nodes with typed
 * arrays (V8 id -> index -> model node), one pass over the samples, and one frame object per
 * distinct call frame.
 */
import { classifyJsFrame } from '../core/frameKind';
import { v8ToOneBased, oneBasedToV8 } from '../core/positions';
import { ProfileBuilder } from '../core/profile';
import type { Frame, Profile, WeightUnit } from '../core/profile';
import { FrameTable, Grow } from './cpuprofileColumns';
import type { NodeColumns } from './cpuprofileColumns';
import { scanCpuprofileBytes } from './cpuprofileBytes';
import { scanCpuprofile } from './cpuprofileScan';
import { ProfileFormatError } from './errors';
import { failUnparsed } from './jsonFailure';
import { fileUrlToPath, pathToFileUrl } from '../util/fileUrl';
import { JsonBytesError, parseJsonBytes } from './jsonBytes';
import { ExportRangeError } from './exportUnits';

interface V8CallFrame {
  functionName?: unknown;
  scriptId?: unknown;
  url?: unknown;
  lineNumber?: unknown;
  columnNumber?: unknown;
}

interface V8PositionTick {
  line: number;
  ticks: number;
}

/** A node as found in the file: modern (`callFrame`) or old (fields on the node, 1-based). */
interface V8Node extends V8CallFrame {
  id?: unknown;
  callFrame?: V8CallFrame;
  hitCount?: unknown;
  children?: unknown;
  positionTicks?: unknown;
}

const V8_NAME = 'V8 CPU profile (.cpuprofile)';
const REDO = 're-record it (node --cpu-prof) or save it again from Chrome DevTools';
const DAMAGED = `the file may be damaged, so ${REDO}`;

function describe(sourceFile: string | undefined): string {
  return sourceFile ? `"${sourceFile}"` : 'The profile';
}

function fail(sourceFile: string | undefined, what: string, todo: string): never {
  const end = /[.?!]$/.test(todo) ? '' : '.';
  throw new ProfileFormatError(`${describe(sourceFile)} ${what}; ${todo}${end}`, sourceFile);
}

/**
 * Whether a file is a V8 CPU profile: by name first (`.cpuprofile`), then by content (a JSON
 * object whose start or end holds call frames, or an old-layout `head` tree).
 */
export function isCpuprofile(name: string | undefined, text: string): boolean {
  if (name && /\.cpuprofile$/i.test(name)) return true;
  const start = text.slice(0, 4096).replace(/^\uFEFF?\s*/, '');
  if (!start.startsWith('{') || start.includes('"traceEvents"')) return false;
  // Writers order keys differently, and the node list can be megabytes long: look at both ends.
  const ends = text.length > 8192 ? start + text.slice(-4096) : text;
  const modern =
    /"callFrame"\s*:\s*\{/.test(ends) && /"(?:nodes|samples|timeDeltas)"\s*:/.test(ends);
  const old = /"head"\s*:\s*\{/.test(ends) && /"functionName"\s*:/.test(ends);
  return modern || old;
}

function parseJson(text: string, sourceFile: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
      fail(
        sourceFile,
        /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(trimmed.slice(0, 64))
          ? 'is not a text file, let alone JSON'
          : 'is not JSON (a .cpuprofile starts with "{")',
        `is it really a ${V8_NAME}?`,
      );
    }
    failUnparsed(
      err,
      trimmed.startsWith('{') && !trimmed.endsWith('}'),
      { whole: 'the profile', redo: REDO, question: `is it really a ${V8_NAME}?` },
      (what, todo) => fail(sourceFile, what, todo),
    );
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Flattens an old-layout `head` tree into a node list and child indexes. */
function flattenHead(
  head: V8Node,
  sourceFile: string | undefined,
): { nodes: V8Node[]; childIndexes: number[][] } {
  const nodes: V8Node[] = [];
  const childIndexes: number[][] = [];
  const seen = new Set<V8Node>();
  // Depth-first with explicit stacks: old profiles can be deeper than the JS call stack.
  const stack: unknown[] = [head];
  const parentOf: number[] = [-1];
  const slotOf: number[] = [0];
  while (stack.length) {
    const node = stack.pop() as V8Node;
    const parent = parentOf.pop() as number;
    const slot = slotOf.pop() as number;
    if (!node || typeof node !== 'object' || Array.isArray(node) || seen.has(node)) {
      fail(sourceFile, 'has an entry in its "head" tree that is not a node', REDO);
    }
    seen.add(node);
    const index = nodes.length;
    nodes.push(node);
    if (parent >= 0) childIndexes[parent][slot] = index;
    const kids = Array.isArray(node.children) ? (node.children as unknown[]) : [];
    childIndexes.push(new Array<number>(kids.length));
    for (let k = kids.length - 1; k >= 0; k--) {
      stack.push(kids[k]);
      parentOf.push(index);
      slotOf.push(k);
    }
  }
  return { nodes, childIndexes };
}

/** The columns of a parsed profile (the `JSON.parse` route; both layouts). */
function columnsFromJson(json: unknown, sourceFile: string | undefined): NodeColumns {
  const notProfile = (what: string): never =>
    fail(
      sourceFile,
      `is JSON but not a ${V8_NAME}: ${what}`,
      'open a file written by node --cpu-prof or Chrome DevTools',
    );
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return notProfile(Array.isArray(json) ? 'it is a list, not an object' : 'it is not an object');
  }
  let obj = json as Record<string, unknown>;
  // The inspector's Profiler.stop answers `{profile: {...}}`; accept that wrapper too.
  if (!obj.nodes && !obj.head && obj.profile && typeof obj.profile === 'object') {
    obj = obj.profile as Record<string, unknown>;
  }
  const numbers = (key: string): Float64Array | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return notProfile(`its "${key}" is not a list`);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
        fail(sourceFile, `has an entry in "${key}" that is not a number (#${i + 1})`, DAMAGED);
      }
      out[i] = v[i];
    }
    return out;
  };

  let nodes: V8Node[];
  let childIndexes: number[][] | undefined;
  const legacy = !Array.isArray(obj.nodes);
  if (!legacy) nodes = obj.nodes as V8Node[];
  else if (obj.head && typeof obj.head === 'object' && !Array.isArray(obj.head)) {
    ({ nodes, childIndexes } = flattenHead(obj.head as V8Node, sourceFile));
  } else return notProfile('it has no "nodes" list (nor the old layout\'s "head" tree)');

  const n = nodes.length;
  const frames = new FrameTable();
  const id = new Float64Array(n);
  const frame = new Int32Array(n);
  const hitCount = new Float64Array(n);
  const childStart = new Int32Array(n);
  const childCount = new Int32Array(n);
  const childRefs = new Grow();
  const tickStart = new Int32Array(n);
  const tickLength = new Int32Array(n);
  const tickLine = new Grow();
  const tickCount = new Grow();
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    if (!node || typeof node !== 'object') {
      fail(sourceFile, `has a node (#${i + 1}) that is not an object`, REDO);
    }
    if (typeof node.id !== 'number' || !Number.isFinite(node.id)) {
      fail(sourceFile, `has a node (#${i + 1}) without a numeric id`, REDO);
    }
    id[i] = node.id;
    // Positions: modern call frames are 0-based; old-layout fields on the node are 1-based.
    const cf: V8CallFrame = node.callFrame ?? node;
    const shift = legacy && !node.callFrame ? 1 : 0;
    const line0 = numberOr(cf.lineNumber, shift - 1) - shift;
    const col0 = numberOr(cf.columnNumber, shift - 1) - shift;
    frame[i] = frames.lookup(str(cf.functionName), str(cf.url), line0, col0);
    hitCount[i] = numberOr(node.hitCount, 0);
    childStart[i] = childRefs.length;
    if (childIndexes) {
      for (const c of childIndexes[i]) childRefs.push(c);
    } else if (node.children !== undefined && node.children !== null) {
      if (!Array.isArray(node.children)) {
        fail(sourceFile, `has a node (id ${node.id}) whose children are not a list`, REDO);
      }
      for (const c of node.children) {
        if (typeof c !== 'number') {
          fail(
            sourceFile,
            `is inconsistent: node ${node.id} lists a child ${JSON.stringify(c)} that is not in the profile`,
            DAMAGED,
          );
        }
        childRefs.push(c);
      }
    }
    childCount[i] = childRefs.length - childStart[i];
    tickStart[i] = tickLine.length;
    if (Array.isArray(node.positionTicks)) {
      for (const t of node.positionTicks as V8PositionTick[]) {
        if (t && typeof t.line === 'number' && typeof t.ticks === 'number') {
          tickLine.push(t.line);
          tickCount.push(t.ticks);
        }
      }
    }
    tickLength[i] = tickLine.length - tickStart[i];
  }

  const start = typeof obj.startTime === 'number' ? obj.startTime : undefined;
  const end = typeof obj.endTime === 'number' ? obj.endTime : undefined;
  return {
    count: n,
    id,
    frame,
    frames: frames.frames,
    childStart,
    childCount,
    childRefs: childRefs.values(),
    childRefsAreIndexes: legacy,
    tickStart,
    tickLength,
    tickLine: tickLine.values(),
    tickCount: tickCount.values(),
    hitCount,
    samples: numbers('samples'),
    times: numbers(legacy ? 'timestamps' : 'timeDeltas'),
    timesAreAbsolute: legacy,
    // The old layout gives start and end in seconds.
    startTime: start === undefined || !legacy ? start : start * 1e6,
    endTime: end === undefined || !legacy ? end : end * 1e6,
  };
}

/** V8 node id -> index in the columns: a typed array when ids are dense, else a Map. */
interface IdIndex {
  get(id: number): number;
}

function indexIds(cols: NodeColumns, sourceFile: string | undefined): IdIndex {
  const { count: n, id: ids } = cols;
  let maxId = -1;
  let dense = true;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0) dense = false;
    else if (id > maxId) maxId = id;
  }
  const duplicate = (id: number): never =>
    fail(sourceFile, `has two nodes with the id ${id}`, REDO);
  if (dense && maxId < 4 * n + 1024) {
    const table = new Int32Array(maxId + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      if (table[ids[i]] !== -1) duplicate(ids[i]);
      table[ids[i]] = i;
    }
    return { get: (id) => (id >= 0 && id <= maxId && Number.isInteger(id) ? table[id] : -1) };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (map.has(ids[i])) duplicate(ids[i]);
    map.set(ids[i], i);
  }
  return { get: (id) => map.get(id) ?? -1 };
}

/**
 * Reads a V8 CPU profile (either layout) into the model. Throws {@link ProfileFormatError}
 * naming `options.sourceFile` when the text is not a readable profile.
 */
export function importCpuprofile(text: string, options: CpuprofileOptions = {}): Profile {
  const sourceFile = options.sourceFile;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) fail(sourceFile, 'is empty', REDO);
  const columns = scanCpuprofile(body) ?? columnsFromJson(parseJson(body, sourceFile), sourceFile);
  return buildProfile(columns, sourceFile, options.runtimePaths);
}

/**
 * Reads a V8 CPU profile from its UTF-8 bytes without ever holding the file as one string: for
 * files larger than V8's largest string (about 512 MB), which cannot be decoded at all. The
 * result is the one {@link importCpuprofile} gives for the decoded text: the byte scanner
 * (cpuprofileBytes.ts) fills the same columns as the text scanner, and anything it does not
 * expect goes through a byte-level JSON parse (jsonBytes.ts) and the same column reader as
 * `JSON.parse`'s output. `onProgress` gets the fraction of the bytes read.
 */
export function importCpuprofileBytes(
  bytes: Uint8Array,
  options: CpuprofileOptions & { onProgress?: (fraction: number) => void } = {},
): Profile {
  const { sourceFile, onProgress } = options;
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  let first = 0;
  while (first < body.length && /[ \t\r\n]/.test(String.fromCharCode(body[first]))) first++;
  if (first === body.length) fail(sourceFile, 'is empty', REDO);
  const columns =
    scanCpuprofileBytes(body, onProgress) ??
    columnsFromJson(parseJsonBytesOrFail(body, first, sourceFile, onProgress), sourceFile);
  return buildProfile(columns, sourceFile, options.runtimePaths);
}

/** {@link parseJsonBytes}, failing with the messages {@link parseJson} gives for text. */
function parseJsonBytesOrFail(
  body: Uint8Array,
  first: number,
  sourceFile: string | undefined,
  onProgress: ((fraction: number) => void) | undefined,
): unknown {
  try {
    return parseJsonBytes(body, onProgress);
  } catch (err) {
    if (!(err instanceof JsonBytesError)) throw err;
    // What the text route looks at: the start of the trimmed text, and its last character.
    const head = new TextDecoder().decode(body.subarray(first, first + 256));
    let last = body.length - 1;
    while (last > first && /[ \t\r\n]/.test(String.fromCharCode(body[last]))) last--;
    if (body[first] !== 0x7b && body[first] !== 0x5b) {
      fail(
        sourceFile,
        /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head.slice(0, 64))
          ? 'is not a text file, let alone JSON'
          : 'is not JSON (a .cpuprofile starts with "{")',
        `is it really a ${V8_NAME}?`,
      );
    }
    if (body[first] === 0x7b && body[last] !== 0x7d) {
      fail(
        sourceFile,
        'is cut short: its JSON ends before the profile does',
        `the file was probably truncated while being written or copied, so ${REDO}`,
      );
    }
    fail(
      sourceFile,
      `is not valid JSON (${err.message.slice(0, 120)})`,
      `is it really a ${V8_NAME}?`,
    );
  }
}

/** Options of {@link importCpuprofile}. */
export interface CpuprofileOptions {
  /** The file the text came from, named in errors. */
  sourceFile?: string;
  /**
   * Folders whose scripts count as runtime, not user code: Heatlens' own helpers injected into
   * the profiled program (the TypeScript loader) must not look like the program's hot spots.
   */
  runtimePaths?: readonly string[];
}

/** The same import without the fast scanner: for tests that compare the two routes. */
export function importCpuprofileWithJsonParse(
  text: string,
  options: { sourceFile?: string } = {},
): Profile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) fail(options.sourceFile, 'is empty', REDO);
  const json = parseJson(body, options.sourceFile);
  return buildProfile(columnsFromJson(json, options.sourceFile), options.sourceFile);
}

/**
 * Reads an already-parsed modern profile object (`{nodes, startTime, endTime, samples,
 * timeDeltas}`) into the model, for formats that embed V8 CPU profiles (Chrome traces'
 * `ProfileChunk` events). `profiler` goes to `meta.profiler` (default 'v8').
 */
export function importCpuprofileObject(
  value: unknown,
  options: { sourceFile?: string; profiler?: string; warnings?: readonly string[] } = {},
): Profile {
  const { sourceFile } = options;
  return buildProfile(
    columnsFromJson(value, sourceFile),
    sourceFile,
    [],
    options.profiler,
    options.warnings,
  );
}

function buildProfile(
  cols: NodeColumns,
  sourceFile: string | undefined,
  runtimePaths: readonly string[] = [],
  profiler = 'v8',
  warnings: readonly string[] = [],
): Profile {
  const n = cols.count;
  if (n === 0) fail(sourceFile, 'has no call-tree nodes at all', REDO);
  const ids = indexIds(cols, sourceFile);

  // Parent of every node, from the child lists; a node listed twice or a cycle is an error.
  const parentIdx = new Int32Array(n).fill(-1);
  const { childStart, childCount, childRefs } = cols;
  for (let i = 0; i < n; i++) {
    const end = childStart[i] + childCount[i];
    for (let k = childStart[i]; k < end; k++) {
      const c = cols.childRefsAreIndexes ? childRefs[k] : ids.get(childRefs[k]);
      if (c < 0) {
        fail(
          sourceFile,
          `is inconsistent: node ${cols.id[i]} lists a child ${childRefs[k]} that is not in the profile`,
          DAMAGED,
        );
      }
      if (parentIdx[c] !== -1 || c === i) {
        fail(
          sourceFile,
          `is inconsistent: node ${cols.id[c]} is listed as a child more than once`,
          DAMAGED,
        );
      }
      parentIdx[c] = i;
    }
  }

  // Visit parents before children. V8 writes nodes in that order; check, and sort only if not.
  let order: Int32Array | undefined;
  for (let i = 0; i < n; i++) {
    if (parentIdx[i] >= i) {
      order = topologicalOrder(parentIdx, sourceFile);
      break;
    }
  }

  const builder = new ProfileBuilder();
  for (const w of warnings) builder.warn(w);
  // Model frame id of each raw frame, made on first use.
  const modelFrame = new Int32Array(cols.frames.length).fill(-1);
  const frameOfIdx = new Int32Array(n).fill(-1);
  const modelNode = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const raw = cols.frame[i];
    const p = parentIdx[i];
    let frameId = modelFrame[raw];
    if (frameId < 0) {
      const { name, url, line0, col0 } = cols.frames[raw];
      if (p < 0 && name === '(root)' && !url) {
        modelNode[i] = 0;
        continue;
      }
      const file = url ? fileUrlToPath(url) : null;
      const frame: Frame = {
        // V8 leaves anonymous functions (and a module's top level) without a name.
        name: name || '(anonymous)',
        file,
        line1: v8ToOneBased(line0),
        col1: v8ToOneBased(col0),
        kind:
          file !== null && runtimePaths.some((dir) => file.startsWith(dir))
            ? 'runtime'
            : classifyJsFrame(name, url, line0),
      };
      frameId = modelFrame[raw] = builder.frame(frame);
    } else if (p < 0 && cols.frames[raw].name === '(root)' && !cols.frames[raw].url) {
      modelNode[i] = 0;
      continue;
    }
    frameOfIdx[i] = frameId;
    modelNode[i] = builder.child(p < 0 ? 0 : modelNode[p], frameId);
  }

  const selfByIdx = new Float64Array(n);
  const span = attributeSamples(cols, ids, modelNode, selfByIdx, builder, sourceFile);
  for (let i = 0; i < n; i++) if (selfByIdx[i] > 0) builder.addSelf(modelNode[i], selfByIdx[i]);

  // Line weights: each node's self time split over its lines by their share of its ticks, per
  // frame in the line table and per node in columns (for attributing inlined functions' lines).
  const { tickStart, tickLength, tickLine, tickCount } = cols;
  const perNode = {
    node: new Int32Array(tickLine.length),
    file: new Int32Array(tickLine.length),
    line1: new Int32Array(tickLine.length),
    self: new Float64Array(tickLine.length),
  };
  let perNodeCount = 0;
  for (let i = 0; i < n; i++) {
    const self = selfByIdx[i];
    if (!(self > 0) || tickLength[i] === 0 || frameOfIdx[i] < 0) continue;
    const file = builder.frameAt(frameOfIdx[i]).file;
    if (file === null) continue;
    const from = tickStart[i];
    const to = from + tickLength[i];
    let sum = 0;
    for (let t = from; t < to; t++) if (tickCount[t] > 0 && tickLine[t] >= 1) sum += tickCount[t];
    if (!(sum > 0)) continue;
    for (let t = from; t < to; t++) {
      if (tickCount[t] > 0 && tickLine[t] >= 1) {
        const weight = (self * tickCount[t]) / sum;
        builder.addLine(file, tickLine[t], frameOfIdx[i], weight);
        const line1 = tickLine[t];
        if (!(weight > 0 && weight <= 1e290) || !Number.isInteger(line1) || line1 > 0x7fffffff)
          continue;
        perNode.node[perNodeCount] = modelNode[i];
        perNode.file[perNodeCount] = builder.lineFileIndex(file);
        perNode.line1[perNodeCount] = line1;
        perNode.self[perNodeCount++] = weight;
      }
    }
  }

  if (perNodeCount > 0) {
    builder.setNodeLines({
      count: perNodeCount,
      node: perNode.node.slice(0, perNodeCount),
      file: perNode.file.slice(0, perNodeCount),
      line1: perNode.line1.slice(0, perNodeCount),
      self: perNode.self.slice(0, perNodeCount),
    });
  }

  const { startTime, endTime } = cols;
  const duration =
    startTime !== undefined && endTime !== undefined && endTime >= startTime
      ? endTime - startTime
      : span;
  // A damaged file's start and end can be any numbers: their difference may overflow.
  const recorded = Number.isFinite(duration) && duration >= 0 ? duration : span;
  return builder.build({
    profiler,
    clock: 'wall',
    unit: 'microseconds',
    duration: recorded,
    sourceFile,
  });
}

/** Parent-first order when the file lists children before parents; rejects cycles. */
function topologicalOrder(parentIdx: Int32Array, sourceFile: string | undefined): Int32Array {
  const n = parentIdx.length;
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) if (parentIdx[i] >= 0) childCount[parentIdx[i]]++;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + childCount[i];
  const fill = start.slice(0, n);
  const kids = new Int32Array(n);
  for (let i = 0; i < n; i++) if (parentIdx[i] >= 0) kids[fill[parentIdx[i]]++] = i;
  const order = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) if (parentIdx[i] < 0) order[tail++] = i;
  while (head < tail) {
    const p = order[head++];
    for (let c = start[p]; c < start[p + 1]; c++) order[tail++] = kids[c];
  }
  if (tail < n) fail(sourceFile, 'is inconsistent: its call tree has a cycle', DAMAGED);
  return order;
}

/**
 * Turns samples and their times into self time per node (`selfByIdx`) and model samples.
 * Returns the span from the first sample's start to the last one's end.
 */
function attributeSamples(
  cols: NodeColumns,
  ids: IdIndex,
  modelNode: Int32Array,
  selfByIdx: Float64Array,
  builder: ProfileBuilder,
  sourceFile: string | undefined,
): number {
  const samples = cols.samples;
  const count = samples ? samples.length : 0;
  const { startTime, endTime } = cols;

  if (!samples || count === 0) {
    // No samples: very old files only had hit counts. Spread the recording over the hits.
    let hits = 0;
    for (let i = 0; i < cols.count; i++) if (cols.hitCount[i] > 0) hits += cols.hitCount[i];
    if (hits === 0) {
      builder.warn(
        'The profile holds no samples: the program probably ended before the profiler took one.',
      );
      return 0;
    }
    const span = startTime !== undefined && endTime !== undefined ? endTime - startTime : 0;
    // Hit counts and spans only a damaged file has (their sums overflow) are not spread.
    if (!(hits <= MAX_TIME_US && span <= MAX_TIME_US)) {
      fail(sourceFile, 'has hit counts or a recording length beyond any real recording', DAMAGED);
    }
    const each = span > 0 ? span / hits : 1000;
    builder.warn(
      'The profile has hit counts but no sample times: self time is estimated by spreading the recording evenly over the hits.',
    );
    for (let i = 0; i < cols.count; i++)
      if (cols.hitCount[i] > 0) selfByIdx[i] += cols.hitCount[i] * each;
    return hits * each;
  }

  const times = cols.times;
  const timesName = cols.timesAreAbsolute ? 'timestamps' : 'time deltas';
  if (!times || times.length < count) {
    fail(
      sourceFile,
      `is inconsistent: it has ${count} samples but ${times?.length ?? 0} ${timesName}`,
      DAMAGED,
    );
  }
  builder.reserveSamples(count);
  const stamps = sampleStamps(cols, times, count, sourceFile);
  const { order, backwards } = timeOrder(stamps.at, count);
  if (backwards > 0) {
    builder.warn(
      `${backwards} sample${backwards === 1 ? ' is' : 's are'} stamped before the sample written ` +
        'before it (negative time deltas): the samples are taken in time order, as Chrome ' +
        'DevTools does.',
    );
  }
  let first = 0;
  let prevIdx = -1;
  let prevT = 0;
  for (let k = 0; k < count; k++) {
    const i = order ? order[k] : k;
    const t = stamps.at[i];
    const idx = ids.get(samples[i]);
    if (idx < 0) {
      fail(
        sourceFile,
        `is inconsistent: sample ${i + 1} names node ${samples[i]}, which is not in the profile`,
        DAMAGED,
      );
    }
    if (k === 0) first = t;
    else {
      const d = t - prevT;
      selfByIdx[prevIdx] += d;
      builder.addSample(modelNode[prevIdx], d, prevT - (startTime ?? first));
    }
    prevIdx = idx;
    prevT = t;
  }
  // The last sample: until the time an extra entry gives (see sampleStamps), else the mean
  // interval (Chrome DevTools' choice); a lone sample lasts until endTime.
  let last: number;
  if (stamps.end !== undefined && stamps.end >= prevT) last = stamps.end - prevT;
  else if (count > 1) last = (prevT - first) / (count - 1);
  else last = endTime !== undefined && endTime > prevT ? endTime - prevT : 0;
  if (times.length > count) {
    const extra = times.length - count;
    const used = stamps.end !== undefined && stamps.end >= prevT;
    const more = extra === 1 ? `one more entry in ${timesName}` : `${extra} more ${timesName}`;
    const what = used
      ? `${extra === 1 ? 'it' : 'the first'} is taken as the end of the last sample, as Chrome DevTools reads it${extra > 1 ? ', and the others are left out' : ''}`
      : `${extra === 1 ? 'it is' : 'they are'} left out`;
    builder.warn(
      `The profile has ${more} than samples (${count}), as some Node 10 recordings do: ${what}.`,
    );
  }
  selfByIdx[prevIdx] += last;
  builder.addSample(modelNode[prevIdx], last, prevT - (startTime ?? first));
  return prevT - first + last;
}

/**
 * The time of every sample in microseconds (`at`), from `timeDeltas` (relative to startTime, then
 * to the previous entry) or the old layout's absolute `timestamps`; and `end`, the time of the
 * entry after the last sample's when the file has more entries than samples (Chrome DevTools
 * takes it as the end of the last sample).
 */
function sampleStamps(
  cols: NodeColumns,
  times: Float64Array,
  count: number,
  sourceFile: string | undefined,
): { at: Float64Array; end: number | undefined } {
  const absolute = cols.timesAreAbsolute;
  const at = new Float64Array(count);
  let trueTime = absolute ? 0 : (cols.startTime ?? 0);
  for (let i = 0; i < count; i++) {
    trueTime = absolute ? times[i] : trueTime + times[i];
    // Microsecond clocks stay far below 2^53 (285 years); past it times lose their precision,
    // and sums of such deltas overflow into infinite weights.
    if (!(Math.abs(trueTime) <= MAX_TIME_US)) {
      fail(
        sourceFile,
        `is inconsistent: sample ${i + 1} is stamped ${trueTime} µs, beyond any real recording`,
        DAMAGED,
      );
    }
    at[i] = trueTime;
  }
  let end: number | undefined;
  if (times.length > count) {
    end = absolute ? times[count] : trueTime + times[count];
    if (!(Math.abs(end) <= MAX_TIME_US)) end = undefined;
  }
  return { at, end };
}

/**
 * The samples in time order when some are stamped before their predecessor (negative deltas:
 * Chrome DevTools sorts the samples by time, keeping the file's order among equal times), with
 * how many went backwards; `order` is undefined when the file's order is already the time order.
 */
function timeOrder(at: Float64Array, count: number): { order?: Int32Array; backwards: number } {
  let backwards = 0;
  for (let i = 1; i < count; i++) if (at[i] < at[i - 1]) backwards++;
  if (backwards === 0) return { backwards };
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => at[a] - at[b] || a - b);
  return { order, backwards };
}

/** The largest sample time, in microseconds, that a real recording has (2^53: 285 years). */
const MAX_TIME_US = 2 ** 53;

/** Microseconds per unit of a profile's weights (time units; other units are taken as µs). */
function microsecondsPer(unit: WeightUnit): number {
  switch (unit) {
    case 'nanoseconds':
      return 1e-3;
    case 'milliseconds':
      return 1e3;
    case 'seconds':
      return 1e6;
    default:
      return 1;
  }
}

interface ExportSample {
  node: number;
  weight: number;
}

/**
 * One node's `positionTicks` from its frame's line weights: the node's share of each line, in
 * whole ticks (one per `tick` of the node's self time, at least one) by largest remainder, so the
 * ticks add up and no line gets a tick it did not earn. Self time of the frame that no line
 * covers goes to the frame's definition line, where the importer's readers would put it.
 */
function spreadTicks(
  frameLines: { line1: number; weight: number }[],
  definitionLine1: number | null,
  frameSelf: number,
  nodeSelf: number,
  tick: number,
): V8PositionTick[] {
  const entries = frameLines.slice();
  let covered = 0;
  for (const l of entries) covered += l.weight;
  if (definitionLine1 !== null && frameSelf - covered > 1e-9 * frameSelf) {
    entries.push({ line1: definitionLine1, weight: frameSelf - covered });
    covered = frameSelf;
  }
  if (!(covered > 0)) return [];
  const total = Math.max(1, Math.round(nodeSelf / tick));
  const exact = entries.map((l) => (total * l.weight) / covered);
  const whole = exact.map(Math.floor);
  let left = total - whole.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, j) => j)
    .sort((a, b) => exact[b] - whole[b] - (exact[a] - whole[a]) || a - b);
  for (const j of byRemainder) {
    if (left <= 0) break;
    whole[j]++;
    left--;
  }
  const byLine = new Map<number, number>();
  entries.forEach((l, j) => {
    if (whole[j] > 0) byLine.set(l.line1, (byLine.get(l.line1) ?? 0) + whole[j]);
  });
  return [...byLine].map(([line, ticks]) => ({ line, ticks })).sort((a, b) => a.line - b.line);
}

/**
 * Writes a model as a modern V8 `.cpuprofile` that Chrome DevTools, VS Code and speedscope read,
 * so a remapped profile shows original sources there too. Every node's self time survives a
 * round trip through {@link importCpuprofile} (so every frame's self and total do):
 *
 * - samples are written back to back (sample i + 1 starts when sample i ends);
 * - the importer gives the last sample the mean interval; when the model's last weight differs,
 *   one extra sample of the same node is appended, splitting it so the mean comes out right;
 * - without samples (a model from another format), one sample per node with self weight is
 *   written, the heaviest last;
 * - line weights become integer `positionTicks` (about one tick per mean sample interval), and
 *   a frame's lines are spread over its nodes in proportion to their self time (the model keeps
 *   lines per frame, not per node): line heat survives to within a tick or so per node. Line
 *   entries in another file than their frame's cannot be expressed and are dropped.
 * - weights in other time units are converted to microseconds; other units are written as is.
 */
export function exportCpuprofile(profile: Profile): string {
  const { tree, frames } = profile;
  const scale = microsecondsPer(profile.meta.unit);

  const list: ExportSample[] = [];
  let firstStart = 0;
  if (profile.samples && profile.samples.count > 0) {
    const s = profile.samples;
    firstStart = Math.max(0, s.start[0]) * scale;
    for (let i = 0; i < s.count; i++) list.push({ node: s.node[i], weight: s.weight[i] * scale });
  } else {
    let heaviest = -1;
    for (let i = 0; i < tree.size; i++) {
      if (tree.self[i] > 0) {
        list.push({ node: i, weight: tree.self[i] * scale });
        if (heaviest < 0 || tree.self[i] > list[heaviest].weight / scale)
          heaviest = list.length - 1;
      }
    }
    if (heaviest >= 0) list.push(...list.splice(heaviest, 1));
  }
  // A sample of weight 0 adds nothing; at the end it would be given the mean interval.
  while (list.length > 1 && !(list[list.length - 1].weight > 0)) list.pop();
  let count = list.length;
  if (count > 1) {
    let spanBeforeLast = 0;
    let heaviest = 0;
    for (let i = 0; i < count - 1; i++) {
      spanBeforeLast += list[i].weight;
      if (list[i].weight > list[heaviest].weight) heaviest = i;
    }
    const lastWeight = list[count - 1].weight;
    const mean = spanBeforeLast / (count - 1);
    if (Math.abs(lastWeight - mean) > 1e-9 * Math.max(1, lastWeight)) {
      // The last sample is lighter than the mean: split the heaviest earlier sample into
      // consecutive pieces (the same node, back to back, so the stacks and their times stay)
      // until the mean is no more than the last weight, then split the last one as below.
      // Bounded, so that a nearly empty last sample cannot ask for millions of pieces; past
      // the bound the last sample gets the mean, a difference of less than one interval.
      const extra = lastWeight < mean ? Math.ceil(spanBeforeLast / lastWeight - (count - 1)) : 0;
      if (extra > 0 && extra <= 4 * count + 1000) {
        const { node, weight } = list[heaviest];
        const pieces = new Array<ExportSample>(extra + 1).fill({
          node,
          weight: weight / (extra + 1),
        });
        list.splice(heaviest, 1, ...pieces);
        count = list.length;
      }
      const head = (count * lastWeight - spanBeforeLast) / (count + 1);
      if (head >= 0) {
        list[count - 1] = { node: list[count - 1].node, weight: head };
        list.push({ node: list[count - 1].node, weight: lastWeight - head });
      }
    }
  } else if (count === 1) {
    // A lone sample would last until endTime, which the duration can push past its weight:
    // two halves make the mean interval the weight's half, exactly.
    const { node, weight } = list[0];
    list[0] = { node, weight: weight / 2 };
    list.push({ node, weight: weight / 2 });
  }

  const hitCount = new Int32Array(tree.size);
  const samples: number[] = new Array(list.length);
  const timeDeltas: number[] = new Array(list.length);
  let t = firstStart;
  let prev = 0;
  for (let i = 0; i < list.length; i++) {
    samples[i] = list[i].node + 1;
    hitCount[list[i].node]++;
    timeDeltas[i] = t - prev;
    prev = t;
    t += list[i].weight;
  }
  const meanInterval = list.length > 1 ? (prev - firstStart) / (list.length - 1) : t - firstStart;
  const durationUs = (profile.meta.duration ?? 0) * scale;
  const endTime = Math.max(t, durationUs);
  // The importer refuses sample times past 2^53 µs (no recording is 285 years long).
  if (!(endTime <= MAX_TIME_US)) {
    throw new ExportRangeError('a .cpuprofile', `a timestamp of ${endTime} µs`);
  }

  // Line weights per frame, in the frame's own file.
  const frameSelf = new Float64Array(frames.length);
  for (let i = 1; i < tree.size; i++) frameSelf[tree.frame[i]] += tree.self[i];
  const linesOfFrame = new Map<number, { line1: number; weight: number }[]>();
  const { lines } = profile;
  for (let c = 0; c < lines.count; c++) {
    const f = lines.frame[c];
    const frame = frames[f];
    if (!frame || frame.file !== lines.files[lines.file[c]]) continue;
    let entry = linesOfFrame.get(f);
    if (!entry) linesOfFrame.set(f, (entry = []));
    entry.push({ line1: lines.line1[c], weight: lines.self[c] * scale });
  }
  const tick = meanInterval > 0 ? meanInterval : 1000;

  const scriptIds = new Map<string, string>();
  const nodes: object[] = new Array(tree.size);
  for (let i = 0; i < tree.size; i++) {
    const kids: number[] = [];
    for (let c = 0; c < tree.childCount[i]; c++)
      kids.push(tree.children[tree.childStart[i] + c] + 1);
    const node: Record<string, unknown> = {
      id: i + 1,
      callFrame: undefined,
      hitCount: hitCount[i],
    };
    if (i === 0) {
      node.callFrame = {
        functionName: '(root)',
        scriptId: '0',
        url: '',
        lineNumber: -1,
        columnNumber: -1,
      };
    } else {
      const f = tree.frame[i];
      const frame = frames[f];
      const url = frame.file === null ? '' : pathToFileUrl(frame.file);
      let scriptId = '0';
      if (url) {
        scriptId = scriptIds.get(url) ?? String(scriptIds.size + 1);
        scriptIds.set(url, scriptId);
      }
      node.callFrame = {
        functionName: frame.name === '(anonymous)' && frame.kind !== 'pseudo' ? '' : frame.name,
        scriptId,
        url,
        lineNumber: oneBasedToV8(frame.line1),
        columnNumber: oneBasedToV8(frame.col1),
      };
      const frameLines = linesOfFrame.get(f);
      if (frameLines && tree.self[i] > 0 && frameSelf[f] > 0) {
        const ticks = spreadTicks(frameLines, frame.line1, frameSelf[f], tree.self[i], tick);
        if (ticks.length) node.positionTicks = ticks;
      }
    }
    if (kids.length) node.children = kids;
    nodes[i] = node;
  }
  return JSON.stringify({ nodes, startTime: 0, endTime, samples, timeDeltas });
}
