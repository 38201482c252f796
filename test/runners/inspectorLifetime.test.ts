// No profiled program, and so no inspector, outlives the run: whatever way `heatlens profile`
// ends (its terminal closed, a second Ctrl+C on a program that ignores SIGTERM, killed outright),
// the program is gone afterwards and its inspector port refuses connections. While it runs, the
// inspector's secret id is not listed on its HTTP endpoint for other local processes to find.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAlive } from '../../src/runners/processTree';
import { repoRoot } from '../support/repoRoot';

const cli = join(repoRoot(), 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hl-inspector-life-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A program that says where its inspector listens, then runs until stopped. */
const forever = join(dir, 'forever.js');
writeFileSync(
  forever,
  [
    "const url = require('node:inspector').url();",
    "console.log('READY', process.pid, url);",
    "if (process.argv.includes('--stubborn')) {",
    "  process.on('SIGTERM', () => console.log('ignored SIGTERM'));",
    "  process.on('SIGINT', () => console.log('ignored SIGINT'));",
    '}',
    'setInterval(() => { let x = 0; for (let i = 0; i < 1e5; i++) x += i; }, 5);',
    '',
  ].join('\n'),
);

interface Started {
  cli: ChildProcess;
  pid: number;
  port: number;
  uid: string;
  stderr: () => string;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `heatlens profile forever.js` in a session of its own, as a terminal would run it. */
async function start(...programArgs: string[]): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'profile', forever, '--', ...programArgs], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => res({ code, signal })),
  );
  const line = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY .*\n/.exec(out);
      if (m) res(m[0]);
    });
    void closed.then(() => rej(new Error(`heatlens ended first: ${stderr}`)));
  });
  const m = /READY (\d+) ws:\/\/127\.0\.0\.1:(\d+)\/([\w-]+)/.exec(line);
  assert.ok(m, line);
  return {
    cli: child,
    pid: Number(m[1]),
    port: Number(m[2]),
    uid: m[3],
    stderr: () => stderr,
    closed,
  };
}

/**
 * Waits until `pid` is gone; fails if it is still there after a bound far above what ending a
 * process takes (only so that a regression fails instead of hanging the run).
 */
async function gone(pid: number): Promise<void> {
  for (let waited = 0; isAlive(pid); waited += 50) {
    assert.ok(waited < 60_000, `process ${pid} still runs`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      res(false);
    });
    socket.once('error', () => res(true));
  });
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res(body));
    }).on('error', rej);
  });
}

describe('the inspector never outlives the run', () => {
  it('SIGHUP (the terminal closed): the program is stopped, exit 129', async () => {
    const run = await start();
    process.kill(run.cli.pid!, 'SIGHUP');
    const { code } = await run.closed;
    assert.equal(code, 129, run.stderr());
    await gone(run.pid);
    assert.ok(await refused(run.port), 'the inspector port is closed');
  });

  it('a second Ctrl+C on a program that ignores SIGINT and SIGTERM: gone at once', async () => {
    const run = await start('--stubborn');
    process.kill(run.cli.pid!, 'SIGINT');
    process.kill(run.cli.pid!, 'SIGINT');
    const { code } = await run.closed;
    assert.equal(code, 130, run.stderr());
    await gone(run.pid);
    assert.ok(await refused(run.port));
  });

  it('heatlens killed outright (SIGKILL): the program dies with it', async () => {
    const run = await start();
    process.kill(run.cli.pid!, 'SIGKILL');
    await run.closed;
    await gone(run.pid);
    assert.ok(await refused(run.port));
  });

  it('while it runs, the inspector does not list its id for other processes', async () => {
    const run = await start();
    try {
      const list = await httpGet(run.port, '/json/list');
      assert.ok(!list.includes(run.uid), list);
    } finally {
      process.kill(run.cli.pid!, 'SIGINT');
      await run.closed;
      await gone(run.pid);
    }
  });
});
