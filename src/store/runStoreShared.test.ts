// Two VS Code windows on one workspace share its run history folder: two processes, each with its
// own RunStore, adding runs and listing them at the same time. Nothing may be lost: not a run
// the other window is still writing, not what the index says of a run, not a file a newer
// Heatlens wrote. This file is also the child that does one window's part (HL_RUNSTORE_CHILD).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { importProfileFile } from '../formats/detect';
import { RUN_FILE_SUFFIX, SOURCES_FILE_SUFFIX } from './runFiles';
import { RunStore } from './runStore';
import { repoRoot } from '../../test/support/repoRoot';

const RUNS_PER_PROCESS = 20;
const childDir = process.env.HL_RUNSTORE_CHILD;

function primes() {
  return importProfileFile(
    'primes.cpuprofile',
    readFileSync(join(repoRoot(), 'examples/profiles/primes.cpuprofile')),
  );
}

/** One window's part: add runs one after another, listing the history after each. */
async function childMain(dir: string, tag: string): Promise<void> {
  const logs: string[] = [];
  const store = new RunStore(dir, (m) => logs.push(m));
  const profile = primes();
  for (let i = 0; i < RUNS_PER_PROCESS; i++) {
    const file = `/w/${tag}${i % 3}.js`;
    await store.add(
      profile,
      {
        file,
        command: ['node', file],
        startedAt: Date.now(),
        durationMs: 100 + i,
        profiler: 'v8',
        outcome: 'exited',
      },
      100,
      { [file]: `// source of ${tag} ${i}\n` },
    );
    await store.list();
  }
  if (logs.length) process.stderr.write(logs.join('\n') + '\n');
}

if (childDir) {
  void childMain(childDir, process.env.HL_RUNSTORE_TAG ?? 'x').then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(String(err) + '\n');
      process.exit(1);
    },
  );
} else {
  {
    const scratch = mkdtempSync(join(tmpdir(), 'hl-runstore-shared-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    function child(dir: string, tag: string): Promise<{ code: number | null; stderr: string }> {
      const p = spawn(process.execPath, ['--enable-source-maps', __filename], {
        env: { ...process.env, HL_RUNSTORE_CHILD: dir, HL_RUNSTORE_TAG: tag },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      return new Promise((res) => p.on('close', (code) => res({ code, stderr })));
    }

    describe('RunStore: two processes on one folder', () => {
      it('two windows adding 40 runs at once lose none, and none is "unknown"', async () => {
        const dir = join(scratch, 'shared');
        const [a, b] = await Promise.all([child(dir, 'a'), child(dir, 'b')]);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
        assert.doesNotMatch(a.stderr + b.stderr, /Dropped|damaged/);
        const logs: string[] = [];
        const store = new RunStore(dir, (m) => logs.push(m));
        const runs = await store.list();
        assert.equal(runs.length, 2 * RUNS_PER_PROCESS);
        assert.deepEqual(
          runs.filter((r) => r.outcome !== 'exited').map((r) => r.id),
          [],
          'what the index said of each run is kept',
        );
        for (const r of runs) {
          await store.load(r.id);
          assert.ok(await store.loadSources(r.id), `sources of ${r.id}`);
        }
        const names = readdirSync(dir);
        assert.equal(names.filter((n) => n.endsWith(RUN_FILE_SUFFIX)).length, 40);
        assert.equal(names.filter((n) => n.endsWith(SOURCES_FILE_SUFFIX)).length, 40);
        assert.deepEqual(
          names.filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')),
          [],
        );
        assert.deepEqual(logs, []);
      });

      it("leaves alone another window's run that is not in the index yet", async () => {
        const dir = join(scratch, 'pending');
        const store = new RunStore(dir, () => undefined);
        await store.add(
          primes(),
          {
            file: '/w/a.js',
            command: [],
            startedAt: 1,
            durationMs: 1,
            profiler: 'v8',
            outcome: 'exited',
          },
          10,
        );
        // Half a run file and a sources file without its run: another process is writing them.
        writeFileSync(
          join(dir, `zz-0000${RUN_FILE_SUFFIX}`),
          gzipSync('{"format":"heatlens-run","vers').subarray(0, 12),
        );
        writeFileSync(join(dir, `zz-0001${SOURCES_FILE_SUFFIX}`), gzipSync('{}'));
        const other = new RunStore(dir, () => undefined);
        assert.equal((await other.list()).length, 1);
        assert.ok(existsSync(join(dir, `zz-0000${RUN_FILE_SUFFIX}`)), 'not deleted');
        assert.ok(existsSync(join(dir, `zz-0001${SOURCES_FILE_SUFFIX}`)), 'not deleted');
        // An hour later they are what a crash left: unreadable leftovers, removed.
        const old = new Date(Date.now() - 3600_000);
        utimesSync(join(dir, `zz-0000${RUN_FILE_SUFFIX}`), old, old);
        utimesSync(join(dir, `zz-0001${SOURCES_FILE_SUFFIX}`), old, old);
        const logs: string[] = [];
        assert.equal((await new RunStore(dir, (m) => logs.push(m)).list()).length, 1);
        assert.ok(!existsSync(join(dir, `zz-0000${RUN_FILE_SUFFIX}`)));
        assert.ok(!existsSync(join(dir, `zz-0001${SOURCES_FILE_SUFFIX}`)));
        assert.match(logs.join('\n'), /zz-0000/);
      });

      it('leaves runs and an index written by a newer Heatlens alone', async () => {
        const dir = join(scratch, 'newer');
        const store = new RunStore(dir, () => undefined);
        await store.add(
          primes(),
          {
            file: '/w/a.js',
            command: [],
            startedAt: 1,
            durationMs: 1,
            profiler: 'v8',
            outcome: 'exited',
          },
          10,
        );
        const newer = join(dir, `zz-newer${RUN_FILE_SUFFIX}`);
        writeFileSync(newer, gzipSync('{"format":"heatlens-run","version":99,"meta":{}}'));
        const old = new Date(Date.now() - 3600_000);
        utimesSync(newer, old, old);
        const logs: string[] = [];
        assert.equal((await new RunStore(dir, (m) => logs.push(m)).list()).length, 1);
        assert.ok(existsSync(newer), 'a newer run file is kept');
        assert.match(logs.join('\n'), /newer Heatlens/);

        const index = join(dir, 'index.json');
        const future = JSON.stringify({ version: 99, runs: [], more: 'fields we do not know' });
        writeFileSync(index, future);
        const reader = new RunStore(dir, () => undefined);
        assert.equal((await reader.list()).length, 1, 'the run files still list');
        await reader.add(
          primes(),
          {
            file: '/w/b.js',
            command: [],
            startedAt: 2,
            durationMs: 1,
            profiler: 'v8',
            outcome: 'exited',
          },
          10,
        );
        assert.equal(readFileSync(index, 'utf8'), future, 'a newer index is not overwritten');
        assert.equal((await new RunStore(dir, () => undefined).list()).length, 2);
      });
    });
  }
}
