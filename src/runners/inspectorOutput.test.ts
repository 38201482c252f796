import { test } from 'node:test';
import assert from 'node:assert/strict';

import { InspectorOutputFilter, parseInspectorLine, type InspectorLine } from './inspectorOutput';

function filter(): { f: InspectorOutputFilter; out: string[]; lines: InspectorLine[] } {
  const out: string[] = [];
  const lines: InspectorLine[] = [];
  return {
    f: new InspectorOutputFilter(
      (t) => out.push(t),
      (l) => lines.push(l),
    ),
    out,
    lines,
  };
}

// What Node 20 and 24 print, as recorded from real runs.
const listening = 'Debugger listening on ws://127.0.0.1:37425/5bfe7b2d-f5db-4f7a-b761-40ce52de684c';

test('parses the lines Node 20 and 24 print', () => {
  assert.deepEqual(parseInspectorLine(listening), {
    kind: 'listening',
    url: 'ws://127.0.0.1:37425/5bfe7b2d-f5db-4f7a-b761-40ce52de684c',
  });
  assert.deepEqual(parseInspectorLine('For help, see: https://nodejs.org/en/docs/inspector'), {
    kind: 'help',
  });
  assert.deepEqual(
    parseInspectorLine('For help, see: https://nodejs.org/learn/getting-started/debugging\r'),
    { kind: 'help' },
  );
  assert.deepEqual(parseInspectorLine('Debugger attached.'), { kind: 'attached' });
  assert.deepEqual(parseInspectorLine('Waiting for the debugger to disconnect...'), {
    kind: 'waitingForDisconnect',
  });
  assert.equal(parseInspectorLine('Debugger attached. Or not.'), undefined);
  assert.equal(parseInspectorLine('  Debugger attached.'), undefined);
});

test('drops inspector lines and passes everything else through unchanged', () => {
  const { f, out, lines } = filter();
  f.push(`${listening}\nFor help, see: https://nodejs.org/en/docs/inspector\n`);
  f.push('Debugger attached.\n');
  f.push('program says hi\nWaiting for the debugger to disconnect...\n');
  f.push('/x.js:1\nthrow e\n\nError: e\n');
  f.end();
  assert.equal(out.join(''), 'program says hi\n/x.js:1\nthrow e\n\nError: e\n');
  assert.deepEqual(
    lines.map((l) => l.kind),
    ['listening', 'help', 'attached', 'waitingForDisconnect'],
  );
});

test('lines split across chunks are recognised; unrelated partial output is not held', () => {
  const { f, out, lines } = filter();
  f.push('Debugger list');
  assert.deepEqual(out, []);
  f.push('ening on ws://127.0.0.1:1/abc\nprogress 10%');
  assert.deepEqual(out, ['progress 10%']);
  f.push(' 20%');
  assert.deepEqual(out, ['progress 10%', ' 20%']);
  f.push('\nWait');
  f.push('ing for the debugger to disconnect...\r\n');
  f.end();
  assert.equal(out.join(''), 'progress 10% 20%\n');
  assert.deepEqual(
    lines.map((l) => l.kind),
    ['listening', 'waitingForDisconnect'],
  );
});

test('a held partial line that never became an inspector line is released at the end', () => {
  const { f, out } = filter();
  f.push('Debug');
  f.push('ger says: something else\nWai');
  f.end();
  assert.equal(out.join(''), 'Debugger says: something else\nWai');
});
