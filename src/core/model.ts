/**
 * The profile model every stage shares (see docs/ARCHITECTURE.md, "The profile model").
 *
 * A profile is built once, through `ProfileBuilder` (profile.ts, which exports these types too),
 * and never changed afterwards: analyses are functions of it and may cache by identity. The call
 * tree is a set of flat typed arrays indexed by node id, so that a million nodes cost a few tens
 * of megabytes and cross to the webview as plain arrays.
 *
 * Positions inside the model are 1-based for both lines and columns; field names carry the base
 * (`line1`, `col1`) so nobody has to guess. Conversions live at the edges (see positions.ts).
 */

/** What a frame is: the user's code, a library's, the runtime's, or a profiler pseudo-frame. */
export type FrameKind = 'user' | 'library' | 'runtime' | 'pseudo';

/** One function (or pseudo-function) as the profiler named it. */
export interface Frame {
  readonly name: string;
  /** Absolute path or URL as recorded (after remapping: the original source), or null. */
  readonly file: string | null;
  /** 1-based line of the function's start, or null when unknown. */
  readonly line1: number | null;
  /** 1-based column of the function's start, or null when unknown. */
  readonly col1: number | null;
  readonly kind: FrameKind;
}

/** The unit every weight in a profile is measured in. */
export type WeightUnit =
  'microseconds' | 'nanoseconds' | 'milliseconds' | 'seconds' | 'samples' | 'bytes' | 'none';

/** What we know of the run or the file a profile came from. */
export interface ProfileMeta {
  /** Which profiler wrote it: 'v8' for the V8 CPU profiler, later 'cprofile', 'yappi', ... */
  readonly profiler: string;
  readonly clock: 'cpu' | 'wall' | 'unknown';
  readonly unit: WeightUnit;
  /** Requested sampling interval in microseconds, when the profiler samples. */
  readonly intervalUs?: number;
  /**
   * How many samples the profile holds, for formats that keep only aggregated stacks (no
   * `samples`): with the total it gives a sample's mean weight, and so the figures' sampling
   * error.
   */
  readonly sampleCount?: number;
  /** Start of the recording, milliseconds since the Unix epoch, when known. */
  readonly startEpochMs?: number;
  /** Length of the recording in `unit`. */
  readonly duration?: number;
  /** The command line that ran, when we ran it. */
  readonly command?: readonly string[];
  /** Where the profile was read from, when it came from a file. */
  readonly sourceFile?: string;
  /** Things the person should know (a broken source map, an unreachable interval, ...). */
  readonly warnings: readonly string[];
}

/**
 * The merged call tree. Node 0 is a synthetic root (frame -1) whose children are the stacks'
 * outermost frames. A child's id is always greater than its parent's. Children of a node are
 * `children[childStart[n] .. childStart[n] + childCount[n])`, sorted by total weight, heaviest
 * first.
 */
export interface CallTree {
  readonly size: number;
  readonly parent: Int32Array;
  readonly frame: Int32Array;
  readonly self: Float64Array;
  readonly total: Float64Array;
  readonly depth: Int32Array;
  readonly childStart: Int32Array;
  readonly childCount: Int32Array;
  readonly children: Int32Array;
}

/** Time-ordered samples: sample i is `node[i]` (a tree node id), lasting `weight[i]` from `start[i]`. */
export interface Samples {
  readonly count: number;
  readonly node: Int32Array;
  readonly weight: Float64Array;
  /** Start of each sample in `meta.unit`, relative to the start of the recording. */
  readonly start: Float64Array;
}

/**
 * Self weight per source line, aggregated per (file, line, frame). `file` indexes `files`;
 * `frame` is the function the line was executing in.
 *
 * `self` is a true self figure: a sample counts on one line at most, so the entries never add
 * up to more than the profile's total. `external`, where a profiler records it (the Python
 * sampler), is the time spent below the line in code that is not the user's (libraries, the
 * standard library) while this line was the deepest line of the user's code on the stack: it
 * is counted there in addition to the library's own lines, so it is never part of `self`.
 */
export interface LineTable {
  readonly files: readonly string[];
  readonly count: number;
  readonly file: Int32Array;
  readonly line1: Int32Array;
  readonly frame: Int32Array;
  readonly self: Float64Array;
  /** Time below the line in code outside the user's, per entry; absent when none was recorded. */
  readonly external?: Float64Array;
  /**
   * The same weights per tree node, where the profiler records them per node (V8's
   * `positionTicks`): what attributing the lines of inlined functions needs. Not aggregated (a
   * (node, file, line) may repeat); absent for other profilers.
   */
  readonly perNode?: NodeLines;
}

/** Line weights per tree node (see {@link LineTable.perNode}); `file` indexes `LineTable.files`. */
export interface NodeLines {
  readonly count: number;
  readonly node: Int32Array;
  readonly file: Int32Array;
  readonly line1: Int32Array;
  readonly self: Float64Array;
}

/** A function of a deterministic profiler's call graph, with exact figures. */
export interface GraphFunction {
  readonly frame: number;
  /** All calls, recursive ones included. */
  readonly calls: number;
  /** Calls that were not recursive (pstats' "primitive" calls). */
  readonly primitiveCalls: number;
  readonly self: number;
  readonly total: number;
}

/** A caller -> callee edge with the callee's figures for calls from that caller. */
export interface GraphEdge {
  readonly caller: number;
  readonly callee: number;
  readonly calls: number;
  /**
   * The calls that were not recursive (pstats' per-caller primitive count, `8360/2` in
   * `print_callers`); absent where the format has no such count (callgrind).
   */
  readonly primitiveCalls?: number;
  readonly self: number;
  readonly total: number;
}

/** The exact call graph of a deterministic profiler (pstats, callgrind, yappi). */
export interface CallGraph {
  readonly functions: readonly GraphFunction[];
  readonly edges: readonly GraphEdge[];
}

export interface Profile {
  readonly meta: ProfileMeta;
  readonly frames: readonly Frame[];
  readonly tree: CallTree;
  readonly samples?: Samples;
  readonly lines: LineTable;
  readonly callGraph?: CallGraph;
  /**
   * True when the tree was derived from a call graph rather than from real stacks: a call graph
   * does not define a unique tree, so the tree is an approximation and must be labelled as one.
   */
  readonly treeIsApproximate: boolean;
}

/**
 * Total weight of a profile: the root's total, or for a call graph the sum of every function's
 * self weight (the approximated tree from a call graph need not add up to it exactly).
 */
export function profileTotal(profile: Profile): number {
  if (profile.callGraph) {
    // The sum of self time, or the largest inclusive time when that is larger: yappi's self
    // times can fall short of its inclusive ones (time in code it did not profile), and no
    // function may take more than the whole run.
    let sum = 0;
    let largest = 0;
    for (const f of profile.callGraph.functions) {
      sum += f.self;
      if (f.total > largest) largest = f.total;
    }
    return Math.max(sum, largest);
  }
  return profile.tree.size > 0 ? profile.tree.total[0] : 0;
}
