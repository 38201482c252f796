/**
 * The worker thread that reads and imports a profile file off the extension host's main thread
 * (see importInWorker.ts, which starts it): a file of hundreds of MB takes seconds to import,
 * and on the main thread that would freeze the editor, and an import that runs out of memory
 * would take the whole extension host down. Built as its own bundle, dist/importWorker.js; it
 * must not import `vscode` (a worker has no extension API).
 *
 * Protocol: the request comes as `workerData`; the worker posts progress messages, then one
 * `done` (the profile, its typed arrays transferred, not copied) or one `error`, and ends.
 */
import { closeSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Profile } from '../core/profile';
import { importProfileFile } from '../formats/detect';
import { ProfileFormatError } from '../formats/errors';
import { FileRefused, openRegularFileSync } from '../io/regularFile';
import type { ImportReply, ImportRequest } from './importInWorker';

/** Share of the progress bar given to reading the file (measured: reading from the page cache
 * ran at 1-2 GB/s, importing at 50-300 MB/s). */
const READ_SHARE = 0.1;
/** Bytes read per call: a few calls per second of progress, few enough to stay cheap. */
const READ_PIECE = 32 * 1024 * 1024;

/** The whole file, read a piece at a time (a single read is limited to 2 GB). */
function readWhole(file: string, name: string, onProgress: (fraction: number) => void): Uint8Array {
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFileSync(file, { maxBytes: Infinity });
  } catch (error) {
    if (error instanceof FileRefused) throw new ProfileFormatError(`"${name}" ${error.why}.`, name);
    throw error;
  }
  const { fd, size } = opened;
  try {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(size);
    } catch {
      throw new ProfileFormatError(
        `"${name}" is too large to load (${Math.round(size / 1048576)} MB); ` +
          'record a shorter run or use a larger sampling interval.',
        name,
      );
    }
    let at = 0;
    while (at < size) {
      const read = readSync(fd, bytes, at, Math.min(READ_PIECE, size - at), at);
      if (read === 0) break; // the file shrank while being read
      at += read;
      onProgress(at / size);
    }
    return at < size ? bytes.subarray(0, at) : bytes;
  } finally {
    closeSync(fd);
  }
}

/** Every distinct buffer under the profile's typed arrays, to move them instead of copying. */
function transferables(profile: Profile): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [
    ...Object.values(profile.tree).filter(ArrayBuffer.isView),
    ...Object.values(profile.lines).filter(ArrayBuffer.isView),
    ...(profile.samples ? Object.values(profile.samples).filter(ArrayBuffer.isView) : []),
  ];
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}

function run(request: ImportRequest): void {
  const port = parentPort;
  if (!port) return;
  const post = (reply: ImportReply, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(reply, transfer);
  let lastPercent = -1;
  const progress = (fraction: number): void => {
    // Whole percents: enough for a progress bar, few enough messages.
    const percent = Math.floor(fraction * 100);
    if (percent > lastPercent) {
      lastPercent = percent;
      post({ type: 'progress', fraction: Math.min(1, fraction) });
    }
  };
  try {
    const bytes = readWhole(request.file, request.name, (f) => progress(f * READ_SHARE));
    const profile = importProfileFile(request.name, bytes, {
      choice: request.choice,
      onProgress: (f) => progress(READ_SHARE + (1 - READ_SHARE) * f),
    });
    post({ type: 'done', profile }, transferables(profile));
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({
      type: 'error',
      message: error.message,
      formatError: error instanceof ProfileFormatError,
      file: error instanceof ProfileFormatError ? error.file : undefined,
      stack: error.stack,
    });
  }
}

run(workerData as ImportRequest);
