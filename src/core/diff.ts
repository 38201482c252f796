/**
 * The difference between two runs of a program: per function, per source line and per node of the
 * new run's call tree. Pure; the editor (gutter, CodeLens) and the flame graph's differential view
 * both read it.
 *
 * Frame ids are local to a profile, so nothing here matches by id. Functions match by (name,
 * file), the definition line breaking ties only (an edit between the runs moves functions down
 * the file, and that must not make them look new). Lines match by (file, line). Tree nodes match
 * by call path: the before tree is walked with each frame replaced by the after frame its function
 * matched, so a node of the new tree finds the node that had the same stack in the old one.
 *
 * Runs of different length are compared after scaling every before weight by afterTotal /
 * beforeTotal ('total'), so that a function with the same share of both runs shows no change:
 * what a person wants to know after an edit is usually where the time went, not that the machine
 * was busier. Whatever is shown, {@link describeNormalisation} says it in a sentence.
 */
import { formatWeight } from './format';
import { functionStats, type FunctionStat } from './functionStats';
import { lineHeatForFile } from './lineHeat';
import { profileTotal, type Profile, type WeightUnit } from './profile';

/** How before weights are made comparable with after weights. */
export type Normalisation = 'none' | 'total';

/** A function's weights in one run. */
export interface RunWeights {
  readonly self: number;
  readonly total: number;
}

/** One function of either run, with its change. Before weights are already scaled. */
export interface FunctionDelta {
  readonly name: string;
  readonly file: string | null;
  readonly line1: number | null;
  /** Null: the function appeared in the new run. */
  readonly before: RunWeights | null;
  /** Null: the function vanished. */
  readonly after: RunWeights | null;
  readonly afterFrameId: number | null;
  readonly beforeFrameId: number | null;
  /** after - scaled before (a missing side counts as 0). */
  readonly selfDelta: number;
  readonly totalDelta: number;
  /** totalDelta / scaled before total; null when the before total is 0. */
  readonly totalRatio: number | null;
}

/** One source line's change (self weight). */
export interface LineDelta {
  readonly file: string;
  readonly line1: number;
  /** Scaled. */
  readonly before: number;
  readonly after: number;
  readonly delta: number;
  /** delta / before; null when before is 0. */
  readonly ratio: number | null;
}

/** The difference between two profiles (see the module comment). */
export interface ProfileDiff {
  readonly normalisation: Normalisation;
  /**
   * Factor applied to every before weight (1 when 'none'), after converting it to `unit` when the
   * runs measured time in different units.
   */
  readonly scale: number;
  /** Unscaled totals of the two runs: before in `beforeUnit`, after in `unit`. */
  readonly beforeTotal: number;
  readonly afterTotal: number;
  /** The after profile's unit: every weight of the diff is in it. */
  readonly unit: WeightUnit;
  /**
   * The unit of `beforeTotal`: `unit`, unless the runs' units do not convert (samples against
   * time), in which case only the normalised comparison exists.
   */
  readonly beforeUnit: WeightUnit;
  /** Every function of either run, by |totalDelta|, largest first. */
  readonly functions: readonly FunctionDelta[];
  /** Functions only in the new run, heaviest first. */
  readonly appeared: readonly FunctionDelta[];
  /** Functions only in the old run, heaviest (scaled) first. */
  readonly vanished: readonly FunctionDelta[];
  /** Lines of `file` with self weight in either run, sorted by line. */
  linesForFile(file: string): readonly LineDelta[];
  /** For every node of after.tree: the scaled before total at the same call path (0 if none). */
  readonly beforeTotalPerNode: Float64Array;
  /** For every node of after.tree: the scaled before self weight at the same call path. */
  readonly beforeSelfPerNode: Float64Array;
}

/** Options of {@link diffProfiles}. */
export interface DiffOptions {
  /** Default 'auto': 'total' when the totals differ by more than {@link AUTO_THRESHOLD}. */
  readonly normalisation?: Normalisation | 'auto';
  /**
   * Where a before line of a file is in the after run's version of the file (see mapLines), so
   * that an edit adding or removing lines above hot code between the runs does not misalign the
   * line comparison. Null: the line was changed or deleted, and its before weight is left out of
   * the per-line comparison (functions still count it). Default: lines match by number.
   */
  readonly mapBeforeLine?: (file: string, line1: number) => number | null;
}

/** 'auto' normalises by total when the larger total exceeds the smaller by more than this. */
export const AUTO_THRESHOLD = 0.1;

const NANOSECONDS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

/** The factor that converts `from` weights to `to` weights, or null when they do not convert. */
function unitFactor(from: WeightUnit, to: WeightUnit): number | null {
  if (from === to) return 1;
  const a = NANOSECONDS_PER[from];
  const b = NANOSECONDS_PER[to];
  return a !== undefined && b !== undefined ? a / b : null;
}

/**
 * Compares two runs. Throws when their units cannot be compared as measured (samples against
 * time, say) and 'none' was asked for; 'auto' normalises such runs by total.
 */
export function diffProfiles(
  before: Profile,
  after: Profile,
  options: DiffOptions = {},
): ProfileDiff {
  const unit = after.meta.unit;
  const convert = unitFactor(before.meta.unit, unit);
  const rawBefore = profileTotal(before);
  const beforeTotal = rawBefore * (convert ?? 1);
  const afterTotal = profileTotal(after);
  const asked = options.normalisation ?? 'auto';
  if (asked === 'none' && convert === null) {
    throw new Error(
      `Heatlens cannot compare a profile in ${before.meta.unit} with one in ${unit} as measured: ` +
        'compare them normalised by total instead.',
    );
  }
  let normalisation: Normalisation = asked === 'auto' ? 'none' : asked;
  if (asked === 'auto') {
    const lo = Math.min(beforeTotal, afterTotal);
    const hi = Math.max(beforeTotal, afterTotal);
    if (convert === null || hi > lo * (1 + AUTO_THRESHOLD)) normalisation = 'total';
  }
  const scale = normalisation === 'total' && beforeTotal > 0 ? afterTotal / beforeTotal : 1;
  // One factor for every before weight: the unit conversion, then the normalisation.
  const factor = (convert ?? 1) * scale;

  const { pairs, beforeToAfterFrame } = matchFunctions(functionStats(before), functionStats(after));
  const functions: FunctionDelta[] = pairs.map(([b, a]) => functionDelta(b, a, factor));
  functions.sort(
    (x, y) =>
      Math.abs(y.totalDelta) - Math.abs(x.totalDelta) ||
      Math.abs(y.selfDelta) - Math.abs(x.selfDelta) ||
      compareText(x.name, y.name),
  );
  const appeared = functions
    .filter((f) => f.before === null)
    .sort((x, y) => y.after!.total - x.after!.total || y.after!.self - x.after!.self);
  const vanished = functions
    .filter((f) => f.after === null)
    .sort((x, y) => y.before!.total - x.before!.total || y.before!.self - x.before!.self);

  const { beforeTotalPerNode, beforeSelfPerNode } = nodeWeights(
    before,
    after,
    beforeToAfterFrame,
    factor,
  );

  const lineCache = new Map<string, readonly LineDelta[]>();
  const linesForFile = (file: string): readonly LineDelta[] => {
    let lines = lineCache.get(file);
    if (!lines)
      lineCache.set(file, (lines = lineDeltas(before, after, file, factor, options.mapBeforeLine)));
    return lines;
  };

  return Object.freeze({
    normalisation,
    scale,
    beforeTotal,
    beforeUnit: convert === null ? before.meta.unit : unit,
    afterTotal,
    unit,
    functions: Object.freeze(functions),
    appeared: Object.freeze(appeared),
    vanished: Object.freeze(vanished),
    linesForFile,
    beforeTotalPerNode,
    beforeSelfPerNode,
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function functionDelta(
  b: FunctionStat | undefined,
  a: FunctionStat | undefined,
  factor: number,
): FunctionDelta {
  const frame = (a ?? b)!.frame;
  const before = b ? { self: b.self * factor, total: b.total * factor } : null;
  const after = a ? { self: a.self, total: a.total } : null;
  const totalDelta = (after?.total ?? 0) - (before?.total ?? 0);
  const beforeTotal = before?.total ?? 0;
  return Object.freeze({
    name: frame.name,
    file: frame.file,
    line1: frame.line1,
    before,
    after,
    afterFrameId: a ? a.frameId : null,
    beforeFrameId: b ? b.frameId : null,
    selfDelta: (after?.self ?? 0) - (before?.self ?? 0),
    totalDelta,
    totalRatio: beforeTotal > 0 ? totalDelta / beforeTotal : null,
  });
}

/** Past this many candidate pairs in one (name, file) group, match by line order instead. */
const MAX_PAIRS = 250_000;

/**
 * Pairs the functions of two runs. Within a (name, file) group a single function on each side is
 * the same function wherever it moved; several (anonymous functions of one file, say) pair by the
 * nearest definition line, then column, closest pairs first.
 */
function matchFunctions(
  before: readonly FunctionStat[],
  after: readonly FunctionStat[],
): {
  pairs: [FunctionStat | undefined, FunctionStat | undefined][];
  beforeToAfterFrame: Map<number, number>;
} {
  const key = (s: FunctionStat): string => `${s.frame.name}\u0000${s.frame.file ?? ''}`;
  const groups = new Map<string, { b: FunctionStat[]; a: FunctionStat[] }>();
  const group = (k: string) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { b: [], a: [] }));
    return g;
  };
  for (const s of before) group(key(s)).b.push(s);
  for (const s of after) group(key(s)).a.push(s);
  const pairs: [FunctionStat | undefined, FunctionStat | undefined][] = [];
  const beforeToAfterFrame = new Map<number, number>();
  const pair = (b: FunctionStat | undefined, a: FunctionStat | undefined): void => {
    pairs.push([b, a]);
    if (a && b) beforeToAfterFrame.set(b.frameId, a.frameId);
  };
  for (const { b, a } of groups.values()) {
    if (b.length === 1 && a.length === 1) {
      pair(b[0], a[0]);
      continue;
    }
    const line = (s: FunctionStat): number => s.frame.line1 ?? 0;
    const col = (s: FunctionStat): number => s.frame.col1 ?? 0;
    const usedB = new Uint8Array(b.length);
    const usedA = new Uint8Array(a.length);
    if (b.length * a.length <= MAX_PAIRS) {
      const candidates: [number, number, number, number][] = [];
      for (let i = 0; i < b.length; i++) {
        for (let j = 0; j < a.length; j++) {
          candidates.push([
            Math.abs(line(b[i]) - line(a[j])),
            Math.abs(col(b[i]) - col(a[j])),
            i,
            j,
          ]);
        }
      }
      candidates.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3]);
      for (const [, , i, j] of candidates) {
        if (usedB[i] || usedA[j]) continue;
        usedB[i] = usedA[j] = 1;
        pair(b[i], a[j]);
      }
    } else {
      // Thousands of same-named functions in one file: pair them in line order.
      const byLine = (x: FunctionStat, y: FunctionStat) => line(x) - line(y) || col(x) - col(y);
      const sb = [...b.keys()].sort((x, y) => byLine(b[x], b[y]));
      const sa = [...a.keys()].sort((x, y) => byLine(a[x], a[y]));
      for (let k = 0; k < Math.min(sb.length, sa.length); k++) {
        usedB[sb[k]] = usedA[sa[k]] = 1;
        pair(b[sb[k]], a[sa[k]]);
      }
    }
    for (let i = 0; i < b.length; i++) if (!usedB[i]) pair(b[i], undefined);
    for (let j = 0; j < a.length; j++) if (!usedA[j]) pair(undefined, a[j]);
  }
  return { pairs, beforeToAfterFrame };
}

/**
 * Before weights per node of the after tree. Parents come before children in both trees (ids
 * grow downwards), so one pass over the before tree finds, for each node, the after node with the
 * same path: the after child of its parent's match whose frame is its frame's match.
 */
function nodeWeights(
  before: Profile,
  after: Profile,
  beforeToAfterFrame: Map<number, number>,
  factor: number,
): { beforeTotalPerNode: Float64Array; beforeSelfPerNode: Float64Array } {
  const at = after.tree;
  const bt = before.tree;
  const beforeTotalPerNode = new Float64Array(at.size);
  const beforeSelfPerNode = new Float64Array(at.size);
  if (at.size === 0 || bt.size === 0) return { beforeTotalPerNode, beforeSelfPerNode };
  // The after child of a node with a given frame, through an open-addressing hash table of after
  // nodes keyed by (parent, frame): no allocation per node, which a Map of a million entries
  // with keys past 2^31 cannot avoid (measured: 3.5 s against 0.3 s for 1.1 M nodes).
  const bits = Math.max(4, Math.ceil(Math.log2(at.size * 2)));
  const mask = (1 << bits) - 1;
  const table = new Int32Array(mask + 1).fill(-1);
  const slot = (parent: number, frame: number): number =>
    (Math.imul(parent, 0x9e3779b1) ^ Math.imul(frame + 1, 0x85ebca6b)) >>> (32 - bits);
  for (let n = 1; n < at.size; n++) {
    let h = slot(at.parent[n], at.frame[n]);
    while (table[h] !== -1) h = (h + 1) & mask;
    table[h] = n;
  }
  const afterChild = (parent: number, frame: number): number => {
    for (let h = slot(parent, frame); ; h = (h + 1) & mask) {
      const n = table[h];
      if (n === -1 || (at.parent[n] === parent && at.frame[n] === frame)) return n;
    }
  };
  const frameMap = new Int32Array(before.frames.length).fill(-1);
  for (const [b, a] of beforeToAfterFrame) frameMap[b] = a;
  const match = new Int32Array(bt.size).fill(-1);
  match[0] = 0;
  beforeTotalPerNode[0] = bt.total[0] * factor;
  beforeSelfPerNode[0] = bt.self[0] * factor;
  for (let n = 1; n < bt.size; n++) {
    const p = match[bt.parent[n]];
    const f = frameMap[bt.frame[n]];
    if (p < 0 || f < 0) continue;
    const m = afterChild(p, f);
    if (m < 0) continue;
    match[n] = m;
    // One before node per after node (matching is one to one), so += only guards the invariant.
    beforeTotalPerNode[m] += bt.total[n] * factor;
    beforeSelfPerNode[m] += bt.self[n] * factor;
  }
  return { beforeTotalPerNode, beforeSelfPerNode };
}

function lineDeltas(
  before: Profile,
  after: Profile,
  file: string,
  factor: number,
  mapBeforeLine: DiffOptions['mapBeforeLine'],
): readonly LineDelta[] {
  const cells = new Map<number, { before: number; after: number }>();
  for (const l of lineHeatForFile(before, file)) {
    const line1 = mapBeforeLine ? mapBeforeLine(file, l.line1) : l.line1;
    if (line1 === null) continue;
    // += : a mapping given by a caller need not be one to one.
    const cell = cells.get(line1);
    if (cell) cell.before += l.self * factor;
    else cells.set(line1, { before: l.self * factor, after: 0 });
  }
  for (const l of lineHeatForFile(after, file)) {
    const cell = cells.get(l.line1);
    if (cell) cell.after = l.self;
    else cells.set(l.line1, { before: 0, after: l.self });
  }
  const out: LineDelta[] = [];
  for (const [line1, c] of cells) {
    const delta = c.after - c.before;
    out.push(
      Object.freeze({
        file,
        line1,
        before: c.before,
        after: c.after,
        delta,
        ratio: c.before > 0 ? delta / c.before : null,
      }),
    );
  }
  out.sort((a, b) => a.line1 - b.line1);
  return Object.freeze(out);
}

function formatScale(scale: number): string {
  if (scale >= 10) return scale.toFixed(1);
  if (scale >= 0.01) return scale.toFixed(2);
  return scale.toPrecision(2);
}

/**
 * A sentence naming the normalisation shown: "normalised by total: before 2.10 s scaled x0.67 to
 * after 1.40 s", or "not normalised: before 2.10 s and after 2.00 s compared as measured".
 */
export function describeNormalisation(diff: ProfileDiff): string {
  const b = formatWeight(diff.beforeTotal, diff.beforeUnit);
  const a = formatWeight(diff.afterTotal, diff.unit);
  if (diff.normalisation === 'total') {
    return `normalised by total: before ${b} scaled x${formatScale(diff.scale)} to after ${a}`;
  }
  return `not normalised: before ${b} and after ${a} compared as measured`;
}

function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : text;
}

/**
 * A change for people: "+12.3 ms · +40%", "-3.10 ms · -8.2%"; "+5.00 ms · new" when there was
 * nothing before (no ratio). Percentages keep two or three figures.
 */
export function formatDelta(delta: number, ratio: number | null, unit: WeightUnit): string {
  const weight = signed(formatWeight(delta, unit), delta);
  if (ratio === null) return delta > 0 ? `${weight} · new` : weight;
  if (!Number.isFinite(ratio)) return `${weight} · ${String(ratio)}`;
  const pct = ratio * 100;
  const abs = Math.abs(pct);
  if (abs < 0.05) return `${weight} · 0%`;
  const text = abs >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  return `${weight} · ${signed(text, pct)}%`;
}
