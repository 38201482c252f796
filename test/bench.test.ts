// Every benchmark still runs: `node bench/run.mjs --smoke` (bench/smoke.mjs) runs each one once
// on a tiny input and fails when any of them throws. Its figures are not looked at (timing belongs
// in `npm run bench`, not in tests); only that each benchmark produced its rows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './support/repoRoot';
import { findBrowser } from './webview/browser';

const root = repoRoot();
// The flame graph benchmark draws in headless Chromium, like the webview tests.
const found = findBrowser();
const skip = 'skip' in found ? found.skip : false;
if (skip && process.env.CI) throw new Error(`CI must run every benchmark, but ${skip}`);

/** The benchmarks bench/run.mjs runs besides its own: bench/*.mjs exporting `run`. */
function peerBenchmarks(): string[] {
  return readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
    .filter((f) =>
      /^export (async )?function run\(/m.test(readFileSync(join(root, 'bench', f), 'utf8')),
    )
    .map((f) => f.slice(0, -'.mjs'.length));
}

interface SmokeResults {
  smoke: boolean;
  failed: string[];
  a?: { nodes: number };
  b?: { uniqueFrames: number };
  others: Record<string, unknown[] | { error: string }>;
}

describe('npm run bench', () => {
  it('every benchmark runs once on a tiny input (bench/run.mjs --smoke)', { skip }, () => {
    const results = join(root, '.bench', 'smoke.json');
    rmSync(results, { force: true });
    const r = spawnSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--smoke'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      // The test runner's own variables must not reach the benchmarks' child processes.
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, NODE_OPTIONS: undefined },
    });
    assert.equal(
      r.status,
      0,
      `bench/run.mjs --smoke failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr.slice(-6000)}`,
    );
    const out = JSON.parse(readFileSync(results, 'utf8')) as SmokeResults;
    assert.equal(out.smoke, true);
    assert.deepEqual(out.failed, []);
    assert.ok((out.a?.nodes ?? 0) > 0, 'the large-profile benchmark (a) built a model');
    assert.ok((out.b?.uniqueFrames ?? 0) > 0, 'the source-map benchmark (b) resolved frames');
    const peers = peerBenchmarks();
    assert.ok(peers.includes('flame'), `the flame benchmark is among ${peers.join(', ')}`);
    for (const name of peers) {
      const rows = out.others[name];
      assert.ok(
        Array.isArray(rows) && rows.length > 0,
        `${name} produced rows (${JSON.stringify(rows)})`,
      );
    }
  });
});
