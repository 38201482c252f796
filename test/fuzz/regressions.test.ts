/**
 * The inputs that once crashed an importer (found by importers.test.ts, minimised, made by
 * test/fixtures/fuzz/make.mjs): test/fixtures/fuzz/<format>/<what it holds>. Each must now give
 * the format's clean error or a profile that keeps every invariant (invariants.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FUZZ_TARGETS, repoRoot } from './targets';

const folder = join(repoRoot(), 'test/fixtures/fuzz');

test('every kept fuzz failure belongs to a fuzzed format', () => {
  const formats = new Set(FUZZ_TARGETS.map((t) => t.format));
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) assert.ok(formats.has(entry.name), `no fuzz target ${entry.name}`);
  }
});

for (const target of FUZZ_TARGETS) {
  const dir = join(folder, target.format);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    test(`fuzz regression ${target.format}/${name}: a clean error or a sound profile`, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      let value: unknown;
      try {
        value = target.read(name, bytes);
      } catch (error) {
        assert.ok(target.isCleanError(error, name), `${name}: ${String(error)}`);
        return;
      }
      target.check(value);
    });
  }
}
