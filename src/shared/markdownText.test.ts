import assert from 'node:assert/strict';
import { test } from 'node:test';
import { code, codeBlock, escapeMarkdown, noIcons, safeMarkdown } from './markdownText';

test('a value becomes text: no emphasis, link, image, HTML, entity or autolink survives', () => {
  const hostile =
    '*a* _b_ [l](command:x) ![i](http://h/i.png) <img src=x> &amp; www.h.com a@b.c `c`';
  const escaped = escapeMarkdown(hostile);
  // Every ASCII punctuation character is escaped, so none can open markup.
  assert.doesNotMatch(escaped.replace(/\\[!-/:-@[-`{-~]/g, ''), /[!-/:-@[-`{-~]/);
  assert.equal(escapeMarkdown('a\n\n![x](y)'), 'a \\!\\[x\\]\\(y\\)');
  assert.equal(escapeMarkdown('Ünïcödé 名前'), 'Ünïcödé 名前');
});

test('the template escapes values and keeps its own markdown', () => {
  const name = 'x\n\n![i](http://h/i.png)';
  assert.equal(
    safeMarkdown`**Heatlens** · ${name} ${3.5}%`.text,
    '**Heatlens** · x \\!\\[i\\]\\(http\\:\\/\\/h\\/i\\.png\\) 3\\.5%',
  );
  assert.equal(safeMarkdown`In ${code('a`b')}`.text, 'In `` a`b ``');
});

test('code spans and blocks cannot be closed from inside', () => {
  assert.equal(code('x``\n\n<b>').text, '``` x`` <b> ```');
  const block = codeBlock('node a.js\n```\n![i](http://h)\n````', 'shell');
  assert.equal(block.text, '\n`````shell\nnode a.js\n```\n![i](http://h)\n````\n`````\n');
});

test('noIcons: every $(icon) shows as written, text without one is unchanged', () => {
  assert.equal(noIcons('$(check) tests passed'), '\\$(check) tests passed');
  assert.equal(noIcons('a $(x~spin) b $(y)'), 'a \\$(x~spin) b \\$(y)');
  // Already escaped: stays one escape (VS Code shows it as text either way).
  assert.equal(noIcons('\\$(check)'), '\\$(check)');
  assert.equal(noIcons('main (src/app.ts:3) $ 5'), 'main (src/app.ts:3) $ 5');
});
