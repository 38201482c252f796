import { test } from 'node:test';
import assert from 'node:assert/strict';

import { isTypeScriptPath } from './tsResolve';
import { formatSyntaxErrorReport, TypeScriptSyntaxError } from './tsSyntaxError';
import { transformTypeScript } from './tsTransform';

const source = [
  "import { helper } from './helper.js';",
  'interface Point {',
  '  x: number;',
  '}',
  'export function hot(p: Point): number {',
  '  return helper(p.x) * 2;',
  '}',
  '',
].join('\n');

test('every statement stays on its TypeScript line, for both module formats', () => {
  for (const format of ['commonjs', 'module'] as const) {
    const { code } = transformTypeScript(source, '/src/hot.ts', format);
    const lines = code.split('\n');
    assert.match(lines[4], /function hot\(p\)/, format);
    assert.match(lines[5], /return .*helper.*p\.x\) \* 2/, format);
  }
  const cjs = transformTypeScript(source, '/src/hot.ts', 'commonjs').code;
  assert.match(cjs, /require\('\.\/helper\.js'\)/);
  assert.match(cjs, /exports\.hot = hot/);
  const esm = transformTypeScript(source, '/src/hot.ts', 'module').code;
  assert.match(esm, /^import \{ helper \} from '\.\/helper\.js';/);
});

test('the map names the file relative to itself, and is also inline', () => {
  const { code, map } = transformTypeScript(source, '/src/dir/hot.ts', 'commonjs');
  const parsed = JSON.parse(map) as { version: number; sources: string[]; file: string };
  assert.equal(parsed.version, 3);
  assert.deepEqual(parsed.sources, ['hot.ts']);
  assert.equal(parsed.file, 'hot.ts');
  const inline = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\n$/.exec(
    code,
  );
  assert.ok(inline);
  assert.deepEqual(JSON.parse(Buffer.from(inline[1], 'base64').toString('utf8')), parsed);
});

test('a syntax error names the file and the 1-based position', () => {
  const bad = 'const a: number = 1;\nfunction f(x: number { return x; }\n';
  assert.throws(
    () => transformTypeScript(bad, '/src/bad file.ts', 'commonjs'),
    (e: unknown) => {
      assert.ok(e instanceof TypeScriptSyntaxError);
      assert.ok(e instanceof SyntaxError);
      assert.equal(e.file, '/src/bad file.ts');
      assert.equal(e.line1, 2);
      assert.equal(e.col1, 22);
      assert.match(e.message, /^\/src\/bad file\.ts:2:22: Unexpected token/);
      assert.equal(
        formatSyntaxErrorReport(e, bad),
        '/src/bad file.ts:2\nfunction f(x: number { return x; }\n                     ^\n\n' +
          'SyntaxError: Unexpected token, expected "," (TypeScript could not be parsed)\n',
      );
      return true;
    },
  );
});

test('which files are TypeScript', () => {
  for (const p of ['/a.ts', '/a.mts', '/a.cts', '/a.tsx', 'C:\\x\\A.TS'])
    assert.ok(isTypeScriptPath(p));
  for (const p of ['/a.js', '/a.d.ts', '/a.d.mts', '/a.json', '/ats'])
    assert.ok(!isTypeScriptPath(p));
});
