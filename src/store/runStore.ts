/**
 * The stored runs of the run history on disk, without VS Code (so that it is unit-tested with
 * plain Node): one gzipped `.heatlens.json` per run in a folder, and `index.json` listing what
 * each run was (file, command, time, duration, profiler, outcome).
 *
 * The index is a cache of the run files, not the only copy of what matters: each stored profile
 * carries its command line, start time and profiled file in its meta, so a missing or damaged
 * index is rebuilt from the run files (and a run file the index does not know, left by a crash
 * between the two writes, is taken back in). Nothing here throws at loading: damage is logged.
 *
 * A run may carry the texts of its source files (see runSources.ts) in a sidecar
 * `<id>.sources.json.gz`, written before the run file and removed with it; runs stored without one
 * (older ones, or none readable) compare by line number.
 *
 * Two VS Code windows on one workspace share the folder, so other processes write it too:
 *
 * - Every file is written whole (a temporary file renamed into place): a reader never sees half.
 * - The index is changed under a lock file, one process at a time, and each change starts from
 *   the index on disk (never from what this process read earlier), so no window's runs drop out.
 * - A file is deleted only when this process wrote it, or when it is older than
 *   {@link GRACE_MS} and unreadable (a crash's leftover): a young run file the index does not
 *   list yet is another window's run on its way in, and is left alone. Files and an index written
 *   by a newer Heatlens are never deleted nor overwritten. Runs past `runsPerFile` and runs the
 *   person deletes are removed on purpose, whoever wrote them.
 *
 * Operations of one store run one at a time (a queue) as well. What the index holds and how it is
 * checked is runIndex.ts; what a run's files hold is runFiles.ts; this file is what happens on
 * disk, and when.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { FileRefused, readRegularFile } from '../io/regularFile';
import { pathKey } from '../core/paths';
import {
  newRecord,
  readRunFile,
  readSourcesFile,
  recordFromRunFile,
  RUN_FILE_SUFFIX,
  runFileBytes,
  SOURCES_FILE_SUFFIX,
  sourcesFileBytes,
} from './runFiles';
import {
  INDEX,
  indexText,
  newestFirst,
  parseIndex,
  RUN_ID,
  type NewRun,
  type RunRecord,
} from './runIndex';
import type { RunSources } from './runSources';
import { TEMP_SUFFIX, withFolderLock, writeFileAtomic, wroteHere } from './storeFiles';

/**
 * A file another process may still be bringing in is left alone this long: only an older file
 * that cannot be read is a crash's leftover, to be removed.
 */
export const GRACE_MS = 10 * 60 * 1000;

/** What a run file turned out to be when it was not in the index. */
type Recovered = RunRecord | 'newer' | 'unreadable' | 'pending';

/** The run files and index of one folder (see the module comment). */
export class RunStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Run files already looked at and found unusable here (newer, or damaged): not read again. */
  private readonly unusable = new Set<string>();
  /** Records rebuilt from run files, kept while the index cannot hold them (a newer index). */
  private readonly rebuilt = new Map<string, RunRecord>();
  /** An index written by a newer Heatlens: read nothing from it, never overwrite it. */
  private newerIndex = false;

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
    return this.serial(() => this.update(async (runs) => [...runs]));
  }

  /** The record with this id, if stored. */
  get(id: string): Promise<RunRecord | undefined> {
    return this.serial(() => this.update(async (runs) => runs.find((r) => r.id === id)));
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
      if (keepPerFile <= 0) {
        return this.update(async (runs) => ({
          record: undefined,
          removed: await this.pruneNow(runs, 0),
        }));
      }
      const record = newRecord(profile, run);
      await fs.mkdir(this.dir, { recursive: true });
      if (sources && Object.keys(sources).length) {
        await writeFileAtomic(this.sourcesPath(record.id), await sourcesFileBytes(sources));
      }
      await writeFileAtomic(this.runPath(record.id), await runFileBytes(profile, record));
      return this.update(
        async (runs) => {
          runs.push(record);
          runs.sort(newestFirst);
          return { record, removed: await this.pruneNow(runs, keepPerFile) };
        },
        true,
        record.id,
      );
    });
  }

  /** Reads a stored run's profile. Throws (naming the file) when it is gone or damaged. */
  load(id: string): Promise<Profile> {
    return this.serial(async () => {
      if (!RUN_ID.test(id)) throw new Error(`Heatlens has no stored run "${id}".`);
      const file = this.runPath(id);
      let bytes: Uint8Array;
      try {
        bytes = await readRegularFile(file, { maxBytes: Infinity });
      } catch {
        throw new Error(
          `Heatlens cannot find the stored run ${file}: it was deleted outside VS Code. ` +
            'Delete the entry from the Runs view and profile the program again.',
        );
      }
      return readRunFile(bytes, file);
    });
  }

  /**
   * A stored run's source texts, or undefined when it has none (stored without, or by an older
   * Heatlens) or they are damaged (logged): the run then compares by line number.
   */
  loadSources(id: string): Promise<RunSources | undefined> {
    return this.serial(async () => {
      if (!RUN_ID.test(id)) return undefined;
      const file = this.sourcesPath(id);
      let bytes: Uint8Array;
      try {
        bytes = await readRegularFile(file, { maxBytes: Infinity });
      } catch {
        return undefined;
      }
      try {
        return await readSourcesFile(bytes);
      } catch (err) {
        const why = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message;
        this.log(
          `The source texts of stored run ${id} (${file}) are damaged (${why}); ` +
            'that run compares by line number.',
        );
        return undefined;
      }
    });
  }

  /** Removes a run; false when there was none with that id. */
  delete(id: string): Promise<boolean> {
    return this.serial(() =>
      this.update(async (runs) => {
        const i = runs.findIndex((r) => r.id === id);
        if (i < 0) return false;
        runs.splice(i, 1);
        await this.removeFiles(id);
        return true;
      }, true),
    );
  }

  /** Removes every run. */
  clear(): Promise<void> {
    return this.serial(() =>
      this.update(async (runs) => {
        const ids = runs.map((r) => r.id);
        runs.length = 0;
        for (const id of ids) await this.removeFiles(id);
      }, true),
    );
  }

  /** Keeps at most `keepPerFile` runs per file (newest); returns the records removed. */
  prune(keepPerFile: number): Promise<RunRecord[]> {
    return this.serial(() =>
      this.update(async (runs) => {
        const removed = await this.pruneNow(runs, keepPerFile);
        return removed;
      }, true),
    );
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

  /**
   * Runs `op` on the runs as they are on disk now, under the folder's lock, and writes the index
   * when `op` changed them (`changes`) or reading found it out of date. An empty, missing folder
   * stays missing until something is written.
   */
  private async update<T>(
    op: (runs: RunRecord[]) => Promise<T>,
    changes = false,
    adding?: string,
  ): Promise<T> {
    if (!changes && !(await fs.stat(this.dir).catch(() => undefined))) return op([]);
    return withFolderLock(this.dir, INDEX, async () => {
      // Read inside the lock: what another process wrote just before counts.
      const { runs, dirty } = await this.read(await fs.readdir(this.dir), adding);
      const result = await op(runs);
      if (dirty || changes) await this.writeIndex(runs);
      return result;
    });
  }

  private async writeIndex(runs: RunRecord[]): Promise<void> {
    const file = path.join(this.dir, INDEX);
    if (this.newerIndex) return; // a newer Heatlens' index: its runs are listed from their files
    try {
      await writeFileAtomic(file, indexText(runs));
    } catch (err) {
      this.log(`Could not rewrite the run history index ${file}: ${(err as Error).message}`);
    }
  }

  /** Whether a file may be treated as a leftover: this process wrote it, or it is old. */
  private async settled(file: string): Promise<boolean> {
    if (wroteHere(file)) return true;
    const stat = await fs.stat(file).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > GRACE_MS;
  }

  /** The runs on disk: the index, checked against the run files (see the module comment). */
  private async read(
    names: string[],
    adding?: string,
  ): Promise<{ runs: RunRecord[]; dirty: boolean }> {
    const onDisk = new Set(
      names
        .filter((n) => n.endsWith(RUN_FILE_SUFFIX))
        .map((n) => n.slice(0, -RUN_FILE_SUFFIX.length)),
    );
    for (const n of names) {
      const file = path.join(this.dir, n);
      // A temporary file of a write that never finished, and source texts whose run file never
      // came (a crash between the two writes of add): leftovers, once they are old.
      const orphanSources =
        n.endsWith(SOURCES_FILE_SUFFIX) && !onDisk.has(n.slice(0, -SOURCES_FILE_SUFFIX.length));
      if ((n.endsWith(TEMP_SUFFIX) || orphanSources) && (await this.settled(file))) {
        await fs.rm(file, { force: true }).catch(() => undefined);
      }
    }
    // The run being added is not in the index yet, and needs no rebuilding from its file.
    if (adding !== undefined) onDisk.delete(adding);
    const index = await this.readIndex(onDisk);
    const runs = index.runs;
    let dirty = index.dirty;
    // Run files the index does not list: a lost index, a crash between the two writes, or
    // another window's run on its way in (young: left for that window to add).
    const known = new Set(runs.map((r) => r.id));
    for (const id of onDisk) {
      if (known.has(id) || this.unusable.has(id)) continue;
      const found = this.rebuilt.get(id) ?? (await this.recover(id));
      if (typeof found === 'object') {
        runs.push(found);
        dirty = true;
      }
    }
    runs.sort(newestFirst);
    return { runs, dirty };
  }

  /** The index's valid entries whose run files exist; dirty when it needs writing again. */
  private async readIndex(onDisk: Set<string>): Promise<{ runs: RunRecord[]; dirty: boolean }> {
    const indexFile = path.join(this.dir, INDEX);
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(indexFile, { maxBytes: Infinity });
    } catch (err) {
      if (!onDisk.size) return { runs: [], dirty: false };
      this.log(
        err instanceof FileRefused && err.reason === 'missing'
          ? `The run history index ${indexFile} is missing; rebuilding it.`
          : `The run history index ${indexFile} cannot be read (it ${err instanceof FileRefused ? err.why : String(err)}); rebuilding it.`,
      );
      return { runs: [], dirty: true };
    }
    const read = parseIndex(bytes, indexFile, onDisk, (m) => this.log(m));
    if ('newerVersion' in read) {
      if (!this.newerIndex) {
        this.log(
          `The run history index ${indexFile} was written by a newer Heatlens (version ` +
            `${read.newerVersion}); this one lists the runs it can read and leaves the index as it is.`,
        );
      }
      this.newerIndex = true;
      return { runs: [], dirty: false };
    }
    // An index that is not JSON says nothing of its version: what was known of it stands.
    if (read.json) this.newerIndex = false;
    return { runs: read.runs, dirty: read.dirty };
  }

  /**
   * A record rebuilt from a run file's profile; 'newer' for a file of a newer Heatlens (kept,
   * not listed); 'unreadable' for a damaged one (removed when settled); 'pending' for a young
   * file another process may still be bringing in.
   */
  private async recover(id: string): Promise<Recovered> {
    const file = this.runPath(id);
    if (!RUN_ID.test(id)) {
      this.unusable.add(id);
      this.log(`Ignored ${file}: its name is not one Heatlens gives.`);
      return 'unreadable';
    }
    if (!(await this.settled(file))) return 'pending';
    let problem: string;
    try {
      const bytes = await readRegularFile(file, { maxBytes: Infinity });
      const found = await recordFromRunFile(
        id,
        bytes,
        file,
        async () => (await fs.stat(file)).mtimeMs,
      );
      if ('newerVersion' in found) {
        this.unusable.add(id);
        this.log(
          `The stored run ${file} was written by a newer Heatlens (run format version ` +
            `${found.newerVersion}); it is left as it is.`,
        );
        return 'newer';
      }
      this.rebuilt.set(id, found);
      return found;
    } catch (err) {
      problem = (err as Error).message;
    }
    this.unusable.add(id);
    this.log(`Dropped the stored run ${file}: ${problem}`);
    await fs.rm(file, { force: true }).catch(() => undefined);
    await fs.rm(this.sourcesPath(id), { force: true }).catch(() => undefined);
    return 'unreadable';
  }
}
