import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freezeTree } from '../../src/core/callTree';
import { ProfileBuilder, type CallTree } from '../../src/core/profile';
import {
  INVERT_BUDGET,
  invertTree,
  myCodeOnly,
  sandwichFromGraph,
  sandwichFromTree,
} from './transforms';
import { nodeAt, testProfile } from '../../test/support/testProfile';

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
  const { tree: inv, cut } = invertTree(profile.tree);
  assert.equal(cut, null, 'nothing cut from a normal profile');
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

test('inverted tree: a step budget cuts every chain at the same depth, totals kept', () => {
  const { profile, f } = testProfile();
  // Chains of callers: helper 2+3+1, work 1, parse 1, rec 3, readFileSync 1, gc 0 = 12 steps.
  const exact = invertTree(profile.tree, { steps: 12, nodes: 1000 });
  assert.equal(exact.cut, null);
  const { tree: inv, cut } = invertTree(profile.tree, { steps: 10, nodes: 1000 });
  // Cap 2 costs 2+2+1 + 1 + 1 + 2 + 1 = 10 steps.
  assert.deepEqual(cut, { depth: 2, maxDepth: 4, nodesFull: false, nodes: 1000 });
  assert.equal(inv.total[0], 105);
  const chain = nodeAt(inv, [f.helper, f.work, f.parse]);
  assert.equal(inv.total[chain], 20);
  assert.equal(inv.self[chain], 20, "main, the caller past the cap, is merged into parse's box");
  assert.equal(nodeAt(inv, [f.helper, f.work, f.parse, f.main]), -1);
  assert.equal(inv.self[nodeAt(inv, [f.rec, f.rec, f.rec])], 6);
});

test('inverted tree: a node budget stops new callers, top-level functions stay', () => {
  const { profile, f } = testProfile();
  const { tree: inv, cut } = invertTree(profile.tree, { steps: 1000, nodes: 8 });
  assert.equal(cut?.nodesFull, true);
  assert.ok(inv.size <= 8 + 6, `${inv.size} nodes`);
  assert.equal(inv.total[0], 105);
  assert.equal(inv.childCount[0], 6, 'every function with self time is on top');
  assert.equal(inv.total[nodeAt(inv, [f.helper])], 77);
});

/** A chain `depth` deep with self weight 1 at every level: frame `i % frameCount` at depth i+1. */
function deepChain(depth: number, frameCount: number): CallTree {
  const parent = new Int32Array(depth + 1);
  const frame = new Int32Array(depth + 1);
  const self = new Float64Array(depth + 1);
  parent[0] = -1;
  frame[0] = -1;
  for (let i = 1; i <= depth; i++) {
    parent[i] = i - 1;
    frame[i] = (i - 1) % frameCount;
    self[i] = 1;
  }
  return freezeTree(parent, frame, self);
}

test('inverted tree: 100 000-deep recursion with self time everywhere stays bounded', () => {
  // Exact, this would walk 5e9 caller steps (into one chain 100 000 deep).
  const tree = deepChain(100_000, 1);
  const { tree: inv, cut } = invertTree(tree);
  assert.ok(cut, 'the cut is reported');
  assert.equal(cut.nodesFull, false);
  assert.equal(cut.maxDepth, 100_000);
  // 100 000 chains of at most `depth` steps fit the step budget.
  assert.ok(cut.depth * 100_000 <= INVERT_BUDGET.steps && cut.depth >= 100, `${cut.depth}`);
  assert.equal(inv.size, cut.depth + 2, 'one chain: the function and its callers');
  assert.equal(inv.total[0], 100_000, 'no time is lost');
  assert.equal(inv.total[1], 100_000);
});

test('inverted tree: 100 000 distinct deep frames stop at the node budget', () => {
  // No chain merges with another: the step budget alone would make 20M nodes.
  const tree = deepChain(100_000, 100_000);
  const budget = { steps: INVERT_BUDGET.steps, nodes: 1_000_000 };
  const { tree: inv, cut } = invertTree(tree, budget);
  assert.ok(cut?.nodesFull);
  assert.ok(inv.size <= budget.nodes + 100_000, `${inv.size} nodes`);
  assert.equal(inv.childCount[0], 100_000, 'every function with self time is on top');
  assert.equal(inv.total[0], 100_000);
});

/** A bench-like tree (bench/flame.mjs): a random walk of the stack, depth about 25. */
function walkTree(size: number, frameCount: number): CallTree {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const parent = new Int32Array(size);
  const frame = new Int32Array(size);
  const self = new Float64Array(size);
  const depth = new Int32Array(size);
  parent[0] = -1;
  frame[0] = -1;
  let cur = 0;
  for (let i = 1; i < size; i++) {
    if (rand() >= (depth[cur] < 25 ? 0.8 : 0.45) || depth[cur] >= 63) {
      let up = 1 + Math.floor(-Math.log(1 - rand()) * 2);
      while (up-- > 0 && cur > 0) cur = parent[cur];
    }
    parent[i] = cur;
    frame[i] = Math.floor(frameCount * rand() ** 3);
    depth[i] = depth[cur] + 1;
    self[i] = rand() < 0.6 ? 0 : Math.ceil(100 * (1 - rand()) ** -1.5);
    cur = i;
  }
  return freezeTree(parent, frame, self);
}

test('inverted tree: a normal 50k-node profile is the same as without a budget', () => {
  const tree = walkTree(50_000, 500);
  const bounded = invertTree(tree);
  const exact = invertTree(tree, { steps: Infinity, nodes: Infinity });
  assert.equal(bounded.cut, null);
  assert.equal(exact.cut, null);
  for (const key of ['parent', 'frame', 'self', 'total'] as const)
    assert.deepEqual(bounded.tree[key], exact.tree[key], key);
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
