import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { importCpuprofile } from '../formats/cpuprofile';
import type { Profile } from '../core/profile';
import { remapProfile } from '../sourcemaps/remap';
import { startNodeProfile, type ProfileRun, type RunResult } from '../runners/nodeRunner';
import type { Presenter } from './controller';
import { setting } from './settings';

const NODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

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
  private running: ProfileRun | undefined;
  private last: LastRun | undefined;

  constructor(
    private readonly presenter: Presenter,
    private readonly output: vscode.OutputChannel,
    private readonly helpersDir: string,
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

  async run(uri?: vscode.Uri): Promise<LastRun | undefined> {
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
    const ext = path.extname(doc.fileName).toLowerCase();
    if (ext === '.py' || doc.languageId === 'python') {
      void vscode.window.showWarningMessage(
        `Heatlens cannot profile ${name} yet: this version profiles Node.js and TypeScript files. ` +
          'Python profiles written by other tools will open in a later version.',
      );
      return undefined;
    }
    if (!doc.isUntitled && !NODE_EXTENSIONS.has(ext)) {
      void vscode.window.showErrorMessage(
        `Heatlens cannot profile ${name}: it profiles .js, .mjs, .cjs, .ts, .mts and .cts files.`,
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
    return this.profile(doc.uri);
  }

  private async profile(uri: vscode.Uri): Promise<LastRun | undefined> {
    const file = uri.fsPath;
    const name = path.basename(file);
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const cwdSetting = setting('cwd', uri);
    const cwd = cwdSetting
      ? path.resolve(
          folder ?? path.dirname(file),
          cwdSetting.replace('${workspaceFolder}', folder ?? ''),
        )
      : (folder ?? path.dirname(file));
    const intervalUs = setting('node.samplingInterval', uri);
    this.output.clear();
    this.output.show(true);
    this.output.appendLine(`[heatlens] profiling ${file} (sampling every ${intervalUs} µs)`);
    let result: RunResult;
    try {
      result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Heatlens: profiling ${name}`,
          cancellable: true,
        },
        async (_progress, token) => {
          const run = startNodeProfile({
            file,
            args: setting('args', uri),
            cwd,
            env: setting('env', uri),
            intervalUs,
            nodePath: setting('node.path', uri) || undefined,
            helpersDir: this.helpersDir,
            onOutput: (_stream, text) => this.output.append(text),
          });
          this.running = run;
          const sub = token.onCancellationRequested(() => run.cancel());
          try {
            return await run.done;
          } finally {
            sub.dispose();
            run.dispose();
            this.running = undefined;
          }
        },
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.appendLine(`[heatlens] ${message}`);
      void vscode.window.showErrorMessage(`Heatlens: ${message}`);
      return undefined;
    }
    this.output.appendLine(`[heatlens] ran: ${result.command.join(' ')}`);
    this.output.appendLine(
      `[heatlens] ${describeOutcome(name, result)} after ${(result.durationMs / 1000).toFixed(2)} s.`,
    );
    let profile: Profile;
    try {
      const raw = importCpuprofile(result.profileText, {
        sourceFile: file,
        runtimePaths: result.runtimePaths,
      });
      profile = await remapProfile(
        raw,
        { readFile: readTextOrUndefined },
        { maps: result.generatedMaps },
      );
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
      label: `${name}, ${describeOutcome(name, result).toLowerCase()}`,
      file,
      durationMs: result.durationMs,
      outcome: result.outcome,
    });
    this.last = { file, result, profile };
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
    }
    return this.last;
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

async function readTextOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
