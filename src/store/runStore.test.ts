import assert from 'node:assert/strict';
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
import type { Profile } from '../core/profile';
import { importProfileFile } from '../formats/detect';
import { RUN_FILE_SUFFIX } from './runFiles';
import type { NewRun } from './runIndex';
import { GRACE_MS, RunStore } from './runStore';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();
const primes = importProfileFile(
  'primes.cpuprofile',
  readFileSync(join(root, 'examples/profiles/primes.cpuprofile')),
);
const service = importProfileFile(
  'service.prof',
  readFileSync(join(root, 'examples/profiles/service.prof')),
);
const scratch = mkdtempSync(join(tmpdir(), 'hl-runstore-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
function fresh(): { dir: string; logs: string[]; store: RunStore } {
  const dir = join(scratch, `runs${folders++}`);
  const logs: string[] = [];
  return { dir, logs, store: new RunStore(dir, (m) => logs.push(m)) };
}

function run(file: string, startedAt: number, extra: Partial<NewRun> = {}): NewRun {
  return {
    file,
    command: ['node', file],
    startedAt,
    durationMs: 1234,
    profiler: 'v8',
    outcome: 'exited',
    ...extra,
  };
}

function runFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(RUN_FILE_SUFFIX))
    .sort();
}

/** The profile as stored: its meta also names the run (see RunStore.add). */
function withRunMeta(p: Profile, file: string, startedAt: number): Profile {
  return {
    ...p,
    meta: {
      ...p.meta,
      command: p.meta.command ?? ['node', file],
      startEpochMs: p.meta.startEpochMs ?? startedAt,
      sourceFile: file,
    },
  };
}

describe('RunStore: the run history on disk', () => {
  it('stores runs, lists them newest first, and reads each back as it was', async () => {
    const { store, dir } = fresh();
    const a = await store.add(primes, run('/w/primes.js', 1000), 10);
    const b = await store.add(service, run('/w/service.py', 2000, { mode: 'cprofile' }), 10);
    assert.ok(a.record && b.record);
    const list = await store.list();
    assert.deepEqual(
      list.map((r) => r.file),
      ['/w/service.py', '/w/primes.js'],
    );
    assert.equal(list[0].mode, 'cprofile');
    assert.equal(list[1].total, a.record.total);
    assert.ok(a.record.total > 0);
    assert.equal(a.record.unit, primes.meta.unit);
    assert.deepStrictEqual(
      await store.load(a.record.id),
      withRunMeta(primes, '/w/primes.js', 1000),
    );
    assert.deepStrictEqual(
      await store.load(b.record.id),
      withRunMeta(service, '/w/service.py', 2000),
    );
    assert.equal(runFiles(dir).length, 2);
    // Gzipped: a fraction of the JSON.
    const gz = readFileSync(join(dir, runFiles(dir)[0]));
    assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b]);
  });

  it('keeps the newest runsPerFile runs of each file and removes the oldest', async () => {
    const { store, dir } = fresh();
    for (let t = 1; t <= 4; t++) await store.add(primes, run('/w/primes.js', t * 1000), 2);
    await store.add(primes, run('/w/other.js', 500), 2);
    const list = await store.list();
    assert.deepEqual(
      list.map((r) => [r.file, r.startedAt]),
      [
        ['/w/primes.js', 4000],
        ['/w/primes.js', 3000],
        ['/w/other.js', 500],
      ],
    );
    assert.equal(runFiles(dir).length, 3, "the removed runs' files are gone");
    const removed = await store.prune(1);
    assert.deepEqual(
      removed.map((r) => r.startedAt),
      [3000],
    );
    assert.equal((await store.list()).length, 2);
  });

  it('keeps nothing when runsPerFile is 0', async () => {
    const { store, dir } = fresh();
    await store.add(primes, run('/w/primes.js', 1), 3);
    const r = await store.add(primes, run('/w/primes.js', 2), 0);
    assert.equal(r.record, undefined);
    assert.equal(r.removed.length, 1);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(runFiles(dir), []);
  });

  it('deletes one run and clears all', async () => {
    const { store, dir } = fresh();
    const a = (await store.add(primes, run('/w/a.js', 1), 10)).record!;
    const b = (await store.add(primes, run('/w/a.js', 2), 10)).record!;
    assert.equal(await store.delete(a.id), true);
    assert.equal(await store.delete(a.id), false);
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      [b.id],
    );
    await assert.rejects(store.load(a.id), /cannot find the stored run/);
    await store.clear();
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(runFiles(dir), []);
    // A new store on the same folder sees the same (empty) history.
    assert.deepEqual(await new RunStore(dir, () => undefined).list(), []);
  });

  it('runs added at the same time all reach the index', async () => {
    const { store, dir } = fresh();
    await Promise.all([1, 2, 3, 4, 5].map((t) => store.add(primes, run(`/w/${t}.js`, t), 10)));
    const again = new RunStore(dir, () => undefined);
    assert.equal((await again.list()).length, 5);
  });
});

describe('RunStore: damage on disk, and nothing there', () => {
  it('rebuilds a damaged index from the run files, and never throws', async () => {
    const { store, dir } = fresh();
    await store.add(primes, run('/w/primes.js', 1000, { durationMs: 5 }), 10);
    await store.add(service, run('/w/service.py', 2000, { profiler: service.meta.profiler }), 10);
    const before = await store.list();
    writeFileSync(join(dir, 'index.json'), '{"version": 1, "runs": [ {"id": "tr');
    const logs: string[] = [];
    const reopened = new RunStore(dir, (m) => logs.push(m));
    const list = await reopened.list();
    assert.deepEqual(
      list.map((r) => [r.id, r.file, r.startedAt, r.command, r.profiler, r.total]),
      before.map((r) => [r.id, r.file, r.startedAt, r.command, r.profiler, r.total]),
    );
    assert.equal(list[0].outcome, 'unknown', 'what only the index knew is marked unknown');
    assert.match(logs.join('\n'), /index .*index\.json is damaged .*rebuilding/);
    // The rebuilt index was written: a third store reads it without complaint.
    const quiet: string[] = [];
    assert.equal((await new RunStore(dir, (m) => quiet.push(m)).list()).length, 2);
    assert.deepEqual(quiet, []);
  });

  it('drops entries without files, hostile ids and damaged run files, and adopts orphans', async () => {
    const { store, dir } = fresh();
    const kept = (await store.add(primes, run('/w/a.js', 1), 10)).record!;
    const gone = (await store.add(primes, run('/w/a.js', 2), 10)).record!;
    const orphan = (await store.add(primes, run('/w/b.js', 3), 10)).record!;
    rmSync(join(dir, gone.id + RUN_FILE_SUFFIX));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      runs: Record<string, unknown>[];
    };
    index.runs = index.runs.filter((r) => r.id !== orphan.id);
    index.runs.push({ ...index.runs[0], id: '../../etc/passwd' });
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    writeFileSync(join(dir, `zzz-garbage${RUN_FILE_SUFFIX}`), 'not gzip at all');
    // Older than the grace period: not a run another window is still bringing in.
    const old = new Date(Date.now() - 2 * GRACE_MS);
    utimesSync(join(dir, `zzz-garbage${RUN_FILE_SUFFIX}`), old, old);
    const logs: string[] = [];
    const list = await new RunStore(dir, (m) => logs.push(m)).list();
    assert.deepEqual(list.map((r) => r.id).sort(), [kept.id, orphan.id].sort());
    assert.equal(list.find((r) => r.id === orphan.id)?.file, '/w/b.js');
    assert.ok(!existsSync(join(dir, `zzz-garbage${RUN_FILE_SUFFIX}`)), 'the damaged file is gone');
    const text = logs.join('\n');
    assert.match(text, new RegExp(`${gone.id} .*has no file any more`));
    assert.match(text, /Dropped the stored run .*zzz-garbage.*damaged/);
  });

  it('an empty or missing folder is an empty history', async () => {
    const { store, logs } = fresh();
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(logs, []);
  });
});
