import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MarshalDict, MarshalError, MarshalReader, MarshalSet, readMarshal } from './marshal';
import type { MarshalValue } from './marshal';
import { repoRoot } from '../../test/support/repoRoot';

const python = join(repoRoot(), 'test/fixtures/python');
const bytes = (name: string) => new Uint8Array(readFileSync(join(python, name)));

/** The tagged JSON shape marshal_sample.py writes, from a value our reader returned. */
function tagged(v: MarshalValue): unknown {
  if (v instanceof MarshalDict) return { dict: v.entries.map(([k, x]) => [tagged(k), tagged(x)]) };
  if (v instanceof MarshalSet) return { [v.frozen ? 'frozenset' : 'set']: v.items.map(tagged) };
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(tagged);
  if (v === Infinity) return { float: 'inf' };
  if (v === -Infinity) return { float: '-inf' };
  return v;
}

const expected = JSON.parse(readFileSync(join(python, 'marshal-sample.json'), 'utf8'));

for (const version of [0, 1, 2, 3, 4]) {
  test(`reads what Python's marshal version ${version} wrote, value for value`, () => {
    const value = readMarshal(bytes(`marshal-sample.v${version}.bin`));
    assert.deepEqual(tagged(value), expected);
  });
}

test('longs beyond 32 bits keep their value and sign; negative zero stays negative', () => {
  const value = readMarshal(bytes('marshal-sample.v4.bin')) as MarshalDict;
  const get = (key: string) => value.entries.find(([k]) => k === key)?.[1];
  assert.equal(get('big'), 2 ** 40 + 12345);
  assert.equal(get('bigneg'), -(2 ** 50 + 3));
  assert.equal(get('max53'), 2 ** 53);
  assert.equal(get('int32_min'), -(2 ** 31));
  assert.ok(Object.is(get('negzero'), -0));
  assert.equal(get('unicode'), 'données ünïcode €');
  assert.equal(get('interned'), 'données_interned');
});

test('a value referenced twice (marshal ref) is the same object both times', () => {
  const value = readMarshal(bytes('marshal-sample.v4.bin')) as MarshalDict;
  const get = (key: string) => value.entries.find(([k]) => k === key)?.[1];
  assert.ok(Array.isArray(get('shared')));
  assert.equal(get('shared'), get('shared_again'));
});

test('every cut of a marshal stream fails with a MarshalError that names an offset', () => {
  const data = bytes('marshal-sample.v4.bin');
  for (let cut = 0; cut < data.length; cut++) {
    assert.throws(
      () => readMarshal(data.subarray(0, cut)),
      (e: unknown) => e instanceof MarshalError && /offset \d+/.test(e.message) && e.offset <= cut,
      `cut at ${cut}`,
    );
  }
});

test('a reference to an object not read yet, an unknown type and a code object are refused', () => {
  // 'r' with index 5 while nothing has been read.
  assert.throws(
    () => readMarshal(Uint8Array.of(0x72, 5, 0, 0, 0)),
    /Reference 5 at offset 1 points past the 0 objects/,
  );
  assert.throws(() => readMarshal(Uint8Array.of(0x51)), /Unknown or unsupported marshal type 'Q'/);
  assert.throws(() => readMarshal(Uint8Array.of(0xe3, 0, 0)), /code object .*cProfile/);
  // A tuple claiming more elements than bytes remain.
  assert.throws(
    () => readMarshal(Uint8Array.of(0x28, 0xff, 0xff, 0, 0, 0x4e)),
    /sequence elements/,
  );
});

test("Python 2's references to interned strings ('R') resolve", () => {
  // (t'ab', R 0): a 2-tuple of the same interned string.
  assert.deepEqual(
    readMarshal(Uint8Array.of(0x29, 2, 0x74, 2, 0, 0, 0, 0x61, 0x62, 0x52, 0, 0, 0, 0)),
    ['ab', 'ab'],
  );
  assert.throws(
    () => readMarshal(Uint8Array.of(0x52, 1, 0, 0, 0)),
    /Interned string 1 at offset 1/,
  );
});

test('the reader counts floats and those carrying the ref flag', () => {
  // (1.5 flagged, 2.5 not): ')' 2, 'g'|0x80 1.5, 'g' 2.5
  const f = (x: number) => new Uint8Array(new Float64Array([x]).buffer);
  const data = Uint8Array.from([0x29, 2, 0xe7, ...f(1.5), 0x67, ...f(2.5)]);
  const reader = new MarshalReader(data);
  assert.deepEqual(reader.read(), [1.5, 2.5]);
  assert.equal(reader.floats, 2);
  assert.equal(reader.flaggedFloats, 1);
  assert.ok(reader.atEnd);
});
