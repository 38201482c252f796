/**
 * Builds the model from a `.cpuprofile`'s columns (cpuprofileColumns.ts), whichever reader
 * filled them: the tree from the child lists, self time from the samples and their times, line
 * weights from `positionTicks`. The choices this follows are listed in cpuprofile.ts.
 */
import { classifyJsFrame } from '../core/frameKind';
import { v8ToOneBased } from '../core/positions';
import { ProfileBuilder } from '../core/profile';
import type { Frame, Profile } from '../core/profile';
import type { NodeColumns } from './cpuprofileColumns';
import { DAMAGED, REDO, fail } from './cpuprofileFail';
import { fileUrlToPath } from '../util/fileUrl';

/** The largest sample time, in microseconds, that a real recording has (2^53: 285 years). */
export const MAX_TIME_US = 2 ** 53;

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

/** The model of a profile's columns; `profiler` goes to `meta.profiler`. */
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
