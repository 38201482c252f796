import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import type { ProfileChoice } from '../formats/choices';
import { profileChoices, importProfileFile } from '../formats/detect';
import { MAX_STRING_LENGTH } from '../formats/large';
import { isRawV8Log } from '../formats/v8log';
import {
  FileRefused,
  readFirstLineSync,
  readRegularFile,
  regularFileSize,
} from '../io/regularFile';
import { preprocessV8Log, V8LogError, type PreprocessedLog } from '../runners/v8LogPreprocess';
import { ImportCanceled, importInWorker } from '../worker/importInWorker';
import { remapOpenedProfile, type OpenedRemap } from './openedSources';
import { noIcons } from '../shared/markdownText';
import { setting } from './settings';

/** A profile read from a file, ready to show. */
export interface LoadedProfile {
  readonly profile: Profile;
  /** The file name, plus the chosen profile when the file holds several. */
  readonly label: string;
  /** How its source maps were read: inside the workspace only, and what was left outside. */
  readonly remap: OpenedRemap;
}

/**
 * Above this size the import runs in a worker thread with a progress notification (it takes
 * seconds, and the extension host must keep serving the editor meanwhile).
 */
const WORKER_BYTES = 32 * 1024 * 1024;

/**
 * Reads a profile file of any format Heatlens knows (a regular file: a FIFO or a device is
 * refused): asks which profile to show when the file holds several (speedscope profiles, pprof
 * sample types, trace threads), maps generated code back through the source maps inside the
 * workspace folders (see openedSources.ts), and logs the importer's warnings. Throws with a message naming the
 * file when it cannot be read; returns undefined when the person dismissed the choice or
 * cancelled the import.
 */
export async function loadProfileFile(
  file: string,
  output: vscode.OutputChannel,
  token?: vscode.CancellationToken,
): Promise<LoadedProfile | undefined> {
  const name = path.basename(file);
  let first = '';
  try {
    first = readFirstLineSync(file);
  } catch {
    // loadFrom says why.
  }
  if (!isRawV8Log(first)) return loadFrom(file, name, output, token);
  const log = await preprocessLog(file, name, token);
  if (!log) return undefined;
  try {
    for (const w of log.warnings) output.appendLine(`[heatlens] ${w}`);
    return await loadFrom(log.file, name, output, token);
  } finally {
    await log.dispose();
  }
}

/**
 * A raw V8 tick log (`node --prof`'s isolate-*.log) as the JSON Node's tick processor makes of
 * it, run with `heatlens.node.path` (or `node` on the PATH), with progress and Cancel; undefined
 * when cancelled. Not in an untrusted workspace: it runs Node.js, which runs `nm` on the
 * binaries the log names.
 */
async function preprocessLog(
  file: string,
  name: string,
  token: vscode.CancellationToken | undefined,
): Promise<PreprocessedLog | undefined> {
  const yourself =
    `make the JSON yourself with \`node --prof-process --preprocess ${name} > ${name}.v8log.json\`` +
    ' and open that';
  if (!vscode.workspace.isTrusted) {
    throw new Error(
      `${name} is a raw V8 log, which Heatlens reads by running Node.js's tick processor, and ` +
        `this workspace is not trusted. Trust the workspace, or ${yourself}.`,
    );
  }
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Heatlens: reading ${noIcons(name)} with Node.js's tick processor`,
      cancellable: true,
    },
    async (_progress, cancel) => {
      const abort = new AbortController();
      const stop = () => abort.abort();
      const subscriptions = [cancel.onCancellationRequested(stop)];
      if (token) subscriptions.push(token.onCancellationRequested(stop));
      try {
        return await preprocessV8Log(file, {
          nodePath: setting('node.path') || undefined,
          signal: abort.signal,
        });
      } catch (err) {
        if (abort.signal.aborted) return undefined;
        if (err instanceof V8LogError) throw new Error(err.message);
        throw err;
      } finally {
        for (const s of subscriptions) s.dispose();
      }
    },
  );
}

/** {@link loadProfileFile} of the file at `file`, named `name` (a log's JSON has its log's). */
async function loadFrom(
  file: string,
  name: string,
  output: vscode.OutputChannel,
  token: vscode.CancellationToken | undefined,
): Promise<LoadedProfile | undefined> {
  let size: number;
  try {
    size = await regularFileSize(file);
  } catch (err) {
    if (!(err instanceof FileRefused)) throw err;
    throw new Error(
      err.reason === 'special'
        ? `${name} ${err.why}; Heatlens reads profiles from regular files only.`
        : `${name} ${err.why}.`,
    );
  }
  // Choices need the file's text; past V8's longest string the default profile is read.
  let bytes: Uint8Array | undefined;
  let choices: readonly ProfileChoice[] = [];
  if (size <= MAX_STRING_LENGTH) {
    bytes = await readRegularFile(file, { maxBytes: MAX_STRING_LENGTH });
    choices = profileChoices(name, bytes);
  }
  let choice = choices[0];
  if (choices.length > 1) {
    const picked = await vscode.window.showQuickPick(
      // Sample type names come from the file: shown as written, never as icons.
      choices.map((c) => ({
        label: noIcons(c.label),
        detail: c.detail === undefined ? undefined : noIcons(c.detail),
        choice: c,
      })),
      {
        title: `Heatlens: ${noIcons(name)} holds ${choices.length} profiles`,
        placeHolder: 'Which profile to show?',
        ignoreFocusOut: true,
      },
      token,
    );
    if (!picked) return undefined;
    choice = picked.choice;
  }
  let imported: Profile | undefined;
  if (bytes && size < WORKER_BYTES) {
    imported = importProfileFile(name, bytes, { choice: choice?.id });
  } else {
    bytes = undefined; // the worker reads the file itself
    imported = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Heatlens: reading ${name} (${Math.round(size / 1048576)} MB)`,
        cancellable: true,
      },
      async (progress, cancel) => {
        let done = 0;
        try {
          return await importInWorker(file, {
            name,
            choice: choice?.id,
            token: cancel,
            onProgress: (fraction) => {
              const percent = Math.floor(fraction * 100);
              if (percent > done) progress.report({ increment: percent - done });
              done = Math.max(done, percent);
            },
          });
        } catch (err) {
          if (err instanceof ImportCanceled) return undefined;
          throw err;
        }
      },
    );
  }
  if (!imported) return undefined;
  // Not recorded here: its source maps are read inside the workspace folders only.
  const remap = await remapOpenedProfile(imported);
  const profile = remap.profile;
  for (const w of profile.meta.warnings) output.appendLine(`[heatlens] ${name}: ${w}`);
  return {
    profile,
    label: choices.length > 1 && choice ? `${name} · ${choice.label}` : name,
    remap,
  };
}
