import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { pathKey } from '../core/paths';
import { readRunSources, type RunSources } from '../store/runSources';
import type { NewRun, RunRecord } from '../store/runIndex';
import { RunStore } from '../store/runStore';
import { setting } from './settings';

export type { NewRun, RunRecord } from '../store/runIndex';

/**
 * The run history: every run Heatlens made, kept in the workspace's storage (the global storage
 * when no folder is open) under `runs/`, at most `heatlens.history.runsPerFile` per profiled file.
 * Loading is lazy and never throws: a damaged index is rebuilt or dropped with a line in the
 * output channel (see {@link RunStore}).
 */
export class RunHistory implements vscode.Disposable {
  private readonly store: RunStore;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires after a run is added, deleted or pruned. */
  readonly onDidChange = this.changed.event;

  /**
   * @param storage the extension's storage folder (`context.storageUri ?? context.globalStorageUri`)
   * @param log where damage and recovery are reported
   */
  constructor(storage: vscode.Uri, log: (message: string) => void) {
    this.store = new RunStore(path.join(storage.fsPath, 'runs'), (m) => log(`[heatlens] ${m}`));
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('heatlens.history.runsPerFile')) void this.prune();
      }),
    );
  }

  /** The history of an extension context. */
  static forContext(context: vscode.ExtensionContext, log: (m: string) => void): RunHistory {
    return new RunHistory(context.storageUri ?? context.globalStorageUri, log);
  }

  /** Runs, newest first; only those of `file` when given. */
  async list(file?: string): Promise<readonly RunRecord[]> {
    const all = await this.store.list();
    if (file === undefined) return all;
    const key = pathKey(file);
    return all.filter((r) => pathKey(r.file) === key);
  }

  /** A run by id. */
  get(id: string): Promise<RunRecord | undefined> {
    return this.store.get(id);
  }

  /**
   * Stores a run (unless runsPerFile is 0) and removes the oldest past the limit. The texts of the
   * run's user files are read from disk now, just after the run, and kept with it so that a later
   * comparison can follow edits made between runs (see runSources.ts).
   */
  async add(profile: Profile, run: NewRun): Promise<RunRecord | undefined> {
    const uri = vscode.Uri.file(run.file);
    const keep = Math.max(0, Math.floor(setting('history.runsPerFile', uri)));
    const sources = keep > 0 ? await readRunSources(profile, run.file) : undefined;
    const { record, removed } = await this.store.add(profile, run, keep, sources);
    if (record || removed.length) this.changed.fire();
    return record;
  }

  /** Reads a stored run's profile (throws with a sentence naming the file when it cannot). */
  load(id: string): Promise<Profile> {
    return this.store.load(id);
  }

  /** A stored run's source texts; undefined when it has none (it then compares by number). */
  loadSources(id: string): Promise<RunSources | undefined> {
    return this.store.loadSources(id);
  }

  /** The run of the same file made just before `record`, if kept. */
  async previous(record: RunRecord): Promise<RunRecord | undefined> {
    const runs = await this.list(record.file);
    const i = runs.findIndex((r) => r.id === record.id);
    return i >= 0 ? runs[i + 1] : undefined;
  }

  async delete(id: string): Promise<void> {
    if (await this.store.delete(id)) this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.store.clear();
    this.changed.fire();
  }

  private async prune(): Promise<void> {
    // One limit for all files here: a per-folder setting applies when that folder's runs are added.
    const keep = Math.max(0, Math.floor(setting('history.runsPerFile')));
    if ((await this.store.prune(keep)).length) this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
