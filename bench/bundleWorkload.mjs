// The program of the source-map benchmark: bundled by esbuild with a source map (TypeScript,
// ESLint, typescript-eslint, Prettier and Sucrase in one file, a map of about 25-30 MB), then run
// under `node --cpu-prof`, so that its profile has thousands of distinct frames spread over the
// whole bundle. It transpiles, parses, lints and formats real JavaScript from node_modules.
// Usage (after bundling): node bundle.cjs <repo root> [file count]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { Linter } from 'eslint';
import * as tsParser from '@typescript-eslint/parser';
import * as prettier from 'prettier/standalone';
import * as babelPlugin from 'prettier/plugins/babel';
import * as estreePlugin from 'prettier/plugins/estree';
import { transform } from 'sucrase';

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.js')) out.push(p);
  }
  return out;
}

const root = process.argv[2];
const count = Number(process.argv[3] ?? 60);
const files = walk(join(root, 'node_modules/eslint/lib'), [])
  .filter((f) => statSync(f).size < 60_000)
  .slice(0, count);

const linter = new Linter();
const rules = {
  'no-unused-vars': 'warn',
  'no-undef': 'warn',
  eqeqeq: 'error',
  'prefer-const': 'warn',
  complexity: ['warn', 5],
  'max-depth': ['warn', 3],
  'no-shadow': 'warn',
  'consistent-return': 'warn',
};
let checksum = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  checksum += ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2015 } })
    .outputText.length;
  const ast = tsParser.parse(text, { loc: true, range: true });
  checksum += JSON.stringify(ast, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).length;
  checksum += linter.verify(text, { languageOptions: { sourceType: 'commonjs' }, rules }).length;
  checksum += transform(text, { transforms: ['imports'] }).code.length;
  try {
    checksum += (
      await prettier.format(text, { parser: 'babel', plugins: [babelPlugin, estreePlugin] })
    ).length;
  } catch {
    // A file prettier cannot parse costs what it cost; the profile is what matters.
  }
}
console.log(`${files.length} files, checksum ${checksum}`);
