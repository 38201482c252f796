/**
 * How the TypeScript loader inside the profiled program hands its source maps to the runner: one
 * small JSON file per transformed script in the folder named by {@link mapDirEnv}, written as
 * each script loads (from the main thread and from the ES module hooks thread alike, so no shared
 * index file is ever rewritten). The runner reads the folder once the program has ended.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** The environment variable naming the folder the maps go to. */
export const mapDirEnv = 'HEATLENS_MAP_DIR';

let written = 0;

/**
 * Records the map of one transformed script (inside the profiled program). `file` is the absolute
 * path Node loads the script under, which is what V8 reports (as a `file://` URL) in profiles.
 * Does nothing without {@link mapDirEnv}; never throws, since a map is not worth failing the
 * program for.
 */
export function recordGeneratedMap(file: string, mapJson: string): void {
  const dir = process.env[mapDirEnv];
  if (!dir) return;
  try {
    // No mkdir: the runner made the folder, and once it has read and removed it, a straggler
    // (a child still running after the program ended) must not leave a new one behind.
    const name = `${process.pid}-${threadId}-${++written}.json`;
    writeFileSync(join(dir, name), `{"file":${JSON.stringify(file)},"map":${mapJson}}`);
  } catch {
    // The folder went away (the run was cancelled) or is not writable: the profile stays unmapped.
  }
}

/**
 * Reads every map recorded in `dir`: transformed file path -> raw source map JSON. Unreadable
 * entries are skipped (a program killed mid-write leaves a truncated one).
 */
export function readGeneratedMaps(dir: string): Map<string, string> {
  const maps = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return maps;
  }
  // Oldest first, so that a file transformed twice keeps its latest map.
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const name of names) {
    try {
      const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        file?: unknown;
        map?: unknown;
      };
      if (typeof entry.file === 'string' && entry.map && typeof entry.map === 'object') {
        maps.set(entry.file, JSON.stringify(entry.map));
      }
    } catch {
      // A truncated write: that one script stays unmapped.
    }
  }
  return maps;
}
