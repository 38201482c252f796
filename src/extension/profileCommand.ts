import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { regularFileHost } from '../io/regularFile';
import type { Profiler, ProfilerRun, ProfilerSettings } from '../runners/profiler';
import { PROFILABLE_FILES, profilerFor } from '../runners/profilers';
import { resolvePython } from '../runners/pythonRunner';
import type { HeapRecording, RunResult } from '../runners/runResult';
import { pythonCandidates } from './pythonInterpreter';
import type { Presenter } from './controller';
import type { RunHistory } from './history';
import { runNotice, showRunNotice } from './runNotice';
import { setting, type PythonMode } from './settings';
import type { PythonProfileMode } from '../runners/pythonCommand';
import { epochNow, recordTimings, type CommandMarks } from '../timings/timings';
import { warmUpSoon } from '../shared/warmUp';

const MODE_KEY = 'heatlens.python.mode';

/** Where the extension keeps what it injects into profiled programs. */
export interface HelperDirs {
  /** dist/inject: the Node preloads (TypeScript loader, child guard). */
  readonly inject: string;
  /** python/: heatlens_profile.py. */
  readonly python: string;
  /** Where the TypeScript loader keeps transformed files between runs (extension storage). */
  readonly transformCache?: string;
}

/** How a file is profiled: a Python mode, or Node's memory mode, and its name for people. */
interface RunMode {
  readonly python?: PythonProfileMode;
  readonly nodeMemory?: HeapRecording;
  /** "memory", "cprofile", "memory: allocated"...; undefined for a Node CPU run. */
  readonly label?: string;
}

/** What the last run left, for the status bar, tests and later commands. */
export interface LastRun {
  readonly file: string;
  readonly result: RunResult;
  readonly profile: Profile;
}

/**
 * "Heatlens: Profile Current File": checks that the file can run here, runs it under the
 * profiler with progress and Cancel, streams its output, then shows the profile in the editor.
 */
export class ProfileCommand implements vscode.Disposable {
  private running: ProfilerRun | undefined;
  private last: LastRun | undefined;

  constructor(
    private readonly presenter: Presenter,
    private readonly output: vscode.OutputChannel,
    private readonly dirs: HelperDirs,
    private readonly state: vscode.Memento,
    private readonly history?: RunHistory,
  ) {}

  get lastRun(): LastRun | undefined {
    return this.last;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Stops the running profile, keeping what it recorded. */
  cancel(): void {
    this.running?.cancel();
  }

  /**
   * Profiles the file (`uri`, else the active editor's). `memory`: its memory instead of its
   * time, whatever Python mode the workspace chose (Python: tracemalloc; Node: V8's sampling
   * heap profiler, as the `heatlens.node.memory.*` settings say).
   */
  async run(uri?: vscode.Uri, memory = false): Promise<LastRun | undefined> {
    const marks: CommandMarks = { command: epochNow() };
    const doc = uri
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage(
        'Heatlens: open a .js, .ts or .py file, then run "Profile Current File".',
      );
      return undefined;
    }
    const name = path.basename(doc.fileName);
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(
        `Heatlens did not run ${name}: profiling runs the file, and this workspace is not trusted. ` +
          'Trust the workspace (command "Workspaces: Manage Workspace Trust") to profile its code.',
      );
      return undefined;
    }
    const profiler = profilerFor({
      file: doc.fileName,
      firstLine: doc.lineCount ? doc.lineAt(0).text : undefined,
      languageId: doc.languageId,
    });
    if (!profiler) {
      void vscode.window.showErrorMessage(
        `Heatlens cannot profile ${name}: it profiles ${PROFILABLE_FILES}.`,
      );
      return undefined;
    }
    if (this.running) {
      const choice = await vscode.window.showWarningMessage(
        'Heatlens is already profiling a program.',
        'Cancel It',
      );
      if (choice === 'Cancel It') this.cancel();
      return undefined;
    }
    if (doc.isUntitled || doc.isDirty) {
      const choice = await vscode.window.showWarningMessage(
        doc.isUntitled
          ? `Heatlens runs files from disk: save ${name} first.`
          : `${name} has unsaved changes. Heatlens runs the file from disk.`,
        { modal: true },
        'Save and Profile',
      );
      if (choice !== 'Save and Profile' || !(await doc.save()) || doc.isUntitled) return undefined;
    }
    return this.profile(doc.uri, profiler, marks, memory);
  }

  private async profile(
    uri: vscode.Uri,
    profiler: Profiler,
    marks: CommandMarks,
    memory: boolean,
  ): Promise<LastRun | undefined> {
    const file = uri.fsPath;
    const name = path.basename(file);
    const mode = await this.runMode(uri, profiler, memory);
    if (!mode) return undefined;
    this.output.clear();
    this.output.show(true);
    this.output.appendLine(`[heatlens] profiling ${file}${mode.label ? ` (${mode.label})` : ''}`);
    const startedAt = Date.now();
    let run: ProfilerRun;
    try {
      run = await this.runWithProgress(uri, profiler, mode, marks);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.appendLine(`[heatlens] ${message}`);
      void vscode.window.showErrorMessage(`Heatlens: ${message}`);
      return undefined;
    }
    const result = await run.done;
    this.output.appendLine(`[heatlens] ran: ${result.command.join(' ')}`);
    this.output.appendLine(
      `[heatlens] ${describeOutcome(name, result)} after ${(result.durationMs / 1000).toFixed(2)} s.`,
    );
    let profile: Profile;
    try {
      profile = await run.profile();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      void vscode.window.showErrorMessage(
        `Heatlens could not read the profile of ${name}: ${message}`,
      );
      return undefined;
    }
    const warnings = [...result.warnings, ...profile.meta.warnings];
    for (const w of warnings) this.output.appendLine(`[heatlens] warning: ${w}`);
    this.presenter.show(profile, {
      label: `${name}, ${result.outcome === 'cancelled' ? 'cancelled' : describeOutcome(name, result).toLowerCase()}`,
      file,
      durationMs: result.durationMs,
      outcome: result.outcome,
    });
    marks.shown = epochNow();
    marks.run = result.marks;
    recordTimings({
      file,
      runtime: profiler.id,
      outcome: result.outcome,
      durationMs: result.durationMs,
      nodes: profile.tree.size,
      marks,
    });
    await this.keep(profile, { file, result, startedAt, mode: mode.label });
    this.last = { file, result, profile };
    this.tell(name, file, result, profile, warnings);
    return this.last;
  }

  /** How `profiler` runs the file; undefined when the person dismissed the Python mode pick. */
  private async runMode(
    uri: vscode.Uri,
    profiler: Profiler,
    memory: boolean,
  ): Promise<RunMode | undefined> {
    if (profiler.id === 'python') {
      const python = memory ? 'memory' : await this.pythonMode(uri, false);
      return python && { python, label: python };
    }
    if (!memory) return {};
    // One run records one of the two (V8 gives either per recording): the setting says which.
    const record = setting('node.memory.record', uri) === 'live' ? 'live' : 'allocated';
    return {
      nodeMemory: { record, samplingInterval: setting('node.memory.samplingInterval', uri) },
      label: `memory: ${record}`,
    };
  }

  /** Starts the run under a progress notification with Cancel, and waits for its end. */
  private runWithProgress(
    uri: vscode.Uri,
    profiler: Profiler,
    mode: RunMode,
    marks: CommandMarks,
  ): Thenable<ProfilerRun> {
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Heatlens: profiling ${path.basename(uri.fsPath)}${mode.label ? ` (${mode.label})` : ''}`,
        cancellable: true,
      },
      async (_progress, token) => {
        const started = await this.start(uri, profiler, mode, marks);
        this.running = started;
        const sub = token.onCancellationRequested(() => started.cancel());
        if (token.isCancellationRequested) started.cancel();
        try {
          await started.done;
          return started;
        } finally {
          sub.dispose();
          started.dispose();
          this.running = undefined;
        }
      },
    );
  }

  /** Starts `profiler` on the file with the settings of its folder. */
  private async start(
    uri: vscode.Uri,
    profiler: Profiler,
    mode: RunMode,
    marks: CommandMarks,
  ): Promise<ProfilerRun> {
    const file = uri.fsPath;
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const cwdSetting = setting('cwd', uri);
    const cwd = cwdSetting
      ? path.resolve(
          folder ?? path.dirname(file),
          cwdSetting.replace('${workspaceFolder}', folder ?? ''),
        )
      : (folder ?? path.dirname(file));
    const python = profiler.id === 'python';
    return profiler.start({
      file,
      args: setting('args', uri),
      cwd,
      env: setting('env', uri),
      intervalUs: setting(python ? 'python.samplingInterval' : 'node.samplingInterval', uri),
      onOutput: (_stream, text) => this.output.append(text),
      onSpawn: warmUpSoon,
      // The program that ran named the files it reads: read them wherever they are (regular
      // files only).
      host: regularFileHost(),
      onMark: (step, at) => (marks[step] = at),
      settings: python
        ? await this.pythonSettings(uri, mode.python)
        : this.nodeSettings(uri, mode.nodeMemory),
    });
  }

  private nodeSettings(uri: vscode.Uri, memory: HeapRecording | undefined): ProfilerSettings {
    return {
      node: {
        nodePath: setting('node.path', uri) || undefined,
        helpersDir: this.dirs.inject,
        transformCacheDir: this.dirs.transformCache,
        memory,
      },
    };
  }

  private async pythonSettings(
    uri: vscode.Uri,
    mode: PythonProfileMode | undefined,
  ): Promise<ProfilerSettings> {
    const choice = await pythonCandidates(uri);
    const python = await resolvePython(choice.candidates);
    this.output.appendLine(`[heatlens] Python: ${python} (from ${choice.source})`);
    return {
      python: { mode, python, clock: setting('python.clock', uri), helpersDir: this.dirs.python },
    };
  }

  /** Every run Heatlens makes goes to the history (Runs view, Compare with Previous Run). */
  private async keep(
    profile: Profile,
    run: { file: string; result: RunResult; startedAt: number; mode?: string },
  ): Promise<void> {
    const { file, result, startedAt, mode } = run;
    await this.history
      ?.add(profile, {
        file,
        command: result.command,
        startedAt,
        durationMs: result.durationMs,
        profiler: profile.meta.profiler,
        mode,
        outcome: result.outcome,
      })
      .catch((err: unknown) =>
        this.output.appendLine(
          `[heatlens] could not keep this run in the history: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
  }

  /** How the run went, in a notification. */
  private tell(
    name: string,
    file: string,
    result: RunResult,
    profile: Profile,
    warnings: readonly string[],
  ): void {
    if (result.outcome === 'failed') {
      const first = (result.errorText ?? '').split('\n').find((l) => l.trim()) ?? 'it failed';
      void vscode.window
        .showErrorMessage(
          `${name} did not finish cleanly (${first.trim()}). Heatlens kept the profile up to that point.`,
          'Show Output',
        )
        .then((c) => c && this.output.show());
    } else if (warnings.length) {
      void vscode.window.showWarningMessage(`Heatlens: ${warnings[0]}`);
    } else {
      void showRunNotice(
        runNotice(name, result.durationMs, profile, file, result.outcome === 'cancelled'),
      );
    }
  }

  /**
   * The Python profiling mode: the one last chosen in this workspace, or asked for with a quick
   * pick (always when `ask` is set), starting from the `heatlens.python.mode` setting.
   */
  async pythonMode(uri: vscode.Uri | undefined, ask: boolean): Promise<PythonMode | undefined> {
    const remembered = this.state.get<PythonMode>(MODE_KEY);
    if (remembered && !ask) return remembered;
    const current = remembered ?? setting('python.mode', uri);
    const items: (vscode.QuickPickItem & { mode: PythonMode })[] = [
      {
        mode: 'sampling',
        label: 'Sampling',
        description: 'Heatlens sampler: line heat, full stacks, almost no overhead',
      },
      {
        mode: 'cprofile',
        label: 'cProfile',
        description: 'exact call counts, callers and callees; slows call-heavy code',
      },
      {
        mode: 'yappi',
        label: 'yappi',
        description: 'CPU or wall clock, all threads, asyncio coroutines (needs yappi installed)',
      },
    ];
    const sorted = [
      ...items.filter((i) => i.mode === current),
      ...items.filter((i) => i.mode !== current),
    ];
    const picked = await vscode.window.showQuickPick(sorted, {
      title: 'Heatlens: how should Python files be profiled in this workspace?',
      placeHolder: 'Change it later with "Heatlens: Choose Python Profiler"',
      // People look for what a profiler does ("sampler", "call counts", "asyncio").
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    await this.state.update(MODE_KEY, picked.mode);
    return picked.mode;
  }

  dispose(): void {
    this.running?.cancel();
  }
}

function describeOutcome(name: string, result: RunResult): string {
  if (result.outcome === 'cancelled') return `Cancelled ${name}; showing what was recorded`;
  if (result.outcome === 'failed') {
    return result.exitCode !== null
      ? `${name} exited with code ${result.exitCode}`
      : `${name} ended by ${result.signal ?? 'an error'}`;
  }
  return `${name} finished`;
}
