import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../core/profile';
import {
  MAX_LISTED,
  base64ToBytes,
  bytesToBase64,
  decodeCompare,
  decodeProfile,
  encodeCompare,
  encodeProfile,
  portableBase64,
} from './wire';
import { describeNoise, describeNormalisation, diffProfiles } from '../core/diff';
import { isWebviewToHost } from './protocol';

function sample(): Profile {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/app/a.js', line1: 3, col1: 7, kind: 'user' });
  const lib = b.frame({
    name: 'x',
    file: '/app/node_modules/l/i.js',
    line1: 1,
    col1: 1,
    kind: 'library',
  });
  const gc = b.frame({
    name: '(garbage collector)',
    file: null,
    line1: null,
    col1: null,
    kind: 'pseudo',
  });
  const hostile = b.frame({
    name: '</script><img src=x onerror=alert(1)>',
    file: '/app/a.js',
    line1: 9,
    col1: 1,
    kind: 'user',
  });
  const n1 = b.addStack([main, lib], 5.5);
  const n2 = b.addStack([main, hostile], 2);
  const n3 = b.addStack([gc], 1);
  b.addSample(n1, 5.5, 0);
  b.addSample(n2, 2, 5.5);
  b.addSample(n3, 1, 7.5);
  b.setCallGraph({
    functions: [{ frame: main, calls: 1, primitiveCalls: 1, self: 0, total: 7.5 }],
    edges: [{ caller: main, callee: lib, calls: 2, self: 5.5, total: 5.5 }],
  });
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds', intervalUs: 100 });
}

test('wire: a profile survives the trip through JSON', () => {
  const p = sample();
  const wire = JSON.parse(JSON.stringify(encodeProfile(p)));
  const q = decodeProfile(wire);
  assert.deepEqual(q.frames, p.frames);
  assert.deepEqual(q.meta, p.meta);
  for (const k of [
    'parent',
    'frame',
    'self',
    'total',
    'depth',
    'childStart',
    'childCount',
    'children',
  ] as const) {
    assert.deepEqual(Array.from(q.tree[k]), Array.from(p.tree[k]), k);
  }
  assert.equal(q.tree.size, p.tree.size);
  assert.deepEqual(Array.from(q.samples!.node), Array.from(p.samples!.node));
  assert.deepEqual(Array.from(q.samples!.start), Array.from(p.samples!.start));
  assert.deepEqual(q.callGraph, p.callGraph);
  assert.equal(q.treeIsApproximate, false);
  assert.equal(q.lines.count, 0);
});

test('wire: the binary form (ArrayBuffers) decodes to the same profile, without aliasing', () => {
  const p = sample();
  const wire = encodeProfile(p, { binary: true });
  assert.ok(wire.tree.parent instanceof ArrayBuffer);
  // What a channel does to binary data: a structured clone.
  const q = decodeProfile(structuredClone(wire));
  assert.deepEqual(Array.from(q.tree.total), Array.from(p.tree.total));
  assert.deepEqual(Array.from(q.samples!.weight), Array.from(p.samples!.weight));
  assert.notEqual(
    wire.tree.self,
    p.tree.self.buffer,
    'a copy: posting it cannot detach the host profile',
  );
  // Typed arrays recreated by a channel, even at an odd offset, are accepted too.
  const bytes = new Uint8Array(p.tree.parent.byteLength + 1);
  bytes.set(
    new Uint8Array(p.tree.parent.buffer, p.tree.parent.byteOffset, p.tree.parent.byteLength),
    1,
  );
  const shifted = {
    ...wire,
    tree: { ...wire.tree, parent: bytes.subarray(1) as unknown as ArrayBuffer },
  };
  assert.deepEqual(Array.from(decodeProfile(shifted).tree.parent), Array.from(p.tree.parent));
});

test('wire: base64 without Buffer agrees with Node', () => {
  for (let len = 0; len < 20; len++) {
    const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 97 + len * 13) & 255);
    const node = Buffer.from(bytes).toString('base64');
    assert.equal(portableBase64(bytes), node, `encode ${len}`);
    assert.equal(bytesToBase64(bytes), node);
    assert.deepEqual(Array.from(base64ToBytes(node)), Array.from(bytes), `decode ${len}`);
  }
  const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) & 255);
  assert.equal(portableBase64(big), Buffer.from(big).toString('base64'));
});

test('wire: a malformed message is refused with a sentence', () => {
  const wire = encodeProfile(sample());
  assert.throws(
    () => decodeProfile({ ...wire, tree: { ...wire.tree, size: 99 } }),
    /tree\.parent holds/,
  );
  assert.throws(() => decodeProfile({ ...wire, version: 2 } as never), /unknown version/);
});

test('protocol: the host accepts only well-formed webview messages', () => {
  assert.equal(isWebviewToHost({ type: 'ready' }), true);
  assert.equal(isWebviewToHost({ type: 'openSource', file: '/a.js', line1: 3 }), true);
  assert.equal(isWebviewToHost({ type: 'openSource', file: '/a.js', line1: 0 }), false);
  assert.equal(isWebviewToHost({ type: 'openSource', file: 3, line1: 1 }), false);
  assert.equal(isWebviewToHost({ type: 'error', message: 'x' }), true);
  assert.equal(isWebviewToHost({ type: 'eval' }), false);
  assert.equal(isWebviewToHost(null), false);
});

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
