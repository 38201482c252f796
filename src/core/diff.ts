/**
 * The difference between two runs of a program: per function, per source line and per node of the
 * new run's call tree, each change judged against the noise between two runs (significance.ts).
 * Pure; the editor (gutter, CodeLens, hover, status bar) and the flame graph's differential view
 * all read it.
 *
 * Functions match by (name, file), lines by (file, line) after following the edits made between
 * the runs, tree nodes by call path (diffMatch.ts, diffNodes.ts).
 *
 * Normalisation. Two runs of one program never take the same time: the machine was busier, the
 * CPU's clock moved. What a person wants to know is where the code changed, so by default the
 * before weights are scaled by the *typical* change: the median after/before ratio of the lines
 * sampled well in both runs (significance.ts, `typicalRatio`). A machine 20% slower moves every
 * line by 20% and the median with them; a line made 3x slower moves itself only, and everything
 * else keeps its figures. Scaling by the total instead (every before weight times afterTotal /
 * beforeTotal, which compares shares of the run) makes every other line look faster when one
 * line got slower; it stays available, and is what 'auto' falls back to (when the totals differ
 * by more than 10%) where there is no typical change: too few lines sampled well (a program that
 * is one hot loop, where a change of the code and a change of the machine look the same), or
 * most lines changed (two different workloads; diffNormalise.ts). 'none' compares the weights as
 * measured. Whatever is shown, {@link describeNormalisation} says it in a sentence.
 */
import { functionStats } from './functionStats';
import { matchFunctions, reconcileInlined, type MatchedFunction } from './diffMatch';
import { runGrains, type RunGrains } from './diffGrains';
import { nodeWeights } from './diffNodes';
import { hotLines } from './lineHeat';
import { profileTotal, type Profile, type WeightUnit } from './profile';
import { normalise } from './diffNormalise';
import type { CriticalZ, DiffOptions, FunctionDelta, LineDelta, ProfileDiff } from './diffTypes';
import {
  ALPHA,
  criticalZ,
  judge,
  noiseModel,
  type NoiseParams,
  type PairedWeight,
} from './significance';

// The types and the wording of a comparison have modules of their own; callers take them here.
export type {
  CriticalZ,
  DiffOptions,
  FunctionDelta,
  LineDelta,
  Normalisation,
  ProfileDiff,
  RunWeights,
} from './diffTypes';
export { describeNoise, describeNormalisation, formatChange, formatDelta } from './diffText';

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

/** A line of both runs: before converted to the after unit but not scaled. */
interface LineCell extends PairedWeight {
  readonly line1: number;
  before: number;
  after: number;
  /** The line's grains (diffGrains.ts), in the after unit, the before one not scaled. */
  beforeGrain: number;
  afterGrain: number;
}

/**
 * Compares two runs. Throws when their units cannot be compared as measured (samples against
 * time, say) and 'none' was asked for; 'auto' normalises such runs.
 */
export function diffProfiles(
  before: Profile,
  after: Profile,
  options: DiffOptions = {},
): ProfileDiff {
  const unit = after.meta.unit;
  const convert = unitFactor(before.meta.unit, unit);
  const conv = convert ?? 1;
  const rawBefore = profileTotal(before);
  const beforeTotal = rawBefore * conv;
  const afterTotal = profileTotal(after);
  const asked = options.normalisation ?? 'auto';
  if (asked === 'none' && convert === null) {
    throw new Error(
      `Heatlens cannot compare a profile in ${before.meta.unit} with one in ${unit} as measured: ` +
        'compare them normalised instead.',
    );
  }
  const beforeNoise = noiseModel(before);
  const afterNoise = noiseModel(after);
  const mapBeforeLine = options.mapBeforeLine ?? ((_file: string, line1: number) => line1);

  const grains = { before: runGrains(before, beforeNoise), after: runGrains(after, afterNoise) };
  const cells = lineCells(before, after, conv, mapBeforeLine, grains);
  const allCells = [...cells.values()].flat();
  const { pairs, beforeToAfterFrame } = matchFunctions(functionStats(before), functionStats(after));
  const matched = reconcileInlined(pairs, before, after, mapBeforeLine);
  const exact = beforeNoise.source === 'exact' && afterNoise.source === 'exact';
  const { normalisation, scale, typical, noise } = normalise({
    asked,
    convertible: convert !== null,
    beforeTotal,
    afterTotal,
    beforeGrain: beforeNoise.grain * conv,
    afterGrain: afterNoise.grain,
    exact,
    lines: allCells,
    // The spread of exact call-graph profiles (whose lines are only their functions' def lines)
    // is measured on every function's self weight, built-ins included.
    spreadItems: exact
      ? matched.map((m) => ({
          before: (m.beforeWeights?.self ?? 0) * conv,
          after: m.afterWeights?.self ?? 0,
        }))
      : allCells,
  });
  // One factor for every before weight: the unit conversion, then the normalisation.
  const factor = conv * scale;
  const critical: CriticalZ = {
    lines: criticalZ(allCells.length, ALPHA),
    functions: criticalZ(matched.length, ALPHA),
    nodes: criticalZ(Math.max(1, after.tree.size - 1), ALPHA),
  };
  const functions = matched.map((m) => functionDelta(m, factor, noise, critical.functions, grains));
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

  const { beforeTotalPerNode, beforeSelfPerNode, beforeTotalSqPerNode } = nodeWeights(
    before,
    after,
    beforeToAfterFrame,
    factor,
    beforeNoise.squares?.nodeTotal,
  );

  const lines = new Map<string, readonly LineDelta[]>();
  // The verdict counts the person's own code: Node's internals, the runtime's pseudo-frames
  // ((program), (idle): how long the process waited) change with the machine, not the code.
  const userFiles = new Set<string>();
  for (const p of [before, after]) {
    for (const f of p.frames) if (f.kind === 'user' && f.file !== null) userFiles.add(f.file);
  }
  const changes: ProfileDiff['changes'][number][] = [];
  for (const [file, list] of cells) {
    const deltas = list
      .map((c) => lineDelta(file, c, scale, noise, critical.lines))
      .sort((a, b) => a.line1 - b.line1);
    if (userFiles.has(file)) for (const d of deltas) if (d.significant) changes.push(d);
    lines.set(file, Object.freeze(deltas));
  }
  const significantLines = changes.length;
  for (const f of functions) {
    if (f.kind === 'user' && (f.totalSignificant || f.selfSignificant)) changes.push(f);
  }
  changes.sort((a, b) => Math.abs(changeZOf(b)) - Math.abs(changeZOf(a)));

  return Object.freeze({
    normalisation,
    scale,
    typical: typical?.ratio ?? null,
    typicalLines: typical?.items ?? 0,
    beforeTotal,
    beforeUnit: convert === null ? before.meta.unit : unit,
    afterTotal,
    unit,
    beforeNoise,
    afterNoise,
    noise: Object.freeze(noise),
    critical: Object.freeze(critical),
    functions: Object.freeze(functions),
    appeared: Object.freeze(appeared),
    vanished: Object.freeze(vanished),
    linesForFile: (file: string) => lines.get(file) ?? [],
    significantLines,
    significantFunctions: changes.length - significantLines,
    changes: Object.freeze(changes),
    beforeTotalPerNode,
    beforeSelfPerNode,
    beforeTotalSqPerNode,
  });
}

/**
 * after - before, with float noise cleared: scaling by the typical ratio makes the median line's
 * figures equal, which in floating point can leave 1e-13 of a difference ("+0.00 ns").
 */
function difference(after: number, before: number): number {
  const d = after - before;
  return Math.abs(d) <= 1e-12 * Math.max(Math.abs(after), Math.abs(before)) ? 0 : d;
}

/** The z-score a change is listed by: a line's, or a function's larger one. */
function changeZOf(c: LineDelta | FunctionDelta): number {
  return 'z' in c ? c.z : Math.max(Math.abs(c.totalZ), Math.abs(c.selfZ));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function functionDelta(
  m: MatchedFunction,
  factor: number,
  noise: NoiseParams,
  zCritical: number,
  grains: { before: RunGrains; after: RunGrains },
): FunctionDelta {
  const frame = (m.after ?? m.before)!.frame;
  const b = m.beforeWeights;
  const before = b ? { self: b.self * factor, total: b.total * factor } : null;
  const after = m.afterWeights ? { ...m.afterWeights } : null;
  const totalDelta = difference(after?.total ?? 0, before?.total ?? 0);
  const beforeTotal = before?.total ?? 0;
  // The function's own grains where it has a frame, the run's where it has none.
  const own = (g: RunGrains, id: number | undefined, of: 'frameSelf' | 'frameTotal') =>
    id === undefined ? g.run : g[of][id];
  const item = (of: 'frameSelf' | 'frameTotal') => ({
    before: own(grains.before, m.before?.frameId, of) * factor,
    after: own(grains.after, m.after?.frameId, of),
  });
  const total = judge(beforeTotal, after?.total ?? 0, noise, zCritical, item('frameTotal'));
  const self = judge(before?.self ?? 0, after?.self ?? 0, noise, zCritical, item('frameSelf'));
  return Object.freeze({
    name: frame.name,
    kind: frame.kind,
    file: frame.file,
    line1: frame.line1,
    before,
    after,
    afterFrameId: m.after ? m.after.frameId : null,
    beforeFrameId: m.before ? m.before.frameId : null,
    inlined: m.inlined,
    selfDelta: difference(after?.self ?? 0, before?.self ?? 0),
    totalDelta,
    totalRatio: beforeTotal > 0 ? totalDelta / beforeTotal : null,
    totalZ: total.z,
    totalSignificant: total.significant,
    selfZ: self.z,
    selfSignificant: self.significant,
  });
}

/**
 * Every line of both runs, per file (in the after numbering), before weights converted to the
 * after unit but not yet scaled. Lines are the line heat's (lineHeat.ts): the self weight of
 * every function with a file lands on some line.
 */
function lineCells(
  before: Profile,
  after: Profile,
  conv: number,
  mapBeforeLine: (file: string, line1: number) => number | null,
  grains: { before: RunGrains; after: RunGrains },
): Map<string, LineCell[]> {
  const byFile = new Map<string, Map<number, LineCell>>();
  const cell = (file: string, line1: number): LineCell => {
    let lines = byFile.get(file);
    if (!lines) byFile.set(file, (lines = new Map()));
    let c = lines.get(line1);
    if (!c) {
      const [beforeGrain, afterGrain] = [grains.before.run * conv, grains.after.run];
      lines.set(line1, (c = { line1, before: 0, after: 0, beforeGrain, afterGrain }));
    }
    return c;
  };
  for (const l of hotLines(before)) {
    const line1 = mapBeforeLine(l.file, l.line1);
    if (line1 === null) continue;
    // += : a mapping given by a caller need not be one to one.
    const c = cell(l.file, line1);
    c.before += l.self * conv;
    c.beforeGrain = Math.max(c.beforeGrain, grains.before.line(l.file, l.line1) * conv);
  }
  for (const l of hotLines(after)) {
    const c = cell(l.file, l.line1);
    c.after += l.self;
    c.afterGrain = grains.after.line(l.file, l.line1);
  }
  const out = new Map<string, LineCell[]>();
  for (const [file, lines] of byFile) out.set(file, [...lines.values()]);
  return out;
}

function lineDelta(
  file: string,
  c: LineCell,
  scale: number,
  noise: NoiseParams,
  zCritical: number,
): LineDelta {
  const before = c.before * scale;
  const delta = difference(c.after, before);
  const item = { before: c.beforeGrain * scale, after: c.afterGrain };
  const { z, significant } = judge(before, c.after, noise, zCritical, item);
  return Object.freeze({
    file,
    line1: c.line1,
    before,
    after: c.after,
    delta,
    ratio: before > 0 ? delta / before : null,
    z,
    significant,
  });
}
