/**
 * The samples of a `.cpuprofile`'s columns (cpuprofileColumns.ts): V8 node ids to column
 * indexes, and samples with their times to self time per node and the model's timed samples.
 * The choices this follows are listed in cpuprofile.ts; cpuprofileBuild.ts calls it.
 *
 * Speed: a profile has tens of times more samples than nodes, so the sample loop is the one that
 * counts. It looks ids up in a typed array when they are dense (no call per sample), and writes
 * the model's sample columns straight into typed arrays of the final size; the sample times
 * become the samples' start offsets in place.
 */
import type { ProfileBuilder } from '../core/profile';
import type { NodeColumns, Numbers } from './cpuprofileColumns';
import { DAMAGED, REDO, fail } from './cpuprofileFail';
import { keepShape } from '../util/keepShape';

/** The largest sample time, in microseconds, that a real recording has (2^53: 285 years). */
export const MAX_TIME_US = 2 ** 53;

/** V8 node id -> index in the columns: a typed array when ids are dense, else a Map. */
export class IdIndex {
  constructor(
    /** `table[id]` is the index of node `id`, -1 for none (dense ids). */
    readonly table: Int32Array | undefined,
    private readonly map: Map<number, number> | undefined,
  ) {}

  /** The index of the node with V8 id `id`, or -1. */
  get(id: number): number {
    const table = this.table;
    if (table) return id >= 0 && id < table.length && Number.isInteger(id) ? table[id] : -1;
    return this.map!.get(id) ?? -1;
  }
}

/** The index of every node id; two nodes with one id are an error. */
export function indexIds(cols: NodeColumns, sourceFile: string | undefined): IdIndex {
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
    return new IdIndex(table, undefined);
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (map.has(ids[i])) duplicate(ids[i]);
    map.set(ids[i], i);
  }
  return new IdIndex(undefined, map);
}

/**
 * Turns samples and their times into self time per node (`selfByIdx`) and model samples.
 * Returns the span from the first sample's start to the last one's end.
 */
export function attributeSamples(
  cols: NodeColumns,
  ids: IdIndex,
  modelNode: Int32Array,
  selfByIdx: Float64Array,
  builder: ProfileBuilder,
  sourceFile: string | undefined,
): number {
  const samples = cols.samples;
  const count = samples ? samples.length : 0;
  if (!samples || count === 0) return spreadHits(cols, selfByIdx, builder, sourceFile);

  const endTime = cols.endTime;
  const times = cols.times;
  const timesName = cols.timesAreAbsolute ? 'timestamps' : 'time deltas';
  if (!times || times.length < count) {
    fail(
      sourceFile,
      `is inconsistent: it has ${count} samples but ${times?.length ?? 0} ${timesName}`,
      DAMAGED,
    );
  }
  const timed =
    quickSamples(cols, samples, times, ids, modelNode, selfByIdx, sourceFile) ??
    exactSamples(cols, samples, times, ids, modelNode, selfByIdx, builder, sourceFile);
  const { node, weight, start, prevIdx, prevT, first } = timed;
  const end = endEntry(cols, times, count, timed.lastTime);
  // The last sample: until the time an extra entry gives (see sampleStamps), else the mean
  // interval (Chrome DevTools' choice); a lone sample lasts until endTime.
  let last: number;
  if (end !== undefined && end >= prevT) last = end - prevT;
  else if (count > 1) last = (prevT - first) / (count - 1);
  else last = endTime !== undefined && endTime > prevT ? endTime - prevT : 0;
  if (times.length > count) {
    const extra = times.length - count;
    const used = end !== undefined && end >= prevT;
    const more = extra === 1 ? `one more entry in ${timesName}` : `${extra} more ${timesName}`;
    const what = used
      ? `${extra === 1 ? 'it' : 'the first'} is taken as the end of the last sample, as Chrome DevTools reads it${extra > 1 ? ', and the others are left out' : ''}`
      : `${extra === 1 ? 'it is' : 'they are'} left out`;
    builder.warn(
      `The profile has ${more} than samples (${count}), as some Node 10 recordings do: ${what}.`,
    );
  }
  selfByIdx[prevIdx] += last;
  // Times lie within 2^53 µs: every weight is 0 or positive and far below the builder's limit.
  weight[count - 1] = last > 0 ? last : 0;
  builder.setSamples(node, weight, start);
  return prevT - first + last;
}

/** The samples in time order, each one's model node, duration (all but the last) and time. */
interface Timed {
  node: Int32Array;
  weight: Float64Array;
  /** Each sample's start, relative to the recording's start (startTime, else the first sample). */
  start: Float64Array;
  /** The column index of the last sample's node, its time, and the first sample's time. */
  prevIdx: number;
  prevT: number;
  first: number;
  /** The time of the last sample in the file's order (where an extra entry's delta starts). */
  lastTime: number;
}

/**
 * The common case: samples in an Int32Array (the scanners' columns) naming dense ids, stamped in
 * time order within 2^53 µs. A first pass checks the times; when they do not hold, it returns
 * undefined with nothing changed, and exactSamples reads the file (and words what is wrong).
 * The second pass reads each sample's node and writes the model's samples into the columns'
 * own arrays, in place (each entry is read before it is written): the sample ids become the
 * sample nodes, the time deltas the start offsets, so only the weights take new memory. Per
 * sample it reads one cache line at random (the id's self time and model node side by side),
 * which is what the loop costs on a profile of many nodes.
 */
function quickSamples(
  cols: NodeColumns,
  samples: Numbers,
  times: Float64Array,
  ids: IdIndex,
  modelNode: Int32Array,
  selfByIdx: Float64Array,
  sourceFile: string | undefined,
): Timed | undefined {
  const table = ids.table;
  if (!(samples instanceof Int32Array) || !table) return undefined;
  const count = samples.length;
  const absolute = cols.timesAreAbsolute;
  const origin = absolute ? 0 : (cols.startTime ?? 0);
  let t = origin;
  let prevT = -Infinity;
  for (let i = 0; i < count; i++) {
    t = absolute ? times[i] : t + times[i];
    if (!(Math.abs(t) <= MAX_TIME_US) || t < prevT) return undefined;
    prevT = t;
  }
  const size = table.length;
  const idOf = cols.id;
  // perId[2 id]: the self time of node `id`; perId[2 id + 1]: its model node + 1 (0: no node).
  const perId = new Float64Array(2 * size);
  for (let i = 0; i < cols.count; i++) perId[2 * idOf[i] + 1] = modelNode[i] + 1;
  const node = samples;
  const start = times.length === count ? times : times.subarray(0, count);
  const weight = new Float64Array(count);
  const first = absolute ? times[0] : origin + times[0];
  const base = cols.startTime ?? first;
  t = origin;
  prevT = 0;
  let prevId = 0;
  for (let i = 0; i < count; i++) {
    t = absolute ? times[i] : t + times[i];
    const id = samples[i];
    const m = id >= 0 && id < size ? perId[2 * id + 1] : 0;
    // In file order, which is time order here: the sample exactSamples would name.
    if (m === 0) missingNode(sourceFile, i, id);
    if (i > 0) {
      const d = t - prevT;
      perId[2 * prevId] += d;
      weight[i - 1] = d > 0 ? d : 0;
    }
    node[i] = m - 1;
    start[i] = t - base;
    prevId = id;
    prevT = t;
  }
  for (let i = 0; i < cols.count; i++) selfByIdx[i] += perId[2 * idOf[i]];
  return { node, weight, start, prevIdx: table[prevId], prevT, first, lastTime: t };
}

/** Fails for sample `i` (0-based), which names node `id`, not in the profile. */
function missingNode(sourceFile: string | undefined, i: number, id: number): never {
  return fail(
    sourceFile,
    `is inconsistent: sample ${i + 1} names node ${id}, which is not in the profile`,
    DAMAGED,
  );
}

/** Any samples: stamped out of order, naming sparse ids, in a Float64Array. */
function exactSamples(
  cols: NodeColumns,
  samples: Numbers,
  times: Float64Array,
  ids: IdIndex,
  modelNode: Int32Array,
  selfByIdx: Float64Array,
  builder: ProfileBuilder,
  sourceFile: string | undefined,
): Timed {
  const count = samples.length;
  const { at, backwards } = sampleStamps(cols, times, count, sourceFile);
  if (backwards > 0) {
    builder.warn(
      `${backwards} sample${backwards === 1 ? ' is' : 's are'} stamped before the sample written ` +
        'before it (negative time deltas): the samples are taken in time order, as Chrome ' +
        'DevTools does.',
    );
  }
  const order = backwards > 0 ? timeOrder(at, count) : undefined;
  const node = new Int32Array(count);
  const weight = new Float64Array(count);
  const { prevIdx, first } = walkSamples(
    samples,
    at,
    order,
    ids,
    modelNode,
    selfByIdx,
    node,
    weight,
  );
  if (prevIdx < 0) {
    const i = order ? order[-prevIdx - 1] : -prevIdx - 1;
    missingNode(sourceFile, i, samples[i]);
  }
  const prevT = at[order ? order[count - 1] : count - 1];
  const lastTime = at[count - 1];
  const base = cols.startTime ?? first;
  let start = at;
  if (order) {
    start = new Float64Array(count);
    for (let k = 0; k < count; k++) start[k] = at[order[k]] - base;
  } else for (let k = 0; k < count; k++) start[k] -= base;
  return { node, weight, start, prevIdx, prevT, first, lastTime };
}

/**
 * The sample loop: in time order (`order`, or the file's), each sample's model node into `node`
 * and, for all but the last, its duration (until the next sample) into `weight` and onto its
 * node's `selfByIdx`. Returns the last sample's column index and the first sample's time, or, at
 * a sample naming no node, `prevIdx` = -(its position in time order) - 1.
 */
function walkSamples(
  samples: Numbers,
  at: Float64Array,
  order: Int32Array | undefined,
  ids: IdIndex,
  modelNode: Int32Array,
  selfByIdx: Float64Array,
  node: Int32Array,
  weight: Float64Array,
): { prevIdx: number; first: number } {
  const count = samples.length;
  // Dense ids in an Int32Array (the scanners' columns): an inline lookup, no call per sample.
  const table = samples instanceof Int32Array ? ids.table : undefined;
  const size = table ? table.length : 0;
  let prevIdx = -1;
  let prevT = 0;
  for (let k = 0; k < count; k++) {
    const i = order ? order[k] : k;
    let idx: number;
    if (table) {
      const id = samples[i];
      idx = id >= 0 && id < size ? table[id] : -1;
    } else idx = ids.get(samples[i]);
    if (idx < 0) return { prevIdx: -k - 1, first: 0 };
    const t = at[i];
    if (k > 0) {
      const d = t - prevT;
      selfByIdx[prevIdx] += d;
      // Time-ordered: d is 0 or more (-0 when a -0 stamp follows a 0 one: made 0).
      weight[k - 1] = d > 0 ? d : 0;
    }
    node[k] = modelNode[idx];
    prevIdx = idx;
    prevT = t;
  }
  return { prevIdx, first: at[order ? order[0] : 0] };
}

/** No samples: very old files only had hit counts. Spreads the recording over the hits. */
function spreadHits(
  cols: NodeColumns,
  selfByIdx: Float64Array,
  builder: ProfileBuilder,
  sourceFile: string | undefined,
): number {
  const { startTime, endTime } = cols;
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

/**
 * The time of every sample in microseconds (`at`), from `timeDeltas` (relative to startTime, then
 * to the previous entry) or the old layout's absolute `timestamps`, and how many samples are
 * stamped before their predecessor.
 */
function sampleStamps(
  cols: NodeColumns,
  times: Float64Array,
  count: number,
  sourceFile: string | undefined,
): { at: Float64Array; backwards: number } {
  const absolute = cols.timesAreAbsolute;
  const at = new Float64Array(count);
  let trueTime = absolute ? 0 : (cols.startTime ?? 0);
  let backwards = 0;
  let previous = -Infinity;
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
    if (trueTime < previous) backwards++;
    at[i] = previous = trueTime;
  }
  return { at, backwards };
}

/**
 * The time of the entry after the last sample's, when the file has more entries than samples
 * (Chrome DevTools takes it as the end of the last sample); `lastTime` is the last sample's time
 * in the file's order.
 */
function endEntry(
  cols: NodeColumns,
  times: Float64Array,
  count: number,
  lastTime: number,
): number | undefined {
  if (times.length <= count) return undefined;
  const end = cols.timesAreAbsolute ? times[count] : lastTime + times[count];
  return Math.abs(end) <= MAX_TIME_US ? end : undefined;
}

/**
 * The samples in time order when some are stamped before their predecessor (negative deltas:
 * Chrome DevTools sorts the samples by time, keeping the file's order among equal times).
 */
function timeOrder(at: Float64Array, count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => at[a] - at[b] || a - b);
  return order;
}

// Its hidden class outlives every import (see keepShape).
keepShape(new IdIndex(undefined, undefined));
