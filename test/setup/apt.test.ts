// A busy package manager is waited for (scripts/apt.mjs): a real `apt-get update` on package
// lists of its own (an empty source list, in a temporary folder, so nothing of the machine's apt
// state is touched or fetched) while another process holds its lists lock, as a second apt run
// does. apt-get fails at once on that lock ("Could not get lock"), whatever
// DPkg::Lock::Timeout says; aptGet waits, says so, and succeeds once the lock is released, or
// gives up after its bound with a message naming the holder.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../support/repoRoot';

interface AptOptions {
  maxWaitMs?: number;
  retryMs?: number;
  log?: (msg: string) => void;
  write?: (text: string) => void;
}
type AptGet = (args: string[], options?: AptOptions) => Promise<void>;

async function aptGet(): Promise<AptGet> {
  const url = pathToFileURL(join(repoRoot(), 'scripts', 'apt.mjs')).href;
  return ((await import(url)) as { aptGet: AptGet }).aptGet;
}

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const python = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0,
);
const skip =
  !existsSync('/usr/bin/apt-get') || !root || !python
    ? 'needs apt-get, root and python3 (to hold an fcntl lock as apt does)'
    : undefined;

/** Holds an fcntl write lock on `file` (apt's kind of lock) for `seconds`; resolves once held. */
function holdLock(file: string, seconds: number): Promise<ChildProcess> {
  const child = spawn(
    python!,
    [
      '-c',
      'import fcntl, os, sys, time\n' +
        'fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)\n' +
        'fcntl.lockf(fd, fcntl.LOCK_EX)\n' +
        'print("held", flush=True)\n' +
        'time.sleep(float(sys.argv[2]))\n',
      file,
      String(seconds),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
}

describe('apt-get while another apt run holds its lock', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-apt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `apt-get update` on lists of its own: no sources, no network, nothing of the machine's. */
  function privateUpdate(name: string): string[] {
    const base = join(dir, name);
    for (const d of ['lists/partial', 'parts', 'cache/archives/partial'])
      mkdirSync(join(base, d), { recursive: true });
    return [
      '-o',
      `Dir::State::Lists=${base}/lists`,
      '-o',
      'Dir::Etc::SourceList=/dev/null',
      '-o',
      `Dir::Etc::SourceParts=${base}/parts`,
      '-o',
      `Dir::Cache=${base}/cache`,
      'update',
    ];
  }

  it('apt-get alone fails at once on the lists lock (what aptGet must handle)', async () => {
    const args = privateUpdate('plain');
    const holder = await holdLock(join(dir, 'plain', 'lists', 'lock'), 30);
    try {
      const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=5', ...args], {
        encoding: 'utf8',
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /Could not get lock/);
    } finally {
      holder.kill();
    }
  });

  it('waits with a message while the lock is held, and succeeds once it is released', async () => {
    const args = privateUpdate('wait');
    const holder = await holdLock(join(dir, 'wait', 'lists', 'lock'), 3);
    const messages: string[] = [];
    try {
      await (
        await aptGet()
      )(args, {
        retryMs: 500,
        maxWaitMs: 120_000,
        log: (m) => messages.push(m),
        write: () => undefined,
      });
    } finally {
      holder.kill();
    }
    assert.ok(messages.length >= 1, 'it said it was waiting');
    assert.match(
      messages[0],
      /another package manager run holds .*lists\/lock, held by process \d+ \(python3?[^)]*\): waiting/,
    );
    assert.match(messages[0], /of at most 2:00/);
  });

  it('gives up after its bound, naming the lock and its holder', async () => {
    const args = privateUpdate('bound');
    const holder = await holdLock(join(dir, 'bound', 'lists', 'lock'), 60);
    const messages: string[] = [];
    try {
      await assert.rejects(
        (await aptGet())(args, {
          retryMs: 500,
          maxWaitMs: 2_000,
          log: (m) => messages.push(m),
          write: () => undefined,
        }),
        /still holds .*lists\/lock, held by process \d+.* after 0:0\d\. Let it finish/,
      );
    } finally {
      holder.kill();
    }
    assert.ok(messages.length >= 1, 'it said it was waiting before giving up');
  });
});
