/**
 * Imports a profile file in a worker thread (importWorker.ts, bundled as dist/importWorker.js),
 * so that a large file neither freezes the editor nor, by running out of memory, takes down the
 * extension host: the worker's heap is its own, and when it dies the promise rejects with a
 * sentence for a person. Free of `vscode` so tests can run it; the caller wraps it in
 * `vscode.window.withProgress` and passes the progress token.
 *
 * The profile crosses back by structured clone, with its typed arrays transferred (moved, not
 * copied); it is frozen again on arrival as the builder froze it. A {@link ProfileFormatError}
 * comes back as one, with the same message and file.
 */
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Profile } from '../core/profile';
import { ProfileFormatError } from '../formats/errors';

/** What the worker is asked to do (its `workerData`). */
export interface ImportRequest {
  readonly file: string;
  /** The name errors and `meta.sourceFile` use. */
  readonly name: string;
  readonly choice?: string;
}

/** What the worker posts back: progress, then exactly one `done` or `error`. */
export type ImportReply =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'done'; readonly profile: Profile }
  | {
      readonly type: 'error';
      readonly message: string;
      readonly formatError: boolean;
      readonly file?: string;
      readonly stack?: string;
    };

/** A cancellation token (vscode.CancellationToken fits). */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): unknown };
}

/** Options of {@link importInWorker}. */
export interface ImportInWorkerOptions {
  /** Which profile of a file that holds several (a ProfileChoice id). */
  readonly choice?: string;
  /** The name used in messages and `meta.sourceFile`; default the file's base name. */
  readonly name?: string;
  /** The fraction done, 0 to 1 (reading, then importing), at most once per percent. */
  readonly onProgress?: (fraction: number) => void;
  /** Cancelling stops the worker at once; the promise rejects with an {@link ImportCanceled}. */
  readonly token?: CancellationLike;
  /** The worker script; default importWorker.js beside this bundle (dist/). */
  readonly workerFile?: string;
}

/** The import was cancelled. Its name matches `vscode.CancellationError`'s. */
export class ImportCanceled extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

/** Freezes what ProfileBuilder.build freezes (structured clone drops it). */
function refreeze(profile: Profile): Profile {
  Object.freeze(profile.meta.warnings);
  if (profile.meta.command) Object.freeze(profile.meta.command);
  Object.freeze(profile.meta);
  for (const f of profile.frames) Object.freeze(f);
  Object.freeze(profile.frames);
  Object.freeze(profile.lines.files);
  if (profile.callGraph) {
    for (const f of profile.callGraph.functions) Object.freeze(f);
    for (const e of profile.callGraph.edges) Object.freeze(e);
  }
  return Object.freeze(profile);
}

/**
 * Reads and imports `file` in a worker thread; resolves with the profile, rejects with a
 * {@link ProfileFormatError} (the importer's message, or one saying the file was too large for
 * memory), an {@link ImportCanceled}, or another Error for an unexpected failure.
 */
export function importInWorker(
  file: string,
  options: ImportInWorkerOptions = {},
): Promise<Profile> {
  const name = options.name ?? basename(file);
  const { token, onProgress } = options;
  if (token?.isCancellationRequested) return Promise.reject(new ImportCanceled());
  return new Promise<Profile>((resolve, reject) => {
    const request: ImportRequest = { file, name, choice: options.choice };
    const worker = new Worker(options.workerFile ?? join(__dirname, 'importWorker.js'), {
      workerData: request,
    });
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      listener?.dispose();
      action();
    };
    const listener = token?.onCancellationRequested(() => {
      finish(() => reject(new ImportCanceled()));
      void worker.terminate();
    });
    worker.on('message', (reply: ImportReply) => {
      if (reply.type === 'progress') {
        if (!settled) onProgress?.(reply.fraction);
      } else if (reply.type === 'done') {
        finish(() => {
          onProgress?.(1);
          resolve(refreeze(reply.profile));
        });
      } else {
        finish(() => {
          if (reply.formatError) reject(new ProfileFormatError(reply.message, reply.file));
          else {
            const error = new Error(reply.message);
            if (reply.stack) error.stack = reply.stack;
            reject(error);
          }
        });
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ProfileFormatError(
                `"${name}" is too large to read in the memory Heatlens has; record a shorter ` +
                  'run, use a larger sampling interval, or open it with the `heatlens` CLI ' +
                  '(node --max-old-space-size=8192).',
                name,
              )
            : error,
        ),
      );
    });
    worker.on('exit', (code) => {
      finish(() =>
        reject(new Error(`The import of "${name}" stopped unexpectedly (exit code ${code}).`)),
      );
    });
  });
}
