import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNormalisation, diffProfiles, formatDelta } from './diff';
import { build, byName, fn } from '../../test/support/diffProfiles';
import { ProfileBuilder, type Profile } from './profile';

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
