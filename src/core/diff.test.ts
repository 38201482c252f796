import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeNormalisation,
  diffProfiles,
  formatChange,
  formatDelta,
  type FunctionDelta,
} from './diff';
import { functionStats } from './functionStats';
import { ProfileBuilder, type Frame, type Profile, type WeightUnit } from './profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { repoRoot } from '../../test/support/repoRoot';

const fn = (name: string, line1: number | null = 1, file: string | null = '/app/a.js'): Frame => ({
  name,
  file,
  line1,
  col1: line1 === null ? null : 1,
  kind: file === null ? 'pseudo' : 'user',
});

/** A profile from (stack of frames, self weight) pairs; frames are interned in `order` first. */
function build(
  stacks: [Frame[], number][],
  options: { unit?: WeightUnit; order?: Frame[] } = {},
): Profile {
  const b = new ProfileBuilder();
  for (const f of options.order ?? []) b.frame(f);
  for (const [stack, w] of stacks) {
    b.addStack(
      stack.map((f) => b.frame(f)),
      w,
    );
  }
  return b.build({ profiler: 'test', clock: 'cpu', unit: options.unit ?? 'microseconds' });
}

const byName = (list: readonly FunctionDelta[], name: string): FunctionDelta => {
  const found = list.find((f) => f.name === name);
  assert.ok(found, `no ${name} in ${list.map((f) => f.name).join(', ')}`);
  return found;
};

/** The node at the end of a path of function names, or -1. */
function nodeAt(p: Profile, names: string[]): number {
  let node = 0;
  for (const name of names) {
    const t = p.tree;
    let next = -1;
    for (let k = 0; k < t.childCount[node]; k++) {
      const c = t.children[t.childStart[node] + k];
      if (next < 0 && p.frames[t.frame[c]].name === name) next = c;
    }
    if (next < 0) return -1;
    node = next;
  }
  return node;
}

const main = fn('main', 1);
const a = fn('a', 10);
const b = fn('b', 20);
const c = fn('c', 30);

test('diff: normalised by total, exact figures per function and per node', () => {
  const before = build([
    [[main, a], 30],
    [[main, b], 10],
  ]);
  // Frames interned in another order: ids differ between the runs, paths do not.
  const after = build(
    [
      [[main, a], 20],
      [[main, c], 40],
      [[main], 20],
    ],
    { order: [c, a, main] },
  );
  assert.notEqual(before.frames.indexOf(before.frames.find((f) => f.name === 'a')!), 2);
  const d = diffProfiles(before, after);
  assert.equal(d.normalisation, 'total', '40 -> 80 differs by more than 10%');
  assert.equal(d.scale, 2);
  assert.equal(d.beforeTotal, 40);
  assert.equal(d.afterTotal, 80);
  assert.equal(d.unit, 'microseconds');

  const fa = byName(d.functions, 'a');
  assert.deepEqual(fa.before, { self: 60, total: 60 });
  assert.deepEqual(fa.after, { self: 20, total: 20 });
  assert.equal(fa.totalDelta, -40);
  assert.equal(fa.totalRatio, -40 / 60);
  assert.equal(
    fa.afterFrameId,
    after.frames.findIndex((f) => f.name === 'a'),
  );
  assert.equal(
    fa.beforeFrameId,
    before.frames.findIndex((f) => f.name === 'a'),
  );
  const fm = byName(d.functions, 'main');
  assert.equal(fm.totalDelta, 0);
  assert.equal(fm.totalRatio, 0);
  assert.equal(fm.selfDelta, 20);

  assert.deepEqual(
    d.appeared.map((f) => [f.name, f.before, f.after, f.totalDelta, f.totalRatio]),
    [['c', null, { self: 40, total: 40 }, 40, null]],
  );
  assert.deepEqual(
    d.vanished.map((f) => [f.name, f.before, f.after, f.totalDelta, f.afterFrameId]),
    [['b', { self: 20, total: 20 }, null, -20, null]],
  );
  // Largest change first: a (-40) and c (+40) before b (-20) and main (0).
  assert.deepEqual(
    d.functions.map((f) => f.name),
    ['a', 'c', 'b', 'main'],
  );

  const at = (names: string[]) => nodeAt(after, names);
  assert.equal(d.beforeTotalPerNode.length, after.tree.size);
  assert.equal(d.beforeTotalPerNode[0], 80);
  assert.equal(d.beforeTotalPerNode[at(['main'])], 80);
  assert.equal(d.beforeTotalPerNode[at(['main', 'a'])], 60);
  assert.equal(d.beforeSelfPerNode[at(['main', 'a'])], 60);
  assert.equal(d.beforeTotalPerNode[at(['main', 'c'])], 0, 'appeared: nothing before');
  assert.equal(d.beforeSelfPerNode[at(['main'])], 0);
  assert.equal(
    describeNormalisation(d),
    'normalised by total: before 40.0 µs scaled x2.00 to after 80.0 µs',
  );
});

test('diff: without normalisation the weights are compared as measured', () => {
  const before = build([
    [[main, a], 30],
    [[main, b], 10],
  ]);
  const after = build([
    [[main, a], 20],
    [[main, c], 40],
  ]);
  const d = diffProfiles(before, after, { normalisation: 'none' });
  assert.equal(d.normalisation, 'none');
  assert.equal(d.scale, 1);
  assert.equal(byName(d.functions, 'a').totalDelta, -10);
  assert.equal(byName(d.functions, 'main').totalDelta, 20);
  assert.equal(byName(d.functions, 'main').totalRatio, 0.5);
  assert.equal(d.beforeTotalPerNode[nodeAt(after, ['main', 'a'])], 30);
  assert.equal(
    describeNormalisation(d),
    'not normalised: before 40.0 µs and after 60.0 µs compared as measured',
  );
});

test("diff: 'auto' normalises only when the totals differ by more than 10%", () => {
  const run = (w: number) => build([[[main, a], w]]);
  assert.equal(diffProfiles(run(100), run(109)).normalisation, 'none');
  assert.equal(diffProfiles(run(109), run(100)).normalisation, 'none');
  assert.equal(diffProfiles(run(100), run(111)).normalisation, 'total');
  assert.equal(diffProfiles(run(111), run(100)).normalisation, 'total');
  assert.equal(diffProfiles(run(100), run(200), { normalisation: 'none' }).normalisation, 'none');
  const forced = diffProfiles(run(100), run(105), { normalisation: 'total' });
  assert.equal(forced.normalisation, 'total');
  assert.equal(forced.scale, 1.05);
  assert.equal(byName(forced.functions, 'a').totalDelta, 0);
});

test('diff: recursion is counted once, per function and per call path', () => {
  const f = fn('f', 5);
  const before = build([
    [[f, f, f], 10],
    [[f], 5],
  ]);
  const after = build([[[f, f], 30]]);
  const d = diffProfiles(before, after, { normalisation: 'none' });
  const ff = byName(d.functions, 'f');
  assert.deepEqual(ff.before, { self: 15, total: 15 });
  assert.deepEqual(ff.after, { self: 30, total: 30 });
  assert.equal(ff.totalRatio, 1);
  assert.equal(d.beforeTotalPerNode[nodeAt(after, ['f'])], 15);
  assert.equal(d.beforeSelfPerNode[nodeAt(after, ['f'])], 5);
  assert.equal(d.beforeTotalPerNode[nodeAt(after, ['f', 'f'])], 10);
  assert.equal(d.beforeSelfPerNode[nodeAt(after, ['f', 'f'])], 0, 'f>f>f had it, not f>f');
});

test('diff: functions match by name and file wherever they moved; the line breaks ties', () => {
  const anon = (line1: number) => fn('(anonymous)', line1);
  const before = build([
    [[fn('work', 10), anon(3)], 10],
    [[fn('work', 10), anon(20)], 50],
    [[fn('work', 10, '/app/other.js')], 7],
  ]);
  // Three lines inserted at the top of a.js: everything moved down.
  const after = build([
    [[fn('work', 13), anon(6)], 12],
    [[fn('work', 13), anon(23)], 40],
    [[fn('work', 13, '/app/other.js')], 7],
  ]);
  const d = diffProfiles(before, after, { normalisation: 'none' });
  assert.deepEqual(d.appeared, []);
  assert.deepEqual(d.vanished, []);
  const anons = d.functions.filter((f) => f.name === '(anonymous)');
  assert.deepEqual(
    anons.map((f) => [f.line1, f.before?.total, f.after?.total]).sort((x, y) => x[0]! - y[0]!),
    [
      [6, 10, 12],
      [23, 50, 40],
    ],
  );
  const works = d.functions.filter((f) => f.name === 'work');
  assert.deepEqual(works.map((f) => [f.file, f.totalDelta]).sort(), [
    ['/app/a.js', -8],
    ['/app/other.js', 0],
  ]);
  // Paths follow the moved functions too.
  assert.equal(d.beforeTotalPerNode[nodeAt(after, ['work', '(anonymous)'])], 50);
});

test('diff: lines match by file and line, before scaled', () => {
  const make = (cells: [number, number][]): Profile => {
    const builder = new ProfileBuilder();
    const f = builder.frame(a);
    let self = 0;
    for (const [line1, w] of cells) {
      builder.addLine('/app/a.js', line1, f, w);
      self += w;
    }
    builder.addStack([f], self);
    return builder.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  };
  const before = make([
    [11, 10],
    [12, 10],
  ]);
  const after = make([
    [11, 30],
    [17, 10],
  ]);
  const d = diffProfiles(before, after, { normalisation: 'total' });
  assert.equal(d.scale, 2);
  assert.deepEqual(
    d.linesForFile('/app/a.js').map((l) => [l.line1, l.before, l.after, l.delta, l.ratio]),
    [
      [11, 20, 30, 10, 0.5],
      [12, 20, 0, -20, -1],
      [17, 0, 10, 10, null],
    ],
  );
  assert.deepEqual(d.linesForFile('/app/none.js'), []);
  assert.equal(d.linesForFile('/app/a.js'), d.linesForFile('/app/a.js'), 'cached');
});

test('diff: mapBeforeLine moves before line weights; lines mapped to null leave the comparison', () => {
  const make = (cells: [number, number][]): Profile => {
    const builder = new ProfileBuilder();
    const f = builder.frame(a);
    for (const [line1, w] of cells) builder.addLine('/app/a.js', line1, f, w);
    builder.addStack(
      [f],
      cells.reduce((s, [, w]) => s + w, 0),
    );
    return builder.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  };
  // Three lines were inserted above line 11 and line 12 was rewritten between the runs.
  const before = make([
    [11, 10],
    [12, 5],
    [13, 10],
  ]);
  const after = make([
    [14, 12],
    [15, 3],
    [16, 10],
  ]);
  const files: string[] = [];
  const d = diffProfiles(before, after, {
    normalisation: 'none',
    mapBeforeLine: (file, line1) => {
      files.push(file);
      return line1 === 12 ? null : line1 + 3;
    },
  });
  assert.deepEqual(
    d.linesForFile('/app/a.js').map((l) => [l.line1, l.before, l.after, l.delta]),
    [
      [14, 10, 12, 2],
      [15, 0, 3, 3],
      [16, 10, 10, 0],
    ],
  );
  assert.deepEqual(new Set(files), new Set(['/app/a.js']));
  // Functions match by name and are untouched by the mapping.
  assert.equal(byName(d.functions, 'a').selfDelta, 0);
  // Without the mapping every line is misaligned.
  assert.equal(
    diffProfiles(before, after, { normalisation: 'none' }).linesForFile('/app/a.js').length,
    6,
  );
});

test('diff: time units convert; samples against time only compare normalised', () => {
  const before = build([[[main], 2]], { unit: 'milliseconds' });
  const after = build([[[main], 2100]], { unit: 'microseconds' });
  const d = diffProfiles(before, after);
  assert.equal(d.normalisation, 'none', '2 ms and 2.1 ms are within 10%');
  assert.equal(d.beforeTotal, 2000);
  assert.equal(byName(d.functions, 'main').totalDelta, 100);
  const samples = build([[[main], 40]], { unit: 'samples' });
  assert.throws(
    () => diffProfiles(samples, after, { normalisation: 'none' }),
    /samples with one in microseconds.*compare them normalised/,
  );
  const n = diffProfiles(samples, after);
  assert.equal(n.normalisation, 'total');
  assert.equal(byName(n.functions, 'main').totalDelta, 0);
  assert.equal(
    describeNormalisation(n),
    'normalised by total: before 40 samples scaled x52.5 to after 2.10 ms',
  );
});

test('diff: empty runs do not divide by zero', () => {
  const empty = build([]);
  const d = diffProfiles(empty, build([[[main], 10]]));
  assert.equal(d.normalisation, 'total');
  assert.equal(d.scale, 1);
  assert.deepEqual(
    d.appeared.map((f) => f.name),
    ['main'],
  );
  const e = diffProfiles(build([[[main], 10]]), empty);
  assert.deepEqual(
    e.vanished.map((f) => f.name),
    ['main'],
  );
  assert.equal(e.beforeTotalPerNode.length, 1);
});

test('formatDelta: signed weight and percentage', () => {
  assert.equal(formatDelta(12345, 0.4, 'microseconds'), '+12.3 ms · +40%');
  assert.equal(formatDelta(-3100, -0.082, 'microseconds'), '-3.10 ms · -8.2%');
  // Nothing sampled before is not "new": code under one sample's worth of time runs unseen.
  assert.equal(formatDelta(5000, null, 'microseconds'), '+5.00 ms · not sampled before');
  assert.equal(formatDelta(0, 0, 'microseconds'), '0 ms · 0%');
  assert.equal(formatDelta(2, 1.5, 'samples'), '+2 samples · +150%');
  assert.equal(formatDelta(-1, -0.0001, 'milliseconds'), '-1.00 ms · 0%');
});

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
