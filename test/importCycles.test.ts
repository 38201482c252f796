import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { importCycles } from './support/importCycles';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();

test('import cycles: src/ and webview/ have none', () => {
  const cycles = importCycles([join(root, 'src'), join(root, 'webview')], root);
  assert.deepEqual(cycles, [], `import cycles (break each one):\n${cycles.join('\n')}`);
});

test('import cycles: a cycle is found and named by its files, type-only imports included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-cycles-'));
  try {
    mkdirSync(join(dir, 'lib'));
    // a -> b -> c -> a, where the last step is a type-only import through an index file.
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "export { c as b } from './lib';\n");
    writeFileSync(join(dir, 'lib', 'index.ts'), "export { c } from './c.js';\n");
    writeFileSync(
      join(dir, 'lib', 'c.ts'),
      "import type { A } from '../a';\nexport const c: number = 1 as A;\nexport type Z = 1;\n",
    );
    // Not a cycle: d imports a, nothing imports d; e imports itself.
    writeFileSync(join(dir, 'd.ts'), "import { a } from './a';\nexport const d = a;\n");
    writeFileSync(join(dir, 'e.ts'), "import './e';\nexport const e = 1;\n");
    writeFileSync(join(dir, 'f.ts'), "import { d } from './d';\nexport const f = d;\n");
    assert.deepEqual(importCycles([dir], dir), [
      'a.ts -> b.ts -> lib/index.ts -> lib/c.ts -> a.ts',
      'e.ts -> e.ts',
    ]);
    // Breaking the type-only link breaks the cycle.
    writeFileSync(join(dir, 'lib', 'c.ts'), 'export const c = 1;\n');
    assert.deepEqual(importCycles([dir], dir), ['e.ts -> e.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
