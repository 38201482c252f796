/**
 * The compact form of a comparison of two runs (the differential view), sent beside the new
 * run's profile (wire.ts): per-node before weights as typed arrays, matched functions as parallel
 * arrays, and the functions that appeared or vanished.
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
import type { FrameKind, Profile, WeightUnit } from '../core/profile';
import { typedFromBytes } from '../util/typedArrays';
import { WireError, wireBytes, type EncodeOptions, type WireBytes } from './wire';

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
  const bytes = wireBytes(options);
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

/** A Float64Array of `count` numbers from a wire field, or a {@link WireError}. */
function float64(value: unknown, count: number, what: string): Float64Array {
  const result = typedFromBytes(Float64Array, value, count);
  if (!('wrong' in result)) return result;
  if (result.wrong === 'not bytes') throw new WireError(`${what} is neither bytes nor base64`);
  throw new WireError(`${what} holds ${result.bytes / 8} entries, expected ${count}`);
}
