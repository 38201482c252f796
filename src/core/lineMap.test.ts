import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapLines, MAX_EDITS } from './lineMap';

const text = (lines: string[], eol = '\n'): string => lines.join(eol) + eol;
const numbered = (n: number, tag = 'line'): string[] =>
  Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`);
/** The mapping of lines 1..n as an array. */
const table = (map: (l: number) => number | null, n: number): (number | null)[] =>
  Array.from({ length: n }, (_, i) => map(i + 1));

test('identical texts map every line to itself', () => {
  const t = text(numbered(10));
  assert.deepEqual(
    table(mapLines(t, t), 10),
    numbered(10).map((_, i) => i + 1),
  );
});

test('lines inserted above move every line below by as many', () => {
  const before = numbered(8);
  const after = [...before.slice(0, 2), 'new a', 'new b', 'new c', ...before.slice(2)];
  const map = mapLines(text(before), text(after));
  assert.deepEqual(table(map, 8), [1, 2, 6, 7, 8, 9, 10, 11]);
});

test('deleted lines map to null and the lines below move up', () => {
  const before = numbered(8);
  const after = [...before.slice(0, 1), ...before.slice(4)];
  const map = mapLines(text(before), text(after));
  assert.deepEqual(table(map, 8), [1, null, null, null, 2, 3, 4, 5]);
});

test('a changed line maps to null, its neighbours stay', () => {
  const before = numbered(5);
  const after = [...before];
  after[2] = 'line 3 // edited';
  assert.deepEqual(table(mapLines(text(before), text(after)), 5), [1, 2, null, 4, 5]);
});

test('an edit in the middle with lines added and removed on both sides', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const after = ['x', 'a', 'c', 'd', 'y', 'z', 'f', 'g', 'w'];
  assert.deepEqual(table(mapLines(before.join('\n'), after.join('\n')), 7), [
    2,
    null,
    3,
    4,
    null,
    7,
    8,
  ]);
});

test('CRLF and LF versions of the same text are the same lines', () => {
  const lines = numbered(6);
  const map = mapLines(text(lines, '\r\n'), text(['inserted', ...lines], '\n'));
  assert.deepEqual(table(map, 6), [2, 3, 4, 5, 6, 7]);
});

test('lines past the end of the before text move with the end; nonsense maps to null', () => {
  const map = mapLines('a\nb', 'x\na\nb');
  assert.equal(map(5), 6);
  assert.equal(map(0), null);
  assert.equal(map(1.5), null);
});

test('past the edit bound only the unchanged prefix and suffix map', () => {
  const mid = MAX_EDITS; // two disjoint middles: 2 * MAX_EDITS edits, over the bound
  const before = ['head', ...numbered(mid, 'old'), 'tail'];
  const after = ['head', ...numbered(mid, 'new'), 'tail'];
  const map = mapLines(text(before), text(after));
  assert.equal(map(1), 1);
  assert.equal(map(2), null);
  assert.equal(map(mid + 1), null);
  assert.equal(map(mid + 2), mid + 2);
});

test('on random edits the mapping keeps a longest common subsequence, in order', () => {
  let seed = 7;
  const rand = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  for (let round = 0; round < 300; round++) {
    const a = Array.from({ length: rand(30) }, () => String.fromCharCode(97 + rand(5)));
    const b = Array.from({ length: rand(30) }, () => String.fromCharCode(97 + rand(5)));
    const map = mapLines(a.join('\n'), b.join('\n'));
    // An empty text is one empty line.
    const al = a.length ? a : [''];
    const bl = b.length ? b : [''];
    let matched = 0;
    let last = 0;
    for (let i = 1; i <= al.length; i++) {
      const j = map(i);
      if (j === null) continue;
      assert.equal(bl[j - 1], al[i - 1]);
      assert.ok(j > last);
      last = j;
      matched++;
    }
    const lcs = Array.from({ length: al.length + 1 }, () => new Int32Array(bl.length + 1));
    for (let i = 1; i <= al.length; i++) {
      for (let j = 1; j <= bl.length; j++) {
        lcs[i][j] =
          al[i - 1] === bl[j - 1] ? lcs[i - 1][j - 1] + 1 : Math.max(lcs[i - 1][j], lcs[i][j - 1]);
      }
    }
    assert.equal(matched, lcs[al.length][bl.length], `${a.join('')} -> ${b.join('')}`);
  }
});
