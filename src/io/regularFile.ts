/**
 * The one way the CLI and the extension read a file by its name. A profile names paths (scripts,
 * `sourceMappingURL`s, sources) and is hostile: a FIFO named `app.js` would hang the reader
 * forever, `/dev/zero` would fill the memory, `/dev/stdin` would steal the terminal's input. So a
 * file is opened without blocking (a FIFO opens at once), checked to be a regular file on the
 * open descriptor (no race with a rename in between), measured against a size cap, and only then
 * read. Callers get a reason in words when a file is refused, never its contents.
 *
 * Lint forbids `readFile`, `open` and their kin elsewhere in src/extension and src/cli.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  type Stats,
} from 'node:fs';
import { open } from 'node:fs/promises';
import type { SourceMapHost } from '../sourcemaps/remap';

/** Why a file was not read: the sentence completes "<file> ...". */
export class FileRefused extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'folder' | 'special' | 'too large' | 'unreadable',
    readonly why: string,
  ) {
    super(`${file} ${why}`);
    this.name = 'FileRefused';
  }
}

/** The largest text file a profile can make Heatlens read (a script or a source map). */
export const MAX_NAMED_FILE_BYTES = 128 * 1024 * 1024;

/** Opening never waits for a writer (a FIFO); regular files ignore the flag. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function megabytes(n: number): string {
  return `${Math.round(n / (1024 * 1024))} MB`;
}

/** A refusal for a failed open. */
function openRefusal(file: string, error: unknown): FileRefused {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new FileRefused(file, 'missing', 'does not exist');
  }
  if (code === 'EISDIR') return new FileRefused(file, 'folder', 'is a folder, not a file');
  if (code === 'EACCES' || code === 'EPERM') {
    return new FileRefused(file, 'unreadable', 'cannot be read: permission denied');
  }
  if (code === 'ENXIO') {
    // A socket, or a FIFO without a writer on some systems.
    return new FileRefused(file, 'special', 'is not a regular file (a socket or a device)');
  }
  return new FileRefused(file, 'unreadable', `cannot be read (${code ?? String(error)})`);
}

/** A refusal for what fstat says, or undefined when the file may be read. */
function statRefusal(file: string, stat: Stats, maxBytes: number): FileRefused | undefined {
  if (stat.isDirectory()) return new FileRefused(file, 'folder', 'is a folder, not a file');
  if (!stat.isFile()) {
    const what = stat.isFIFO()
      ? 'a FIFO'
      : stat.isCharacterDevice() || stat.isBlockDevice()
        ? 'a device'
        : stat.isSocket()
          ? 'a socket'
          : 'a special file';
    return new FileRefused(file, 'special', `is not a regular file (it is ${what})`);
  }
  return stat.size > maxBytes ? tooLarge(file, stat.size, maxBytes) : undefined;
}

function tooLarge(file: string, size: number, maxBytes: number): FileRefused {
  return new FileRefused(
    file,
    'too large',
    `is larger than ${megabytes(maxBytes)} (${megabytes(size)}), more than Heatlens reads`,
  );
}

/** Options of the readers. */
export interface ReadLimits {
  /** Refuse files larger than this; default {@link MAX_NAMED_FILE_BYTES}. */
  readonly maxBytes?: number;
}

/**
 * The bytes of a regular file. Throws {@link FileRefused} for anything else (missing, a folder,
 * a FIFO, a device, a socket, larger than the cap, unreadable).
 */
export async function readRegularFile(file: string, limits: ReadLimits = {}): Promise<Uint8Array> {
  const maxBytes = limits.maxBytes ?? MAX_NAMED_FILE_BYTES;
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw openRefusal(file, error);
  }
  try {
    const refusal = statRefusal(file, await handle.stat(), maxBytes);
    if (refusal) throw refusal;
    const bytes = await handle.readFile();
    // The file grew past the cap after the check: refuse rather than hand over an unbounded read.
    if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes);
    return bytes;
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    throw openRefusal(file, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Opens `file` without blocking and checks, on the open descriptor, that it is a regular file
 * within `maxBytes`; the caller closes the descriptor. Throws {@link FileRefused}.
 */
function openCheckedSync(file: string, maxBytes: number): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw openRefusal(file, error);
  }
  try {
    const stat = fstatSync(fd);
    const refusal = statRefusal(file, stat, maxBytes);
    if (refusal) throw refusal;
    return { fd, stat };
  } catch (error) {
    closeSync(fd);
    if (error instanceof FileRefused) throw error;
    throw openRefusal(file, error);
  }
}

/** Reads a checked regular file with `read`, closing it after; errors become {@link FileRefused}. */
function readCheckedSync<T>(file: string, maxBytes: number, read: (fd: number) => T): T {
  const { fd } = openCheckedSync(file, maxBytes);
  try {
    return read(fd);
  } catch (error) {
    if (error instanceof FileRefused) throw error;
    throw openRefusal(file, error);
  } finally {
    closeSync(fd);
  }
}

/** As {@link readRegularFile}, synchronously (the CLI reads its input this way). */
export function readRegularFileSync(file: string, limits: ReadLimits = {}): Uint8Array {
  return readCheckedSync(file, limits.maxBytes ?? MAX_NAMED_FILE_BYTES, (fd) => readFileSync(fd));
}

/**
 * Opens a regular file for reading piece by piece (a file too large for one read). Throws
 * {@link FileRefused} as {@link readRegularFile} does; the caller closes the descriptor.
 */
export function openRegularFileSync(
  file: string,
  limits: ReadLimits = {},
): { fd: number; size: number } {
  const { fd, stat } = openCheckedSync(file, limits.maxBytes ?? MAX_NAMED_FILE_BYTES);
  return { fd, size: stat.size };
}

/** The size of a regular file; throws {@link FileRefused} for anything else. */
export async function regularFileSize(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    throw openRefusal(file, error);
  }
  try {
    const stat = await handle.stat();
    const refusal = statRefusal(file, stat, Infinity);
    if (refusal) throw refusal;
    return stat.size;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The UTF-8 text of a regular file, or undefined when it is refused (see {@link readRegularFile}). */
export async function readRegularText(
  file: string,
  limits: ReadLimits = {},
): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readRegularFile(file, limits));
  } catch (error) {
    if (error instanceof FileRefused) return undefined;
    throw error;
  }
}

/**
 * The first line of a regular file (of its first 256 bytes), for a `#!` line. Throws
 * {@link FileRefused} as {@link readRegularFile} does.
 */
export function readFirstLineSync(file: string): string {
  return readCheckedSync(file, Infinity, (fd) => {
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return new TextDecoder().decode(head.subarray(0, n)).split(/\r?\n/, 1)[0];
  });
}

/** Options of {@link regularFileHost}. */
export interface HostOptions extends ReadLimits {
  /**
   * Whether a path may be read at all (the extension reads only inside the workspace folders
   * for a profile opened from a file, unless the person allows more). Default: every path.
   */
  readonly allow?: (file: string) => boolean | Promise<boolean>;
  /** Told of every path not read because `allow` said no. */
  readonly onDenied?: (file: string) => void;
}

/**
 * The source-map step's file reading, through {@link readRegularFile}: regular files only,
 * within the size cap, within what `allow` lets through. A refused file reads as missing, and
 * {@link SourceMapHost.whyNot} says why in words (never with the file's contents).
 */
export function regularFileHost(options: HostOptions = {}): SourceMapHost {
  const reasons = new Map<string, string>();
  return {
    async readFile(file: string): Promise<string | undefined> {
      if (options.allow && !(await options.allow(file))) {
        reasons.set(file, 'is outside the workspace folders, so Heatlens did not read it');
        options.onDenied?.(file);
        return undefined;
      }
      try {
        return new TextDecoder().decode(await readRegularFile(file, options));
      } catch (error) {
        if (!(error instanceof FileRefused)) throw error;
        reasons.set(file, error.why);
        return undefined;
      }
    },
    whyNot: (file: string) => reasons.get(file),
  };
}
