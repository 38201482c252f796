import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftItems, shiftLine, type LineEdit } from './lineShift';

const at = (line: number, ch: number, text: string): LineEdit => ({
  startLine0: line,
  startChar0: ch,
  endLine0: line,
  endChar0: ch,
  text,
});

test('lines inserted above move heat down', () => {
  assert.equal(shiftLine(10, at(3, 0, 'a\nb\n')), 12);
  assert.equal(shiftLine(2, at(3, 0, 'a\nb\n')), 2);
});

test('a whole line inserted before a hot line pushes it down; typing inside it does not', () => {
  assert.equal(shiftLine(5, at(5, 0, 'const x = 1;\n')), 6);
  assert.equal(shiftLine(5, at(5, 4, 'abc')), 5);
  assert.equal(shiftLine(5, at(5, 4, '\n')), 5);
  assert.equal(shiftLine(6, at(5, 4, '\n')), 7);
});

test('deleted lines take their heat with them and lines below move up', () => {
  const del: LineEdit = { startLine0: 4, startChar0: 0, endLine0: 7, endChar0: 0, text: '' };
  assert.equal(shiftLine(4, del), undefined);
  assert.equal(shiftLine(6, del), undefined);
  assert.equal(shiftLine(7, del), 4);
  assert.equal(shiftLine(9, del), 6);
  assert.equal(shiftLine(3, del), 3);
});

test('a range starting mid-line keeps its first line', () => {
  const join: LineEdit = { startLine0: 4, startChar0: 8, endLine0: 5, endChar0: 2, text: '' };
  assert.equal(shiftLine(4, join), 4);
  assert.equal(shiftLine(5, join), undefined);
  assert.equal(shiftLine(6, join), 5);
});

test('several edits of one event apply bottom-up', () => {
  const items = [{ line0: 1 }, { line0: 5 }, { line0: 9 }];
  const out = shiftItems(items, [at(0, 0, 'x\n'), at(6, 0, 'y\nz\n')]);
  assert.deepEqual(
    out.map((i) => i.line0),
    [2, 6, 12],
  );
});
