/**
 * What a comparison of two runs says (diff.ts computes it): per function, per source line and per
 * node of the new run's call tree, the before and after weights and whether the change is beyond
 * the noise. Types only, so that the modules diff.ts uses can name them without importing it.
 */
import type { FrameKind, WeightUnit } from './model';
import type { NoiseModel, NoiseParams } from './significance';

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
