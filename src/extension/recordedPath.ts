import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Finds the workspace file a profile's recorded path means. A profile recorded on another machine
 * (or in another clone) names paths that do not exist here; the longest tail of the recorded path,
 * at least a folder and a file name, that exists under a workspace folder clearly names the same
 * file (`/ci/build/app/src/hash.ts` -> `<workspace>/src/hash.ts`).
 */
export async function resolveRecordedPath(recorded: string): Promise<string | undefined> {
  if (await exists(recorded)) return recorded;
  const parts = recorded.split(/[\\/]+/).filter((p) => p.length > 0 && !/^[a-zA-Z]:$/.test(p));
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    for (let start = 0; start <= parts.length - 2; start++) {
      const candidate = path.join(folder.uri.fsPath, ...parts.slice(start));
      if (await exists(candidate)) return candidate;
    }
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
