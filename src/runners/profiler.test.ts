import { test } from 'node:test';
import assert from 'node:assert/strict';

import { startNodeProfile } from './nodeRunner';
import { NODE_EXTENSIONS, PYTHON_EXTENSIONS } from './profilable';
import { nodeProfiler, profilerFor, PROFILERS, pythonProfiler } from './profiler';
import { startPythonProfile } from './pythonRunner';

test('each profilable extension has exactly one profiler, the one of its runtime', () => {
  for (const ext of NODE_EXTENSIONS) {
    assert.equal(profilerFor(`/work/app${ext}`), nodeProfiler, ext);
    assert.equal(profilerFor(`/work/APP${ext.toUpperCase()}`), nodeProfiler, ext);
  }
  for (const ext of PYTHON_EXTENSIONS) assert.equal(profilerFor(`/work/app${ext}`), pythonProfiler);
  for (const file of ['/work/app.js', '/work/app.py', '/work/README.md', '/work/tool']) {
    const can = PROFILERS.filter((p) => p.canProfile(file));
    assert.ok(can.length <= 1, `${file}: ${can.map((p) => p.id).join(', ')}`);
  }
});

test('a file without an extension goes by its #! line; other files have no profiler', () => {
  assert.equal(profilerFor('/usr/local/bin/tool', '#!/usr/bin/env node'), nodeProfiler);
  assert.equal(profilerFor('/usr/local/bin/tool', '#!/usr/bin/python3 -u'), pythonProfiler);
  assert.equal(profilerFor('/usr/local/bin/tool', '#!/bin/sh'), undefined);
  assert.equal(profilerFor('/usr/local/bin/tool'), undefined, 'first line not read');
  assert.equal(profilerFor('/work/README.md', '#!/usr/bin/env node'), undefined);
  assert.equal(profilerFor('/work/data.json'), undefined);
});

test('the entries: distinct ids and labels, started by their runners', () => {
  assert.deepEqual(
    PROFILERS.map((p) => p.id),
    ['node', 'python'],
  );
  assert.equal(new Set(PROFILERS.map((p) => p.label)).size, PROFILERS.length);
  assert.equal(nodeProfiler.start, startNodeProfile);
  assert.equal(pythonProfiler.start, startPythonProfile);
});
