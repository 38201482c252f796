import * as vscode from 'vscode';
import * as path from 'node:path';
import { isExportFormat } from '../formats/exportProfile';
import { Presenter } from './controller';
import { exportProfileCommand } from './exportCommand';
import { exportHtmlReportCommand } from './reportCommand';
import { FlamePanel, registerFlameSerializer } from './flamePanel';
import { RunHistory } from './history';
import { registerHistory, showComparisonFlame, type HistoryApi } from './historyCommands';
import { openProfileFile } from './openProfile';
import { ProfileCommand } from './profileCommand';
import { ProfileEditorProvider } from './profileEditor';
import { activation, epochNow, type FlameMarks } from '../timings/timings';
import { registerSummaryTool } from './agentTool';
import { showHotLines } from './hotLines';

/** What the extension returns from activate(), for tests and other extensions. */
export interface HeatlensApi {
  /** The last profiled run: its file, the hottest user function and the profile's total. */
  getLastRun():
    | { file: string; hottestFunction: string | undefined; total: number; outcome: string }
    | undefined;
  /** The profile the editor shows (a run or a profile file): its label, total and files. */
  getShown(): { label: string; total: number; unit: string; files: string[] } | undefined;
  /** The run history and the comparison shown (see historyCommands.ts). */
  readonly history: HistoryApi;
}

export function activate(context: vscode.ExtensionContext): HeatlensApi {
  activation.started = epochNow();
  const output = vscode.window.createOutputChannel('Heatlens');
  const presenter = new Presenter();
  const history = RunHistory.forContext(context, (m) => output.appendLine(m));
  const command = new ProfileCommand(
    presenter,
    output,
    {
      inject: path.join(context.extensionPath, 'dist', 'inject'),
      python: path.join(context.extensionPath, 'python'),
      transformCache: path.join(context.globalStorageUri.fsPath, 'typescript'),
    },
    context.workspaceState,
    history,
  );
  const historyApi = registerHistory(context, presenter, history);
  context.subscriptions.push(
    output,
    presenter,
    command,
    vscode.commands.registerCommand('heatlens.profileCurrentFile', (uri?: unknown) =>
      command.run(uri instanceof vscode.Uri ? uri : undefined),
    ),
    vscode.commands.registerCommand('heatlens.profileMemory', (uri?: unknown) =>
      command.run(uri instanceof vscode.Uri ? uri : undefined, true),
    ),
    vscode.commands.registerCommand('heatlens.cancel', () => command.cancel()),
    vscode.commands.registerCommand(
      'heatlens.exportProfile',
      (uri?: unknown, format?: unknown, target?: unknown) =>
        exportProfileCommand(
          presenter,
          output,
          uri instanceof vscode.Uri ? uri : undefined,
          typeof format === 'string' && isExportFormat(format) ? format : undefined,
          target instanceof vscode.Uri ? target : undefined,
        ),
    ),
    vscode.commands.registerCommand(
      'heatlens.exportHtmlReport',
      (uri?: unknown, target?: unknown, includeSources?: unknown) =>
        exportHtmlReportCommand(
          context.extensionPath,
          presenter,
          output,
          uri instanceof vscode.Uri ? uri : undefined,
          target instanceof vscode.Uri ? target : undefined,
          typeof includeSources === 'boolean' ? includeSources : undefined,
        ),
    ),
    vscode.commands.registerCommand('heatlens.openProfile', (uri?: unknown) =>
      openProfileFile(uri instanceof vscode.Uri ? uri : undefined),
    ),
    vscode.commands.registerCommand('heatlens.choosePythonProfiler', () =>
      command.pythonMode(vscode.window.activeTextEditor?.document.uri, true),
    ),
    vscode.commands.registerCommand('heatlens.clear', () => presenter.clear()),
    vscode.commands.registerCommand('heatlens.showFunction', (frameId: unknown) =>
      typeof frameId === 'number' ? presenter.showFunction(frameId) : presenter.showHottest(),
    ),
    vscode.commands.registerCommand('heatlens.showHottest', () => presenter.showHottest()),
    vscode.commands.registerCommand('heatlens.hotLines', () => showHotLines(presenter)),
    vscode.commands.registerCommand(
      'heatlens.showFlameGraph',
      (frameId?: unknown, view?: unknown) => {
        const marks: FlameMarks = { command: epochNow() };
        if (presenter.comparison) {
          showComparisonFlame(context, presenter.comparison);
          return;
        }
        const shown = presenter.current;
        if (!shown) {
          void vscode.window.showInformationMessage(
            'Heatlens: there is no profile to show. Run "Heatlens: Profile Current File" first.',
          );
          return;
        }
        FlamePanel.show(context, shown.profile, {
          focusFrameId: typeof frameId === 'number' ? frameId : undefined,
          focusView: view === 'flame' || view === 'sandwich' ? view : undefined,
          title: `Heatlens: ${path.basename(shown.run.file ?? shown.run.label)}`,
          marks,
        });
      },
    ),
    registerFlameSerializer(context, () => presenter.current?.profile),
    ProfileEditorProvider.register(context, presenter, output),
  );
  const tool = registerSummaryTool(presenter);
  if (tool) context.subscriptions.push(tool);
  activation.finished = epochNow();
  return {
    getLastRun() {
      const last = command.lastRun;
      const shown = presenter.current;
      if (!last || !shown) return undefined;
      return {
        file: last.file,
        hottestFunction: shown.hottestFunction()?.frame.name,
        total: shown.total,
        outcome: last.result.outcome,
      };
    },
    getShown() {
      const shown = presenter.current;
      if (!shown) return undefined;
      return {
        label: shown.run.label,
        total: shown.total,
        unit: shown.profile.meta.unit,
        files: shown.paths,
      };
    },
    history: historyApi,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
