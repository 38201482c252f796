import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64, portableBase64 } from './base64';

test('base64: base64 without Buffer agrees with Node', () => {
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
