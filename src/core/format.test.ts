import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatShare, formatWeight } from './format';

test('weights get a unit that fits, with three significant figures', () => {
  assert.equal(formatWeight(12345, 'microseconds'), '12.3 ms');
  assert.equal(formatWeight(123, 'microseconds'), '123 µs');
  assert.equal(formatWeight(999.6, 'microseconds'), '1.00 ms');
  assert.equal(formatWeight(1_500_000, 'microseconds'), '1.50 s');
  assert.equal(formatWeight(0, 'microseconds'), '0 ms');
  assert.equal(formatWeight(12, 'nanoseconds'), '12.0 ns');
  assert.equal(formatWeight(1500, 'milliseconds'), '1.50 s');
  assert.equal(formatWeight(0.5, 'seconds'), '500 ms');
  assert.equal(formatWeight(125, 'seconds'), '125 s');
  assert.equal(formatWeight(1, 'samples'), '1 sample');
  assert.equal(formatWeight(3, 'samples'), '3 samples');
  assert.equal(formatWeight(2048, 'bytes'), '2.00 KiB');
  assert.equal(formatWeight(5 * 1024 ** 3, 'bytes'), '5.00 GiB');
  assert.equal(formatWeight(100, 'bytes'), '100 B');
  assert.equal(formatWeight(42, 'none'), '42');
  assert.equal(formatWeight(Number.NaN, 'microseconds'), 'NaN');
});

test('shares: one decimal, with the edges spelled out', () => {
  assert.equal(formatShare(81, 1000), '8.1%');
  assert.equal(formatShare(1, 3), '33.3%');
  assert.equal(formatShare(10, 10), '100%');
  assert.equal(formatShare(1, 100_000), '<0.1%');
  assert.equal(formatShare(0, 10), '0%');
  assert.equal(formatShare(5, 0), '0%');
});
