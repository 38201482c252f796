import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isTypeScriptSyntaxError } from './tsSyntaxError';
import { transformTypeScript, type ModuleFormat } from './tsTransform';
import { TransformCache } from './tsTransformCache';

const source = 'export function twice(x: number): number {\n  return x * 2;\n}\n';

/** A cache folder and a stand-in compiler bundle file (its size and time name the build). */
function setUp(t: { after(fn: () => void): void }): { dir: string; compilerFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'heatlens-ts-cache-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const compilerFile = join(root, 'tsCompiler.js');
  writeFileSync(compilerFile, '// the compiler build\n');
  return { dir: join(root, 'cache'), compilerFile };
}

/** A cache as one run of the loader makes it, counting the compiler's loads and calls. */
function cacheOf(dir: string | undefined, compilerFile: string) {
  const counts = { loads: 0, calls: 0 };
  const cache = new TransformCache({
    dir,
    compilerFile,
    load: () => {
      counts.loads++;
      return (s: string, p: string, f: ModuleFormat) => {
        counts.calls++;
        return transformTypeScript(s, p, f);
      };
    },
  });
  return { cache, counts };
}

test('a later run of an unchanged file gets the same output without loading the compiler', (t) => {
  const { dir, compilerFile } = setUp(t);
  const first = cacheOf(dir, compilerFile);
  const made = first.cache.transform(source, '/src/twice.ts', 'commonjs');
  assert.deepEqual(first.counts, { loads: 1, calls: 1 });
  assert.deepEqual(made, transformTypeScript(source, '/src/twice.ts', 'commonjs'));

  const second = cacheOf(dir, compilerFile);
  assert.deepEqual(second.cache.transform(source, '/src/twice.ts', 'commonjs'), made);
  assert.equal(second.cache.compilerLoaded, false);
  assert.deepEqual(second.counts, { loads: 0, calls: 0 });
});

test('an edit, another format, another path or another compiler build compiles again', (t) => {
  const { dir, compilerFile } = setUp(t);
  cacheOf(dir, compilerFile).cache.transform(source, '/src/twice.ts', 'commonjs');
  const edited = source.replace('x * 2', 'x + x');
  const cases: [string, string, ModuleFormat][] = [
    [edited, '/src/twice.ts', 'commonjs'],
    [source, '/src/twice.ts', 'module'],
    [source, '/src/other.ts', 'commonjs'],
  ];
  for (const [text, path, format] of cases) {
    const run = cacheOf(dir, compilerFile);
    const out = run.cache.transform(text, path, format);
    assert.deepEqual(run.counts, { loads: 1, calls: 1 }, `${path} ${format}`);
    assert.deepEqual(out, transformTypeScript(text, path, format));
  }
  // The edited file's entry replaced the old one: one entry per file and format.
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.json')).length, 3);

  writeFileSync(compilerFile, '// a newer compiler build\n');
  utimesSync(compilerFile, new Date(), new Date(Date.now() + 5000));
  const rebuilt = cacheOf(dir, compilerFile);
  rebuilt.cache.transform(edited, '/src/twice.ts', 'commonjs');
  assert.deepEqual(rebuilt.counts, { loads: 1, calls: 1 }, 'a new compiler build');
});

test('a damaged entry, or no cache folder, only means compiling', (t) => {
  const { dir, compilerFile } = setUp(t);
  cacheOf(dir, compilerFile).cache.transform(source, '/src/twice.ts', 'commonjs');
  for (const name of readdirSync(dir)) writeFileSync(join(dir, name), '{"source": "trunc');
  const damaged = cacheOf(dir, compilerFile);
  assert.deepEqual(
    damaged.cache.transform(source, '/src/twice.ts', 'commonjs'),
    transformTypeScript(source, '/src/twice.ts', 'commonjs'),
  );
  assert.deepEqual(damaged.counts, { loads: 1, calls: 1 });

  const none = cacheOf(undefined, compilerFile);
  none.cache.transform(source, '/src/twice.ts', 'commonjs');
  none.cache.transform(source, '/src/twice.ts', 'commonjs');
  assert.deepEqual(none.counts, { loads: 1, calls: 2 });
});

test('a syntax error is thrown as without a cache, recognisably, and never cached', (t) => {
  const { dir, compilerFile } = setUp(t);
  const bad = 'function f(x: number { return x; }\n';
  for (let i = 0; i < 2; i++) {
    const run = cacheOf(dir, compilerFile);
    assert.throws(
      () => run.cache.transform(bad, '/src/bad.ts', 'commonjs'),
      (e: unknown) => isTypeScriptSyntaxError(e) && e.line1 === 1,
    );
    assert.deepEqual(run.counts, { loads: 1, calls: 1 });
  }
  assert.ok(!isTypeScriptSyntaxError(new SyntaxError('plain')));
});
