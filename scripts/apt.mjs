// Debian packages the tests and the real VS Code need, installed with apt-get when this process is
// root on a machine that has it. Another apt run (unattended upgrades, a second terminal) holds
// apt's locks for minutes at a time: that is waited for, with a message, up to a bound.
//
// apt 2.6 waits for the dpkg lock by itself with `-o DPkg::Lock::Timeout=<s>`, but not for the
// package lists lock of `apt-get update` (/var/lib/apt/lists/lock) nor the archives lock
// (/var/cache/apt/archives/lock): those fail at once with "Could not get lock". So every apt-get
// runs with the timeout, and a lock failure is retried until the bound.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What apt-get prints when another process holds one of its locks. */
const LOCK_FAILURE =
  /Could not get lock|Unable to lock (?:the )?(?:directory|administration directory)|Unable to acquire the dpkg frontend lock|is another process using it/i;

/** How long to wait for another apt run at most, in all (ms). */
export const APT_LOCK_WAIT_MS = 15 * 60 * 1000;

const defaultLog = (msg) => process.stderr.write(`[apt] ${msg}\n`);

/** m:ss */
function clock(ms) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Runs one apt-get; resolves with its exit code and its stderr (also passed on to `write`). */
function runOnce(args, env, write) {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    // Whole lines only, so that a caller's status line never splits one.
    const lines = () => {
      let pending = '';
      return {
        data: (b) => {
          pending += b.toString();
          const cut = pending.lastIndexOf('\n');
          if (cut >= 0) write(pending.slice(0, cut + 1));
          if (cut >= 0) pending = pending.slice(cut + 1);
        },
        end: () => pending && write(`${pending}\n`),
      };
    };
    const out = lines();
    const err = lines();
    child.stdout.on('data', out.data);
    child.stderr.on('data', (b) => {
      stderr += b.toString();
      err.data(b);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      resolve({ code: code ?? signal, stderr });
    });
  });
}

/**
 * `apt-get <args>`, waiting for another apt run's locks: apt's own wait for the dpkg lock, and a
 * retry every `retryMs` while apt reports another lock held, until `maxWaitMs` have passed in
 * all. Rejects with a message naming the lock and its holder when it stays held, or with apt's
 * exit code on any other failure.
 * @param {string[]} args
 * @param {{ maxWaitMs?: number, retryMs?: number, log?: (msg: string) => void,
 *   write?: (text: string) => void, env?: NodeJS.ProcessEnv }} [options]
 */
export async function aptGet(args, options = {}) {
  const maxWaitMs = options.maxWaitMs ?? APT_LOCK_WAIT_MS;
  const retryMs = options.retryMs ?? 10_000;
  const log = options.log ?? defaultLog;
  const write = options.write ?? ((text) => process.stderr.write(text));
  const env = { ...(options.env ?? process.env), DEBIAN_FRONTEND: 'noninteractive' };
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const left = Math.max(1, Math.ceil((started + maxWaitMs - Date.now()) / 1000));
    const { code, stderr } = await runOnce(
      ['-o', `DPkg::Lock::Timeout=${left}`, ...args],
      env,
      write,
    );
    if (code === 0) return;
    const what = `apt-get ${args.join(' ')}`;
    if (!LOCK_FAILURE.test(stderr)) throw new Error(`${what} failed with exit code ${code}`);
    const lock = /lock (\/\S+?)\.? It is held by process (\d+)(?: \(([^)]*)\))?/.exec(stderr);
    const holder = lock
      ? `${lock[1]}, held by process ${lock[2]}${lock[3] ? ` (${lock[3]})` : ''}`
      : 'one of its locks';
    const waited = Date.now() - started;
    if (waited + retryMs > maxWaitMs) {
      const err = new Error(
        `${what}: another package manager run still holds ${holder} after ${clock(waited)}. ` +
          'Let it finish (or stop it), then run this command again.',
      );
      err.lockHeld = true;
      throw err;
    }
    log(
      `another package manager run holds ${holder}: waiting for it ` +
        `(attempt ${attempt}, ${clock(waited)} waited of at most ${clock(maxWaitMs)})`,
    );
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

/** True when this process may install Debian packages: root, with apt-get. */
export function canApt() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root && existsSync('/usr/bin/apt-get');
}

/**
 * Installs the Debian packages among `packages` that are missing. The package lists are updated
 * only when apt does not know a package (a fresh image has none), so a machine with lists does
 * not wait for the network.
 * @param {string[]} packages
 * @param {Parameters<typeof aptGet>[1]} [options]
 */
export async function aptInstall(packages, options = {}) {
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  try {
    await aptGet(install, options);
  } catch (err) {
    if (err.lockHeld) throw err;
    (options.log ?? defaultLog)('updating the package lists, then installing again');
    await aptGet(['update'], options);
    await aptGet(install, options);
  }
}
