import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from '../../src/core/profile';
import { sortTableRows, tableRowsFromGraph, tableRowsFromTree } from './table';
import { colorKey, frameHue } from './colors';
import { testProfile } from '../../test/support/testProfile';

test('table rows from a tree: self, total with recursion once, no calls', () => {
  const { profile, f } = testProfile();
  const rows = sortTableRows(
    tableRowsFromTree(profile.tree, profile.frames.length),
    'total',
    profile.frames,
  );
  const by = new Map(rows.map((r) => [r.frameId, r]));
  assert.equal(rows[0].frameId, f.main);
  assert.deepEqual(by.get(f.work), { frameId: f.work, self: 10, total: 80, calls: null });
  assert.deepEqual(by.get(f.helper), { frameId: f.helper, self: 77, total: 77, calls: null });
  assert.deepEqual(by.get(f.rec), { frameId: f.rec, self: 6, total: 6, calls: null });
  const bySelf = sortTableRows(rows.slice(), 'self', profile.frames);
  assert.equal(bySelf[0].frameId, f.helper);
  const byName = sortTableRows(rows.slice(), 'name', profile.frames);
  assert.equal(profile.frames[byName[0].frameId].name, '(garbage collector)');
});

test('table rows from a call graph: exact figures and calls', () => {
  const b = new ProfileBuilder();
  const x = b.frame({ name: 'x', file: '/a.py', line1: 3, col1: null, kind: 'user' });
  const y = b.frame({ name: 'len', file: '~', line1: null, col1: null, kind: 'runtime' });
  b.setCallGraph({
    functions: [
      { frame: x, calls: 3, primitiveCalls: 1, self: 0.5, total: 2 },
      { frame: y, calls: 100, primitiveCalls: 100, self: 1.5, total: 1.5 },
    ],
    edges: [{ caller: x, callee: y, calls: 100, self: 1.5, total: 1.5 }],
  });
  const p = b.build(
    { profiler: 'cprofile', clock: 'cpu', unit: 'seconds' },
    { treeIsApproximate: true },
  );
  assert.deepEqual(tableRowsFromGraph(p.callGraph!, p.frames), [
    { frameId: x, self: 0.5, total: 2, calls: 3 },
    { frameId: y, self: 1.5, total: 1.5, calls: 100 },
  ]);
  assert.equal(tableRowsFromGraph(p.callGraph!, p.frames, (fr) => fr.kind === 'user').length, 1);
  assert.equal(
    sortTableRows(tableRowsFromGraph(p.callGraph!, p.frames), 'calls', p.frames)[0].frameId,
    y,
  );
});

test('colors: one hue per package or file, stable across runs', () => {
  const lib = (file: string) => ({ name: 'f', file, line1: 1, col1: 1, kind: 'library' as const });
  assert.equal(colorKey(lib('/a/node_modules/lodash/map.js')), 'lodash');
  assert.equal(colorKey(lib('/a/node_modules/@babel/core/lib/x.js')), '@babel/core');
  assert.equal(colorKey(lib('/a/node_modules/x/node_modules/y/i.js')), 'y');
  assert.equal(colorKey(lib('C:\\a\\node_modules\\@s\\p\\i.js')), '@s/p');
  assert.equal(colorKey(lib('/usr/lib/python3/dist-packages/yaml/x.py')), 'yaml');
  assert.equal(
    frameHue(lib('/a/node_modules/lodash/map.js')),
    frameHue(lib('/b/node_modules/lodash/x.js')),
  );
  assert.ok(frameHue(lib('/x.js')) >= 0 && frameHue(lib('/x.js')) < 360);
});
