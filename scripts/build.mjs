// Builds every bundle with esbuild: the extension (Node, CommonJS, `vscode` external), the CLI,
// the webview client (browser), the runtime helpers the runners inject into profiled programs,
// and the test files (one bundle per test file, run by node's test runner from out/).
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const production = process.argv.includes('--production');
const only = process.argv.includes('--no-tests') ? 'notests' : 'all';

function walk(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [];

// The extension host runs a newer Node than the CLI's Node 20: target the older one.
if (existsSync(join(root, 'src/extension/extension.ts'))) {
  builds.push(
    esbuild.build({
      ...common,
      entryPoints: ['src/extension/extension.ts'],
      outfile: 'dist/extension.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      // When the extension host began running this bundle, for the activation timings
      // (src/timings/timings.ts): the first statement, before any module's code.
      // ("use strict" first: the bundle's own directive only counts as the file's first statement.)
      banner: {
        js: '"use strict";\nvar __heatlensBundleStart = performance.timeOrigin + performance.now();',
      },
    }),
  );
}
// The worker thread that imports large profile files off the extension host's main thread.
if (existsSync(join(root, 'src/worker/importWorker.ts'))) {
  builds.push(
    esbuild.build({
      ...common,
      entryPoints: ['src/worker/importWorker.ts'],
      outfile: 'dist/importWorker.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // No `external: ['vscode']`: a worker has no extension API, so importing it must fail here.
    }),
  );
}
if (existsSync(join(root, 'src/cli/entry.ts'))) {
  builds.push(
    esbuild.build({
      ...common,
      entryPoints: ['src/cli/entry.ts'],
      outfile: 'dist/cli.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    }),
  );
}
// Scripts injected into the profiled program (`node -r`): plain CommonJS, no dependencies left.
const injected = walk(join(root, 'src/runners/inject'), (p) => p.endsWith('.ts'));
if (injected.length) {
  builds.push(
    esbuild.build({
      ...common,
      sourcemap: false,
      entryPoints: injected.map((p) => relative(root, p)),
      outdir: 'dist/inject',
      platform: 'node',
      format: 'cjs',
      target: 'node18',
    }),
  );
}
if (existsSync(join(root, 'webview/main.ts'))) {
  builds.push(
    esbuild.build({
      ...common,
      entryPoints: ['webview/main.ts'],
      outfile: 'dist/webview.js',
      platform: 'browser',
      format: 'iife',
      target: 'chrome114',
    }),
  );
}
// The HTML report's viewer: the same client behind a stand-in host, inlined into every report
// (src/shared/reportHtml.ts). Always minified and without a source map: a report carries it, and
// must name no other file.
if (existsSync(join(root, 'webview/report.ts'))) {
  builds.push(
    esbuild.build({
      ...common,
      sourcemap: false,
      minify: true,
      legalComments: 'none',
      entryPoints: ['webview/report.ts'],
      outfile: 'dist/report.js',
      // No Graphviz in a report (webview/stubs/vizInReport.ts says why).
      alias: { '@viz-js/viz': './webview/stubs/vizInReport.ts' },
      platform: 'browser',
      format: 'iife',
      target: 'chrome114',
    }),
  );
}

if (only === 'all') {
  const tests = [
    ...walk(join(root, 'src'), (p) => p.endsWith('.test.ts')),
    ...walk(join(root, 'webview'), (p) => p.endsWith('.test.ts')),
    ...walk(join(root, 'test'), (p) => p.endsWith('.test.ts') && !p.includes('/fixtures/')),
  ];
  // Remove built tests whose source is gone (never the whole folder: builds may run side by side).
  for (const built of walk(join(root, 'out'), (p) => p.endsWith('.test.js'))) {
    const source = join(root, relative(join(root, 'out'), built)).replace(/\.js$/, '.ts');
    if (!existsSync(source)) rmSync(built, { force: true });
  }
  mkdirSync(join(root, 'out'), { recursive: true });
  if (tests.length) {
    builds.push(
      esbuild.build({
        ...common,
        sourcemap: 'inline',
        minify: false,
        entryPoints: tests.map((p) => relative(root, p)),
        outdir: 'out',
        outbase: '.',
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // typescript: the import-cycle test reads imports with the compiler (too big to bundle).
        external: ['vscode', 'playwright-core', 'typescript'],
      }),
    );
  }
}

// Let every bundle finish even when one fails, so one broken part does not hide the others.
const results = await Promise.allSettled(builds);
if (results.some((r) => r.status === 'rejected')) process.exit(1);
