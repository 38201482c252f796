import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Profile } from '../core/profile';
import { decodeProfile, encodeProfile } from './wire';
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
