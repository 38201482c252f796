/**
 * Where a profile's own-code time went, file by file. A run of a bundle (`dist/app.js` with a
 * source map) or of a small entry file (`main.ts` calling into `matrix.ts`) leaves the file that
 * was run cold: its time is on other files, and the person looking at the file they ran needs to
 * be told which. Built on the line heat, so every figure is the sum of the gutter's line figures.
 */
import { hotLines } from './lineHeat';
import type { Profile } from './profile';

/** One source file of the user's code and its share of the run. */
export interface FileHeat {
  readonly file: string;
  /** Self weight of all the file's lines (the sum of its gutter heat). */
  readonly self: number;
  /** Its hottest line (1-based) and that line's self weight. */
  readonly hottestLine1: number;
  readonly hottestLineSelf: number;
  /** The function whose code ran most on the hottest line, or null when no frame is known. */
  readonly hottestFrameId: number | null;
}

/**
 * The user's source files (files of frames whose kind is `user`) with the self weight on their
 * lines, heaviest first (ties by path). Files of libraries and the runtime are left out: the
 * question is which of the person's files to open.
 */
export function hotFiles(profile: Profile): FileHeat[] {
  const userFiles = new Set<string>();
  for (const f of profile.frames) if (f.kind === 'user' && f.file !== null) userFiles.add(f.file);
  const byFile = new Map<string, { self: number; line1: number; lineSelf: number }>();
  // hotLines is sorted heaviest first: the first line seen of a file is its hottest.
  for (const line of hotLines(profile)) {
    if (!userFiles.has(line.file) || !(line.self > 0)) continue;
    const entry = byFile.get(line.file);
    if (entry) entry.self += line.self;
    else byFile.set(line.file, { self: line.self, line1: line.line1, lineSelf: line.self });
  }
  const out: FileHeat[] = [];
  for (const [file, e] of byFile) {
    out.push({
      file,
      self: e.self,
      hottestLine1: e.line1,
      hottestLineSelf: e.lineSelf,
      hottestFrameId: frameOnLine(profile, file, e.line1),
    });
  }
  return out.sort((a, b) => b.self - a.self || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The user frame with the most line weight on `file:line1` (else the one defined there). */
function frameOnLine(profile: Profile, file: string, line1: number): number | null {
  const L = profile.lines;
  const weight = new Map<number, number>();
  for (let i = 0; i < L.count; i++) {
    if (L.line1[i] !== line1 || L.files[L.file[i]] !== file || L.frame[i] < 0) continue;
    weight.set(L.frame[i], (weight.get(L.frame[i]) ?? 0) + L.self[i]);
  }
  let best: number | null = null;
  for (const [id, w] of weight) if (best === null || w > weight.get(best)!) best = id;
  if (best !== null) return best;
  const defined = profile.frames.findIndex((f) => f.file === file && f.line1 === line1);
  return defined >= 0 ? defined : null;
}

/** The answer of {@link heatElsewhere}. */
export interface HeatElsewhere {
  /** The hottest of the user's files, which is not the file that was run. */
  readonly hottest: FileHeat;
  /** Self weight on the lines of the file that was run (0 when it stayed cold). */
  readonly ranSelf: number;
}

/**
 * When the hottest of the user's files is not the one that was run, that file (and how much of
 * the run stayed in the file that was run); undefined when the file that was run is the hottest,
 * or the profile has no user code with weight. `isRanFile` compares paths as the caller's file
 * system does (case, separators).
 */
export function heatElsewhere(
  profile: Profile,
  isRanFile: (file: string) => boolean,
): HeatElsewhere | undefined {
  const files = hotFiles(profile);
  if (files.length === 0 || isRanFile(files[0].file)) return undefined;
  const ran = files.find((f) => isRanFile(f.file));
  return { hottest: files[0], ranSelf: ran?.self ?? 0 };
}
