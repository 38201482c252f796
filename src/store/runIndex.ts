/**
 * The run history's `index.json`: what each stored run was (file, command, time, duration,
 * profiler, outcome), so the Runs view lists them without loading a profile. The index is a cache
 * of the run files (see runStore.ts): reading it checks every entry and drops what it cannot
 * trust, saying why, and the store rebuilds what is missing from the run files.
 */
import type { WeightUnit } from '../core/profile';

/** The index's file name in the runs folder. */
export const INDEX = 'index.json';
/** The index format this Heatlens writes; a larger version is a newer Heatlens' index. */
export const INDEX_VERSION = 1;
/** Ids are ours, but the index is a file anyone can edit: never let one name another path. */
export const RUN_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** What the history knows of one run, without loading its profile. */
export interface RunRecord {
  readonly id: string;
  /** The profiled file (absolute path). */
  readonly file: string;
  /** The command line that ran, executable first. */
  readonly command: readonly string[];
  /** When the run started, milliseconds since the Unix epoch. */
  readonly startedAt: number;
  /** Wall-clock duration of the run. */
  readonly durationMs: number;
  /** meta.profiler of the profile ('v8', 'cprofile', 'yappi', 'heatlens-sampler', ...). */
  readonly profiler: string;
  /**
   * The Python mode when one was chosen ('sampling', 'cprofile', 'yappi', 'memory'), or what a
   * Node memory run recorded ('memory: allocated', 'memory: live').
   */
  readonly mode?: string;
  /** The profile's total weight, in `unit`. */
  readonly total: number;
  readonly unit: WeightUnit;
  /** 'exited', 'failed', 'cancelled', or 'unknown' for a run recovered without its index entry. */
  readonly outcome: string;
}

/** What the caller knows of a run it adds. */
export type NewRun = Omit<RunRecord, 'id' | 'total' | 'unit'>;

interface IndexFile {
  version: number;
  runs: RunRecord[];
}

/** What reading the index found. */
export type IndexRead =
  /**
   * The entries to keep; `dirty` when the index needs writing again; `json` false when the file
   * is not a JSON object at all (so it says nothing of its version).
   */
  | { readonly runs: RunRecord[]; readonly dirty: boolean; readonly json: boolean }
  /** An index written by a newer Heatlens: nothing read from it, and it is never overwritten. */
  | { readonly newerVersion: number };

/** Newest first; ids break ties (they start with the time). */
export function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The index's contents for `runs`. */
export function indexText(runs: readonly RunRecord[]): string {
  const body: IndexFile = { version: INDEX_VERSION, runs: [...runs] };
  return JSON.stringify(body, null, 1);
}

/**
 * The index's valid entries whose run files exist (`onDisk`, by id). A damaged index gives no
 * entries and asks to be written again (the store rebuilds it from the run files); what was
 * dropped, and why, goes to `log` naming `indexFile`.
 */
export function parseIndex(
  bytes: Uint8Array,
  indexFile: string,
  onDisk: ReadonlySet<string>,
  log: (message: string) => void,
): IndexRead {
  let value: Partial<IndexFile>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<IndexFile>;
    if (!value || typeof value !== 'object') throw new Error('it is not a JSON object');
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message;
    log(
      `The run history index ${indexFile} is damaged (${why}); rebuilding it from the stored runs.`,
    );
    return { runs: [], dirty: true, json: false };
  }
  if (typeof value.version === 'number' && value.version > INDEX_VERSION) {
    return { newerVersion: value.version };
  }
  if (!Array.isArray(value.runs) || value.version !== INDEX_VERSION) {
    log(
      `The run history index ${indexFile} is damaged (it is not a version ${INDEX_VERSION} ` +
        'list of runs); rebuilding it from the stored runs.',
    );
    return { runs: [], dirty: true, json: true };
  }
  const runs: RunRecord[] = [];
  const ids = new Set<string>();
  let damaged = false;
  let dirty = false;
  for (const r of value.runs) {
    if (!isRecord(r) || ids.has(r.id)) {
      damaged = dirty = true;
      continue;
    }
    if (!onDisk.has(r.id)) {
      log(`The stored run ${r.id} (${r.file}) has no file any more; dropped it.`);
      dirty = true;
      continue;
    }
    ids.add(r.id);
    runs.push(r);
  }
  if (damaged) log(`The run history index ${indexFile} had damaged entries; dropped them.`);
  return { runs, dirty, json: true };
}

function isRecord(v: unknown): v is RunRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    RUN_ID.test(r.id) &&
    typeof r.file === 'string' &&
    Array.isArray(r.command) &&
    r.command.every((c) => typeof c === 'string') &&
    typeof r.startedAt === 'number' &&
    typeof r.durationMs === 'number' &&
    typeof r.profiler === 'string' &&
    (r.mode === undefined || typeof r.mode === 'string') &&
    typeof r.total === 'number' &&
    typeof r.unit === 'string' &&
    typeof r.outcome === 'string'
  );
}
