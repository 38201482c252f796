import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { functionStats } from './functionStats';
import { ProfileBuilder } from './profile';
import type { Frame, Profile } from './profile';
import { importCpuprofile } from '../formats/cpuprofile';

const fn = (name: string, line1 = 1, kind: Frame['kind'] = 'user'): Frame => ({
  name,
  file: kind === 'pseudo' ? null : '/p/app.js',
  line1: kind === 'pseudo' ? null : line1,
  col1: kind === 'pseudo' ? null : 1,
  kind,
});

/** A profile from stacks of frame names (outermost first) with weights. */
function fromStacks(stacks: [string[], number][], rootSelf = 0): Profile {
  const b = new ProfileBuilder();
  const ids = new Map<string, number>();
  const id = (name: string) => {
    if (!ids.has(name))
      ids.set(name, b.frame(fn(name, ids.size + 1, name.startsWith('(') ? 'pseudo' : 'user')));
    return ids.get(name) as number;
  };
  for (const [stack, w] of stacks) b.addStack(stack.map(id), w);
  b.addSelf(0, rootSelf);
  return b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
}

const byName = (p: Profile) => new Map(functionStats(p).map((s) => [s.frame.name, s]));

test('direct recursion is counted once in total', () => {
  const p = fromStacks([
    [['main', 'fib', 'fib', 'fib'], 10],
    [['main', 'fib'], 5],
    [['main', 'other'], 3],
    [['main'], 2],
  ]);
  const stats = functionStats(p);
  assert.deepEqual(
    stats.map((s) => [s.frame.name, s.self, s.total, s.calls]),
    [
      ['main', 2, 20, null],
      ['fib', 15, 15, null],
      ['other', 3, 3, null],
    ],
  );
  assert.equal(functionStats(p), stats, 'cached per profile');
});

test('mutual recursion is counted once too, and the root is not a function', () => {
  const p = fromStacks(
    [
      [['a', 'b', 'a', 'b'], 4],
      [['a'], 1],
      [['(program)'], 2],
    ],
    7,
  );
  const s = byName(p);
  assert.equal(s.get('a')?.total, 5);
  assert.equal(s.get('b')?.total, 4);
  assert.equal(s.get('b')?.self, 4);
  assert.equal(s.get('(program)')?.frame.kind, 'pseudo', 'pseudo frames are included');
  assert.equal(functionStats(p).length, 3);
  assert.equal(p.tree.total[0], 14, 'root self counts in the profile total, not in any function');
});

test('a call graph provides the figures and the call counts', () => {
  const b = new ProfileBuilder();
  const main = b.frame(fn('main'));
  const work = b.frame(fn('work', 5));
  // The approximated tree says one thing ...
  b.addStack([main, work], 100);
  // ... the exact graph another; the graph wins.
  b.setCallGraph({
    functions: [
      { frame: main, calls: 1, primitiveCalls: 1, self: 1, total: 50 },
      { frame: work, calls: 7, primitiveCalls: 3, self: 49, total: 49 },
    ],
    edges: [{ caller: main, callee: work, calls: 3, self: 49, total: 49 }],
  });
  const p = b.build(
    { profiler: 'cprofile', clock: 'cpu', unit: 'seconds' },
    { treeIsApproximate: true },
  );
  assert.deepEqual(
    functionStats(p).map((s) => [s.frame.name, s.self, s.total, s.calls]),
    [
      ['main', 1, 50, 1],
      ['work', 49, 49, 7],
    ],
  );
});

test('on a real recursive recording, no function outweighs the whole', () => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const p = importCpuprofile(
    readFileSync(join(dir, 'test/fixtures/node/recursive.cpuprofile'), 'utf8'),
  );
  const s = byName(p);
  const fib = s.get('fib');
  const main = s.get('main');
  assert.ok(fib && main);
  assert.ok(fib.total <= main.total);
  // fib's total is the sum over its outermost nodes only.
  let outer = 0;
  let all = 0;
  for (let n = 1; n < p.tree.size; n++) {
    if (p.frames[p.tree.frame[n]].name !== 'fib') continue;
    all += p.tree.total[n];
    if (p.frames[p.tree.frame[p.tree.parent[n]]].name !== 'fib') outer += p.tree.total[n];
  }
  assert.ok(Math.abs(fib.total - outer) < 1e-6);
  assert.ok(all > fib.total * 2, 'the recursion is deep enough to matter');
  for (const stat of functionStats(p)) assert.ok(stat.total <= p.tree.total[0] + 1e-6);
  const totals = functionStats(p).map((x) => x.total);
  assert.deepEqual(
    totals,
    [...totals].sort((x, y) => y - x),
  );
});
