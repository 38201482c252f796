import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { byteLines, byteOrderMark } from './byteLines';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);

/** What byteLines promises: the decoded text split at \n, each line without its \r. */
function expected(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function utf16(text: string, endian: 'le' | 'be'): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = endian === 'le' ? 0xff : 0xfe;
  out[1] = endian === 'le' ? 0xfe : 0xff;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i + (endian === 'le' ? 0 : 1)] = c & 0xff;
    out[2 + 2 * i + (endian === 'le' ? 1 : 0)] = c >> 8;
  }
  return out;
}

const sample =
  'main;caf\u00e9;\u20ac\u00a0cost 12\r\n' +
  'main;\ud83d\ude00 emoji;\u4e2d\u6587 3\r\n' +
  '\r\n' +
  'just a line\n' +
  '\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 a long line of two-byte characters\n' +
  'no newline at the end \ud83d\udd25';

test('real line-format fixtures split exactly as the decoded text does, at any piece size', () => {
  const files = ['test/fixtures/callgrind', 'test/fixtures/collapsed']
    .flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)))
    .filter((p) => /callgrind\.out|\.folded$/.test(p) && statSync(p).size > 0);
  assert.ok(files.length >= 4, files.join(', '));
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    const want = expected(new TextDecoder(byteOrderMark(bytes).encoding).decode(bytes));
    for (const chunkSize of [3, 64, 4096, undefined]) {
      assert.deepEqual([...byteLines(bytes, { chunkSize })], want, `${file} at ${chunkSize}`);
    }
  }
});

test('UTF-8: byte-order mark, CRLF, and piece ends inside multi-byte characters', () => {
  const bytes = new TextEncoder().encode(`\ufeff${sample}`);
  assert.deepEqual(byteOrderMark(bytes), { encoding: 'utf-8', length: 3 });
  const want = expected(sample);
  assert.equal(want[0], 'main;caf\u00e9;\u20ac\u00a0cost 12');
  // Every piece size from 1 byte up puts a piece end inside the 2-, 3- and 4-byte characters.
  for (let chunkSize = 1; chunkSize <= 40; chunkSize++) {
    assert.deepEqual([...byteLines(bytes, { chunkSize })], want, `piece size ${chunkSize}`);
  }
});

test('UTF-16 little and big endian with CRLF and surrogate pairs, at any piece size', () => {
  for (const endian of ['le', 'be'] as const) {
    const bytes = utf16(sample, endian);
    assert.equal(byteOrderMark(bytes).encoding, endian === 'le' ? 'utf-16le' : 'utf-16be');
    // Check the encoder of this test against the platform's decoder.
    assert.equal(new TextDecoder(`utf-16${endian}`).decode(bytes), sample);
    for (let chunkSize = 1; chunkSize <= 40; chunkSize++) {
      assert.deepEqual(
        [...byteLines(bytes, { chunkSize })],
        expected(sample),
        `${endian} at piece size ${chunkSize}`,
      );
    }
  }
});

test('a real collapsed file re-encoded as UTF-16 with CRLF reads the same lines', () => {
  const text = readFileSync(join(root, 'test/fixtures/collapsed/primes.folded'), 'utf8');
  const crlf = text.replace(/\n/g, '\r\n');
  for (const endian of ['le', 'be'] as const) {
    const lines = [...byteLines(utf16(crlf, endian), { chunkSize: 1000 })];
    assert.deepEqual(lines, expected(text));
  }
});

test('invalid UTF-8 becomes U+FFFD as when the whole file is decoded', () => {
  const bytes = new Uint8Array([0x61, 0xff, 0x0a, 0xe2, 0x82, 0x0a, 0x62, 0xc3]);
  const want = expected(new TextDecoder().decode(bytes));
  for (let chunkSize = 1; chunkSize <= 9; chunkSize++) {
    assert.deepEqual([...byteLines(bytes, { chunkSize })], want);
  }
});

test('empty input, a lone newline, and progress that rises to 1', () => {
  assert.deepEqual([...byteLines(new Uint8Array(0))], []);
  assert.deepEqual([...byteLines(new TextEncoder().encode('\n'))], ['']);
  assert.deepEqual([...byteLines(new TextEncoder().encode('a\n\nb'))], ['a', '', 'b']);
  const big = new TextEncoder().encode('x;y 1\n'.repeat(4 * 1024 * 1024)); // 24 MB
  const seen: number[] = [];
  let count = 0;
  for (const line of byteLines(big, { onProgress: (f) => seen.push(f) })) {
    if (line !== 'x;y 1') assert.fail(line);
    count++;
  }
  assert.equal(count, 4 * 1024 * 1024);
  assert.ok(seen.length >= 3, `${seen}`);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    seen,
  );
  assert.equal(seen[seen.length - 1], 1);
});
