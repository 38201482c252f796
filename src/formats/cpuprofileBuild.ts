/**
 * Builds the model from a `.cpuprofile`'s columns (cpuprofileColumns.ts), whichever reader
 * filled them: the tree from the child lists, self time from the samples and their times, line
 * weights from `positionTicks`. The choices this follows are listed in cpuprofile.ts.
 */
import { classifyJsFrame } from '../core/frameKind';
import { v8ToOneBased } from '../core/positions';
import { ProfileBuilder } from '../core/profile';
import type { Frame, FrameKind, Profile } from '../core/profile';
import type { NodeColumns, RawFrame } from './cpuprofileColumns';
import { DAMAGED, REDO, fail } from './cpuprofileFail';
import { type IdIndex, MAX_TIME_US, attributeSamples, indexIds } from './cpuprofileSamples';
import { fileUrlToPath } from '../util/fileUrl';

/**
 * The model of a profile's columns; `profiler` goes to `meta.profiler`. The columns are used up:
 * their sample and time arrays may become the model's samples (cpuprofileSamples.ts).
 */
export function buildProfile(
  columns: NodeColumns,
  sourceFile: string | undefined,
  runtimePaths: readonly string[] = [],
  profiler = 'v8',
  warnings: readonly string[] = [],
): Profile {
  const { cols, dropped } = withRecordingTimes(columns);
  if (dropped.length) {
    warnings = [
      ...warnings,
      `The profile's ${dropped.join(' and ')} ${dropped.length === 1 ? 'is' : 'are'} beyond any real recording: left out, the samples' own times are used.`,
    ];
  }
  const n = cols.count;
  if (n === 0) fail(sourceFile, 'has no call-tree nodes at all', REDO);
  const ids = indexIds(cols, sourceFile);

  const parentIdx = parentsOf(cols, ids, sourceFile);

  const order = parentFirstOrder(parentIdx, sourceFile);
  const builder = new ProfileBuilder();
  for (const w of warnings) builder.warn(w);
  const frameOfIdx = modelFrames(cols, parentIdx, order, builder, runtimePaths);
  const modelNode = modelNodes(parentIdx, order, frameOfIdx, builder);

  const selfByIdx = new Float64Array(n);
  const span = attributeSamples(cols, ids, modelNode, selfByIdx, builder, sourceFile);
  addSelfTimes(selfByIdx, modelNode, builder);

  addLineWeights(cols, builder, selfByIdx, frameOfIdx, modelNode);

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

// Each loop of the build is a function of its own: buildProfile runs once per import, so a loop
// inside it would run unoptimized until V8 compiled it on the spot, again on every import, and
// the frame-making loop, whose code V8 throws away after a full collection (it makes object
// literals), would take the others' code with it.

/**
 * The nodes in parent-first order, or undefined when the file's order is one already (V8 writes
 * nodes that way: checked, sorted only if not).
 */
function parentFirstOrder(
  parentIdx: Int32Array,
  sourceFile: string | undefined,
): Int32Array | undefined {
  for (let i = 0; i < parentIdx.length; i++) {
    if (parentIdx[i] >= i) return topologicalOrder(parentIdx, sourceFile);
  }
  return undefined;
}

/**
 * The model frame of each node (-1 for a `(root)` node at the top, which is not a frame), each
 * raw frame made a model frame when a node first uses it, in parent-first order.
 */
function modelFrames(
  cols: NodeColumns,
  parentIdx: Int32Array,
  order: Int32Array | undefined,
  builder: ProfileBuilder,
  runtimePaths: readonly string[],
): Int32Array {
  const n = cols.count;
  const toFrame = frameMaker(runtimePaths);
  // Model frame id of each raw frame, made on first use.
  const modelFrame = new Int32Array(cols.frames.length).fill(-1);
  const frameOfIdx = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const raw = cols.frame[i];
    const f = cols.frames[raw];
    if (parentIdx[i] < 0 && f.name === '(root)' && !f.url) continue;
    let frameId = modelFrame[raw];
    if (frameId < 0) frameId = modelFrame[raw] = builder.frame(toFrame(f));
    frameOfIdx[i] = frameId;
  }
  return frameOfIdx;
}

/** The model node of each node, made in parent-first order (the model's root for `(root)`). */
function modelNodes(
  parentIdx: Int32Array,
  order: Int32Array | undefined,
  frameOfIdx: Int32Array,
  builder: ProfileBuilder,
): Int32Array {
  const n = parentIdx.length;
  const modelNode = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const frameId = frameOfIdx[i];
    if (frameId < 0) continue;
    const p = parentIdx[i];
    modelNode[i] = builder.child(p < 0 ? 0 : modelNode[p], frameId);
  }
  return modelNode;
}

/** Each node's self time onto its model node. */
function addSelfTimes(selfByIdx: Float64Array, modelNode: Int32Array, builder: ProfileBuilder) {
  for (let i = 0; i < selfByIdx.length; i++) {
    if (selfByIdx[i] > 0) builder.addSelf(modelNode[i], selfByIdx[i]);
  }
}

/**
 * Makes the model's frame of a raw call frame. A url's path and kind are worked out once per
 * url (a profile has many functions per script), so the frames of one script share one path
 * string, which the builder's lookups by path then compare by identity. It hands out one object
 * it fills anew each time (the builder copies what it keeps): an object literal made here would
 * make V8 throw this code away after each full collection (it revisits where literals go then).
 */
function frameMaker(runtimePaths: readonly string[]): (raw: RawFrame) => Frame {
  const fileOfUrl = new Map<string, string>();
  const kindOfUrl = new Map<string, FrameKind>();
  const out = new FrameFields();
  return ({ name, url, line0, col0 }) => {
    let file: string | null = null;
    let kind: FrameKind;
    if (url) {
      let path = fileOfUrl.get(url);
      if (path === undefined) {
        const known = fileUrlToPath(url);
        fileOfUrl.set(url, (path = known));
        // With a url, the kind depends on the url alone.
        kindOfUrl.set(
          url,
          runtimePaths.some((dir) => known.startsWith(dir))
            ? 'runtime'
            : classifyJsFrame(name, url, line0),
        );
      }
      file = path;
      kind = kindOfUrl.get(url)!;
    } else kind = classifyJsFrame(name, url, line0);
    // V8 leaves anonymous functions (and a module's top level) without a name.
    out.name = name || '(anonymous)';
    out.file = file;
    out.line1 = v8ToOneBased(line0);
    out.col1 = v8ToOneBased(col0);
    out.kind = kind;
    return out;
  };
}

/** A frame's fields, filled anew for each frame (see frameMaker). */
class FrameFields implements Frame {
  name = '';
  file: string | null = null;
  line1: number | null = null;
  col1: number | null = null;
  kind: FrameKind = 'user';
}

/**
 * The parent index of every node (-1 for roots), from the child lists; a child the profile does
 * not hold, or a node listed as a child twice, is an error.
 */
function parentsOf(cols: NodeColumns, ids: IdIndex, sourceFile: string | undefined): Int32Array {
  const n = cols.count;
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
  return parentIdx;
}

/**
 * Line weights: each node's self time split over its lines by their share of its ticks, per
 * frame in the line table and per node in columns (for attributing inlined functions' lines).
 */
function addLineWeights(
  cols: NodeColumns,
  builder: ProfileBuilder,
  selfByIdx: Float64Array,
  frameOfIdx: Int32Array,
  modelNode: Int32Array,
): void {
  const n = cols.count;
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
    // The file's index in the line table, taken when the node's first line counts (as addLine
    // would): the table lists files in the order their first line came.
    let fileIndex = -1;
    for (let t = from; t < to; t++) {
      if (tickCount[t] > 0 && tickLine[t] >= 1) {
        const weight = (self * tickCount[t]) / sum;
        const line1 = tickLine[t];
        if (!(weight > 0 && weight <= 1e290)) {
          builder.addLine(file, line1, frameOfIdx[i], weight); // left out, with a warning
          continue;
        }
        if (!Number.isInteger(line1) || line1 > 0x7fffffff) continue;
        if (fileIndex < 0) fileIndex = builder.lineFileIndex(file);
        builder.addLineAt(fileIndex, line1, frameOfIdx[i], weight);
        perNode.node[perNodeCount] = modelNode[i];
        perNode.file[perNodeCount] = fileIndex;
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
 * The columns without a `startTime` or `endTime` no clock gives (not finite, or past 2^53 µs: a
 * damaged file), which would make every sample's offset or the duration infinite; `dropped`
 * names those left out.
 */
function withRecordingTimes(cols: NodeColumns): { cols: NodeColumns; dropped: string[] } {
  const real = (t: number | undefined) => t === undefined || Math.abs(t) <= MAX_TIME_US;
  const dropped: string[] = [];
  if (!real(cols.startTime)) dropped.push('startTime');
  if (!real(cols.endTime)) dropped.push('endTime');
  if (!dropped.length) return { cols, dropped };
  return {
    cols: {
      ...cols,
      startTime: real(cols.startTime) ? cols.startTime : undefined,
      endTime: real(cols.endTime) ? cols.endTime : undefined,
    },
    dropped,
  };
}
