/**
 * The columnar form of a {@link Profile}: the one codec behind both the webview's wire form
 * (`src/shared/wire.ts`) and the stored-run file (`src/formats/heatlensRun.ts`).
 *
 * Every typed array of the model travels as its raw little-endian bytes, in whatever carrier the
 * caller picks (`bytes`): an ArrayBuffer for binary channels, base64 for JSON. A million-node tree
 * is 20 MB of parent/frame/self/children either way, with no per-number parse. Frames travel as
 * parallel arrays with file names interned; call-graph figures as typed columns. Of the call
 * tree, parent, frame, self and children are kept; totals, depths and child ranges are recomputed
 * on reading exactly as the builder computes them (the same additions in the same order), so they
 * cannot disagree with the rest. Reading is in profileColumnsRead.ts.
 *
 * The key order of these objects is the stored-run file's key order: keep it, so that a file
 * written today is byte for byte what earlier versions wrote.
 */
import type { FrameKind, Profile, ProfileMeta } from './profile';

/** Frames as parallel arrays. */
export interface FrameColumns {
  readonly name: string[];
  /** Index into `files`, or -1 for no file. */
  readonly file: number[];
  readonly files: string[];
  /** 1-based, or null for unknown. */
  readonly line1: (number | null)[];
  readonly col1: (number | null)[];
  readonly kind: FrameKind[];
}

/** The stored columns of a call tree; each `B` holds the bytes of one typed array. */
export interface TreeColumns<B> {
  readonly size: number;
  /** Int32Array */
  readonly parent: B;
  /** Int32Array */
  readonly frame: B;
  /** Float64Array */
  readonly self: B;
  /** Int32Array: the children of every node, heaviest first, in node order. */
  readonly children: B;
}

/** Samples: Int32Array node, Float64Array weight and start. */
export interface SampleColumns<B> {
  readonly count: number;
  readonly node: B;
  readonly weight: B;
  readonly start: B;
}

/** The line table: Int32Array file, line1, frame; Float64Array self and external. */
export interface LineColumns<B> {
  readonly files: string[];
  readonly count: number;
  readonly file: B;
  readonly line1: B;
  readonly frame: B;
  readonly self: B;
  /** Time below each line in code outside the user's (optional: older runs lack it). */
  readonly external?: B;
  /** The same weights per tree node (optional: V8 profiles only). */
  readonly perNode?: {
    readonly count: number;
    readonly node: B;
    readonly file: B;
    readonly line1: B;
    readonly self: B;
  };
}

/** A call graph: Int32Array ids, Float64Array figures. */
export interface CallGraphColumns<B> {
  readonly functions: {
    readonly count: number;
    readonly frame: B;
    readonly calls: B;
    readonly primitiveCalls: B;
    readonly self: B;
    readonly total: B;
  };
  readonly edges: {
    readonly count: number;
    readonly caller: B;
    readonly callee: B;
    readonly calls: B;
    /** Per-caller primitive calls (pstats), when the profile has them; NaN where an edge has none. */
    readonly primitiveCalls?: B;
    readonly self: B;
    readonly total: B;
  };
}

/** A profile as columns (see the module comment). */
export interface ProfileColumns<B> {
  readonly meta: ProfileMeta;
  readonly treeIsApproximate: boolean;
  readonly frames: FrameColumns;
  readonly tree: TreeColumns<B>;
  readonly samples?: SampleColumns<B>;
  /** Left out where the reader has no use for it (the webview). */
  readonly lines?: LineColumns<B>;
  readonly callGraph?: CallGraphColumns<B>;
}

/** Options of {@link profileColumns}. */
export interface ColumnsOptions {
  /** Include the line table (default: true). */
  readonly lines?: boolean;
}

/**
 * The columns of a profile, each typed array turned into its carrier by `bytes` (which must copy
 * or encode: the profile's own arrays are never handed out).
 */
export function profileColumns<B>(
  profile: Profile,
  bytes: (view: ArrayBufferView) => B,
  options: ColumnsOptions = {},
): ProfileColumns<B> {
  const { tree, samples, lines } = profile;
  return {
    meta: profile.meta,
    treeIsApproximate: profile.treeIsApproximate,
    frames: frameColumns(profile),
    tree: {
      size: tree.size,
      parent: bytes(tree.parent),
      frame: bytes(tree.frame),
      self: bytes(tree.self),
      children: bytes(tree.children),
    },
    samples: samples && {
      count: samples.count,
      node: bytes(samples.node),
      weight: bytes(samples.weight),
      start: bytes(samples.start),
    },
    lines:
      options.lines === false
        ? undefined
        : {
            files: [...lines.files],
            count: lines.count,
            file: bytes(lines.file),
            line1: bytes(lines.line1),
            frame: bytes(lines.frame),
            self: bytes(lines.self),
            external: lines.external && bytes(lines.external),
            perNode: lines.perNode && {
              count: lines.perNode.count,
              node: bytes(lines.perNode.node),
              file: bytes(lines.perNode.file),
              line1: bytes(lines.perNode.line1),
              self: bytes(lines.perNode.self),
            },
          },
    callGraph: callGraphColumns(profile, bytes),
  };
}

function frameColumns(profile: Profile): FrameColumns {
  const files: string[] = [];
  const fileIds = new Map<string, number>();
  const n = profile.frames.length;
  const name = new Array<string>(n);
  const file = new Array<number>(n);
  const line1 = new Array<number | null>(n);
  const col1 = new Array<number | null>(n);
  const kind = new Array<FrameKind>(n);
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
    line1[i] = f.line1;
    col1[i] = f.col1;
    kind[i] = f.kind;
  }
  return { name, file, files, line1, col1, kind };
}

function callGraphColumns<B>(
  profile: Profile,
  bytes: (view: ArrayBufferView) => B,
): CallGraphColumns<B> | undefined {
  const graph = profile.callGraph;
  if (!graph) return undefined;
  const { functions: fns, edges } = graph;
  return {
    functions: {
      count: fns.length,
      frame: bytes(Int32Array.from(fns, (f) => f.frame)),
      calls: bytes(Float64Array.from(fns, (f) => f.calls)),
      primitiveCalls: bytes(Float64Array.from(fns, (f) => f.primitiveCalls)),
      self: bytes(Float64Array.from(fns, (f) => f.self)),
      total: bytes(Float64Array.from(fns, (f) => f.total)),
    },
    edges: {
      count: edges.length,
      caller: bytes(Int32Array.from(edges, (e) => e.caller)),
      callee: bytes(Int32Array.from(edges, (e) => e.callee)),
      calls: bytes(Float64Array.from(edges, (e) => e.calls)),
      ...(edges.some((e) => e.primitiveCalls !== undefined) && {
        primitiveCalls: bytes(Float64Array.from(edges, (e) => e.primitiveCalls ?? Number.NaN)),
      }),
      self: bytes(Float64Array.from(edges, (e) => e.self)),
      total: bytes(Float64Array.from(edges, (e) => e.total)),
    },
  };
}
