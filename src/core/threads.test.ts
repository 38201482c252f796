import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionStats } from './functionStats';
import { ProfileBuilder, profileTotal, type Profile } from './profile';
import { withThreads } from './threads';

/** A profile of `stacks` (names, outermost first), one sample of `weight` each, in order. */
function profileOf(stacks: [string[], number][], file: string): Profile {
  const b = new ProfileBuilder();
  let t = 0;
  for (const [names, weight] of stacks) {
    const ids = names.map((name, i) =>
      b.frame({ name, file, line1: i + 1, col1: 1, kind: 'user' }),
    );
    const leaf = b.addStack(ids, weight);
    b.addSample(leaf, weight, t);
    b.addLine(file, names.length, ids[ids.length - 1], weight);
    t += weight;
  }
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds', warnings: ['main'] });
}

test('threads go under a pseudo-frame each; every figure adds up', () => {
  const main = profileOf(
    [
      [['main', 'a'], 30],
      [['main'], 10],
    ],
    '/w/main.js',
  );
  const worker = profileOf([[['work', 'b'], 50]], '/w/worker.js');
  const merged = withThreads(main, [
    { label: 'worker: [worker 1]', profile: worker, startOffset: 5 },
  ]);
  assert.equal(profileTotal(merged), 90);
  const stats = new Map(functionStats(merged).map((s) => [s.frame.name, s]));
  assert.equal(stats.get('b')!.self, 50);
  assert.equal(stats.get('a')!.self, 30);
  const thread = stats.get('worker: [worker 1]')!;
  assert.equal(thread.frame.kind, 'pseudo');
  assert.equal(thread.total, 50);
  // The worker's samples follow the main thread's, at their own times.
  const s = merged.samples!;
  assert.deepEqual(Array.from(s.weight), [30, 10, 50]);
  assert.deepEqual(Array.from(s.start), [0, 30, 5]);
  // Lines keep their files and weights.
  const lineSelf = (file: string) =>
    Array.from({ length: merged.lines.count }, (_, i) => i)
      .filter((i) => merged.lines.files[merged.lines.file[i]] === file)
      .reduce((sum, i) => sum + merged.lines.self[i], 0);
  assert.equal(lineSelf('/w/worker.js'), 50);
  assert.equal(lineSelf('/w/main.js'), 40);
  assert.deepEqual(merged.meta.warnings, ['main']);
  assert.equal(withThreads(main, []), main);
});
