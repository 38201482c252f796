// Node's memory mode for real: programs of test/fixtures/programs/memory run by real Node under
// V8's sampling heap profiler through the Node profiler (the path the CLI and the extension take:
// run, hand-over, import, fold, source maps), and their bytes checked against what the programs
// allocate. Sampling makes the figures approximate: 50 MB is about 1500 samples at the default
// 32768-byte interval (a standard error near 3%), checked within 15%.
//
// The Node that runs the programs is this test's own, or HEATLENS_TEST_NODE; Node 24 from the
// end-to-end cache runs the CommonJS and TypeScript cases too, where it is installed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';

import { functionStats, type FunctionStat } from '../../src/core/functionStats';
import type { Profile } from '../../src/core/profile';
import { importHeapProfile } from '../../src/formats/heapProfile';
import { regularFileHost } from '../../src/io/regularFile';
import { NodeProfiler } from '../../src/runners/nodeProfiler';
import type { HeapRecording, RunResult } from '../../src/runners/runResult';
import { repoRoot } from '../support/repoRoot';

const programs = join(repoRoot(), 'test', 'fixtures', 'programs', 'memory');
const transformCacheDir = mkdtempSync(join(tmpdir(), 'heatlens-test-ts-cache-'));
after(() => rmSync(transformCacheDir, { recursive: true, force: true }));
const testNode = process.env.HEATLENS_TEST_NODE || process.execPath;

/** What alloc.js and alloc.ts allocate in `allocate`: 5000 arrays of 1250 small integers. */
const ALLOCATED = 5000 * (1250 * 8 + 16);
/** What keep.js keeps to the end (and drops as much before). */
const KEPT = 2000 * (1250 * 8 + 16);

interface Recorded {
  readonly result: RunResult;
  readonly profile: Profile;
  readonly saved: string;
  readonly stdout: string;
}

/** Runs `name` in memory mode; `cancelOn`: cancel once the program printed this. */
async function record(
  name: string,
  options: {
    args?: string[];
    memory?: Partial<HeapRecording>;
    cancelOn?: string;
    nodePath?: string;
  } = {},
): Promise<Recorded> {
  let stdout = '';
  const run = new NodeProfiler().start({
    file: join(programs, name),
    args: options.args,
    cwd: programs,
    host: regularFileHost(),
    onOutput: (stream, text) => {
      if (stream !== 'stdout') return;
      stdout += text;
      if (options.cancelOn && stdout.includes(options.cancelOn)) run.cancel();
    },
    settings: {
      node: {
        nodePath: options.nodePath ?? testNode,
        transformCacheDir,
        memory: options.memory ?? {},
      },
    },
  });
  const result = await run.done;
  run.dispose();
  const profile = await run.profile();
  const saved = run.saved(profile);
  assert.equal(typeof saved, 'string');
  return { result, profile, saved: saved as string, stdout };
}

/** The one function called `name`, with its file and figures. */
function fn(profile: Profile, name: string): FunctionStat {
  const found = functionStats(profile).filter((s) => s.frame.name === name);
  assert.equal(found.length, 1, `one function ${name}: ${found.map((s) => s.frame.file)}`);
  return found[0];
}

function near(actual: number, expected: number, share: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= share * expected,
    `${what}: ${actual} bytes, expected ${expected} within ${share * 100}%`,
  );
}

/** 1-based line of the first line of `file` containing `marker`. */
function markerLine(file: string, marker: string): number {
  const index = readFileSync(join(programs, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `${marker} not found in ${file}`);
  return index + 1;
}

/** The bytes of `allocate` in alloc.js/alloc.ts, checked where V8 put them. */
function checkAllocate(profile: Profile, file: string): void {
  assert.equal(profile.meta.unit, 'bytes');
  assert.equal(profile.meta.profiler, 'v8-heap');
  const f = fn(profile, 'allocate');
  assert.equal(f.frame.file, join(programs, file));
  assert.equal(f.frame.line1, markerLine(file, 'ALLOCATING FUNCTION'));
  assert.equal(f.frame.kind, 'user');
  near(f.total, ALLOCATED, 0.15, `allocate in ${file}`);
  // Nothing of Heatlens' helpers is left as code: their frames folded into pseudo frames.
  for (const frame of profile.frames) assert.doesNotMatch(frame.file ?? '', /dist[\\/]inject/);
}

/**
 * Node 24, the extension host's runtime, when the end-to-end cache has it (scripts/e2eEnv.mjs
 * installs it).
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

describe('Node memory mode (V8 sampling heap profiler), real runs', () => {
  it('puts the ~50 MB a function allocates and drops on that function, in bytes', async () => {
    const { result, profile, stdout } = await record('alloc.js');
    assert.equal(result.outcome, 'exited', result.errorText);
    assert.match(stdout, /allocated/);
    assert.deepEqual(result.memory, { record: 'allocated', samplingInterval: 32768 });
    assert.equal(result.intervalUs, undefined, 'no CPU interval in memory mode');
    assert.deepEqual(result.warnings, []);
    checkAllocate(profile, 'alloc.js');
    // V8 attributes allocations to functions, not lines.
    assert.equal(profile.lines.count, 0);
  });

  it('TypeScript lands on the .ts file and function through the loader’s source maps', async () => {
    const { result, profile } = await record('alloc.ts');
    assert.equal(result.outcome, 'exited', result.errorText);
    checkAllocate(profile, 'alloc.ts');
    assert.ok(profile.frames.some((f) => f.name === '(Heatlens TypeScript loader)'));
  });

  it('saves a .heapprofile that reads back with the same figures, on the .ts file', async () => {
    const { profile, saved } = await record('alloc.ts');
    const again = importHeapProfile(saved);
    const before = fn(profile, 'allocate');
    const after = fn(again, 'allocate');
    assert.equal(after.frame.file, before.frame.file);
    assert.equal(after.frame.line1, before.frame.line1);
    assert.equal(after.total, before.total);
    assert.equal(after.self, before.self);
    assert.equal(again.tree.total[0], profile.tree.total[0]);
  });

  for (const [how, args, outcome, code] of [
    ['an uncaught exception', ['throw'], 'failed', 1],
    ['process.exit(3)', ['exit'], 'failed', 3],
  ] as const) {
    it(`keeps the bytes when the program ends by ${how}`, async () => {
      const { result, profile } = await record('alloc.js', { args: [...args] });
      assert.equal(result.outcome, outcome);
      assert.equal(result.exitCode, code);
      checkAllocate(profile, 'alloc.js');
    });
  }

  it('keeps the bytes when the run is cancelled while the program spins', async () => {
    const { result, profile } = await record('alloc.js', {
      args: ['spin'],
      cancelOn: 'allocated',
    });
    assert.equal(result.outcome, 'cancelled');
    checkAllocate(profile, 'alloc.js');
  });

  it('live at the end: the ~20 MB kept, where allocated shows the 40 MB the function made', async () => {
    const live = await record('keep.js', { memory: { record: 'live' } });
    const allocated = await record('keep.js', { memory: { record: 'allocated' } });
    assert.deepEqual(live.result.memory, { record: 'live', samplingInterval: 32768 });
    const kept = fn(live.profile, 'keeper').total;
    const made = fn(allocated.profile, 'keeper').total;
    near(kept, KEPT, 0.15, 'keeper, live at the end');
    near(made, 2 * KEPT, 0.15, 'keeper, allocated over the run');
    assert.ok(made > 1.5 * kept, `allocated ${made} vs live ${kept}`);
  });

  it('records worker threads too, each under its thread', async () => {
    const { result, profile } = await record('worker.js');
    assert.equal(result.outcome, 'exited', result.errorText);
    assert.deepEqual(result.warnings, []);
    const f = fn(profile, 'workerAllocate');
    assert.equal(basename(f.frame.file ?? ''), 'worker.js');
    near(f.total, 2000 * (1250 * 8 + 16), 0.15, 'workerAllocate in the worker');
    const { tree, frames } = profile;
    const node = [...tree.frame.keys()].find((n) => n > 0 && tree.frame[n] === f.frameId);
    let top = node!;
    while (tree.parent[top] > 0) top = tree.parent[top];
    assert.match(frames[tree.frame[top]].name, /^worker: \[worker \d+\] allocator$/);
  });

  it('a finer sampling interval is used as given', async () => {
    const { result, profile } = await record('alloc.js', { memory: { samplingInterval: 4096 } });
    assert.deepEqual(result.memory, { record: 'allocated', samplingInterval: 4096 });
    checkAllocate(profile, 'alloc.js');
  });

  const n24 = node24();
  it(
    'on Node 24 (the extension host’s) too, CommonJS and TypeScript',
    { skip: n24 ? false : 'no Node 24 in the e2e cache' },
    async () => {
      for (const file of ['alloc.js', 'alloc.ts']) {
        const { result, profile } = await record(file, { nodePath: n24 });
        assert.equal(result.outcome, 'exited', result.errorText);
        checkAllocate(profile, file);
      }
    },
  );
});
