/**
 * The source texts kept with a stored run, so that two runs compare line by line after an edit
 * between them (see core/lineMap.ts): the user's files the profile names, read from disk when the
 * run is recorded, within bounds (a profile of a big project must not copy the project into the
 * workspace storage). Without VS Code, so it is unit-tested with plain Node.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mapLines } from '../core/lineMap';
import { readRegularText } from '../io/regularFile';
import type { Profile } from '../core/profile';
import { pathKey } from '../core/paths';

/** Source texts by absolute path, as the profile names the files. */
export type RunSources = Readonly<Record<string, string>>;

/** Bounds of {@link readRunSources}. */
export interface SourceLimits {
  /** Larger files are skipped. */
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  /** Files that would take the total past this are skipped. */
  readonly maxTotalBytes: number;
}

export const SOURCE_LIMITS: SourceLimits = {
  maxFileBytes: 1 << 20,
  maxFiles: 50,
  maxTotalBytes: 5 << 20,
};

/**
 * The texts of the profile's user files that exist on disk: the profiled file first, then the
 * others by self weight, heaviest first (so the bounds drop the files that matter least). Files
 * that cannot be read are skipped; never throws.
 */
export async function readRunSources(
  profile: Profile,
  profiledFile?: string,
  limits: SourceLimits = SOURCE_LIMITS,
): Promise<Record<string, string>> {
  const user = new Set<string>();
  for (const f of profile.frames) {
    if (f.kind === 'user' && f.file !== null && path.isAbsolute(f.file)) user.add(f.file);
  }
  const weight = new Map<string, number>();
  const lines = profile.lines;
  for (let i = 0; i < lines.count; i++) {
    const file = lines.files[lines.file[i]];
    if (user.has(file)) weight.set(file, (weight.get(file) ?? 0) + lines.self[i]);
  }
  const ordered = [...user].sort(
    (x, y) => (weight.get(y) ?? 0) - (weight.get(x) ?? 0) || (x < y ? -1 : x > y ? 1 : 0),
  );
  if (profiledFile !== undefined && path.isAbsolute(profiledFile)) ordered.unshift(profiledFile);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  let files = 0;
  let total = 0;
  for (const file of ordered) {
    if (files >= limits.maxFiles) break;
    const key = pathKey(file);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile() || stat.size > limits.maxFileBytes) continue;
      if (total + stat.size > limits.maxTotalBytes) continue;
      const text = await readRegularText(file, { maxBytes: limits.maxFileBytes });
      if (text === undefined) continue;
      out[file] = text;
      files++;
      total += stat.size;
    } catch {
      // Gone or unreadable: that file compares by line number.
    }
  }
  return out;
}

/**
 * The line mapping for a comparison: for each file with a stored text in both runs, where each
 * line of the before run's text went in the after run's (a diff, computed on first use);
 * unchanged line numbers for the other files. Undefined when no file has both texts.
 */
export function beforeLineMapper(
  before: RunSources | undefined,
  after: RunSources | undefined,
): ((file: string, line1: number) => number | null) | undefined {
  if (!before || !after) return undefined;
  const afterByKey = new Map(Object.entries(after).map(([f, t]) => [pathKey(f), t]));
  const pairs = new Map<string, { before: string; after: string }>();
  for (const [file, text] of Object.entries(before)) {
    const other = afterByKey.get(pathKey(file));
    if (other !== undefined) pairs.set(pathKey(file), { before: text, after: other });
  }
  if (pairs.size === 0) return undefined;
  const maps = new Map<string, (line1: number) => number | null>();
  return (file, line1) => {
    const key = pathKey(file);
    let map = maps.get(key);
    if (!map) {
      const texts = pairs.get(key);
      if (!texts) return line1;
      // Same text: nothing moved, and no diff to run.
      map = texts.before === texts.after ? (l) => l : mapLines(texts.before, texts.after);
      maps.set(key, map);
    }
    return map(line1);
  };
}
