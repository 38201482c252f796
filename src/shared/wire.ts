/**
 * The compact form in which a {@link Profile} crosses to the flame graph webview, once.
 *
 * Typed arrays travel as raw bytes: an ArrayBuffer per array when the channel carries binary
 * data (VS Code webviews do since 1.57, and so does a browser's postMessage), else base64 of the
 * same bytes (for JSON-only channels). Little-endian, as on every platform VS Code runs on. A
 * million-node tree is 20 MB of parent/frame/self/children either way, with no per-number parse.
 * Frames travel as parallel arrays with file names interned. Totals, depths and child ranges are
 * recomputed on arrival (linear passes), so they cannot disagree with what was sent.
 *
 * The line table is left out: the webview does not use it, and the decoded profile carries an
 * empty one.
 */
import {
  describeNoise,
  describeNormalisation,
  type CriticalZ,
  type FunctionDelta,
  type Normalisation,
  type ProfileDiff,
  type RunWeights,
} from '../core/diff';
import type { NoiseParams } from '../core/significance';
import type {
  CallGraph,
  CallTree,
  Frame,
  FrameKind,
  LineTable,
  Profile,
  ProfileMeta,
  Samples,
  WeightUnit,
} from '../core/profile';
import { treeShape } from '../core/callTree';

/** Frames as parallel arrays. */
export interface WireFrames {
  readonly name: string[];
  /** Index into `files`, or -1 for no file. */
  readonly file: number[];
  readonly files: string[];
  /** 1-based line, or 0 for unknown. */
  readonly line1: number[];
  /** 1-based column, or 0 for unknown. */
  readonly col1: number[];
  /** One letter per frame: u(ser), l(ibrary), r(untime), p(seudo). */
  readonly kind: string;
}

/** The call graph as parallel arrays. */
export interface WireCallGraph {
  readonly fn: {
    frame: number[];
    calls: number[];
    primitiveCalls: number[];
    self: number[];
    total: number[];
  };
  readonly edge: {
    caller: number[];
    callee: number[];
    calls: number[];
    self: number[];
    total: number[];
  };
}

/** The bytes of one typed array: an ArrayBuffer (binary channels) or base64 (JSON channels). */
export type WireBytes = ArrayBuffer | string;

/** A profile as sent to the webview (see the module comment). */
export interface WireProfile {
  readonly version: 1;
  readonly meta: ProfileMeta;
  readonly treeIsApproximate: boolean;
  readonly frames: WireFrames;
  readonly tree: {
    readonly size: number;
    /** Int32Array */
    readonly parent: WireBytes;
    /** Int32Array */
    readonly frame: WireBytes;
    /** Float64Array */
    readonly self: WireBytes;
    /** Int32Array: the children of every node, heaviest first, in node order. */
    readonly children: WireBytes;
  };
  readonly samples?: {
    readonly count: number;
    /** Int32Array */
    readonly node: WireBytes;
    /** Float64Array */
    readonly weight: WireBytes;
    /** Float64Array */
    readonly start: WireBytes;
  };
  readonly callGraph?: WireCallGraph;
}

const KIND_LETTER: Record<FrameKind, string> = {
  user: 'u',
  library: 'l',
  runtime: 'r',
  pseudo: 'p',
};
const LETTER_KIND: Record<string, FrameKind> = {
  u: 'user',
  l: 'library',
  r: 'runtime',
  p: 'pseudo',
};

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = new Uint8Array(128).fill(255);
for (let i = 0; i < B64.length; i++) B64_CODES[B64.charCodeAt(i)] = i;

interface NodeBufferLike {
  from(
    data: ArrayBufferLike,
    byteOffset?: number,
    length?: number,
  ): {
    toString(enc: string): string;
    buffer: ArrayBuffer;
    byteOffset: number;
    byteLength: number;
  };
}
// Node's Buffer when present (extension host, CLI, tests): about 10x faster than the loops below.
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;

/** Base64 of the bytes of a typed array. */
export function bytesToBase64(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  return portableBase64(bytes);
}

/** Base64 without Node's Buffer (the webview side). Exported for its test. */
export function portableBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 16384;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < end) {
      const two = i + 1 < end;
      const n = (bytes[i] << 16) | ((two ? bytes[i + 1] : 0) << 8);
      s += B64[n >> 18] + B64[(n >> 12) & 63] + (two ? B64[(n >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** The bytes of a base64 string, in a fresh (so aligned) buffer. */
export function base64ToBytes(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const n =
      (B64_CODES[text.charCodeAt(i)] << 18) |
      (B64_CODES[text.charCodeAt(i + 1)] << 12) |
      (B64_CODES[text.charCodeAt(i + 2)] << 6) |
      B64_CODES[text.charCodeAt(i + 3)];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest >= 2) {
    const n =
      (B64_CODES[text.charCodeAt(i)] << 18) |
      (B64_CODES[text.charCodeAt(i + 1)] << 12) |
      (rest === 3 ? B64_CODES[text.charCodeAt(i + 2)] << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}

/** Raw bytes of a wire field (an ArrayBuffer, a typed array a channel recreated, or base64). */
function bytesOf(
  value: unknown,
  what: string,
): { buffer: ArrayBuffer; offset: number; length: number } {
  if (typeof value === 'string') {
    const bytes = base64ToBytes(value);
    return { buffer: bytes.buffer as ArrayBuffer, offset: 0, length: bytes.byteLength };
  }
  if (value instanceof ArrayBuffer) return { buffer: value, offset: 0, length: value.byteLength };
  if (ArrayBuffer.isView(value)) {
    return {
      buffer: value.buffer as ArrayBuffer,
      offset: value.byteOffset,
      length: value.byteLength,
    };
  }
  throw new WireError(`${what} is neither bytes nor base64`);
}

function typed<T extends Int32Array | Float64Array>(
  Ctor: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
  value: unknown,
  count: number,
  what: string,
): T {
  const size = Ctor.BYTES_PER_ELEMENT;
  const bytes = bytesOf(value, what);
  const length = bytes.length;
  let { buffer, offset } = bytes;
  if (length !== count * size) {
    throw new WireError(`${what} holds ${length / size} entries, expected ${count}`);
  }
  if (offset % size !== 0) {
    // A view at an odd offset cannot be reinterpreted in place: copy it once.
    buffer = buffer.slice(offset, offset + length);
    offset = 0;
  }
  return new Ctor(buffer, offset, count);
}

const int32 = (v: unknown, count: number, what: string): Int32Array =>
  typed(Int32Array, v, count, what);
const float64 = (v: unknown, count: number, what: string): Float64Array =>
  typed(Float64Array, v, count, what);

/** A copy of exactly the bytes of a typed array (never its whole, possibly shared, buffer). */
function rawCopy(view: ArrayBufferView): ArrayBuffer {
  return (view.buffer as ArrayBuffer).slice(view.byteOffset, view.byteOffset + view.byteLength);
}

/** A malformed wire profile (a bug between host and webview, never the person's file). */
export class WireError extends Error {
  constructor(detail: string) {
    super(
      `Heatlens could not read the profile sent to the flame graph: ${detail}. Reopen the panel; if it persists, report it.`,
    );
    this.name = 'WireError';
  }
}

const encoded = new WeakMap<Profile, WireProfile>();

/** Options of {@link encodeProfile}. */
export interface EncodeOptions {
  /**
   * Send typed arrays as ArrayBuffers (copies, so the host's profile is never detached) for
   * channels that carry binary data; default: base64 strings, safe for JSON.
   */
  readonly binary?: boolean;
}

/** The compact form of a profile (the base64 form is cached per profile: profiles are immutable). */
export function encodeProfile(profile: Profile, options: EncodeOptions = {}): WireProfile {
  const binary = options.binary ?? false;
  const cached = binary ? undefined : encoded.get(profile);
  if (cached) return cached;
  const bytes = binary ? rawCopy : bytesToBase64;
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const n = profile.frames.length;
  const name = new Array<string>(n);
  const file = new Array<number>(n);
  const line1 = new Array<number>(n);
  const col1 = new Array<number>(n);
  let kind = '';
  for (let i = 0; i < n; i++) {
    const f = profile.frames[i];
    name[i] = f.name;
    if (f.file === null) file[i] = -1;
    else {
      let id = fileIds.get(f.file);
      if (id === undefined) {
        id = files.length;
        files.push(f.file);
        fileIds.set(f.file, id);
      }
      file[i] = id;
    }
    line1[i] = f.line1 ?? 0;
    col1[i] = f.col1 ?? 0;
    kind += KIND_LETTER[f.kind];
  }
  const t = profile.tree;
  const s = profile.samples;
  const g = profile.callGraph;
  const wire: WireProfile = {
    version: 1,
    meta: profile.meta,
    treeIsApproximate: profile.treeIsApproximate,
    frames: { name, file, files, line1, col1, kind },
    tree: {
      size: t.size,
      parent: bytes(t.parent),
      frame: bytes(t.frame),
      self: bytes(t.self),
      children: bytes(t.children),
    },
    samples: s
      ? {
          count: s.count,
          node: bytes(s.node),
          weight: bytes(s.weight),
          start: bytes(s.start),
        }
      : undefined,
    callGraph: g
      ? {
          fn: {
            frame: g.functions.map((f) => f.frame),
            calls: g.functions.map((f) => f.calls),
            primitiveCalls: g.functions.map((f) => f.primitiveCalls),
            self: g.functions.map((f) => f.self),
            total: g.functions.map((f) => f.total),
          },
          edge: {
            caller: g.edges.map((e) => e.caller),
            callee: g.edges.map((e) => e.callee),
            calls: g.edges.map((e) => e.calls),
            self: g.edges.map((e) => e.self),
            total: g.edges.map((e) => e.total),
          },
        }
      : undefined,
  };
  if (!binary) encoded.set(profile, wire);
  return wire;
}

const EMPTY_LINES: LineTable = {
  files: [],
  count: 0,
  file: new Int32Array(0),
  line1: new Int32Array(0),
  frame: new Int32Array(0),
  self: new Float64Array(0),
};

/**
 * A {@link Profile} back from its wire form, usable by every pure analysis (its line table is
 * empty). Throws {@link WireError} when the arrays do not fit together.
 */
export function decodeProfile(wire: WireProfile): Profile {
  if (!wire || wire.version !== 1) throw new WireError(`unknown version ${String(wire?.version)}`);
  const wf = wire.frames;
  const frameCount = wf.name.length;
  const frames: Frame[] = new Array(frameCount);
  for (let i = 0; i < frameCount; i++) {
    const kind = LETTER_KIND[wf.kind[i]];
    if (!kind) throw new WireError(`frame ${i} has no kind`);
    frames[i] = {
      name: wf.name[i],
      file: wf.file[i] >= 0 ? wf.files[wf.file[i]] : null,
      line1: wf.line1[i] > 0 ? wf.line1[i] : null,
      col1: wf.col1[i] > 0 ? wf.col1[i] : null,
      kind,
    };
  }
  const n = wire.tree.size;
  const parent = int32(wire.tree.parent, n, 'tree.parent');
  const frame = int32(wire.tree.frame, n, 'tree.frame');
  const self = float64(wire.tree.self, n, 'tree.self');
  const children = int32(wire.tree.children, Math.max(0, n - 1), 'tree.children');
  for (let i = n - 1; i > 0; i--) {
    const p = parent[i];
    if (!(p >= 0 && p < i)) throw new WireError(`node ${i} has parent ${p}`);
    if (!(frame[i] >= 0 && frame[i] < frameCount))
      throw new WireError(`node ${i} has frame ${frame[i]}`);
  }
  const { total, depth, childCount, childStart } = treeShape(parent, self);
  const tree: CallTree = {
    size: n,
    parent,
    frame,
    self,
    total,
    depth,
    childStart,
    childCount,
    children,
  };
  let samples: Samples | undefined;
  if (wire.samples) {
    const c = wire.samples.count;
    samples = {
      count: c,
      node: int32(wire.samples.node, c, 'samples.node'),
      weight: float64(wire.samples.weight, c, 'samples.weight'),
      start: float64(wire.samples.start, c, 'samples.start'),
    };
  }
  let callGraph: CallGraph | undefined;
  if (wire.callGraph) {
    const { fn, edge } = wire.callGraph;
    callGraph = {
      functions: fn.frame.map((f, i) => ({
        frame: f,
        calls: fn.calls[i],
        primitiveCalls: fn.primitiveCalls[i],
        self: fn.self[i],
        total: fn.total[i],
      })),
      edges: edge.caller.map((c, i) => ({
        caller: c,
        callee: edge.callee[i],
        calls: edge.calls[i],
        self: edge.self[i],
        total: edge.total[i],
      })),
    };
  }
  return {
    meta: wire.meta,
    frames,
    tree,
    samples,
    lines: EMPTY_LINES,
    callGraph,
    treeIsApproximate: wire.treeIsApproximate,
  };
}

// ---- Comparison of two runs (the differential view) ----------------------------------------------

/** A function that appeared in the new run or vanished from it, as the differential view lists it. */
export interface WireFunctionChange {
  readonly name: string;
  readonly file: string | null;
  readonly line1: number | null;
  /** Sent for vanished functions; an appeared one's is its frame's in the new profile. */
  readonly kind?: FrameKind;
  /** Weights in the run that has it (a vanished function's are scaled like every before weight). */
  readonly self: number;
  readonly total: number;
  /** The function's frame id in the new (shown) profile; -1 for a vanished one. */
  readonly frameId: number;
  /** Whether its total is a change beyond the noise (a function of one sample is not). */
  readonly significant: boolean;
}

/**
 * What the flame graph panel needs to show the new run against an old one. The new run itself is
 * the message's profile; per-node arrays are indexed by its tree's node ids.
 */
export interface WireCompare {
  readonly version: 1;
  readonly beforeLabel: string;
  readonly afterLabel: string;
  readonly normalisation: Normalisation;
  readonly scale: number;
  /** {@link describeNormalisation}'s sentence. */
  readonly description: string;
  /** {@link describeNoise}'s sentence for the tree nodes. */
  readonly noiseDescription: string;
  /** What the significance tests of the nodes and functions need (significance.ts). */
  readonly noise: NoiseParams;
  readonly critical: CriticalZ;
  /** The unit of every weight (the new run's). */
  readonly unit: WeightUnit;
  /** Unscaled run totals (before in `beforeUnit`). */
  readonly beforeTotal: number;
  readonly beforeUnit: WeightUnit;
  readonly afterTotal: number;
  /** Node count of the new run's tree. */
  readonly size: number;
  /** Float64Array: scaled before total per node of the new run's tree. */
  readonly beforeTotalPerNode: WireBytes;
  /** Float64Array: scaled before self weight per node of the new run's tree. */
  readonly beforeSelfPerNode: WireBytes;
  /** Float64Array: the before run's squared sample weights per node (scaled), when it has them. */
  readonly beforeTotalSqPerNode?: WireBytes;
  /** Functions of both runs: frame id in the new run and scaled before weights. */
  readonly matched: { readonly frame: number[]; readonly self: number[]; readonly total: number[] };
  /** Frame ids (new run) of the functions V8 ran inlined in the old run (diffMatch.ts). */
  readonly inlinedBefore: number[];
  /** Frame ids (new run) of the matched functions whose total changed beyond noise. */
  readonly changedFrames: number[];
  /** Heaviest first, at most {@link MAX_LISTED} each; the counts say how many there are. */
  readonly appeared: WireFunctionChange[];
  readonly vanished: WireFunctionChange[];
  readonly appearedCount: number;
  readonly vanishedCount: number;
}

/** How many appeared (and vanished) functions cross to the webview at most. */
export const MAX_LISTED = 1000;

/** Labels of the two runs, shown in the differential view ("run at 10:42", a file name). */
export interface CompareLabels {
  readonly beforeLabel: string;
  readonly afterLabel: string;
}

/**
 * The compact form of a comparison, for `ProfileMessage.compare`. `diff` must come from
 * `diffProfiles(before, after)` where `after` is the profile the message carries; `before` names
 * the kinds of vanished functions.
 */
export function encodeCompare(
  diff: ProfileDiff,
  before: Profile,
  labels: CompareLabels,
  options: EncodeOptions = {},
): WireCompare {
  const bytes = options.binary ? rawCopy : bytesToBase64;
  const matched = { frame: [] as number[], self: [] as number[], total: [] as number[] };
  const inlinedBefore: number[] = [];
  const changedFrames: number[] = [];
  for (const f of diff.functions) {
    if (f.before && f.afterFrameId !== null) {
      matched.frame.push(f.afterFrameId);
      matched.self.push(f.before.self);
      matched.total.push(f.before.total);
      if (f.inlined === 'before' || f.inlined === 'both') inlinedBefore.push(f.afterFrameId);
      if (f.totalSignificant) changedFrames.push(f.afterFrameId);
    }
  }
  const change = (f: FunctionDelta): WireFunctionChange => {
    const w = (f.after ?? f.before)!;
    return {
      name: f.name,
      file: f.file,
      line1: f.line1,
      // An appeared function's kind is in the new profile, which the webview has.
      kind: f.beforeFrameId !== null ? before.frames[f.beforeFrameId]?.kind : undefined,
      self: w.self,
      total: w.total,
      frameId: f.afterFrameId ?? -1,
      significant: f.totalSignificant,
    };
  };
  return {
    version: 1,
    beforeLabel: labels.beforeLabel,
    afterLabel: labels.afterLabel,
    normalisation: diff.normalisation,
    scale: diff.scale,
    description: describeNormalisation(diff),
    noiseDescription: describeNoise(diff, 'nodes'),
    noise: diff.noise,
    critical: diff.critical,
    unit: diff.unit,
    beforeTotal: diff.beforeTotal,
    beforeUnit: diff.beforeUnit,
    afterTotal: diff.afterTotal,
    size: diff.beforeTotalPerNode.length,
    beforeTotalPerNode: bytes(diff.beforeTotalPerNode),
    beforeSelfPerNode: bytes(diff.beforeSelfPerNode),
    beforeTotalSqPerNode: diff.beforeTotalSqPerNode ? bytes(diff.beforeTotalSqPerNode) : undefined,
    matched,
    inlinedBefore,
    changedFrames,
    appeared: diff.appeared.slice(0, MAX_LISTED).map(change),
    vanished: diff.vanished.slice(0, MAX_LISTED).map(change),
    appearedCount: diff.appeared.length,
    vanishedCount: diff.vanished.length,
  };
}

/** A function that appeared or vanished, decoded. */
export interface FunctionChange extends WireFunctionChange {
  readonly kind: FrameKind;
}

/** A comparison as the webview uses it. */
export interface CompareData {
  readonly beforeLabel: string;
  readonly afterLabel: string;
  readonly normalisation: Normalisation;
  readonly scale: number;
  readonly description: string;
  readonly noiseDescription: string;
  readonly noise: NoiseParams;
  readonly critical: CriticalZ;
  readonly unit: WeightUnit;
  readonly beforeTotal: number;
  readonly beforeUnit: WeightUnit;
  readonly afterTotal: number;
  readonly beforeTotalPerNode: Float64Array;
  readonly beforeSelfPerNode: Float64Array;
  readonly beforeTotalSqPerNode?: Float64Array;
  /** Scaled before weights of the functions of both runs, by frame id in the new run. */
  readonly beforeByFrame: ReadonlyMap<number, RunWeights>;
  /** Frame ids of the functions V8 ran inlined in the old run (their before weights are lines'). */
  readonly inlinedBefore: ReadonlySet<number>;
  /** Frame ids of the matched functions whose total changed beyond noise (diff.ts decides). */
  readonly changedFrames: ReadonlySet<number>;
  readonly appeared: readonly FunctionChange[];
  readonly vanished: readonly FunctionChange[];
  readonly appearedCount: number;
  readonly vanishedCount: number;
}

/**
 * A comparison back from its wire form, checked against the (decoded) profile it belongs to.
 * Throws {@link WireError} when it does not fit.
 */
export function decodeCompare(wire: WireCompare, profile: Profile): CompareData {
  const treeSize = profile.tree.size;
  if (!wire || wire.version !== 1) {
    throw new WireError(`unknown comparison version ${String(wire?.version)}`);
  }
  if (wire.size !== treeSize) {
    throw new WireError(`the comparison has ${wire.size} nodes, the profile ${treeSize}`);
  }
  const { frame, self, total } = wire.matched;
  if (frame.length !== self.length || frame.length !== total.length) {
    throw new WireError("the comparison's matched functions do not line up");
  }
  const beforeByFrame = new Map<number, RunWeights>();
  for (let i = 0; i < frame.length; i++) {
    beforeByFrame.set(frame[i], { self: self[i], total: total[i] });
  }
  return {
    beforeLabel: String(wire.beforeLabel),
    afterLabel: String(wire.afterLabel),
    normalisation: wire.normalisation,
    scale: wire.scale,
    description: String(wire.description),
    noiseDescription: String(wire.noiseDescription),
    noise: noiseParams(wire.noise),
    critical: criticalZs(wire.critical),
    unit: wire.unit,
    beforeTotal: wire.beforeTotal,
    beforeUnit: wire.beforeUnit,
    afterTotal: wire.afterTotal,
    beforeTotalPerNode: float64(wire.beforeTotalPerNode, treeSize, 'compare.beforeTotalPerNode'),
    beforeSelfPerNode: float64(wire.beforeSelfPerNode, treeSize, 'compare.beforeSelfPerNode'),
    beforeTotalSqPerNode: wire.beforeTotalSqPerNode
      ? float64(wire.beforeTotalSqPerNode, treeSize, 'compare.beforeTotalSqPerNode')
      : undefined,
    beforeByFrame,
    inlinedBefore: new Set(Array.isArray(wire.inlinedBefore) ? wire.inlinedBefore : []),
    changedFrames: new Set(Array.isArray(wire.changedFrames) ? wire.changedFrames : []),
    appeared: wire.appeared.map((f) => withKind(f, profile)),
    vanished: wire.vanished.map((f) => withKind(f, profile)),
    appearedCount: wire.appearedCount,
    vanishedCount: wire.vanishedCount,
  };
}

/** Noise parameters checked: positive finite numbers, or the comparison does not decode. */
function noiseParams(n: NoiseParams | undefined): NoiseParams {
  const ok = (v: unknown, min: number) => typeof v === 'number' && Number.isFinite(v) && v >= min;
  if (
    !n ||
    !ok(n.beforeGrain, 0) ||
    !ok(n.afterGrain, 0) ||
    !ok(n.dispersion, 0) ||
    !ok(n.minRelative, 0) ||
    !ok(n.minChange, 0)
  ) {
    throw new WireError("the comparison's noise parameters are missing or not numbers");
  }
  const { beforeGrain, afterGrain, dispersion, minRelative, minChange } = n;
  return { beforeGrain, afterGrain, dispersion, minRelative, minChange };
}

function criticalZs(c: CriticalZ | undefined): CriticalZ {
  const ok = (v: unknown) => typeof v === 'number' && v > 0;
  if (!c || !ok(c.lines) || !ok(c.functions) || !ok(c.nodes)) {
    throw new WireError("the comparison's significance thresholds are missing or not numbers");
  }
  return { lines: c.lines, functions: c.functions, nodes: c.nodes };
}

function withKind(f: WireFunctionChange, profile: Profile): FunctionChange {
  const frame = f.frameId >= 0 ? profile.frames[f.frameId] : undefined;
  if (f.frameId >= 0 && !frame) throw new WireError(`a listed function has frame ${f.frameId}`);
  return {
    ...f,
    significant: f.significant === true,
    kind: frame?.kind ?? f.kind ?? (f.file === null ? 'pseudo' : 'user'),
  };
}
