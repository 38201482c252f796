/**
 * Ending a profiled program with everything it started. On POSIX the runner starts the program
 * as the leader of its own process group (`detached`), so one signal to the group reaches the
 * children that stayed in it; children that made their own group are found through `ps` first.
 * Windows has no groups: `taskkill /T /F` ends the tree.
 */
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';

/** How long the tree gets to end on SIGTERM before SIGKILL. */
export const killGraceMs = 2000;

/** The descendants of `pid` (not `pid` itself), from `ps`; empty when `ps` is unavailable. */
export function descendantsOf(pid: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    const [child, parent] = [Number(m[1]), Number(m[2])];
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (out.includes(child)) continue;
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Whether a process with this id still exists (a zombie counts until its parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Whether any process of the group led by `pid` is left (POSIX; the leader may be gone). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends the process `pid` (a group leader on POSIX) and its descendants: SIGTERM, then SIGKILL to
 * whatever is left after {@link killGraceMs}. Resolves once none of them is left (or after the
 * SIGKILL round, for a process the kernel has not reaped yet). The group counts too: after its
 * leader has exited, children it left in the group are no one's descendants any more.
 */
export function killProcessTree(pid: number): Promise<void> {
  if (process.platform === 'win32') {
    return new Promise((resolve) => {
      execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true }, () =>
        resolve(),
      );
    });
  }
  const tree = [pid, ...descendantsOf(pid)];
  signal(-pid, 'SIGTERM');
  for (const p of tree) signal(p, 'SIGTERM');
  return new Promise((resolve) => {
    const started = Date.now();
    let killed = false;
    const check = () => {
      const alive = tree.filter(isAlive);
      if (!alive.length && !groupAlive(pid)) return resolve();
      if (!killed && Date.now() - started >= killGraceMs) {
        killed = true;
        signal(-pid, 'SIGKILL');
        for (const p of alive) signal(p, 'SIGKILL');
      } else if (killed && Date.now() - started >= killGraceMs + 1000) {
        return resolve(); // Zombies waiting for a parent that is not us: nothing more to do.
      }
      setTimeout(check, 50);
    };
    setTimeout(check, 20);
  });
}

/**
 * How long after a child's exit its stdio may stay open before we stop waiting for it: a
 * grandchild that inherited the pipes keeps them open for as long as it runs. What the child
 * itself wrote is already in the pipes by its exit and is read well within this time.
 */
export const stdioGraceMs = 1000;

/**
 * When a child has exited, and when its stdio is done. stdio closes right after the exit, unless a
 * grandchild still holds the pipes: then give up on them {@link stdioGraceMs} after the exit
 * instead of waiting for the grandchild. The grace timer runs only while stdio is still open and
 * is cleared when it closes, so it never keeps the event loop alive after the child is done (it
 * did, for a second after every run, which held the CLI's exit back by as much).
 */
export function childEnd(child: ChildProcess): {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  closed: Promise<void>;
} {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const closed = new Promise<void>((res) => {
    let grace: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    child.once('close', () => {
      done = true;
      clearTimeout(grace);
      res();
    });
    void exited.then(() => {
      if (done) return;
      grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        res();
      }, stdioGraceMs);
    });
  });
  return { exited, closed };
}
