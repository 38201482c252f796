import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sanitizeForTerminal, sanitizeMessage } from './terminal';

test('every character a terminal acts on is shown escaped, the rest as is', () => {
  assert.equal(sanitizeForTerminal('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
  // C1 controls: 0x9b is a one-byte CSI on terminals that honour 8-bit controls.
  assert.equal(sanitizeForTerminal('a\x9b2Jb\x7f'), 'a\\x9b2Jb\\x7f');
  assert.equal(sanitizeForTerminal('evil\u202etxt.exe'), 'evil\\u202etxt.exe');
  assert.equal(
    sanitizeForTerminal('\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029'),
    '\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
  );
  assert.equal(sanitizeForTerminal('two\nlines\tand\r'), 'two\\nlines\\tand\\r');
  // Names people write stay readable.
  for (const s of ['Ünïcödé 名前 🔥', 'C:\\src\\app.ts', '<anonymous>', 'a.b [as c]']) {
    assert.equal(sanitizeForTerminal(s), s);
  }
});

test('a whole message keeps its line breaks and loses everything else', () => {
  assert.equal(sanitizeMessage('line one\nline \x1b[8mtwo\n'), 'line one\nline \\x1b[8mtwo\n');
  assert.equal(sanitizeMessage('\r\t\u202e'), '\\r\\t\\u202e');
});
