import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffProfiles } from '../../src/core/diff';
import { ProfileBuilder } from '../../src/core/profile';
import {
  DIFF_LEVELS,
  changeLevel,
  diffColors,
  mapBeforeWeights,
  type NodeTest,
} from './diffColors';
import { nodeAt, testProfile } from '../../test/support/testProfile';
import { myCodeOnly } from './transforms';

/** Weights in samples of one unit each, at least 10% and 3 standard errors to count. */
const test1: NodeTest = {
  noise: { beforeGrain: 1, afterGrain: 1, dispersion: 1, minRelative: 0.1, minChange: 1 },
  zCritical: 3,
};
/** The same with a thousand samples per unit of weight: every band's change is certain. */
const many: NodeTest = { ...test1, noise: { ...test1.noise, beforeGrain: 1e-3, afterGrain: 1e-3 } };

test('change levels: neutral within noise, log-symmetric bands, appeared at full intensity', () => {
  assert.equal(changeLevel(100, 100, many), 0);
  assert.equal(changeLevel(100, 104, many), 0, 'certain, but inside the 10% band');
  assert.equal(changeLevel(100, 112, many), 1);
  assert.equal(changeLevel(100, 130, many), 2);
  assert.equal(changeLevel(100, 160, many), 3);
  assert.equal(changeLevel(100, 200, many), 4);
  assert.equal(changeLevel(100, 900, many), 4);
  // Twice as fast is as intense as twice as slow.
  assert.equal(changeLevel(200, 100, many), -4);
  assert.equal(changeLevel(130, 100, many), -2);
  assert.equal(changeLevel(0, 50, many), DIFF_LEVELS, 'appeared');
  // Two samples that became six: +200%, z = 1.4, within noise.
  assert.equal(changeLevel(2, 6, test1), 0);
  assert.equal(changeLevel(0, 5, test1), 0, 'five samples in the new run only: z = 2.2');
  assert.equal(changeLevel(0, 16, test1), DIFF_LEVELS, 'sixteen: z = 4');
  assert.equal(changeLevel(0, 0, test1), 0);
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
    return b.build({ profiler: 'test', clock: 'cpu', unit: 'samples' });
  };
  const before = make([
    [['main', 'slow'], 1000],
    [['main', 'fast'], 1000],
    [['main', 'same'], 1000],
    [['main', 'blip'], 2],
  ]);
  const after = make([
    [['main', 'slow'], 2500],
    [['main', 'fast'], 400],
    [['main', 'same'], 1040],
    [['main', 'fresh'], 80],
    [['main', 'blip'], 6],
  ]);
  const d = diffProfiles(before, after, { normalisation: 'none' });
  const colors = diffColors(after.tree, d.beforeTotalPerNode, {
    noise: d.noise,
    zCritical: d.critical.nodes,
  });
  const level = (name: string) => {
    const id = after.frames.findIndex((f) => f.name === name);
    return colors[nodeAt(after.tree, [after.frames.findIndex((f) => f.name === 'main'), id])] - 4;
  };
  assert.equal(level('slow'), 4);
  assert.equal(level('fast'), -4);
  assert.equal(level('same'), 0, '+4%: within noise');
  assert.equal(level('fresh'), 4, '80 samples where there were none');
  assert.equal(level('blip'), 0, 'two samples that became six: +200% and within noise');
  assert.equal(colors[0] - DIFF_LEVELS, 2, 'the whole run: 3002 -> 4026 is +34%');
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
