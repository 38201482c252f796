import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../core/profile';
import { describeNoise, describeNormalisation, diffProfiles } from '../core/diff';
import { decodeProfile, encodeProfile } from './wire';
import { MAX_LISTED, decodeCompare, encodeCompare } from './wireCompare';

function run(stacks: [string[], number][], extra?: { name: string; kind: 'pseudo' }): Profile {
  const b = new ProfileBuilder();
  if (extra) b.addStack([b.frame({ ...extra, file: null, line1: null, col1: null })], 3);
  for (const [names, w] of stacks) {
    b.addStack(
      names.map((name, i) =>
        b.frame({ name, file: '/app/a.js', line1: 10 * (i + 1), col1: 1, kind: 'user' }),
      ),
      w,
    );
  }
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
}

test('wire: a comparison survives JSON and the binary channel, checked against its profile', () => {
  const before = run(
    [
      [['main', 'parse'], 30],
      [['main', 'old'], 10],
    ],
    { name: '(idle)', kind: 'pseudo' },
  );
  const after = run([
    [['main', 'parse'], 20],
    [['main', 'fresh'], 40],
  ]);
  const diff = diffProfiles(before, after);
  const labels = { beforeLabel: 'run at 10:40', afterLabel: 'run at 10:42 <b>' };
  for (const binary of [false, true]) {
    const wire = encodeCompare(diff, before, labels, { binary });
    const carried = binary ? structuredClone(wire) : JSON.parse(JSON.stringify(wire));
    const profile = decodeProfile(
      binary ? structuredClone(encodeProfile(after, { binary })) : encodeProfile(after),
    );
    const c = decodeCompare(carried, profile);
    assert.deepEqual(Array.from(c.beforeTotalPerNode), Array.from(diff.beforeTotalPerNode));
    assert.deepEqual(Array.from(c.beforeSelfPerNode), Array.from(diff.beforeSelfPerNode));
    assert.equal(c.description, describeNormalisation(diff));
    assert.equal(c.beforeLabel, 'run at 10:40');
    assert.equal(c.afterLabel, 'run at 10:42 <b>');
    assert.equal(c.normalisation, 'total');
    assert.equal(c.scale, diff.scale);
    assert.equal(c.unit, 'microseconds');
    const parse = after.frames.findIndex((f) => f.name === 'parse');
    assert.deepEqual(c.beforeByFrame.get(parse), { self: 30 * diff.scale, total: 30 * diff.scale });
    assert.equal(c.beforeByFrame.get(after.frames.findIndex((f) => f.name === 'fresh')), undefined);
    assert.deepEqual(c.appeared, [
      {
        name: 'fresh',
        file: '/app/a.js',
        line1: 20,
        kind: 'user',
        self: 40,
        total: 40,
        frameId: after.frames.findIndex((f) => f.name === 'fresh'),
        // 40 µs against a 1 ms nominal grain (no samples): not a change beyond noise.
        significant: false,
      },
    ]);
    // What the webview's significance tests need crosses exactly.
    assert.deepEqual(c.noise, diff.noise);
    assert.deepEqual(c.critical, diff.critical);
    assert.equal(c.noiseDescription, describeNoise(diff, 'nodes'));
    assert.deepEqual([...c.inlinedBefore], []);
    assert.deepEqual(
      c.vanished.map((f) => [f.name, f.kind, f.total, f.frameId, f.file]),
      [
        ['old', 'user', 10 * diff.scale, -1, '/app/a.js'],
        ['(idle)', 'pseudo', 3 * diff.scale, -1, null],
      ],
    );
    assert.equal(c.appearedCount, 1);
    assert.equal(c.vanishedCount, 2);
  }
  const wire = encodeCompare(diff, before, labels);
  assert.throws(() => decodeCompare(wire, before), /comparison has \d+ nodes, the profile/);
  assert.throws(
    () => decodeCompare({ ...wire, version: 2 } as never, after),
    /unknown comparison version/,
  );
  assert.throws(
    () => decodeCompare({ ...wire, noise: { ...wire.noise, afterGrain: 'x' } } as never, after),
    /noise parameters are missing or not numbers/,
  );
  assert.throws(
    () => decodeCompare({ ...wire, critical: undefined } as never, after),
    /significance thresholds are missing/,
  );
});

test('wire: the lists of appeared and vanished functions are capped, the counts are not', () => {
  const many: [string[], number][] = [];
  for (let i = 0; i < MAX_LISTED + 5; i++) many.push([['main', `f${i}`], 1 + (i % 7)]);
  const before = run([[['main'], 1]]);
  const after = run(many);
  const wire = encodeCompare(diffProfiles(before, after), before, {
    beforeLabel: 'a',
    afterLabel: 'b',
  });
  assert.equal(wire.appeared.length, MAX_LISTED);
  assert.equal(wire.appearedCount, MAX_LISTED + 5);
  assert.ok(wire.appeared.every((f, i) => i === 0 || wire.appeared[i - 1].total >= f.total));
});
