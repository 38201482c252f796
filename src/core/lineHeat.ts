/**
 * Self weight per source line, for the gutter heat and the hottest-lines lists. Pure and cached
 * per profile.
 *
 * Lines come from the profile's line table (V8 `positionTicks`, line-level samples). A function
 * whose self weight is not (or not entirely) covered by line entries - V8 nodes without
 * `positionTicks`, profilers that only know functions, like pstats - gets the rest on its
 * definition line, so that every unit of self weight lands on some line of its file.
 */
import { functionStats } from './functionStats';
import type { Profile } from './profile';

/** The self weight of one line of a file, and the functions that executed it. */
export interface LineHeat {
  readonly line1: number;
  readonly self: number;
  /** Frame ids of the functions whose code ran on this line, ascending. */
  readonly frameIds: number[];
}

/** One line of one file with its self weight. */
export interface HotLine {
  readonly file: string;
  readonly line1: number;
  readonly self: number;
}

interface LineIndex {
  byFile: Map<string, readonly LineHeat[]>;
  hot: readonly HotLine[];
  files: string[];
}

const cache = new WeakMap<Profile, LineIndex>();

function index(profile: Profile): LineIndex {
  const cached = cache.get(profile);
  if (cached) return cached;
  const { lines, frames } = profile;
  const cells = new Map<string, Map<number, { self: number; frameIds: Set<number> }>>();
  const add = (file: string, line1: number, frameId: number, self: number) => {
    let byLine = cells.get(file);
    if (!byLine) cells.set(file, (byLine = new Map()));
    let cell = byLine.get(line1);
    if (!cell) byLine.set(line1, (cell = { self: 0, frameIds: new Set() }));
    cell.self += self;
    cell.frameIds.add(frameId);
  };
  const covered = new Float64Array(frames.length);
  for (let c = 0; c < lines.count; c++) {
    const w = lines.self[c];
    if (!(w > 0)) continue;
    add(lines.files[lines.file[c]], lines.line1[c], lines.frame[c], w);
    if (lines.frame[c] >= 0 && lines.frame[c] < frames.length) covered[lines.frame[c]] += w;
  }
  for (const stat of functionStats(profile)) {
    const rest = stat.self - covered[stat.frameId];
    // Float sums of line shares differ from the node's self in the last bits: ignore that.
    if (rest <= 1e-9 * Math.max(1, stat.self)) continue;
    const { file, line1 } = stat.frame;
    if (file !== null && line1 !== null) add(file, line1, stat.frameId, rest);
  }
  const byFile = new Map<string, readonly LineHeat[]>();
  const hot: HotLine[] = [];
  for (const [file, byLine] of cells) {
    const list: LineHeat[] = [];
    for (const [line1, cell] of byLine) {
      list.push({ line1, self: cell.self, frameIds: [...cell.frameIds].sort((a, b) => a - b) });
      hot.push({ file, line1, self: cell.self });
    }
    list.sort((a, b) => a.line1 - b.line1);
    byFile.set(file, Object.freeze(list));
  }
  hot.sort(
    (a, b) => b.self - a.self || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line1 - b.line1),
  );
  const files = new Set<string>(cells.keys());
  for (const f of frames) if (f.file !== null) files.add(f.file);
  const result: LineIndex = { byFile, hot: Object.freeze(hot), files: [...files].sort() };
  cache.set(profile, result);
  return result;
}

/** The lines of `file` that carry self weight, sorted by line number. */
export function lineHeatForFile(profile: Profile, file: string): readonly LineHeat[] {
  return index(profile).byFile.get(file) ?? [];
}

/** Every line of every file with self weight, heaviest first (a fresh array each call). */
export function hotLines(profile: Profile): HotLine[] {
  return index(profile).hot.slice();
}

/** Every file the profile mentions (in frames or in line weights), sorted. */
export function filesInProfile(profile: Profile): string[] {
  return [...index(profile).files];
}
