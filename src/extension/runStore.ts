/**
 * The stored runs of the run history on disk, without VS Code (so that it is unit-tested with
 * plain Node): one gzipped `.heatlens.json` per run in a folder, and `index.json` listing what
 * each run was (file, command, time, duration, profiler, outcome).
 *
 * The index is a cache of the run files, not the only copy of what matters: each stored profile
 * carries its command line, start time and profiled file in its meta, so a missing or damaged
 * index is rebuilt from the run files (and a run file the index does not know, left by a crash
 * between the two writes, is taken back in). Nothing here throws at loading: damage is logged
 * and the damaged part dropped.
 *
 * A run may carry the texts of its source files (see runSources.ts) in a sidecar
 * `<id>.sources.json.gz`, written before the run file and removed with it; runs stored without one
 * (older ones, or none readable) compare by line number.
 *
 * Operations run one at a time (a queue), so that two runs finishing together cannot interleave
 * their index writes. The index is written to a temporary file and renamed over the old one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { profileTotal, type Profile, type WeightUnit } from '../core/profile';
import { deserializeProfile, serializeProfile } from '../formats/heatlensRun';
import { pathKey } from './paths';
import type { RunSources } from './runSources';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Suffix of a stored run's file. */
export const RUN_FILE_SUFFIX = '.heatlens.json.gz';
/** Suffix of a stored run's source texts (optional). */
export const SOURCES_FILE_SUFFIX = '.sources.json.gz';
const SOURCES_VERSION = 1;
const INDEX = 'index.json';
const INDEX_VERSION = 1;
/** Ids are ours, but the index is a file anyone can edit: never let one name another path. */
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

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
  /** The Python mode when one was chosen ('sampling', 'cprofile', 'yappi'). */
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

const NS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

/** Newest first; ids break ties (they start with the time). */
function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function isRecord(v: unknown): v is RunRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    ID.test(r.id) &&
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

/** The run files and index of one folder (see the module comment). */
export class RunStore {
  private runs: RunRecord[] | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param dir the folder of the runs (created on the first write)
   * @param log where damage and recovery are reported (the output channel)
   */
  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Every stored run, newest first. */
  list(): Promise<readonly RunRecord[]> {
    return this.serial(async () => [...(await this.loaded())]);
  }

  /** The record with this id, if stored. */
  get(id: string): Promise<RunRecord | undefined> {
    return this.serial(async () => (await this.loaded()).find((r) => r.id === id));
  }

  /**
   * Stores a run, then keeps at most `keepPerFile` runs of its file (the oldest go). Returns the
   * new record and the records removed; no record when `keepPerFile` is 0 (keep none). `sources`
   * (the run's source texts by path) are kept beside it when there are any.
   */
  add(
    profile: Profile,
    run: NewRun,
    keepPerFile: number,
    sources?: RunSources,
  ): Promise<{ record: RunRecord | undefined; removed: RunRecord[] }> {
    return this.serial(async () => {
      const runs = await this.loaded();
      if (keepPerFile <= 0) return { record: undefined, removed: await this.pruneNow(runs, 0) };
      const record: RunRecord = {
        id: `${Math.max(0, Math.floor(run.startedAt)).toString(36)}-${randomBytes(4).toString('hex')}`,
        file: run.file,
        command: [...run.command],
        startedAt: run.startedAt,
        durationMs: run.durationMs,
        profiler: run.profiler,
        ...(run.mode !== undefined ? { mode: run.mode } : {}),
        total: profileTotal(profile),
        unit: profile.meta.unit,
        outcome: run.outcome,
      };
      // What the index says is also put in the profile's own meta (the model has these fields),
      // so a lost index can be rebuilt from the run files.
      const stored: Profile = {
        ...profile,
        meta: {
          ...profile.meta,
          command: profile.meta.command ?? record.command,
          startEpochMs: profile.meta.startEpochMs ?? record.startedAt,
          sourceFile: record.file,
        },
      };
      await fs.mkdir(this.dir, { recursive: true });
      if (sources && Object.keys(sources).length) {
        const body = JSON.stringify({ version: SOURCES_VERSION, files: sources });
        await fs.writeFile(this.sourcesPath(record.id), await gzipAsync(body));
      }
      await fs.writeFile(this.runPath(record.id), await gzipAsync(serializeProfile(stored)));
      runs.push(record);
      runs.sort(newestFirst);
      const removed = await this.pruneNow(runs, keepPerFile);
      await this.writeIndex(runs);
      return { record, removed };
    });
  }

  /** Reads a stored run's profile. Throws (naming the file) when it is gone or damaged. */
  load(id: string): Promise<Profile> {
    return this.serial(async () => {
      if (!ID.test(id)) throw new Error(`Heatlens has no stored run "${id}".`);
      const file = this.runPath(id);
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch {
        throw new Error(
          `Heatlens cannot find the stored run ${file}: it was deleted outside VS Code. ` +
            'Delete the entry from the Runs view and profile the program again.',
        );
      }
      return deserializeProfile(await this.unzip(bytes, file), file);
    });
  }

  /**
   * A stored run's source texts, or undefined when it has none (stored without, or by an older
   * Heatlens) or they are damaged (logged): the run then compares by line number.
   */
  loadSources(id: string): Promise<RunSources | undefined> {
    return this.serial(async () => {
      if (!ID.test(id)) return undefined;
      const file = this.sourcesPath(id);
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch {
        return undefined;
      }
      try {
        const value = JSON.parse(new TextDecoder().decode(await gunzipAsync(bytes))) as {
          version?: unknown;
          files?: unknown;
        };
        if (value?.version !== SOURCES_VERSION || !value.files || typeof value.files !== 'object') {
          throw new Error('it is not a list of source texts this Heatlens reads');
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value.files as Record<string, unknown>)) {
          if (typeof v === 'string') out[k] = v;
        }
        return out;
      } catch (err) {
        this.log(
          `The source texts of stored run ${id} (${file}) are damaged (${(err as Error).message}); ` +
            'that run compares by line number.',
        );
        return undefined;
      }
    });
  }

  /** Removes a run; false when there was none with that id. */
  delete(id: string): Promise<boolean> {
    return this.serial(async () => {
      const runs = await this.loaded();
      const i = runs.findIndex((r) => r.id === id);
      if (i < 0) return false;
      runs.splice(i, 1);
      await this.writeIndex(runs);
      await this.removeFiles(id);
      return true;
    });
  }

  /** Removes every run. */
  clear(): Promise<void> {
    return this.serial(async () => {
      const runs = await this.loaded();
      const ids = runs.map((r) => r.id);
      runs.length = 0;
      await this.writeIndex(runs);
      for (const id of ids) await this.removeFiles(id);
    });
  }

  /** Keeps at most `keepPerFile` runs per file (newest); returns the records removed. */
  prune(keepPerFile: number): Promise<RunRecord[]> {
    return this.serial(async () => {
      const runs = await this.loaded();
      const removed = await this.pruneNow(runs, keepPerFile);
      if (removed.length) await this.writeIndex(runs);
      return removed;
    });
  }

  private runPath(id: string): string {
    return path.join(this.dir, id + RUN_FILE_SUFFIX);
  }

  private sourcesPath(id: string): string {
    return path.join(this.dir, id + SOURCES_FILE_SUFFIX);
  }

  private async removeFiles(id: string): Promise<void> {
    await fs.rm(this.runPath(id), { force: true });
    await fs.rm(this.sourcesPath(id), { force: true });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async unzip(bytes: Buffer, file: string): Promise<Uint8Array> {
    try {
      return await gunzipAsync(bytes);
    } catch (err) {
      throw new Error(
        `Heatlens cannot read the stored run ${file}: it is damaged (${(err as Error).message}). ` +
          'Delete it from the Runs view.',
      );
    }
  }

  /** Removes (in place) the runs past `keep` per file, oldest first; deletes their files. */
  private async pruneNow(runs: RunRecord[], keep: number): Promise<RunRecord[]> {
    const seen = new Map<string, number>();
    const removed: RunRecord[] = [];
    runs.sort(newestFirst);
    for (let i = 0; i < runs.length; i++) {
      const key = pathKey(runs[i].file);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > keep) removed.push(...runs.splice(i--, 1));
    }
    for (const r of removed) await this.removeFiles(r.id);
    return removed;
  }

  private async writeIndex(runs: RunRecord[]): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, INDEX);
    const tmp = `${file}.${process.pid}.tmp`;
    const body: IndexFile = { version: INDEX_VERSION, runs };
    await fs.writeFile(tmp, JSON.stringify(body, null, 1));
    await fs.rename(tmp, file);
  }

  /** The runs, read on first use: the index, checked against the run files. Never throws. */
  private async loaded(): Promise<RunRecord[]> {
    if (this.runs) return this.runs;
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return (this.runs = []);
    }
    const onDisk = new Set(
      names
        .filter((n) => n.endsWith(RUN_FILE_SUFFIX))
        .map((n) => n.slice(0, -RUN_FILE_SUFFIX.length)),
    );
    // Source texts whose run file is gone (a crash between the two writes of add): not needed.
    for (const n of names) {
      if (!n.endsWith(SOURCES_FILE_SUFFIX)) continue;
      const id = n.slice(0, -SOURCES_FILE_SUFFIX.length);
      if (!onDisk.has(id)) await fs.rm(path.join(this.dir, n), { force: true }).catch(() => {});
    }
    const indexFile = path.join(this.dir, INDEX);
    let runs: RunRecord[] = [];
    let dirty = false;
    let text: string | undefined;
    try {
      text = await fs.readFile(indexFile, 'utf8');
    } catch {
      if (onDisk.size) this.log(`The run history index ${indexFile} is missing; rebuilding it.`);
      dirty = onDisk.size > 0;
    }
    if (text !== undefined) {
      try {
        const value = JSON.parse(text) as Partial<IndexFile>;
        if (!value || typeof value !== 'object' || !Array.isArray(value.runs)) {
          throw new Error('it has no list of runs');
        }
        if (typeof value.version !== 'number' || value.version > INDEX_VERSION) {
          throw new Error(`its version ${String(value.version)} is not one this Heatlens reads`);
        }
        const ids = new Set<string>();
        for (const r of value.runs) {
          if (!isRecord(r) || ids.has(r.id)) {
            dirty = true;
            continue;
          }
          if (!onDisk.has(r.id)) {
            this.log(`The stored run ${r.id} (${r.file}) has no file any more; dropped it.`);
            dirty = true;
            continue;
          }
          ids.add(r.id);
          runs.push(r);
        }
        if (dirty)
          this.log(`The run history index ${indexFile} had damaged entries; dropped them.`);
      } catch (err) {
        this.log(
          `The run history index ${indexFile} is damaged (${(err as Error).message}); ` +
            'rebuilding it from the stored runs.',
        );
        runs = [];
        dirty = true;
      }
    }
    // Run files the index does not list: a lost index, or a crash between the two writes.
    const known = new Set(runs.map((r) => r.id));
    for (const id of onDisk) {
      if (known.has(id)) continue;
      const recovered = await this.recover(id);
      if (recovered) runs.push(recovered);
      dirty = true;
    }
    runs.sort(newestFirst);
    this.runs = runs;
    if (dirty) {
      try {
        await this.writeIndex(runs);
      } catch (err) {
        this.log(`Could not rewrite the run history index ${indexFile}: ${(err as Error).message}`);
      }
    }
    return runs;
  }

  /** A record rebuilt from a run file's profile, or undefined (the file is then removed). */
  private async recover(id: string): Promise<RunRecord | undefined> {
    const file = this.runPath(id);
    try {
      if (!ID.test(id)) throw new Error('its name is not one Heatlens gives');
      const profile = deserializeProfile(await this.unzip(await fs.readFile(file), file), file);
      const meta = profile.meta;
      if (!meta.sourceFile) throw new Error('it does not say which file was profiled');
      const stat = await fs.stat(file);
      const ns = NS_PER[meta.unit];
      return {
        id,
        file: meta.sourceFile,
        command: [...(meta.command ?? [])],
        startedAt: meta.startEpochMs ?? stat.mtimeMs,
        durationMs:
          ns !== undefined && meta.duration !== undefined ? (meta.duration * ns) / 1e6 : 0,
        profiler: meta.profiler,
        total: profileTotal(profile),
        unit: meta.unit,
        outcome: 'unknown',
      };
    } catch (err) {
      this.log(`Dropped the stored run ${file}: ${(err as Error).message}`);
      await fs.rm(file, { force: true }).catch(() => undefined);
      await fs.rm(this.sourcesPath(id), { force: true }).catch(() => undefined);
      return undefined;
    }
  }
}
