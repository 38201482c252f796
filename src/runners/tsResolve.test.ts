import { test } from 'node:test';
import assert from 'node:assert/strict';

import { isPathSpecifier, typeScriptCandidates } from './tsResolve';

test('only path specifiers are rewritten', () => {
  assert.ok(isPathSpecifier('./a.js'));
  assert.ok(isPathSpecifier('../a'));
  assert.ok(isPathSpecifier('/abs/a.js'));
  assert.ok(isPathSpecifier('file:///abs/a.js'));
  assert.ok(isPathSpecifier('C:\\x\\a.js'));
  assert.ok(!isPathSpecifier('lodash'));
  assert.ok(!isPathSpecifier('@scope/pkg/a.js'));
  assert.ok(!isPathSpecifier('node:fs'));
  assert.deepEqual(typeScriptCandidates('pkg/a.js', true), []);
});

test('TypeScript names for JavaScript specifiers', () => {
  assert.deepEqual(typeScriptCandidates('./dep.js'), ['./dep.ts', './dep.tsx']);
  assert.deepEqual(typeScriptCandidates('./dep.mjs'), ['./dep.mts']);
  assert.deepEqual(typeScriptCandidates('../dep.cjs'), ['../dep.cts']);
  assert.deepEqual(typeScriptCandidates('./dep.jsx'), ['./dep.tsx']);
  assert.deepEqual(typeScriptCandidates('file:///a/dep.js?x=1'), [
    'file:///a/dep.ts?x=1',
    'file:///a/dep.tsx?x=1',
  ]);
  assert.deepEqual(typeScriptCandidates('./dep.json'), []);
});

test('extensionless specifiers only for ES modules (CommonJS resolves those itself)', () => {
  assert.deepEqual(typeScriptCandidates('./dep'), []);
  assert.deepEqual(typeScriptCandidates('./dep', true), [
    './dep.ts',
    './dep.tsx',
    './dep/index.ts',
    './dep/index.tsx',
  ]);
  assert.deepEqual(typeScriptCandidates('./lib/', true), ['./lib/index.ts', './lib/index.tsx']);
  assert.deepEqual(typeScriptCandidates('.', true), ['./index.ts', './index.tsx']);
  assert.deepEqual(typeScriptCandidates('./dep.ts', true), []);
});
