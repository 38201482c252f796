import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { functionStats } from '../core/functionStats';
import { withThreads } from '../core/threads';
import { exportHeapProfile } from './exportHeapProfile';
import { importHeapProfile, isHeapProfile } from './heapProfile';

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

/** Every function's figures, by name, file, line, column and kind. */
function figures(text: string): Map<string, { self: number; total: number }> {
  const out = new Map<string, { self: number; total: number }>();
  for (const s of functionStats(importHeapProfile(text))) {
    const f = s.frame;
    out.set(`${f.name} ${f.file}:${f.line1}:${f.col1} ${f.kind}`, { self: s.self, total: s.total });
  }
  return out;
}

for (const name of ['live.heapprofile', 'all.heapprofile']) {
  test(`${name} written back reads the same: every function's self and total, frame and kind`, () => {
    const text = read(`heapprofile/${name}`);
    const written = exportHeapProfile(importHeapProfile(text));
    assert.ok(isHeapProfile(undefined, written), 'detected by content');
    assert.deepEqual(figures(written), figures(text));
  });
}

test('pseudo frames without a file (a worker thread, a folded helper) keep their names', () => {
  const main = importHeapProfile(read('heapprofile/all.heapprofile'));
  const worker = importHeapProfile(read('heapprofile/live.heapprofile'));
  const merged = withThreads(main, [
    { label: 'worker: [worker 1] w', profile: worker, startOffset: 0 },
  ]);
  const again = importHeapProfile(exportHeapProfile(merged));
  assert.equal(again.tree.total[0], merged.tree.total[0]);
  const thread = functionStats(again).find((s) => s.frame.name === 'worker: [worker 1] w');
  assert.equal(thread?.total, worker.tree.total[0]);
  assert.equal(thread?.frame.file, null);
});
