import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarshalDict, MarshalReader } from './marshal';
import type { MarshalValue } from './marshal';
import { MarshalOutDict, writeMarshal, type MarshalOut } from './marshalWrite';

/** Our reader's view of written bytes, with dicts as plain pairs for deepEqual. */
function readBack(bytes: Uint8Array): unknown {
  const reader = new MarshalReader(bytes);
  const value = reader.read();
  assert.ok(reader.atEnd, 'one value, no trailing bytes');
  const plain = (v: MarshalValue): unknown =>
    v instanceof MarshalDict
      ? { dict: v.entries.map(([k, x]) => [plain(k), plain(x)]) }
      : Array.isArray(v)
        ? v.map(plain)
        : v;
  return plain(value);
}

test('scalars: ints of every size, floats, strings, None and booleans', () => {
  assert.deepEqual(
    readBack(
      writeMarshal([
        0n,
        -1n,
        2147483647n,
        -2147483648n,
        2147483648n,
        -(2n ** 40n) - 5n,
        2n ** 52n + 1n,
        0.1,
        -0,
        1e300,
        'ascii',
        'x'.repeat(300),
        'données ✓',
        '',
        null,
        true,
        false,
      ]),
    ),
    [
      0,
      -1,
      2147483647,
      -2147483648,
      2147483648,
      -(2 ** 40) - 5,
      2 ** 52 + 1,
      0.1,
      -0,
      1e300,
      'ascii',
      'x'.repeat(300),
      'données ✓',
      '',
      null,
      true,
      false,
    ],
  );
});

test('the codes Python itself writes for these values', () => {
  // marshal.dumps((1, 2.5, 'a'), 4) in CPython 3.11 is a9 03 e9 01 00 00 00 e7 <8 bytes> da 01
  // 61: the same codes, less the ref flags CPython sets on objects it holds elsewhere and the
  // interned-string code ('Z' for 'z') it uses for identifiers.
  const bytes = writeMarshal([1n, 2.5, 'a']);
  assert.deepEqual(
    [...bytes],
    [0x29, 3, 0x69, 1, 0, 0, 0, 0x67, 0, 0, 0, 0, 0, 0, 4, 0x40, 0x7a, 1, 0x61],
  );
  // A long: 2^31 is three base-2^15 digits, least significant first (CPython: ec 03 00 ...).
  assert.deepEqual([...writeMarshal(2n ** 31n)], [0x6c, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
});

test('big tuples and nested dicts with tuple keys', () => {
  const long = Array.from({ length: 300 }, (_, i) => BigInt(i));
  const dict = new MarshalOutDict([
    [
      ['f.py', 1n, 'main'],
      [1n, 1n, 0.5, 1.5, new MarshalOutDict()],
    ],
    [['~', 0n, '<built-in>'], long],
  ]);
  assert.deepEqual(readBack(writeMarshal(dict)), {
    dict: [
      [
        ['f.py', 1, 'main'],
        [1, 1, 0.5, 1.5, { dict: [] }],
      ],
      [['~', 0, '<built-in>'], long.map(Number)],
    ],
  });
});

test('shared tuples and repeated strings are written once and referred to', () => {
  const key = ['/a/very/long/path/to/module.py', 10n, 'f'];
  const other = ['/a/very/long/path/to/module.py', 20n, 'g'];
  const dict = new MarshalOutDict([
    [key, [1n, 1n, 0.25, 0.25, new MarshalOutDict([[other, [1n, 1n, 0.25, 0.25]]])]],
    [other, [1n, 1n, 0.5, 0.75, new MarshalOutDict([[key, [1n, 1n, 0.5, 0.75]]])]],
  ]);
  const bytes = writeMarshal(dict);
  const text = new TextDecoder('latin1').decode(bytes);
  assert.equal(text.split('module.py').length - 1, 1, 'the file name is written once');
  const reader = new MarshalReader(bytes);
  const value = reader.read() as MarshalDict;
  // The reader hands back the very same key object where the file refers to it.
  const [firstKey, firstValue] = value.entries[0];
  const callers = (firstValue as MarshalValue[])[4] as MarshalDict;
  const [, secondValue] = value.entries[1];
  const back = ((secondValue as MarshalValue[])[4] as MarshalDict).entries[0][0];
  assert.equal(back, firstKey);
  assert.equal(callers.entries[0][0], value.entries[1][0]);
  // Floats never carry the flag (readers take flagged floats for yappi's files).
  assert.equal(reader.flaggedFloats, 0);
  assert.ok(reader.floats > 0);
});

test('a value that contains itself is written with a reference to itself', () => {
  const loop: MarshalOut[] = [1n];
  loop.push(loop);
  const value = new MarshalReader(writeMarshal(loop)).read() as MarshalValue[];
  assert.equal(value[0], 1);
  assert.equal(value[1], value);
});
