import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile';
import { timeOrder } from './timeOrder';
import { myCodeOnly } from './transforms';
import { testProfile } from './testProfile';

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
