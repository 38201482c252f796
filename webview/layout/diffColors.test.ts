import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffProfiles } from '../../src/core/diff';
import { ProfileBuilder } from '../../src/core/profile';
import { DIFF_LEVELS, NOISE_SHARE, changeLevel, diffColors, mapBeforeWeights } from './diffColors';
import { nodeAt, testProfile } from './testProfile';
import { myCodeOnly } from './transforms';

test('change levels: neutral band, log-symmetric bands, appeared at full intensity', () => {
  const whole = 1000;
  assert.equal(changeLevel(100, 100, whole), 0);
  assert.equal(changeLevel(100, 104, whole), 0, 'within 5%');
  assert.equal(changeLevel(100, 110, whole), 1);
  assert.equal(changeLevel(100, 130, whole), 2);
  assert.equal(changeLevel(100, 160, whole), 3);
  assert.equal(changeLevel(100, 200, whole), 4);
  assert.equal(changeLevel(100, 900, whole), 4);
  // Twice as fast is as intense as twice as slow.
  assert.equal(changeLevel(200, 100, whole), -4);
  assert.equal(changeLevel(130, 100, whole), -2);
  assert.equal(changeLevel(0, 50, whole), DIFF_LEVELS, 'appeared');
  // One sample that became two: +100%, but under the noise floor.
  assert.equal(changeLevel(0.2, 0.4, whole), 0);
  assert.ok(0.2 < NOISE_SHARE * whole);
  assert.equal(changeLevel(0, 0, whole), 0);
});

test('diff colors per node of the new tree, from the change of its total', () => {
  const frame = (name: string) => ({
    name,
    file: '/app/a.js',
    line1: name.length,
    col1: 1,
    kind: 'user' as const,
  });
  const make = (stacks: [string[], number][]) => {
    const b = new ProfileBuilder();
    for (const [names, w] of stacks)
      b.addStack(
        names.map((n) => b.frame(frame(n))),
        w,
      );
    return b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  };
  const before = make([
    [['main', 'slow'], 100],
    [['main', 'fast'], 100],
    [['main', 'same'], 100],
  ]);
  const after = make([
    [['main', 'slow'], 250],
    [['main', 'fast'], 40],
    [['main', 'same'], 102],
    [['main', 'fresh'], 8],
  ]);
  const d = diffProfiles(before, after, { normalisation: 'none' });
  const colors = diffColors(after.tree, d.beforeTotalPerNode);
  const level = (name: string) => {
    const id = after.frames.findIndex((f) => f.name === name);
    return colors[nodeAt(after.tree, [after.frames.findIndex((f) => f.name === 'main'), id])] - 4;
  };
  assert.equal(level('slow'), 4);
  assert.equal(level('fast'), -4);
  assert.equal(level('same'), 0);
  assert.equal(level('fresh'), 4);
  assert.equal(colors[0] - DIFF_LEVELS, 2, 'the whole run: 300 -> 400 is +33%');
});

test('before weights carried onto "my code only": same figures when nothing changed', () => {
  const { profile } = testProfile();
  const t = profile.tree;
  const mine = myCodeOnly(t, profile.frames);
  const { total, self } = mapBeforeWeights(t, mine, t.total, t.self);
  assert.deepEqual(Array.from(total), Array.from(mine.tree.total));
  assert.deepEqual(Array.from(self), Array.from(mine.tree.self));
});

test('before weights carried onto "my code only": a change under a hidden frame', () => {
  const { profile, f } = testProfile();
  const t = profile.tree;
  // main > parse (library) > work > helper was 20 before; now it is 20 again but say it was 5.
  const beforeTotal = t.total.slice();
  const beforeSelf = t.self.slice();
  const helper = nodeAt(t, [f.main, f.parse, f.work, f.helper]);
  for (let n = helper; n > 0; n = t.parent[n]) beforeTotal[n] -= 15;
  beforeTotal[0] -= 15;
  beforeSelf[helper] -= 15;
  const mine = myCodeOnly(t, profile.frames);
  const { total, self } = mapBeforeWeights(t, mine, beforeTotal, beforeSelf);
  const m = mine.tree;
  const mainWorkHelper = nodeAt(m, [f.main, f.work, f.helper]);
  // main > work > helper merges the direct path (50) and the one through parse (5 before).
  assert.equal(total[mainWorkHelper], 55);
  assert.equal(self[mainWorkHelper], 55);
  assert.equal(m.total[mainWorkHelper], 70);
  assert.equal(total[nodeAt(m, [f.main])], t.total[nodeAt(t, [f.main])] - 15);
  assert.equal(total[0], t.total[0] - 15);
});
