/**
 * Writing files that other processes read at the same time: two VS Code windows on one
 * workspace share its storage folder. A file is written whole or not at all (a temporary file,
 * then a rename), and changes to a shared file (the run history's index) are made one process at
 * a time, under a lock file. Without VS Code, so it is unit-tested with plain Node.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** The suffix of temporary files; readers skip them. */
export const TEMP_SUFFIX = '.tmp';

/** Files this process wrote (their paths): the only ones it may delete at any age. */
const writtenHere = new Set<string>();

/** Whether this process wrote `file` (through {@link writeFileAtomic}). */
export function wroteHere(file: string): boolean {
  return writtenHere.has(path.resolve(file));
}

/**
 * Writes `bytes` to `file` so that a reader sees the old file or the new one, never a part:
 * into a temporary file beside it, then renamed over it.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  writtenHere.add(path.resolve(file));
}

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;

/**
 * Runs `op` while holding `<dir>/<name>.lock`, created exclusively: one process at a time. A
 * lock left by a crash is taken over once it is older than {@link STALE_LOCK_MS} (the operations
 * under it take milliseconds).
 */
export async function withFolderLock<T>(
  dir: string,
  name: string,
  op: () => Promise<T>,
): Promise<T> {
  await fs.mkdir(dir, { recursive: true });
  const lock = path.join(dir, `${name}.lock`);
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const stat = await fs.stat(lock).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS) {
      // Taken over by renaming: of two processes that both found it stale, one rename wins.
      const stale = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
      if (
        await fs.rename(lock, stale).then(
          () => true,
          () => false,
        )
      ) {
        await fs.rm(stale, { force: true }).catch(() => undefined);
      }
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
  }
  try {
    return await op();
  } finally {
    await fs.rm(lock, { force: true }).catch(() => undefined);
  }
}
