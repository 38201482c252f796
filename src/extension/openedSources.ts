import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import type { Profile } from '../core/profile';
import { regularFileHost } from '../io/regularFile';
import { attributeInlined } from '../sourcemaps/inlined';
import { remapProfile } from '../sourcemaps/remap';
import { insideFolders } from '../io/insideFolders';

/**
 * What a profile opened from a file (downloaded, attached to a bug report: not recorded here)
 * may make Heatlens read. The profile names scripts and source maps; Heatlens reads them to map
 * generated code back to sources, but only inside the workspace folders. Files it names
 * elsewhere are read only when the person allows it, once, for that opening. Either way only
 * regular files within a size cap are read (io/regularFile.ts), nothing is fetched from the
 * network, and no message quotes what a file holds.
 */

/** A profile mapped through the source maps Heatlens may read on its own. */
export interface OpenedRemap {
  readonly profile: Profile;
  /** Regular files outside the workspace folders the profile named and Heatlens did not read. */
  readonly outside: readonly string[];
  /** The profile mapped with every file it names, once the person allowed it. */
  readAll(): Promise<Profile>;
}

/** The real paths of the workspace's local folders. */
async function folderRoots(): Promise<string[]> {
  const roots: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    roots.push(await fs.realpath(folder.uri.fsPath).catch(() => folder.uri.fsPath));
  }
  return roots;
}

async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Maps a profile opened from a file through the source maps inside the workspace folders, and
 * says which regular files outside them it named (left unread).
 */
export async function remapOpenedProfile(profile: Profile): Promise<OpenedRemap> {
  const roots = await folderRoots();
  const denied = new Set<string>();
  const host = regularFileHost({
    allow: (file) => insideFolders(file, roots),
    onDenied: (file) => denied.add(file),
  });
  // Source maps, then the lines of inlined functions to those functions (one host for both).
  const mapped = await attributeInlined(await remapProfile(profile, host), host);
  const outside: string[] = [];
  for (const file of denied) if (await isRegularFile(file)) outside.push(file);
  return {
    profile: mapped,
    outside,
    readAll: async () => {
      const all = regularFileHost();
      return attributeInlined(await remapProfile(profile, all), all);
    },
  };
}

/**
 * Offers to read the files outside the workspace (a notification, not a dialog: the profile is
 * shown meanwhile, mapped with what the workspace holds). Resolves to the profile mapped with
 * every file when the person allows it, else undefined.
 */
export async function offerOutsideFiles(
  name: string,
  remap: OpenedRemap,
  output: vscode.OutputChannel,
): Promise<Profile | undefined> {
  if (!remap.outside.length) return undefined;
  const n = remap.outside.length;
  const files = n === 1 ? 'a file' : `${n} files`;
  output.appendLine(
    `[heatlens] ${name} names ${files} outside the workspace folders, not read: ` +
      remap.outside.join(', '),
  );
  // The paths go to the output channel only: a notification renders `[text](link)` as a link.
  const choice = await vscode.window.showInformationMessage(
    `Heatlens: ${name} names ${files} outside the workspace folders (listed in the Heatlens ` +
      "output); Heatlens read only the workspace's files for its source maps.",
    'Read Them Once',
  );
  if (choice !== 'Read Them Once') return undefined;
  output.appendLine(`[heatlens] ${name}: reading the files outside the workspace folders, once.`);
  return remap.readAll();
}
