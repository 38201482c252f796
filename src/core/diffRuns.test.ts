import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeNormalisation, diffProfiles, formatChange, type FunctionDelta } from './diff';
import { functionStats } from './functionStats';
import { ProfileBuilder, type Frame, type Profile } from './profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { byName, fn } from '../../test/support/diffProfiles';
import { repoRoot } from '../../test/support/repoRoot';

const main = fn('main', 1);

// ---- Real runs ---------------------------------------------------------------------------------

function fixture(name: string): Profile {
  const path = join(repoRoot(), 'test', 'fixtures', 'compare', name);
  return importCpuprofile(readFileSync(path, 'utf8'), { sourceFile: path });
}

test('diff of two real runs: the hot function changed, one appeared, one vanished', () => {
  const before = fixture('before.cpuprofile'); // workload.js parse
  const after = fixture('after.cpuprofile'); // workload.js hash (longer)
  const d = diffProfiles(before, after);
  assert.equal(d.normalisation, 'total', `${d.beforeTotal} vs ${d.afterTotal}`);
  assert.ok(Math.abs(d.beforeTotal * d.scale - d.afterTotal) < 1e-6 * d.afterTotal);
  assert.match(describeNormalisation(d), /^normalised by total: before [\d.]+ s scaled x1\.\d\d/);

  const hash = byName(d.functions, 'hashRecords');
  const parse = byName(d.functions, 'parseRecords');
  assert.ok(hash.totalDelta > 0 && hash.totalRatio! > 5, `hashRecords ${hash.totalRatio}`);
  assert.ok(parse.totalDelta < 0, `parseRecords ${parse.totalDelta}`);
  assert.deepEqual(
    d.functions.slice(0, 2).map((f) => f.name),
    ['hashRecords', 'parseRecords'],
    'the two largest changes',
  );
  assert.ok(d.appeared.some((f) => f.name === 'buildIndex'));
  assert.ok(d.vanished.some((f) => f.name === 'legacyEscape'));
  // Most lines changed (two workloads): there is no typical change, and the spread of the lines
  // is change, not noise. Beyond noise: the four functions the workloads differ in, and of
  // those that came or went, only buildIndex and legacyEscape (not Node's start-up internals).
  assert.equal(d.noise.dispersion, 1);
  assert.deepEqual(
    d.functions
      .filter((f) => f.totalSignificant)
      .map((f) => f.name)
      .sort(),
    ['buildIndex', 'hashRecords', 'legacyEscape', 'parseRecords'],
  );
  assert.deepEqual(
    d.appeared.filter((f) => f.totalSignificant).map((f) => f.name),
    ['buildIndex'],
  );
  assert.deepEqual(
    d.vanished.filter((f) => f.totalSignificant).map((f) => f.name),
    ['legacyEscape'],
  );
  assert.ok(d.appeared.length > 1 && d.vanished.length > 1, 'internals are still listed');
  assert.ok(!d.appeared.some((f) => f.name === 'hashRecords' || f.name === 'main'));

  // Function figures are each run's own, the before ones scaled.
  const statOf = (p: Profile, name: string) => functionStats(p).find((s) => s.frame.name === name)!;
  assert.equal(hash.after!.total, statOf(after, 'hashRecords').total);
  assert.equal(hash.before!.total, statOf(before, 'hashRecords').total * d.scale);

  // Self time is conserved under normalisation by total: the changes add up to nothing.
  const sum = d.functions.reduce((s, f) => s + f.selfDelta, 0);
  assert.ok(Math.abs(sum) < 1e-6 * d.afterTotal, `self deltas sum to ${sum}`);

  // Per node: the before total at ... main > hashRecords is the before tree's node at that path
  // (below Node's own module loader frames, which match too).
  const under = (p: Profile, parent: string, name: string): number => {
    const t = p.tree;
    for (let n = 1; n < t.size; n++) {
      if (p.frames[t.frame[n]].name === name && p.frames[t.frame[t.parent[n]]].name === parent)
        return n;
    }
    return -1;
  };
  const afterNode = under(after, 'main', 'hashRecords');
  const beforeNode = under(before, 'main', 'hashRecords');
  assert.ok(afterNode > 0 && beforeNode > 0, 'main > hashRecords in both runs');
  assert.equal(d.beforeTotalPerNode[afterNode], before.tree.total[beforeNode] * d.scale);
  assert.equal(d.beforeTotalPerNode[0], d.afterTotal);
  // A node's before total covers its matched children's (paths only in the old run add to it).
  const t = after.tree;
  for (let n = 0; n < t.size; n++) {
    let children = 0;
    for (let k = 0; k < t.childCount[n]; k++)
      children += d.beforeTotalPerNode[t.children[t.childStart[n] + k]];
    const slack = 1e-9 * d.afterTotal;
    assert.ok(children <= d.beforeTotalPerNode[n] + slack, `node ${n}`);
    assert.ok(d.beforeSelfPerNode[n] <= d.beforeTotalPerNode[n] + slack, `node ${n}`);
  }
  assert.equal(d.beforeTotalPerNode[under(after, 'main', 'buildIndex')], 0);
  const mainNode = under(after, '(anonymous)', 'main');
  assert.equal(
    d.beforeTotalPerNode[mainNode],
    before.tree.total[under(before, '(anonymous)', 'main')] * d.scale,
  );

  // Lines: the split line of parseRecords cooled down, the hashing line heated up.
  const file = after.frames.find((f) => f.name === 'hashRecords')!.file!;
  const source = readFileSync(file, 'utf8').split('\n');
  const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
  const lines = d.linesForFile(file);
  const split = lines.find((l) => l.line1 === lineOf("line.split(',')"))!;
  const imul = lines.find((l) => l.line1 === lineOf('Math.imul'))!;
  assert.ok(split.delta < 0 && split.ratio! < 0 && split.significant, JSON.stringify(split));
  assert.ok(imul.delta > 0 && imul.ratio! > 5 && imul.significant, JSON.stringify(imul));
  assert.deepEqual(
    lines.map((l) => l.line1),
    [...lines.map((l) => l.line1)].sort((x, y) => x - y),
  );
});

// ---- Change against noise ----------------------------------------------------------------------

/** A profile in samples: one function `work` (line 1) whose samples land on lines 2..n+1. */
function linesRun(counts: number[]): Profile {
  const b = new ProfileBuilder();
  const f = b.frame(fn('work', 1));
  let self = 0;
  counts.forEach((c, i) => {
    b.addLine('/app/a.js', i + 2, f, c);
    self += c;
  });
  b.addStack([f], self);
  return b.build({ profiler: 'test', clock: 'cpu', unit: 'samples' });
}

test('diff: one line made 3x slower on a machine 20% slower: that line only, by the typical change', () => {
  const before = linesRun([400, 400, 800, 400, 400]);
  // Every line 1.2x (the machine), the third 3x on top.
  const after = linesRun([480, 480, 2880, 480, 480]);
  const d = diffProfiles(before, after);
  assert.equal(d.normalisation, 'typical');
  assert.equal(d.typical, 1.2);
  assert.equal(d.typicalLines, 5);
  assert.equal(d.scale, 1.2);
  const lines = d.linesForFile('/app/a.js');
  assert.deepEqual(
    lines.map((l) => [l.line1, l.delta, l.significant]),
    [
      [2, 0, false],
      [3, 0, false],
      [4, 2880 - 960, true],
      [5, 0, false],
      [6, 0, false],
    ],
  );
  assert.equal(d.significantLines, 1);
  const slow = lines[2];
  // Pooled Poisson counts: (2880 - 960) / sqrt(2880 + 960 x 1.2), before samples weighing 1.2.
  assert.ok(Math.abs(slow.z - 1920 / Math.sqrt(1.2 * (960 / 1.2 + 2880))) < 1e-9, `${slow.z}`);
  assert.match(
    describeNormalisation(d),
    /^normalised by the typical change: before 2400 samples scaled x1\.20, the median change of 5 lines \(after 4800 samples\)$/,
  );
  // Scaled by the total instead, every other line looks 40% faster, and beyond noise.
  const byTotal = diffProfiles(before, after, { normalisation: 'total' });
  assert.deepEqual(
    byTotal.linesForFile('/app/a.js').map((l) => l.significant),
    [true, true, true, true, true],
  );
});

test('diff: two runs of one program: no change beyond noise; one sample is not "new"', () => {
  const before = linesRun([400, 405, 790, 398, 300, 0]);
  const after = linesRun([396, 410, 805, 401, 312, 1]);
  const d = diffProfiles(before, after);
  assert.equal(d.normalisation, 'typical');
  assert.equal(d.significantLines, 0);
  assert.equal(d.significantFunctions, 0);
  const once = d.linesForFile('/app/a.js').find((l) => l.line1 === 7)!;
  assert.equal(once.before, 0);
  // One sample against none is one standard error (before samples weigh the scale, about 1).
  assert.ok(Math.abs(once.z - 1 / Math.sqrt(d.scale)) < 1e-12, `${once.z}`);
  assert.equal(
    formatChange(once.delta, once.ratio, d.unit, once.significant),
    '+1 sample · not sampled before · within noise',
  );
  assert.equal(formatChange(-3, -0.5, 'milliseconds', true), '-3.00 ms · -50%');
});

test('diff: a function V8 inlined in one run is the same function, its lines counted as its own', () => {
  const isPrime = fn('isPrime', 4);
  const countPrimes = fn('countPrimes', 12);
  const make = (cells: [Frame, number, number][], stacks: [Frame[], number][]) => {
    const b = new ProfileBuilder();
    for (const [stack, w] of stacks)
      b.addStack(
        stack.map((f) => b.frame(f)),
        w,
      );
    for (const [f, line1, w] of cells) b.addLine('/app/a.js', line1, b.frame(f), w);
    return b.build({ profiler: 'v8', clock: 'wall', unit: 'samples' });
  };
  // Before: isPrime ran inlined, its lines 6 and 7 sampled in countPrimes' frame.
  const before = make(
    [
      [countPrimes, 6, 50],
      [countPrimes, 7, 300],
      [countPrimes, 14, 20],
    ],
    [[[main, countPrimes], 370]],
  );
  // After: isPrime has a frame of its own.
  const after = make(
    [
      [isPrime, 6, 45],
      [isPrime, 7, 310],
      [countPrimes, 14, 22],
    ],
    [
      [[main, countPrimes, isPrime], 355],
      [[main, countPrimes], 22],
    ],
  );
  const d = diffProfiles(before, after, { normalisation: 'none' });
  assert.deepEqual(d.appeared, [], 'isPrime ran in both runs');
  const p = byName(d.functions, 'isPrime');
  assert.equal(p.inlined, 'before');
  assert.deepEqual(p.before, { self: 350, total: 350 });
  assert.deepEqual(p.after, { self: 355, total: 355 });
  assert.equal(p.totalSignificant, false);
  const c = byName(d.functions, 'countPrimes');
  assert.deepEqual(c.before, { self: 20, total: 370 }, 'its host keeps only its own lines');
  assert.deepEqual(c.after, { self: 22, total: 377 });
  assert.equal(c.selfSignificant, false);
  assert.equal(d.significantFunctions, 0);
});

test('diff of two real runs of primes.js, isPrime inlined in one: nothing changed, nothing new', () => {
  const before = fixture('primes-inlined.cpuprofile'); // recordInlined.sh
  const after = fixture('primes-own-frame.cpuprofile');
  assert.equal(
    before.frames.some((f) => f.name === 'isPrime'),
    false,
  );
  assert.equal(
    after.frames.some((f) => f.name === 'isPrime'),
    true,
  );
  const d = diffProfiles(before, after);
  const file = after.frames.find((f) => f.name === 'isPrime')!.file!;
  const mine = (f: FunctionDelta) => f.file === file;
  assert.deepEqual(d.appeared.filter(mine), [], 'no function of primes.js appeared');
  assert.deepEqual(d.vanished.filter(mine), []);
  const p = byName(d.functions, 'isPrime');
  assert.ok(p.inlined === 'before' || p.inlined === 'both', String(p.inlined));
  assert.ok(p.before!.total > 0.5 * p.after!.total, JSON.stringify(p));
  assert.equal(d.significantLines, 0, 'two runs of one program');
  assert.deepEqual(
    d.functions.filter((f) => f.totalSignificant || f.selfSignificant).map((f) => f.name),
    [],
  );
  assert.ok(
    d.appeared.every((f) => !f.totalSignificant),
    'Node internals come and go: within noise',
  );
});

test("diff: the verdict counts the person's code; the runtime's changes are still judged", () => {
  const internal: Frame = {
    name: 'waitForInspector',
    file: 'node:internal/inspector',
    line1: 5,
    col1: 1,
    kind: 'runtime',
  };
  const make = (runtime: number, slow: number) => {
    const b = new ProfileBuilder();
    const w = b.frame(fn('work', 1));
    const r = b.frame(internal);
    const counts = [400, 400, slow, 400, 400];
    counts.forEach((c, i) => b.addLine('/app/a.js', i + 2, w, c));
    b.addLine('node:internal/inspector', 6, r, runtime);
    b.addStack(
      [w],
      counts.reduce((x, y) => x + y, 0),
    );
    b.addStack([r], runtime);
    return b.build({ profiler: 'v8', clock: 'wall', unit: 'samples' });
  };
  // The process waited ten times longer for its inspector; the code did not change.
  const d = diffProfiles(make(50, 800), make(500, 800));
  const waited = byName(d.functions, 'waitForInspector');
  assert.equal(waited.kind, 'runtime');
  assert.equal(waited.totalSignificant, true, 'a real change, shown on its own surfaces');
  assert.equal(d.linesForFile('node:internal/inspector')[0].significant, true);
  assert.equal(d.significantLines, 0);
  assert.equal(d.significantFunctions, 0);
  assert.deepEqual(d.changes, []);
  // The user's line made 3x slower is counted, and listed first.
  const e = diffProfiles(make(50, 800), make(500, 2400));
  assert.equal(e.significantLines, 1);
  assert.equal(e.significantFunctions, 1, 'work');
  assert.deepEqual(
    e.changes.map((c) => ('z' in c ? `line ${c.line1}` : c.name)),
    ['line 4', 'work'],
  );
});
