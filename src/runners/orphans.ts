/**
 * No profiled program outlives the process that ran it. A Node program runs with its inspector
 * listening: left behind (the CLI's terminal closed, the extension host crashed, someone killed
 * the CLI), any local process that found the inspector could run code in it. The runners start
 * programs in a process group of their own, so the terminal's signals do not reach them; that
 * makes this module necessary:
 *
 * - When this process exits in any way Node sees (the end, `process.exit()`, an uncaught
 *   exception, a second Ctrl+C), an 'exit' hook kills every adopted group at once (SIGKILL).
 * - When this process dies in a way Node does not see (SIGKILL, a crash), a guard notices: a
 *   tiny `sh` in a session of its own waits on a pipe from this process, and when the pipe closes
 *   (every end of this process closes it) it kills the group. The guard is killed as soon as
 *   the program has ended normally, so it never outlives it either.
 *
 * Windows has no process groups: the exit hook ends the tree with `taskkill /T /F`, and a crash
 * of this process leaves the program running (a job object would be needed).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** Adopted programs: the group leader's pid -> its guard (none on Windows, or if sh failed). */
const adopted = new Map<number, ChildProcess | undefined>();
let hooked = false;

/** The guard's script: wait for end of input (this process is gone), then kill the group. */
const GUARD_SCRIPT = 'read _; kill -s KILL -- "-$1" 2>/dev/null';

function killNow(pid: number): void {
  if (process.platform === 'win32') {
    try {
      execFileSync('taskkill', ['/pid', String(pid), '/T', '/F'], {
        stdio: 'ignore',
        windowsHide: true,
        timeout: 5000,
      });
    } catch {
      // Already gone.
    }
    return;
  }
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function onExit(): void {
  for (const [pid, guard] of adopted) {
    killNow(pid);
    guard?.kill('SIGKILL');
  }
  adopted.clear();
}

function startGuard(pid: number): ChildProcess | undefined {
  try {
    const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'heatlens-guard', String(pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // A session of its own: the terminal's Ctrl+C and hangup must not end the guard first.
      detached: true,
    });
    guard.on('error', () => undefined);
    guard.stdin?.on('error', () => undefined);
    // Neither the guard nor its pipe may keep this process alive.
    guard.unref();
    (guard.stdin as { unref?: () => void } | null)?.unref?.();
    return guard;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the process group led by `child` (started `detached`) dies with this process.
 * Returns the release to call once the program has ended: it stops guarding it.
 */
export function adoptChild(child: ChildProcess): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined;
  if (!hooked) {
    hooked = true;
    process.on('exit', onExit);
  }
  adopted.set(pid, process.platform === 'win32' ? undefined : startGuard(pid));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const guard = adopted.get(pid);
    adopted.delete(pid);
    guard?.kill('SIGKILL');
  };
}

/** The pids of the programs guarded right now (for tests). */
export function adoptedPids(): number[] {
  return [...adopted.keys()];
}
