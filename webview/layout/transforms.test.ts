import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile';
import { invertTree, myCodeOnly, sandwichFromGraph, sandwichFromTree } from './transforms';
import { nodeAt, testProfile } from './testProfile';

test('my code only: library, runtime and pseudo frames fold into the nearest kept caller', () => {
  const { profile, f } = testProfile();
  const { tree, nodeMap } = myCodeOnly(profile.tree, profile.frames);
  assert.equal(tree.total[0], 105, 'no time is lost');
  assert.equal(tree.self[0], 3, 'garbage collection with no user caller stays on the root');
  const main = nodeAt(tree, [f.main]);
  assert.equal(tree.total[main], 102);
  assert.equal(tree.self[main], 5 + 4, "parse's and readFileSync's self time folds into main");
  const work = nodeAt(tree, [f.main, f.work]);
  assert.equal(tree.total[work], 80, 'main>work and main>parse>work merge');
  assert.equal(tree.total[nodeAt(tree, [f.main, f.work, f.helper])], 70);
  assert.equal(nodeAt(tree, [f.main, f.parse]), -1);
  assert.equal(tree.total[nodeAt(tree, [f.main, f.rec, f.rec, f.rec])], 6);
  const srcParse = nodeAt(profile.tree, [f.main, f.parse]);
  assert.equal(nodeMap[srcParse], main);
  assert.equal(nodeMap[nodeAt(profile.tree, [f.main, f.parse, f.work])], work);
  for (let i = 1; i < tree.size; i++) assert.equal(profile.frames[tree.frame[i]].kind, 'user');
});

test('inverted tree: functions with self time on top, their callers below', () => {
  const { profile, f } = testProfile();
  const inv = invertTree(profile.tree);
  assert.equal(inv.total[0], 105);
  const top = Array.from({ length: inv.childCount[0] }, (_, k) => {
    const c = inv.children[inv.childStart[0] + k];
    return [profile.frames[inv.frame[c]].name, inv.total[c]];
  });
  assert.deepEqual(top, [
    ['helper', 77],
    ['work', 10],
    ['rec', 6],
    ['parse', 5],
    ['readFileSync', 4],
    ['(garbage collector)', 3],
  ]);
  assert.equal(inv.total[nodeAt(inv, [f.helper, f.work])], 70);
  assert.equal(inv.total[nodeAt(inv, [f.helper, f.work, f.main])], 50);
  assert.equal(inv.total[nodeAt(inv, [f.helper, f.work, f.parse, f.main])], 20);
  assert.equal(inv.total[nodeAt(inv, [f.helper, f.main])], 7);
  assert.equal(inv.total[nodeAt(inv, [f.rec, f.rec, f.rec, f.main])], 6);
});

test('sandwich: callers above and callees below, merged over every occurrence', () => {
  const { profile, f } = testProfile();
  const s = sandwichFromTree(profile.tree, f.work);
  assert.equal(s.total, 80);
  assert.equal(s.self, 10);
  assert.equal(s.callees.total[nodeAt(s.callees, [f.work])], 80);
  assert.equal(s.callees.total[nodeAt(s.callees, [f.work, f.helper])], 70);
  assert.equal(s.callers.total[nodeAt(s.callers, [f.work])], 80);
  assert.equal(s.callers.total[nodeAt(s.callers, [f.work, f.main])], 60);
  assert.equal(s.callers.total[nodeAt(s.callers, [f.work, f.parse])], 20);
  assert.equal(s.callers.total[nodeAt(s.callers, [f.work, f.parse, f.main])], 20);
});

test('sandwich: recursion is counted once', () => {
  const { profile, f } = testProfile();
  const s = sandwichFromTree(profile.tree, f.rec);
  assert.equal(s.total, 6, 'not 6 + 6 + 6');
  assert.equal(s.self, 6);
  assert.equal(s.callees.total[nodeAt(s.callees, [f.rec])], 6);
  assert.equal(s.callees.total[nodeAt(s.callees, [f.rec, f.rec, f.rec])], 6, 'recursion below');
  assert.equal(s.callers.total[nodeAt(s.callers, [f.rec, f.main])], 6);
  assert.equal(nodeAt(s.callers, [f.rec, f.rec]), -1, 'the inner calls are not callers');
});

test('sandwich from a call graph: exact one-level figures, recursive edges left out', () => {
  const b = new ProfileBuilder();
  const fr = (name: string) =>
    b.frame({ name, file: `/py/${name}.py`, line1: 1, col1: null, kind: 'user' });
  const [main, a, c, d] = [fr('main'), fr('a'), fr('c'), fr('d')];
  b.setCallGraph({
    functions: [
      { frame: main, calls: 1, primitiveCalls: 1, self: 1, total: 10 },
      { frame: a, calls: 5, primitiveCalls: 3, self: 2, total: 7 },
      { frame: c, calls: 1, primitiveCalls: 1, self: 1, total: 2 },
      { frame: d, calls: 4, primitiveCalls: 4, self: 3, total: 3 },
    ],
    edges: [
      { caller: main, callee: a, calls: 2, self: 1.5, total: 6 },
      { caller: c, callee: a, calls: 1, self: 0.5, total: 1 },
      { caller: a, callee: a, calls: 2, self: 1, total: 3 },
      { caller: a, callee: d, calls: 4, self: 3, total: 3 },
      { caller: main, callee: c, calls: 1, self: 1, total: 2 },
    ],
  });
  const p = b.build(
    { profiler: 'cprofile', clock: 'cpu', unit: 'seconds' },
    { treeIsApproximate: true },
  );
  const s = sandwichFromGraph(p.callGraph!, a);
  assert.equal(s.exact, true);
  assert.equal(s.total, 7);
  assert.equal(s.self, 2);
  assert.equal(s.callers.total[nodeAt(s.callers, [a, main])], 6);
  assert.equal(s.callers.total[nodeAt(s.callers, [a, c])], 1);
  assert.equal(s.callers.total[nodeAt(s.callers, [a])], 7);
  assert.equal(nodeAt(s.callers, [a, a]), -1);
  assert.equal(s.callees.total[nodeAt(s.callees, [a, d])], 3);
  assert.equal(nodeAt(s.callees, [a, a]), -1);
});
