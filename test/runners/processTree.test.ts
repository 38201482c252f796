// childEnd with real child processes: when stdio closes with the child, nothing it set up is left
// to keep the event loop running (the CLI exits as soon as its work is done); when a grandchild
// holds the pipes open, `closed` still resolves and the pipes are let go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { childEnd, isAlive } from '../../src/runners/processTree';

/** Active timers of this process, as Node counts them (`process.getActiveResourcesInfo`). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

test('childEnd leaves no timer behind once the child and its stdio are done', async () => {
  const before = activeTimers();
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("hi")'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b));
  child.stderr!.resume();
  const { exited, closed } = childEnd(child);
  assert.deepEqual(await exited, { code: 0, signal: null });
  await closed;
  assert.equal(out, 'hi');
  // Let the 'close' handlers of this turn finish before counting.
  await new Promise((r) => setImmediate(r));
  assert.equal(activeTimers(), before, 'a timer outlives the child and holds the event loop');
});

test('childEnd resolves `closed` when a grandchild keeps the pipes open', async () => {
  // The child starts a grandchild that inherits its stdout and stderr and outlives it.
  const script = [
    "const { spawn } = require('child_process');",
    "const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {",
    "  stdio: ['ignore', 'inherit', 'inherit'], detached: true });",
    'process.stdout.write(String(g.pid));',
    'g.unref();',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b));
  child.stderr!.resume();
  const { exited, closed } = childEnd(child);
  try {
    assert.deepEqual(await exited, { code: 0, signal: null });
    await closed;
    assert.match(out, /^\d+$/, 'what the child wrote before it exited was read');
    assert.ok(child.stdout!.destroyed && child.stderr!.destroyed, 'the pipes were let go');
    assert.ok(isAlive(Number(out)), 'the grandchild was still running, holding the pipes');
  } finally {
    if (/^\d+$/.test(out)) {
      try {
        process.kill(Number(out), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});
