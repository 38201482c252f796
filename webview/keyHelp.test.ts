import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/repoRoot';
import { KEYS } from './keyHelp';

test("README's keyboard section lists the panel's keys as the help does", () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const section = readme.split('## The flame graph by keyboard\n')[1]?.split('\n## ')[0] ?? '';
  assert.ok(section, 'README.md has a "The flame graph by keyboard" section');
  const rows = section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|').map((c) => c.trim()));
  assert.deepEqual(
    rows.map((r) => [r[1], r[2]]),
    KEYS.map((k) => [k.keys.map((key) => `\`${key}\``).join(', '), k.action]),
  );
});

test('no key is listed twice', () => {
  const all = KEYS.flatMap((k) => k.keys);
  assert.deepEqual(
    all.filter((k, i) => all.indexOf(k) !== i),
    [],
  );
});
