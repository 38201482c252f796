import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import {
  EXPORT_FORMATS,
  exportFileName,
  exportProfile,
  type ExportFormat,
} from '../formats/exportProfile';
import type { Presenter } from './controller';
import { loadProfileFile } from './loadProfile';

/**
 * "Heatlens: Export Profile": writes the profile shown (or a profile file picked in the explorer)
 * in another tool's format: speedscope, collapsed stacks, callgrind, V8 .cpuprofile or Python
 * pstats (readable by `python -m pstats` and snakeviz).
 */
export async function exportProfileCommand(
  presenter: Presenter,
  output: vscode.OutputChannel,
  uri?: vscode.Uri,
  format?: ExportFormat,
  target?: vscode.Uri,
): Promise<string | undefined> {
  let profile: Profile | undefined;
  /** A path to name the export after: the profile file, or the profiled program. */
  let input: string;
  if (uri?.scheme === 'file') {
    const loaded = await loadProfileFile(uri.fsPath, output).catch((err: unknown) => {
      void vscode.window.showErrorMessage(
        `Heatlens could not export ${path.basename(uri.fsPath)}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    });
    if (!loaded) return undefined;
    profile = loaded.profile;
    input = uri.fsPath;
  } else {
    const shown = presenter.current;
    if (!shown) {
      void vscode.window.showInformationMessage(
        'Heatlens: there is no profile to export. Run "Heatlens: Profile Current File" or open a profile file first.',
      );
      return undefined;
    }
    profile = shown.profile;
    const source = shown.run.file;
    const folder = source
      ? path.dirname(source)
      : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const stem = path.basename(source ?? shown.run.label).replace(/\.[^.]+$/, '');
    input = path.join(folder ?? '', `${stem}.profile`);
  }
  let chosen = EXPORT_FORMATS.find((f) => f.id === format);
  if (!chosen) {
    const picked = await vscode.window.showQuickPick(
      EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.extension, format: f })),
      { title: 'Heatlens: export the profile as', placeHolder: 'Format' },
    );
    if (!picked) return undefined;
    chosen = picked.format;
  }
  let destination = target;
  if (!destination) {
    const suggested = exportFileName(input, chosen.id);
    destination = await vscode.window.showSaveDialog({
      title: `Heatlens: export as ${chosen.label}`,
      defaultUri: path.isAbsolute(suggested) ? vscode.Uri.file(suggested) : undefined,
    });
  }
  if (!destination) return undefined;
  if (uri && destination.fsPath === uri.fsPath) {
    void vscode.window.showErrorMessage(
      `Heatlens will not export ${path.basename(uri.fsPath)} over itself; choose another file name.`,
    );
    return undefined;
  }
  try {
    await fs.writeFile(destination.fsPath, await exportProfile(profile, chosen.id));
  } catch (err) {
    void vscode.window.showErrorMessage(
      `Heatlens could not write ${destination.fsPath}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
  output.appendLine(
    `[heatlens] exported ${path.basename(input)} as ${chosen.label} to ${destination.fsPath}`,
  );
  void vscode.window.showInformationMessage(
    `Heatlens exported the profile as ${chosen.label}: ${path.basename(destination.fsPath)}`,
  );
  return destination.fsPath;
}
