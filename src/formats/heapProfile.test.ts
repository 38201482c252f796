import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { functionStats } from '../core/functionStats';
import { profileTotal } from '../core/profile';
import { detectFormat } from './detect';
import { importHeapProfile, isHeapProfile } from './heapProfile';
import { ProfileFormatError } from './errors';

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

const frame = (functionName: string, url = '', lineNumber = -1) => ({
  functionName,
  scriptId: '1',
  url,
  lineNumber,
  columnNumber: lineNumber < 0 ? -1 : 0,
});

test('a node --heap-prof file: bytes per function, V8 positions 1-based, no line figures', () => {
  const p = importHeapProfile(read('heapprofile/live.heapprofile'), {
    sourceFile: 'live.heapprofile',
  });
  assert.equal(p.meta.unit, 'bytes');
  assert.equal(p.meta.profiler, 'v8-heap');
  assert.equal(p.lines.count, 0);
  const stats = functionStats(p);
  const make = stats.find((s) => s.frame.name === 'makeStrings')!;
  assert.match(make.frame.file!, /alloc\.js$/);
  assert.equal(make.frame.line1, 5);
  assert.equal(make.frame.kind, 'user');
  assert.ok(make.self > 0 && make.total >= make.self);
});

test('detection: heap profiles and CPU profiles are told apart by content', () => {
  const heap = read('heapprofile/all.heapprofile');
  const cpu = read('node/hot.cpuprofile');
  const old = read('node/hot.old.cpuprofile');
  assert.equal(isHeapProfile(undefined, heap), true);
  assert.equal(isHeapProfile(undefined, cpu), false);
  assert.equal(isHeapProfile(undefined, old), false);
  const bytes = (t: string) => new TextEncoder().encode(t);
  assert.equal(detectFormat('dump.json', bytes(heap))?.id, 'heapprofile');
  assert.equal(detectFormat(undefined, bytes(old))?.id, 'cpuprofile');
});

test('figures: self is selfSize, totals add up the subtree, the root is no function', () => {
  const text = JSON.stringify({
    head: {
      callFrame: frame('(root)'),
      selfSize: 0,
      id: 1,
      children: [
        {
          callFrame: frame('main', 'file:///app/main.js', 0),
          selfSize: 100,
          id: 2,
          children: [
            {
              callFrame: frame('leaf', 'file:///app/main.js', 9),
              selfSize: 300,
              id: 3,
              children: [],
            },
            { callFrame: frame('(V8 API)'), selfSize: 50, id: 4, children: [] },
          ],
        },
      ],
    },
    samples: [{ size: 100, nodeId: 2, ordinal: 1 }],
  });
  const p = importHeapProfile(text);
  assert.equal(profileTotal(p), 450);
  const by = new Map(functionStats(p).map((s) => [s.frame.name, s]));
  assert.deepEqual([by.get('main')!.self, by.get('main')!.total], [100, 450]);
  assert.deepEqual([by.get('leaf')!.self, by.get('leaf')!.total], [300, 300]);
  assert.equal(by.get('leaf')!.frame.file, '/app/main.js');
  assert.equal(by.get('leaf')!.frame.line1, 10);
  assert.equal(by.get('(V8 API)')!.frame.kind, 'pseudo');
  assert.equal(by.has('(root)'), false);
});

test('a tree 100 000 frames deep is read without running out of stack', () => {
  // Written as text: JSON.stringify itself recurses.
  const depth = 100_000;
  const open = (i: number) =>
    `{"callFrame":${JSON.stringify(frame(`f${i % 7}`, 'file:///d.js', i % 7))},"selfSize":${i === depth - 1 ? 8 : 0},"id":${i},"children":[`;
  const text =
    `{"head":{"callFrame":${JSON.stringify(frame('(root)'))},"selfSize":0,"id":-1,"children":[` +
    Array.from({ length: depth }, (_, i) => open(i)).join('') +
    ']}'.repeat(depth) +
    ']}}';
  const p = importHeapProfile(text);
  assert.equal(profileTotal(p), 8);
  assert.equal(Math.max(...p.tree.depth), depth);
});

test('damaged files get a message naming the file and what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['{"head": ', /is not valid JSON/],
    ['[]', /is not a JSON object/],
    ['{"samples": []}', /has no "head" node/],
    ['{"head": {"selfSize": 1, "children": []}}', /without a "callFrame"/],
    [
      '{"head": {"callFrame": {"functionName": "(root)"}, "selfSize": -4, "children": []}}',
      /"selfSize" is not a size in bytes/,
    ],
    [
      '{"head": {"callFrame": {"functionName": "(root)"}, "selfSize": 0, "children": {}}}',
      /"children" is not a list/,
    ],
    [
      '{"head": {"callFrame": {"functionName": "(root)"}, "id": 1, "selfSize": 0, "children": [{"callFrame": {"functionName": "a"}, "id": 1, "selfSize": 1, "children": []}]}}',
      /lists node 1 twice/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => importHeapProfile(text, { sourceFile: 'bad.heapprofile' }),
      (e: unknown) =>
        e instanceof ProfileFormatError &&
        e.message.startsWith('"bad.heapprofile" is not a readable V8 heap profile') &&
        message.test(e.message),
      text,
    );
  }
});

test('a profile with no sampled allocation opens, and says so', () => {
  const p = importHeapProfile(
    JSON.stringify({
      head: { callFrame: frame('(root)'), selfSize: 0, id: 1, children: [] },
      samples: [],
    }),
  );
  assert.equal(profileTotal(p), 0);
  assert.match(p.meta.warnings.join('\n'), /no sampled allocations/);
});
