// Runs the extension-host test suite (test/e2e/host: mocha inside VS Code) through the payload
// route (docs/ARCHITECTURE.md, "Tests and checks"): code-server with the smoke-test driver, the
// repo as the extension under development, and the page reporting the suite's exit code through
// codeAutomationExit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outputDir, prepareE2e, repoRoot, VsCodeSession } from './harness';

const prepared = prepareE2e();
const root = repoRoot();

/** Bundles test/e2e/host/*.ts to out/test/e2e/host/ (vscode and mocha stay external). */
function buildHostSuite(): string {
  const outDir = join(root, 'out', 'test', 'e2e', 'host');
  // index.ts runs every *.suite.js beside it: a stale bundle of a removed suite would run too.
  rmSync(outDir, { recursive: true, force: true });
  const suites = readdirSync(join(root, 'test', 'e2e', 'host'))
    .filter((n) => n.endsWith('.suite.ts'))
    .map((n) => `test/e2e/host/${n}`);
  // esbuild's bin is its native executable once installed.
  const r = spawnSync(
    join(root, 'node_modules', '.bin', 'esbuild'),
    [
      'test/e2e/host/index.ts',
      ...suites,
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--target=node20',
      '--sourcemap=inline',
      '--external:vscode',
      '--external:mocha',
      `--outdir=${outDir}`,
      '--log-level=warning',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  assert.equal(r.status, 0, 'bundling the extension-host suite failed (see above)');
  return join(outDir, 'index.js');
}

describe('the extension-host test suite (mocha inside VS Code)', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;
  const results = join(outputDir(), 'extension-host-results.json');

  before(async () => {
    if (!existsSync(join(root, 'dist', 'extension.js'))) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs', '--no-tests'], {
        cwd: root,
        stdio: 'inherit',
      });
      assert.equal(b.status, 0, 'building the extension failed (see above)');
    }
    const testsPath = buildHostSuite();
    rmSync(results, { force: true });
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'extension-host',
      folder: join(root, 'examples'),
      extensionTests: {
        developmentPath: root,
        testsPath,
        environment: {
          HEATLENS_HOST_RESULTS: results,
          HEATLENS_HOST_GREP: process.env.HEATLENS_HOST_GREP ?? '',
        },
      },
    });
  });

  after(async () => {
    await vs?.stop();
  });

  it('passes', async () => {
    const s = vs!;
    await s.guard('extension-host', async () => {
      // A hang guard, not a speed limit: the suite's own mocha timeout is 3 minutes per test.
      const exit = await Promise.race([
        s.exitCode!,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error('the extension-host suite never reported an exit code')),
            15 * 60_000,
          ).unref(),
        ),
      ]);
      await s.screenshot('done');
      const report = existsSync(results)
        ? (JSON.parse(readFileSync(results, 'utf8')) as {
            passed: string[];
            failed: { title: string; error: string }[];
          })
        : undefined;
      if (report) {
        process.stderr.write(
          `[e2e] extension host: ${report.passed.length} passed, ${report.failed.length} failed\n`,
        );
        for (const f of report.failed)
          process.stderr.write(`[e2e] FAILED ${f.title}\n${f.error}\n`);
      }
      assert.ok(report, `the suite wrote ${results}`);
      assert.deepEqual(
        report.failed.map((f) => f.title),
        [],
      );
      assert.equal(exit, 0, 'codeAutomationExit reported failure');
      assert.ok(report.passed.length >= 2, `the suite ran its tests (${report.passed.join('; ')})`);
    });
  });
});
