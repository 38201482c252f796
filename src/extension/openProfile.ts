import * as vscode from 'vscode';
import * as path from 'node:path';
import { isProfileFileName } from '../formats/registry';
import { PROFILE_EDITOR } from './profileEditor';

/**
 * "Heatlens: Open Profile File": opens a profile another tool (or Heatlens) wrote in the profile
 * editor, which shows its flame graph and lights up the files it names (heat and CodeLens).
 */
export async function openProfileFile(uri?: vscode.Uri): Promise<boolean> {
  let target = uri;
  // The active tab may be a text editor or another extension's custom editor of the file.
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const active =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom
      ? input.uri
      : undefined;
  if (!target && active?.scheme === 'file' && isProfileFileName(path.basename(active.fsPath))) {
    target = active;
  }
  if (!target) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Heatlens: open a profile file',
      canSelectMany: false,
      filters: {
        Profiles: [
          'cpuprofile',
          'prof',
          'pstats',
          'pstat',
          'json',
          'out',
          'folded',
          'collapsed',
          'txt',
          'pprof',
          'gz',
        ],
        'All files': ['*'],
      },
    });
    target = picked?.[0];
  }
  if (!target) return false;
  // The profile editor shows the flame graph and lights up the files the profile names.
  await vscode.commands.executeCommand('vscode.openWith', target, PROFILE_EDITOR);
  return true;
}
