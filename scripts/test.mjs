// Runs the built test files (see build.mjs) with node's test runner.
// `node scripts/test.mjs unit` runs only the unit tests beside the code in src/ and webview/.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const which = process.argv[2] ?? 'all';

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'out'));
if (which === 'unit') files = files.filter((f) => !f.includes('/out/test/'));
if (which === 'integration') files = files.filter((f) => f.includes('/out/test/'));
files.sort();
if (!files.length) {
  console.error('No built tests found under out/: run `node scripts/build.mjs` first.');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
