/**
 * The grains of the items of one run (significance.ts, `localGrain`): per function, for its self
 * and total figures, and per source line. In the profile's own unit. Pure.
 */
import { frameSelfAndTotal } from './functionStats';
import { filesInProfile, lineHeatForFile } from './lineHeat';
import type { Profile } from './profile';
import { localGrain, type NoiseModel } from './significance';

/** The grains of a run's functions and lines. */
export interface RunGrains {
  /** The run's own grain (significance.ts, `noiseModel`). */
  readonly run: number;
  /** Per frame id: the grain of its self weight and of its total. */
  readonly frameSelf: Float64Array;
  readonly frameTotal: Float64Array;
  /** The grain of a line: the coarsest of the functions that ran it. */
  line(file: string, line1: number): number;
}

/** The grains of one run's items under its noise model. */
export function runGrains(profile: Profile, noise: NoiseModel): RunGrains {
  const n = profile.frames.length;
  const frameSelf = new Float64Array(n).fill(noise.grain);
  const frameTotal = new Float64Array(n).fill(noise.grain);
  const sq = noise.squares;
  if (sq) {
    const { self, total } = frameSelfAndTotal(profile);
    for (let f = 0; f < n; f++) {
      frameSelf[f] = localGrain(self[f], sq.frameSelf[f], noise.grain);
      frameTotal[f] = localGrain(total[f], sq.frameTotal[f], noise.grain);
    }
  }
  let lines: Map<string, Map<number, number>> | undefined;
  const line = (file: string, line1: number): number => {
    if (!sq) return noise.grain;
    if (!lines) {
      lines = new Map();
      for (const f of filesInProfile(profile)) {
        const byLine = new Map<number, number>();
        for (const l of lineHeatForFile(profile, f)) {
          let g = noise.grain;
          for (const id of l.frameIds) if (frameSelf[id] > g) g = frameSelf[id];
          byLine.set(l.line1, g);
        }
        lines.set(f, byLine);
      }
    }
    return lines.get(file)?.get(line1) ?? noise.grain;
  };
  return { run: noise.grain, frameSelf, frameTotal, line };
}
