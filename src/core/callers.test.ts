import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callersAndCallees } from './callers';
import { ProfileBuilder } from './profile';

function frames(b: ProfileBuilder, ...names: string[]): number[] {
  return names.map((name, i) =>
    b.frame({ name, file: '/p/a.js', line1: i + 1, col1: 1, kind: 'user' }),
  );
}

test('callers and callees from the tree, recursion counted once per edge', () => {
  const b = new ProfileBuilder();
  const [main, fib, other] = frames(b, 'main', 'fib', 'other');
  b.addStack([main, fib, fib, fib], 10);
  b.addStack([main, fib], 5);
  b.addStack([main, other, fib], 4);
  b.addStack([main], 1);
  const p = b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  const show = (list: { frame: { name: string }; weight: number; calls: number | null }[]) =>
    list.map((n) => [n.frame.name, n.weight, n.calls]);
  const f = callersAndCallees(p, fib);
  assert.deepEqual(show(f.callers), [
    ['main', 15, null],
    ['fib', 10, null],
    ['other', 4, null],
  ]);
  assert.deepEqual(show(f.callees), [['fib', 10, null]]);
  const m = callersAndCallees(p, main);
  assert.deepEqual(show(m.callers), [], 'the synthetic root is no caller');
  assert.deepEqual(show(m.callees), [
    ['fib', 15, null],
    ['other', 4, null],
  ]);
  assert.deepEqual(callersAndCallees(p, 99), { callers: [], callees: [] });
  // Fresh arrays: a caller may sort or cut them.
  callersAndCallees(p, fib).callers.length = 0;
  assert.equal(callersAndCallees(p, fib).callers.length, 3);
});

test('callers and callees from a call graph carry its call counts', () => {
  const b = new ProfileBuilder();
  const [main, a, c] = frames(b, 'main', 'a', 'c');
  b.addStack([main, a, c], 1);
  b.setCallGraph({
    functions: [],
    edges: [
      { caller: main, callee: a, calls: 2, self: 1, total: 8 },
      { caller: a, callee: c, calls: 40, self: 5, total: 5 },
      { caller: main, callee: c, calls: 1, self: 2, total: 2 },
    ],
  });
  const p = b.build(
    { profiler: 'cprofile', clock: 'cpu', unit: 'seconds' },
    { treeIsApproximate: true },
  );
  const r = callersAndCallees(p, c);
  assert.deepEqual(
    r.callers.map((n) => [n.frame.name, n.weight, n.calls]),
    [
      ['a', 5, 40],
      ['main', 2, 1],
    ],
  );
  assert.deepEqual(
    callersAndCallees(p, main).callees.map((n) => [n.frame.name, n.weight, n.calls]),
    [
      ['a', 8, 2],
      ['c', 2, 1],
    ],
  );
});
