import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addTreeFromCallGraph, findCallGraphRoots } from './callGraphTree';
import { ProfileBuilder, type CallGraph, type Profile } from './profile';

type Fn = [name: string, calls: number, primitive: number, self: number, total: number];
type Edge = [caller: string, callee: string, calls: number, total: number];

/** A profile whose tree is built from a small call graph given by names. */
function build(
  fns: Fn[],
  edges: Edge[],
  options: Parameters<typeof addTreeFromCallGraph>[2] = {},
): { profile: Profile; result: ReturnType<typeof addTreeFromCallGraph> } {
  const b = new ProfileBuilder();
  const id = new Map(
    fns.map(([name]) => [
      name,
      b.frame({ name, file: '/x.py', line1: 1, col1: null, kind: 'user' }),
    ]),
  );
  const graph: CallGraph = {
    functions: fns.map(([name, calls, primitiveCalls, self, total]) => ({
      frame: id.get(name) as number,
      calls,
      primitiveCalls,
      self,
      total,
    })),
    edges: edges.map(([a, c, calls, total]) => ({
      caller: id.get(a) as number,
      callee: id.get(c) as number,
      calls,
      self: 0,
      total,
    })),
  };
  b.setCallGraph(graph);
  const result = addTreeFromCallGraph(b, graph, options);
  return { profile: b.build({ profiler: 't', clock: 'cpu', unit: 'seconds' }), result };
}

/** The tree as `path total` lines, depth first. */
function paths(p: Profile): string[] {
  const out: string[] = [];
  const walk = (n: number, prefix: string) => {
    const { tree } = p;
    for (let c = 0; c < tree.childCount[n]; c++) {
      const child = tree.children[tree.childStart[n] + c];
      const path = `${prefix}${prefix ? '/' : ''}${p.frames[tree.frame[child]].name}`;
      out.push(`${path} ${+tree.total[child].toFixed(6)}`);
      walk(child, path);
    }
  };
  walk(0, '');
  return out;
}

test("a diamond shares the common callee's time by edge share", () => {
  // d is called from b (5 of its 6) and from c (1 of 6); its callee e follows the same shares.
  const { profile } = build(
    [
      ['a', 1, 1, 1, 9],
      ['b', 1, 1, 1, 6],
      ['c', 1, 1, 1, 2],
      ['d', 2, 2, 3, 6],
      ['e', 2, 2, 3, 3],
    ],
    [
      ['a', 'b', 1, 6],
      ['a', 'c', 1, 2],
      ['b', 'd', 1, 5],
      ['c', 'd', 1, 1],
      ['d', 'e', 2, 3],
    ],
  );
  assert.deepEqual(paths(profile), [
    'a 9',
    'a/b 6',
    'a/b/d 5',
    'a/b/d/e 2.5',
    'a/c 2',
    'a/c/d 1',
    'a/c/d/e 0.5',
  ]);
});

test('mutual recursion: the recursive call is a leaf, and nothing is counted twice', () => {
  const { profile, result } = build(
    [
      ['main', 1, 1, 0, 10],
      ['even', 6, 1, 5, 10],
      ['odd', 5, 5, 5, 9],
    ],
    [
      ['main', 'even', 1, 10],
      ['even', 'odd', 5, 9],
      ['odd', 'even', 5, 8],
    ],
  );
  assert.deepEqual(paths(profile), [
    'main 10',
    'main/even 10',
    'main/even/odd 9',
    'main/even/odd/even 8',
  ]);
  assert.equal(result.cycleCuts, 1);
  assert.equal(profile.tree.total[0], 10);
});

test('overlapping edges of a recursive function never hand out more than it has', () => {
  // exec runs a module, which imports another one through exec again: exec's edges overlap.
  const { profile } = build(
    [
      ['exec', 2, 1, 0, 10],
      ['app', 1, 1, 2, 10],
      ['imp', 1, 1, 0, 8],
      ['lib', 1, 1, 8, 8],
    ],
    [
      ['exec', 'app', 1, 10],
      ['exec', 'lib', 1, 8],
      ['app', 'imp', 1, 8],
      ['imp', 'exec', 1, 8],
    ],
  );
  assert.deepEqual(paths(profile), [
    'exec 10',
    'exec/app 10',
    'exec/app/imp 8',
    'exec/app/imp/exec 8',
  ]);
});

test('roots: outermost calls, functions without callers, overlap capped, heaviest as fallback', () => {
  const fn = (
    frame: number,
    calls: number,
    primitiveCalls: number,
    self: number,
    total: number,
  ) => ({
    frame,
    calls,
    primitiveCalls,
    self,
    total,
  });
  const edge = (caller: number, callee: number, calls: number, total: number) => ({
    caller,
    callee,
    calls,
    self: 0,
    total,
  });
  // 0 has no caller; 1 is called by 0 once and once from nowhere (its own 2 beyond the edge's
  // 3), but the roots together may not exceed the summed self times (5); 2 is called by 1 only.
  assert.deepEqual(
    findCallGraphRoots({
      functions: [fn(0, 1, 1, 1, 4), fn(1, 2, 2, 2, 5), fn(2, 1, 1, 2, 2)],
      edges: [edge(0, 1, 1, 3), edge(1, 2, 1, 2)],
    }),
    [
      { fn: 0, weight: 4 },
      { fn: 1, weight: 1 },
    ],
  );
  // Everything in a cycle (a callgrind file converted from pstats): the heaviest is the root.
  assert.deepEqual(
    findCallGraphRoots({
      functions: [fn(0, 1, 1, 1, 3), fn(1, 1, 1, 2, 3)],
      edges: [edge(0, 1, 1, 2), edge(1, 0, 1, 1)],
    }),
    [{ fn: 0, weight: 3 }],
  );
  // Two roots whose times nest (one runs inside the other through an unrecorded caller).
  assert.deepEqual(
    findCallGraphRoots({
      functions: [fn(0, 1, 1, 2, 10), fn(1, 1, 1, 8, 8)],
      edges: [],
    }),
    [{ fn: 0, weight: 10 }],
  );
});

test('bounds: past the node budget or the depth cap, weight stays where it stops', () => {
  const chain: Fn[] = [];
  const links: Edge[] = [];
  for (let i = 0; i < 50; i++) {
    chain.push([`f${i}`, 1, 1, 1, 50 - i]);
    if (i) links.push([`f${i - 1}`, `f${i}`, 1, 50 - i]);
  }
  const deep = build(chain, links, { maxDepth: 10 });
  assert.equal(deep.result.truncated, true);
  assert.equal(deep.profile.tree.total[0], 50);
  assert.equal(Math.max(...deep.profile.tree.depth), 10);
  assert.match(deep.profile.meta.warnings.join(), /cut short to stay small/);

  const wide: Fn[] = [['root', 1, 1, 0, 100]];
  const fan: Edge[] = [];
  for (let i = 0; i < 100; i++) {
    wide.push([`g${i}`, 1, 1, 1, 1]);
    fan.push(['root', `g${i}`, 1, 1]);
  }
  const small = build(wide, fan, { maxNodes: 11 });
  assert.equal(small.result.nodes, 11);
  assert.equal(small.result.truncated, true);
  assert.equal(small.profile.tree.total[0], 100);
  // Light paths are cut silently: they are below what a flame graph draws.
  const light = build(chain, links, { minShare: 0.5 });
  assert.equal(light.result.truncated, false);
  assert.equal(light.profile.tree.total[0], 50);
});
