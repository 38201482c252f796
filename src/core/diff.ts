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
import { formatWeight } from './format';
import { functionStats } from './functionStats';
import { matchFunctions, reconcileInlined, type MatchedFunction } from './diffMatch';
import { runGrains, type RunGrains } from './diffGrains';
import { nodeWeights } from './diffNodes';
import { hotLines } from './lineHeat';
import { profileTotal, type FrameKind, type Profile, type WeightUnit } from './profile';
import { normalise } from './diffNormalise';
import {
  ALPHA,
  MIN_RELATIVE_CHANGE,
  criticalZ,
  judge,
  noiseModel,
  type NoiseModel,
  type NoiseParams,
  type PairedWeight,
} from './significance';

/** How before weights are made comparable with after weights (see the module comment). */
export type Normalisation = 'none' | 'total' | 'typical';

/** A function's weights in one run. */
export interface RunWeights {
  readonly self: number;
  readonly total: number;
}

/** One function of either run, with its change. Before weights are already scaled. */
export interface FunctionDelta {
  readonly name: string;
  /** The function's kind (user code, library, runtime, pseudo-frame), from the run that has it. */
  readonly kind: FrameKind;
  readonly file: string | null;
  readonly line1: number | null;
  /** Null: the function was not sampled in the old run (it appeared). */
  readonly before: RunWeights | null;
  /** Null: the function was not sampled in the new run (it vanished). */
  readonly after: RunWeights | null;
  readonly afterFrameId: number | null;
  readonly beforeFrameId: number | null;
  /**
   * The runs in which V8 ran (some of) the function inlined into others: the weight sampled on
   * its lines in their frames counts as its own there (diffMatch.ts).
   */
  readonly inlined: 'before' | 'after' | 'both' | null;
  /** after - scaled before (a missing side counts as 0). */
  readonly selfDelta: number;
  readonly totalDelta: number;
  /** totalDelta / scaled before total; null when the before total is 0. */
  readonly totalRatio: number | null;
  /** z-scores of the changes and whether each is beyond the noise (significance.ts). */
  readonly totalZ: number;
  readonly totalSignificant: boolean;
  readonly selfZ: number;
  readonly selfSignificant: boolean;
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
  readonly z: number;
  /** True when the change is beyond the noise (significance.ts). */
  readonly significant: boolean;
}

/** The |z| each family of changes must pass (Bonferroni over the family's size). */
export interface CriticalZ {
  readonly lines: number;
  readonly functions: number;
  readonly nodes: number;
}

/** The difference between two profiles (see the module comment). */
export interface ProfileDiff {
  readonly normalisation: Normalisation;
  /**
   * Factor applied to every before weight (1 when 'none'), after converting it to `unit` when the
   * runs measured time in different units.
   */
  readonly scale: number;
  /** The typical after/before ratio of lines (unit-converted), null when it is not known. */
  readonly typical: number | null;
  /** How many lines the typical ratio was taken over. */
  readonly typicalLines: number;
  /** Unscaled totals of the two runs: before in `beforeUnit`, after in `unit`. */
  readonly beforeTotal: number;
  readonly afterTotal: number;
  /** The after profile's unit: every weight of the diff is in it. */
  readonly unit: WeightUnit;
  /**
   * The unit of `beforeTotal`: `unit`, unless the runs' units do not convert (samples against
   * time), in which case only the normalised comparisons exist.
   */
  readonly beforeUnit: WeightUnit;
  /** How certain each run's figures are, and what the tests of this comparison use. */
  readonly beforeNoise: NoiseModel;
  readonly afterNoise: NoiseModel;
  readonly noise: NoiseParams;
  readonly critical: CriticalZ;
  /** Every function of either run, by |totalDelta|, largest first. */
  readonly functions: readonly FunctionDelta[];
  /** Functions only in the new run, heaviest first. */
  readonly appeared: readonly FunctionDelta[];
  /** Functions only in the old run, heaviest (scaled) first. */
  readonly vanished: readonly FunctionDelta[];
  /** Lines of `file` with self weight in either run, sorted by line. */
  linesForFile(file: string): readonly LineDelta[];
  /**
   * How many lines and functions of the person's code (frames of kind 'user' and their files)
   * changed beyond the noise.
   */
  readonly significantLines: number;
  readonly significantFunctions: number;
  /** Those lines and functions, the most certain first. */
  readonly changes: readonly (LineDelta | FunctionDelta)[];
  /** For every node of after.tree: the scaled before total at the same call path (0 if none). */
  readonly beforeTotalPerNode: Float64Array;
  /** For every node of after.tree: the scaled before self weight at the same call path. */
  readonly beforeSelfPerNode: Float64Array;
  /**
   * For every node of after.tree: the before run's sum of squared sample weights at the same
   * call path, scaled like a variance; for the nodes' own grains (significance.ts). Only when
   * the before run kept its samples.
   */
  readonly beforeTotalSqPerNode?: Float64Array;
}

/** Options of {@link diffProfiles}. */
export interface DiffOptions {
  /**
   * Default 'auto': 'typical' when the typical change is known, else 'total' when the totals
   * differ by more than 10% (diffNormalise.ts) or the units do not convert, else 'none'.
   * 'typical' when it is not known falls back to 'total'.
   */
  readonly normalisation?: Normalisation | 'auto';
  /**
   * Where a before line of a file is in the after run's version of the file (see mapLines), so
   * that an edit adding or removing lines above hot code between the runs does not misalign the
   * line comparison. Null: the line was changed or deleted, and its before weight is left out of
   * the per-line comparison (functions still count it). Default: lines match by number.
   */
  readonly mapBeforeLine?: (file: string, line1: number) => number | null;
}

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

function formatScale(scale: number): string {
  if (scale >= 10) return scale.toFixed(1);
  if (scale >= 0.01) return scale.toFixed(2);
  return scale.toPrecision(2);
}

/**
 * A sentence naming the normalisation shown: "normalised by the typical change: before 2.10 s
 * scaled x1.04, the median change of 12 lines (after 2.20 s)", "normalised by total: before
 * 2.10 s scaled x0.67 to after 1.40 s", or "not normalised: before 2.10 s and after 2.00 s
 * compared as measured".
 */
export function describeNormalisation(diff: ProfileDiff): string {
  const b = formatWeight(diff.beforeTotal, diff.beforeUnit);
  const a = formatWeight(diff.afterTotal, diff.unit);
  if (diff.normalisation === 'typical') {
    return (
      `normalised by the typical change: before ${b} scaled x${formatScale(diff.scale)}, ` +
      `the median change of ${diff.typicalLines} lines (after ${a})`
    );
  }
  if (diff.normalisation === 'total') {
    return `normalised by total: before ${b} scaled x${formatScale(diff.scale)} to after ${a}`;
  }
  return `not normalised: before ${b} and after ${a} compared as measured`;
}

/**
 * What "within noise" means in this comparison, in a sentence: "A change counts when |z| >= 3.9
 * (99% for all 120 lines together) and it exceeds 10% of its before figure; one sample weighs
 * 1.16 ms (V8's sample times), run-to-run spread x1.3."
 */
export function describeNoise(diff: ProfileDiff, family: keyof CriticalZ = 'lines'): string {
  const z = diff.critical[family].toFixed(1);
  const sources: Record<NoiseModel['source'], string> = {
    samples: 'its sample times',
    interval: 'its sampling interval',
    counts: 'sample counts',
    exact: 'exact timings, spread measured between the runs',
  };
  const grain = formatWeight(diff.noise.afterGrain * diff.noise.dispersion, diff.unit);
  return (
    `A change counts when |z| ≥ ${z} (${Math.round((1 - ALPHA) * 100)}% for all the ` +
    `${family} of the comparison together) and it is more than ` +
    `${Math.round(MIN_RELATIVE_CHANGE * 100)}% (x${1 + MIN_RELATIVE_CHANGE}); noise as if one sample ` +
    `weighed ${grain} (${sources[diff.afterNoise.source]}` +
    `${diff.noise.dispersion > 1.05 && diff.afterNoise.source !== 'exact' ? `, spread x${diff.noise.dispersion.toFixed(1)} wider than sampling alone` : ''}).`
  );
}

function signed(text: string, value: number): string {
  return value > 0 ? `+${text}` : text;
}

/**
 * A change for people: "+12.3 ms · +40%", "-3.10 ms · -8.2%"; "+5.00 ms · not sampled before"
 * when there was nothing before (no ratio: nothing was sampled there in the old run, which is not
 * the same as not having run). Percentages keep two or three figures.
 */
export function formatDelta(delta: number, ratio: number | null, unit: WeightUnit): string {
  const weight = signed(formatWeight(delta, unit), delta);
  if (ratio === null) return delta > 0 ? `${weight} · not sampled before` : weight;
  if (!Number.isFinite(ratio)) return `${weight} · ${String(ratio)}`;
  const pct = ratio * 100;
  const abs = Math.abs(pct);
  if (abs < 0.05) return `${weight} · 0%`;
  const text = abs >= 10 ? pct.toFixed(0) : pct.toFixed(1);
  return `${weight} · ${signed(text, pct)}%`;
}

/** {@link formatDelta}, followed by " · within noise" when the change is not significant. */
export function formatChange(
  delta: number,
  ratio: number | null,
  unit: WeightUnit,
  significant: boolean,
): string {
  const text = formatDelta(delta, ratio, unit);
  return significant ? text : `${text} · within noise`;
}
