import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { importProfileFile } from '../formats/detect';
import { remapProfile } from '../sourcemaps/remap';
import type { Presenter } from './controller';

/** File names Heatlens offers to open as profiles (the explorer menu uses the same list). */
export const PROFILE_FILE = /\.(cpuprofile|prof|pstats|pstat|pysamples\.json)$|^callgrind\.out/i;

/**
 * "Heatlens: Open Profile File": reads a profile another tool (or Heatlens) wrote, shows it in the
 * editor (heat and CodeLens on the files it names) and opens the flame graph.
 */
export async function openProfileFile(
  presenter: Presenter,
  output: vscode.OutputChannel,
  uri?: vscode.Uri,
): Promise<boolean> {
  let target = uri;
  // The active tab may be a text editor or another extension's custom editor of the file.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom
      ? input.uri
      : undefined;
  if (!target && active?.scheme === 'file' && PROFILE_FILE.test(path.basename(active.fsPath))) {
    target = active;
  }
  if (!target) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Heatlens: open a profile file',
      canSelectMany: false,
      filters: {
        Profiles: ['cpuprofile', 'prof', 'pstats', 'pstat', 'json', 'out'],
        'All files': ['*'],
      },
    });
    target = picked?.[0];
  }
  if (!target) return false;
  const file = target.fsPath;
  const name = path.basename(file);
  try {
    const bytes = await fs.readFile(file);
    const imported = importProfileFile(name, bytes);
    const profile = await remapProfile(imported, {
      readFile: (p) => fs.readFile(p, 'utf8').catch(() => undefined),
    });
    for (const w of profile.meta.warnings) output.appendLine(`[heatlens] ${name}: ${w}`);
    presenter.show(profile, { label: name, file });
    await vscode.commands.executeCommand('heatlens.showFlameGraph');
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`Heatlens could not open ${name}: ${message}`);
    return false;
  }
}
