import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile';
import { TIME_ORDER_BUDGET, timeOrder, type TimeOrderChart } from './timeOrder';
import { myCodeOnly } from './transforms';
import { testProfile } from '../../test/support/testProfile';

function names(
  profile: ReturnType<typeof testProfile>['profile'],
  r: ReturnType<typeof timeOrder>,
) {
  return r.rows.map((row) =>
    Array.from(row.node, (n, i) => [
      profile.frames[profile.tree.frame[n]].name,
      row.start[i],
      row.end[i],
    ]),
  );
}

test('time order: consecutive samples sharing a stack prefix merge into one interval', () => {
  const { profile } = testProfile();
  const chart = timeOrder(profile.tree, profile.samples!);
  assert.equal(chart.cut, null, 'nothing cut from a normal profile');
  assert.equal(chart.min, 0);
  assert.equal(chart.max, 105);
  const rows = names(profile, chart);
  // main runs from 0 to 95 (then gc 95-98, then main again 98-105).
  assert.deepEqual(rows[0], [
    ['main', 0, 85],
    ['(garbage collector)', 85, 88],
    ['main', 88, 105],
  ]);
  assert.deepEqual(rows[1], [
    ['work', 0, 60],
    ['parse', 60, 85],
    ['helper', 88, 95],
    ['rec', 95, 101],
    ['readFileSync', 101, 105],
  ]);
  assert.deepEqual(rows[2], [
    ['helper', 0, 50],
    ['work', 60, 80],
    ['rec', 95, 101],
  ]);
  assert.deepEqual(rows[3], [
    ['helper', 60, 80],
    ['rec', 95, 101],
  ]);
});

test('time order: a gap between samples splits intervals; zero-weight samples are skipped', () => {
  const b = new ProfileBuilder();
  const a = b.frame({ name: 'a', file: '/x.js', line1: 1, col1: 1, kind: 'user' });
  const c = b.frame({ name: 'c', file: '/x.js', line1: 5, col1: 1, kind: 'user' });
  const n1 = b.nodeFor([a]);
  const n2 = b.nodeFor([a, c]);
  b.addSample(n1, 1, 0);
  b.addSample(n2, 1, 1);
  b.addSample(n2, 0, 2);
  b.addSample(n1, 1, 2);
  b.addSample(n1, 1, 10); // after a gap of 7
  const p = b.build({ profiler: 't', clock: 'wall', unit: 'milliseconds' });
  const chart = timeOrder(p.tree, p.samples!);
  assert.deepEqual(Array.from(chart.rows[0].start), [0, 10]);
  assert.deepEqual(Array.from(chart.rows[0].end), [3, 11]);
  assert.deepEqual(Array.from(chart.rows[1].start), [1]);
  assert.deepEqual(Array.from(chart.rows[1].end), [2]);
});

test('time order over "my code only": samples follow the node map', () => {
  const { profile } = testProfile();
  const mine = myCodeOnly(profile.tree, profile.frames);
  const chart = timeOrder(mine.tree, profile.samples!, mine.nodeMap);
  const rows = chart.rows.map((row) =>
    Array.from(row.node, (n, i) => [
      profile.frames[mine.tree.frame[n]].name,
      row.start[i],
      row.end[i],
    ]),
  );
  // gc (85-88) has no user frame: a hole in row 0.
  assert.deepEqual(rows[0], [
    ['main', 0, 85],
    ['main', 88, 105],
  ]);
  // main>work 0-60, main>(parse)>work 60-80 merge into one interval of work.
  assert.deepEqual(rows[1][0], ['work', 0, 80]);
});

function intervalCount(chart: TimeOrderChart): number {
  return chart.rows.reduce((n, r) => n + r.node.length, 0);
}

test('time order: over the interval budget, rows stop at the deepest that fits', () => {
  const { profile } = testProfile();
  // 13 intervals in all: 6 in row 0, 4 in row 1, 2 in row 2, 1 in row 3.
  const full = timeOrder(profile.tree, profile.samples!, undefined, 13);
  assert.equal(full.cut, null);
  assert.equal(intervalCount(full), 13);
  const chart = timeOrder(profile.tree, profile.samples!, undefined, 12);
  assert.ok(chart.cut && chart.cut.depth < 4 && chart.cut.maxDepth === 4, `${chart.cut?.depth}`);
  assert.equal(chart.rows.length, chart.cut.depth);
  assert.ok(intervalCount(chart) <= 12);
  assert.deepEqual(chart.rows[0], full.rows[0], 'the rows kept are the same');
});

test('time order: 100 000-deep samples alternating with shallow ones stay bounded', () => {
  const b = new ProfileBuilder();
  const deep = b.frame({ name: 'deep', file: '/d.js', line1: 1, col1: 1, kind: 'user' });
  const top = b.frame({ name: 'top', file: '/d.js', line1: 9, col1: 1, kind: 'user' });
  const shallow = b.child(0, top);
  let leaf = shallow;
  for (let d = 0; d < 100_000; d++) leaf = b.child(leaf, deep);
  // Exact, 200 samples would make 100 x 100 000 = 10M intervals.
  for (let i = 0; i < 200; i++) b.addSample(i % 2 ? leaf : shallow, 1, i);
  const p = b.build({ profiler: 't', clock: 'wall', unit: 'milliseconds' });
  const chart = timeOrder(p.tree, p.samples!);
  assert.ok(chart.cut, 'the cut is reported');
  assert.equal(chart.cut.maxDepth, 100_001);
  assert.ok(chart.cut.depth >= 1000, `${chart.cut.depth} rows`);
  assert.ok(chart.rows.length <= chart.cut.depth);
  assert.ok(intervalCount(chart) <= TIME_ORDER_BUDGET, `${intervalCount(chart)} intervals`);
  assert.deepEqual(Array.from(chart.rows[0].start), [0], 'top runs the whole time');
  assert.deepEqual(Array.from(chart.rows[0].end), [200]);
});

test('time order: a normal 300k-sample chart is the same as without a budget', () => {
  // Samples walking a random tree as in bench/flame.mjs: up 0-3 levels, down 0-4.
  let seed = 11;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const b = new ProfileBuilder();
  const frames = Array.from({ length: 50 }, (_, i) =>
    b.frame({ name: `f${i}`, file: '/w.js', line1: i + 1, col1: 1, kind: 'user' }),
  );
  const path: number[] = [0];
  for (let i = 0; i < 300_000; i++) {
    let up = Math.floor(rand() * 4);
    while (up-- > 0 && path.length > 1) path.pop();
    let down = Math.floor(rand() * 5);
    while (down-- > 0 && path.length < 60)
      path.push(b.child(path[path.length - 1], frames[Math.floor(rand() * 50)]));
    if (path.length === 1) path.push(b.child(0, frames[0]));
    b.addSample(path[path.length - 1], 1, i);
  }
  const p = b.build({ profiler: 't', clock: 'wall', unit: 'milliseconds' });
  const bounded = timeOrder(p.tree, p.samples!);
  const exact = timeOrder(p.tree, p.samples!, undefined, Infinity);
  assert.equal(bounded.cut, null);
  assert.ok(intervalCount(exact) > 200_000);
  assert.deepEqual(bounded, exact);
});
