// Integration tests of the shared reader (src/runners/readRun.ts) that the CLI and the extension
// both use to turn a finished run into the profile shown: real programs (test/fixtures/programs,
// test/fixtures/pyprograms) run by the real runners, read through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { foldInjected } from '../../src/core/foldInjected';
import { hotLines } from '../../src/core/lineHeat';
import { summarize } from '../../src/core/summary';
import { ProfileFormatError } from '../../src/formats/errors';
import { importNodeRun } from '../../src/formats/nodeRun';
import { regularFileHost } from '../../src/io/regularFile';
import {
  startNodeProfile,
  type EarlyProfile,
  type NodeRunResult,
} from '../../src/runners/nodeRunner';
import { resolvePython, startPythonProfile } from '../../src/runners/pythonRunner';
import {
  readNodeProfile,
  readNodeRun,
  readPythonRun,
  type ReadStep,
} from '../../src/runners/readRun';
import { attributeInlined } from '../../src/sourcemaps/inlined';
import { remapProfile } from '../../src/sourcemaps/remap';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
const programs = join(root, 'test', 'fixtures', 'programs');
const pyprograms = join(root, 'test', 'fixtures', 'pyprograms');
// A fresh cache of the TypeScript loader: the run compiles, so the loader's own code is sampled.
const transformCacheDir = mkdtempSync(join(tmpdir(), 'heatlens-test-ts-cache-'));
process.on('exit', () => rmSync(transformCacheDir, { recursive: true, force: true }));
const nodePath = process.env.HEATLENS_TEST_NODE || process.execPath;
const inject = /[\\/]dist[\\/]inject[\\/]/;

/** 1-based line of the first line of `file` containing `marker`. */
function markerLine(file: string, marker: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `${marker} not found in ${file}`);
  return index + 1;
}

/** Collects the moments the reader reports, in order. */
function markLog(): { steps: ReadStep[]; at: Partial<Record<ReadStep, number>> } & {
  onMark: (step: ReadStep, at: number) => void;
} {
  const steps: ReadStep[] = [];
  const at: Partial<Record<ReadStep, number>> = {};
  return {
    steps,
    at,
    onMark: (step, when) => {
      steps.push(step);
      at[step] = when;
    },
  };
}

test('a TypeScript Node run read at the hand-over: no frame of dist/inject, heat on the .ts line', async () => {
  const dir = join(programs, 'ts-cjs');
  const math = join(dir, 'math.ts');
  const run = startNodeProfile({ file: join(dir, 'main.ts'), nodePath, transformCacheDir });
  const marks = markLog();
  const reader = readNodeRun(run, { host: regularFileHost(), onMark: marks.onMark });
  let result: NodeRunResult;
  try {
    result = await run.done;
  } finally {
    run.dispose();
  }
  assert.equal(result.outcome, 'exited', result.errorText);
  const profile = await reader.profile();

  const s = summarize(profile, { limit: 0 });
  assert.deepEqual(
    s.functions.filter((f) => f.file !== null && inject.test(f.file)),
    [],
    'no frame of dist/inject',
  );
  assert.deepEqual(
    s.lines.filter((l) => inject.test(l.file)),
    [],
    'no line of dist/inject',
  );
  const loader = s.functions.find((f) => f.name === '(Heatlens TypeScript loader)');
  assert.equal(loader?.kind, 'pseudo', 'the loader time is one pseudo frame');
  // Source maps applied: the hot function and the hot line are on the TypeScript source.
  const hotSum = s.functions.find((f) => f.name === 'hotSum');
  assert.equal(hotSum?.file, math);
  assert.equal(hotSum.line, markerLine(math, 'HOT FUNCTION'));
  assert.equal(
    hotLines(profile).filter((l) => l.file === math)[0]?.line1,
    markerLine(math, 'HOT LINE'),
  );

  // Read once, at the hand-over, with its moments in order.
  assert.deepEqual(marks.steps, ['reading', 'imported', 'remapped']);
  assert.ok(marks.at.reading! <= marks.at.imported! && marks.at.imported! <= marks.at.remapped!);

  // The same profile as the stages applied by hand to the run's result, in the callers' order.
  const host = regularFileHost();
  const byHand = await attributeInlined(
    await remapProfile(
      foldInjected(
        importNodeRun(result.profileText, result.workerProfiles, {
          runtimePaths: result.runtimePaths,
        }),
        result.runtimePaths,
      ),
      host,
      { maps: result.generatedMaps },
    ),
    host,
  );
  assert.deepEqual(s, summarize(byHand, { limit: 0 }));
});

test("a Node run stopped before a profile: the result's empty profile, read when asked", async () => {
  const run = startNodeProfile({ file: join(programs, 'hot.js'), nodePath });
  run.cancel();
  const marks = markLog();
  const reader = readNodeRun(run, { host: regularFileHost(), onMark: marks.onMark });
  const result = await run.done;
  run.dispose();
  assert.equal(result.outcome, 'cancelled');
  assert.equal(await run.profiled, undefined, 'no hand-over');
  assert.deepEqual(marks.steps, [], 'nothing read before the profile is asked for');
  const profile = await reader.profile();
  assert.equal(summarize(profile).total, 0);
  assert.deepEqual(marks.steps, ['reading', 'imported', 'remapped']);
});

test('a profile that cannot be read: the error names the program, or "The profile"', async () => {
  const broken: EarlyProfile = {
    profileText: '{"nodes": [',
    generatedMaps: new Map(),
    runtimePaths: [],
    workerProfiles: [],
  };
  const run = { done: Promise.resolve(broken as NodeRunResult), profiled: Promise.resolve(broken) };
  // Nothing is asked for: the failed early read must not be an unhandled rejection (the test
  // runner fails the file on one).
  readNodeRun(run, { host: regularFileHost() });
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(
    readNodeRun(run, { host: regularFileHost(), sourceFile: '/work/app.js' }).profile(),
    (err: unknown) =>
      err instanceof ProfileFormatError && err.message.startsWith('"/work/app.js" '),
  );
  await assert.rejects(
    readNodeProfile(broken, { host: regularFileHost() }),
    (err: unknown) => err instanceof ProfileFormatError && err.message.startsWith('The profile '),
  );
});

test('Python runs: cProfile and the sampler read with their counts and lines on the .py file', async () => {
  const python = await resolvePython(
    process.env.HEATLENS_TEST_PYTHON ? [process.env.HEATLENS_TEST_PYTHON] : ['python3', 'python'],
  );
  const file = join(pyprograms, 'hot.py');
  for (const mode of ['cprofile', 'sampling'] as const) {
    const run = startPythonProfile({ file, args: ['8'], mode, python });
    const result = await run.done;
    run.dispose();
    assert.equal(result.outcome, 'exited', result.errorText);
    const marks = markLog();
    const profile = readPythonRun(result, { sourceFile: file, onMark: marks.onMark });
    // Nothing to remap: both steps end at the same moment.
    assert.deepEqual(marks.steps, ['imported', 'remapped']);
    assert.equal(marks.at.imported, marks.at.remapped);
    const s = summarize(profile, { limit: 0 });
    const hot = s.functions.find((f) => f.name === 'hot');
    assert.equal(hot?.file, file, mode);
    if (mode === 'cprofile') {
      assert.equal(s.profiler, 'cprofile');
      assert.equal(hot.calls, 8, 'python -m pstats: hot is called once a round');
    } else {
      assert.equal(
        hotLines(profile).filter((l) => l.file === file)[0]?.line1,
        markerLine(file, 'HOT LINE'),
      );
    }
  }
});
