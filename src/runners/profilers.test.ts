import { test } from 'node:test';
import assert from 'node:assert/strict';

import { NODE_EXTENSIONS, NodeProfiler } from './nodeProfiler';
import { PROFILABLE_FILES, PROFILERS, profilerFor } from './profilers';
import { PYTHON_EXTENSIONS, PythonProfiler } from './pythonProfiler';

const idOf = (file: string, firstLine?: string, languageId?: string) =>
  profilerFor({ file, firstLine, languageId })?.id;

test('each profilable extension has exactly one profiler, the one of its runtime', () => {
  for (const ext of NODE_EXTENSIONS) {
    assert.equal(idOf(`/work/app${ext}`), 'node', ext);
    assert.equal(idOf(`/work/APP${ext.toUpperCase()}`), 'node', ext);
  }
  for (const ext of PYTHON_EXTENSIONS) assert.equal(idOf(`/work/app${ext}`), 'python');
  for (const file of ['/work/app.js', '/work/app.py', '/work/README.md', '/work/tool']) {
    const can = PROFILERS.filter((p) => p.canProfile({ file }));
    assert.ok(can.length <= 1, `${file}: ${can.map((p) => p.id).join(', ')}`);
  }
});

test('a file without an extension goes by its #! line; other files have no profiler', () => {
  assert.equal(idOf('/usr/local/bin/tool', '#!/usr/bin/env node'), 'node');
  assert.equal(idOf('/usr/local/bin/tool', '#!/usr/bin/env -S node --flag'), 'node');
  assert.equal(idOf('/usr/local/bin/tool', '#!/usr/bin/nodejs20'), 'node');
  assert.equal(idOf('/usr/local/bin/tool', '#!/usr/bin/python3 -u'), 'python');
  assert.equal(idOf('/usr/local/bin/tool', '#!/usr/bin/env python3.11'), 'python');
  assert.equal(idOf('/usr/local/bin/tool', '#!/bin/sh'), undefined);
  assert.equal(idOf('/usr/local/bin/tool'), undefined, 'first line not read');
  assert.equal(idOf('/work/README.md', '#!/usr/bin/env node'), undefined);
  assert.equal(idOf('/work/data.json'), undefined);
});

test("the editor's language id goes first: a Python editor's file is Python's", () => {
  assert.equal(idOf('/work/tool', undefined, 'python'), 'python');
  assert.equal(idOf('/work/odd.js', undefined, 'python'), 'python');
  assert.equal(idOf('/work/app.js', undefined, 'javascript'), 'node');
  assert.equal(idOf('/work/README.md', undefined, 'markdown'), undefined);
});

test('the entries: distinct ids and labels, one class each, and the message names their files', () => {
  assert.deepEqual(
    PROFILERS.map((p) => p.id),
    ['node', 'python'],
  );
  assert.equal(new Set(PROFILERS.map((p) => p.label)).size, PROFILERS.length);
  assert.ok(PROFILERS[0] instanceof NodeProfiler);
  assert.ok(PROFILERS[1] instanceof PythonProfiler);
  assert.equal(
    PROFILABLE_FILES,
    '.js, .mjs, .cjs, .ts, .mts, .cts, .py and .pyw files, and scripts whose first line is a #! ' +
      'line naming node or python',
  );
});
