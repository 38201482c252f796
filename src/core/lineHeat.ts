/**
 * Weight per source line, for the gutter heat and the hottest-lines lists. Pure and cached per
 * profile.
 *
 * Lines come from the profile's line table (V8 `positionTicks`, line-level samples). A function
 * whose self weight is not (or not entirely) covered by line entries - V8 nodes without
 * `positionTicks`, profilers that only know functions, like pstats - gets the rest on its
 * definition line, so that every unit of self weight lands on some line of its file; that part
 * is counted as `placed`, so no surface presents it as a line measurement.
 *
 * The figures per line (the contract README's JSON section documents):
 * - `self`: time spent on the line itself. A sample counts on one line at most, so the lines'
 *   self figures never add up to more than the profile's total.
 * - `external`: time spent below the line in code that is not the user's, where the profiler
 *   records it (the Python sampler): kept apart from `self`, never added into it.
 */
import { functionStats } from './functionStats';
import type { Profile } from './profile';

/** The weight of one line of a file, and the functions that executed it. */
export interface LineHeat {
  readonly line1: number;
  /** Self weight on the line, `placed` included. */
  readonly self: number;
  /** The part of `self` that is a function's self weight without line data, on its definition line. */
  readonly placed: number;
  /** Time below the line in code outside the user's (see the module comment); 0 when unknown. */
  readonly external: number;
  /** Frame ids of the functions whose code ran on this line, ascending. */
  readonly frameIds: number[];
}

/** One line of one file with its figures (see {@link LineHeat}). */
export interface HotLine {
  readonly file: string;
  readonly line1: number;
  readonly self: number;
  readonly placed: number;
  readonly external: number;
}

interface LineIndex {
  byFile: Map<string, readonly LineHeat[]>;
  hot: readonly HotLine[];
  measured: readonly HotLine[];
  files: string[];
}

const cache = new WeakMap<Profile, LineIndex>();

interface Cell {
  self: number;
  placed: number;
  external: number;
  frameIds: Set<number>;
}

function byFileAndLine(file: string, line1: number, a: HotLine): number {
  return a.file < file ? -1 : a.file > file ? 1 : a.line1 - line1;
}

function index(profile: Profile): LineIndex {
  const cached = cache.get(profile);
  if (cached) return cached;
  const { lines, frames } = profile;
  const cells = new Map<string, Map<number, Cell>>();
  const cell = (file: string, line1: number, frameId: number): Cell => {
    let byLine = cells.get(file);
    if (!byLine) cells.set(file, (byLine = new Map()));
    let c = byLine.get(line1);
    if (!c) byLine.set(line1, (c = { self: 0, placed: 0, external: 0, frameIds: new Set() }));
    c.frameIds.add(frameId);
    return c;
  };
  const covered = new Float64Array(frames.length);
  for (let c = 0; c < lines.count; c++) {
    const w = lines.self[c];
    const ext = lines.external ? lines.external[c] : 0;
    if (!(w > 0) && !(ext > 0)) continue;
    const target = cell(lines.files[lines.file[c]], lines.line1[c], lines.frame[c]);
    if (w > 0) target.self += w;
    if (ext > 0) target.external += ext;
    if (w > 0 && lines.frame[c] >= 0 && lines.frame[c] < frames.length)
      covered[lines.frame[c]] += w;
  }
  const measured: HotLine[] = [];
  for (const [file, byLine] of cells) {
    for (const [line1, c] of byLine) {
      measured.push({ file, line1, self: c.self, placed: 0, external: c.external });
    }
  }
  for (const stat of functionStats(profile)) {
    const rest = stat.self - covered[stat.frameId];
    // Float sums of line shares differ from the node's self in the last bits: ignore that.
    if (rest <= 1e-9 * Math.max(1, stat.self)) continue;
    const { file, line1 } = stat.frame;
    if (file === null || line1 === null) continue;
    const c = cell(file, line1, stat.frameId);
    c.self += rest;
    c.placed += rest;
  }
  const byFile = new Map<string, readonly LineHeat[]>();
  const hot: HotLine[] = [];
  for (const [file, byLine] of cells) {
    const list: LineHeat[] = [];
    for (const [line1, c] of byLine) {
      const frameIds = [...c.frameIds].sort((a, b) => a - b);
      list.push({ line1, self: c.self, placed: c.placed, external: c.external, frameIds });
      hot.push({ file, line1, self: c.self, placed: c.placed, external: c.external });
    }
    list.sort((a, b) => a.line1 - b.line1);
    byFile.set(file, Object.freeze(list));
  }
  hot.sort((a, b) => b.self - a.self || byFileAndLine(b.file, b.line1, a));
  measured.sort(
    (a, b) =>
      b.self + b.external - (a.self + a.external) ||
      b.self - a.self ||
      byFileAndLine(b.file, b.line1, a),
  );
  const files = new Set<string>(cells.keys());
  for (const f of frames) if (f.file !== null) files.add(f.file);
  const result: LineIndex = {
    byFile,
    hot: Object.freeze(hot),
    measured: Object.freeze(measured),
    files: [...files].sort(),
  };
  cache.set(profile, result);
  return result;
}

/** The lines of `file` that carry weight, sorted by line number. */
export function lineHeatForFile(profile: Profile, file: string): readonly LineHeat[] {
  return index(profile).byFile.get(file) ?? [];
}

/**
 * Every line of every file with self weight, heaviest first (a fresh array each call). Lines
 * that only carry `external` time are included (self 0).
 */
export function hotLines(profile: Profile): HotLine[] {
  return index(profile).hot.slice();
}

/**
 * The lines the profiler measured (its line table, nothing placed on definition lines),
 * heaviest first by self + external time: what the CLI lists as lines. Empty for profilers
 * that only know functions (cProfile, yappi, collapsed stacks).
 */
export function measuredLines(profile: Profile): HotLine[] {
  return index(profile).measured.slice();
}

/** Every file the profile mentions (in frames or in line weights), sorted. */
export function filesInProfile(profile: Profile): string[] {
  return [...index(profile).files];
}
