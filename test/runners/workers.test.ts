// Programs with worker threads under `heatlens profile`: they must finish (a worker inherits
// --inspect-brk and waited for a debugger forever) and the workers' time must count: V8 profiles
// each isolate on its own, and each worker's profile is merged under a "worker: ..." pseudo-frame.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { functionStats } from '../../src/core/functionStats';
import type { Profile } from '../../src/core/profile';
import { importNodeRun } from '../../src/formats/nodeRun';
import { startNodeProfile, type NodeRunResult } from '../../src/runners/nodeRunner';
import { repoRoot } from '../support/repoRoot';

const cli = join(repoRoot(), 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hl-workers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A run that never ends is the defect under test: fail after this long instead of hanging the
 * whole test run (far above what these programs take).
 */
const HANG_GUARD_MS = 120_000;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const oneWorker = write(
  'one.js',
  [
    "const { Worker, isMainThread, parentPort } = require('node:worker_threads');",
    'function workerHot() {',
    '  let x = 0;',
    '  for (let i = 0; i < 3e7; i++) x += Math.sqrt(i);',
    '  return x;',
    '}',
    'if (isMainThread) {',
    '  const w = new Worker(__filename);',
    "  w.on('message', (m) => { console.log('reply', m > 0); w.terminate(); });",
    '} else {',
    '  parentPort.postMessage(workerHot());',
    '}',
    '',
  ].join('\n'),
);

const manyWorkers = write(
  'many.js',
  [
    "const { Worker, isMainThread, workerData } = require('node:worker_threads');",
    'function spinForever() { let x = 0; for (;;) x += Math.sqrt(x + 1); }',
    'function innerHot() { let x = 0; for (let i = 0; i < 2e7; i++) x += Math.sqrt(i); return x; }',
    'if (isMainThread) {',
    "  const spinner = new Worker(__filename, { workerData: 'spin', name: 'spinner' });",
    "  spinner.on('online', () => setTimeout(() => spinner.terminate(), 300));",
    "  new Worker(__filename, { workerData: 'outer', name: 'outer' });",
    "} else if (workerData === 'spin') {",
    '  spinForever();',
    "} else if (workerData === 'outer') {",
    "  new Worker(__filename, { workerData: 'inner', name: 'inner' });",
    '} else {',
    '  innerHot();',
    '}',
    '',
  ].join('\n'),
);

/**
 * Node 24, the extension host's runtime, when the end-to-end cache has it (scripts/e2eEnv.mjs
 * installs it); the workers' inspector protocol is checked on both.
 */
function node24(): string | undefined {
  const cache = process.env.HEATLENS_E2E_CACHE ?? join(homedir(), '.cache', 'heatlens-e2e');
  try {
    const env = JSON.parse(readFileSync(join(cache, 'env.json'), 'utf8')) as { node?: string };
    return env.node && existsSync(env.node) ? env.node : undefined;
  } catch {
    return undefined;
  }
}

async function profileOf(
  file: string,
  nodePath?: string,
): Promise<{ result: NodeRunResult; profile: Profile }> {
  const run = startNodeProfile({ file, cwd: dir, nodePath });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    run.done,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        run.dispose();
        reject(new Error(`${file} did not finish under the profiler`));
      }, HANG_GUARD_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  const profile = importNodeRun(result.profileText, result.workerProfiles, {
    runtimePaths: result.runtimePaths,
  });
  return { result, profile };
}

/** The self weight of a function and the thread pseudo-frame it ran under. */
function weightOf(profile: Profile, name: string): { self: number; thread: string | undefined } {
  const stat = functionStats(profile).find((s) => s.frame.name === name);
  let thread: string | undefined;
  const { tree, frames } = profile;
  for (let n = 1; n < tree.size; n++) {
    if (frames[tree.frame[n]].name !== name || tree.self[n] <= 0) continue;
    let p = n;
    while (tree.parent[p] > 0) p = tree.parent[p];
    thread = frames[tree.frame[p]].name;
    break;
  }
  return { self: stat?.self ?? 0, thread };
}

describe('worker threads under the profiler', () => {
  it('a program with a worker finishes, and the worker’s time counts', async () => {
    const { result, profile } = await profileOf(oneWorker);
    assert.equal(result.outcome, 'exited', result.errorText);
    assert.equal(result.workerProfiles.length, 1);
    const hot = weightOf(profile, 'workerHot');
    assert.ok(hot.self > 0, 'workerHot has samples');
    assert.match(hot.thread ?? '', /^worker: \[worker \d+\]/);
    const kind = profile.frames.find((f) => f.name === hot.thread)?.kind;
    assert.equal(kind, 'pseudo');
  });

  it('nested workers and a worker terminated while it runs give their profiles too', async () => {
    const { result, profile } = await profileOf(manyWorkers);
    assert.equal(result.outcome, 'exited', result.errorText);
    const inner = weightOf(profile, 'innerHot');
    assert.ok(inner.self > 0, 'the nested worker’s function has samples');
    assert.match(inner.thread ?? '', /inner$/);
    const spin = weightOf(profile, 'spinForever');
    assert.ok(spin.self > 0, 'the terminated worker’s function has samples');
    assert.match(spin.thread ?? '', /spinner$/);
  });

  const n24 = node24();
  it(
    'on Node 24 (the extension host’s) too',
    { skip: n24 ? false : 'no Node 24 in the e2e cache' },
    async () => {
      const { result, profile } = await profileOf(manyWorkers, n24);
      assert.equal(result.outcome, 'exited', result.errorText);
      assert.ok(weightOf(profile, 'innerHot').self > 0);
      assert.ok(weightOf(profile, 'spinForever').self > 0);
    },
  );

  it('heatlens profile prints the worker’s function and exits', () => {
    const r = spawnSync(process.execPath, [cli, 'profile', oneWorker, '--json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: HANG_GUARD_MS,
      killSignal: 'SIGKILL',
    });
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { functions: { name: string; self: number }[] };
    assert.ok(json.functions.some((f) => f.name === 'workerHot' && f.self > 0));
    assert.match(r.stderr, /reply true/);
  });
});
