import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filesInProfile, hotLines, lineHeatForFile, measuredLines } from './lineHeat';
import { ProfileBuilder } from './profile';
import { importCpuprofile } from '../formats/cpuprofile';

function sample() {
  const b = new ProfileBuilder();
  const a = b.frame({ name: 'a', file: '/p/x.js', line1: 9, col1: 1, kind: 'user' });
  const noLines = b.frame({ name: 'noLines', file: '/p/x.js', line1: 20, col1: 1, kind: 'user' });
  const partly = b.frame({ name: 'partly', file: '/p/y.js', line1: 25, col1: 1, kind: 'user' });
  const shared = b.frame({ name: 'shared', file: '/p/x.js', line1: 9, col1: 30, kind: 'user' });
  const gc = b.frame({
    name: '(garbage collector)',
    file: null,
    line1: null,
    col1: null,
    kind: 'pseudo',
  });
  const unused = b.frame({ name: 'idle', file: '/p/z.js', line1: 1, col1: 1, kind: 'user' });
  b.addStack([a], 8);
  b.addLine('/p/x.js', 10, a, 5);
  b.addLine('/p/x.js', 11, a, 3);
  b.addStack([a, noLines], 4);
  b.addStack([partly], 6);
  b.addLine('/p/y.js', 30, partly, 2);
  b.addStack([a, shared], 1);
  b.addLine('/p/x.js', 10, shared, 1);
  b.addStack([gc], 2);
  b.child(0, unused);
  return {
    p: b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' }),
    a,
    noLines,
    shared,
  };
}

test('line heat per file: line entries, plus uncovered self on the definition line', () => {
  const { p, a, noLines, shared } = sample();
  assert.deepEqual(lineHeatForFile(p, '/p/x.js'), [
    { line1: 10, self: 6, placed: 0, external: 0, frameIds: [a, shared] },
    { line1: 11, self: 3, placed: 0, external: 0, frameIds: [a] },
    { line1: 20, self: 4, placed: 4, external: 0, frameIds: [noLines] },
  ]);
  assert.deepEqual(
    lineHeatForFile(p, '/p/y.js').map((l) => [l.line1, l.self]),
    [
      [25, 4],
      [30, 2],
    ],
  );
  assert.deepEqual(lineHeatForFile(p, '/p/nowhere.js'), []);
});

test('hot lines are sorted by self; files include those without heat', () => {
  const { p } = sample();
  assert.deepEqual(
    hotLines(p).map((l) => `${l.file}:${l.line1}=${l.self}`),
    ['/p/x.js:10=6', '/p/x.js:20=4', '/p/y.js:25=4', '/p/x.js:11=3', '/p/y.js:30=2'],
  );
  // Every unit of self weight with a file lands on a line (the GC's 2 has no file).
  const sum = hotLines(p).reduce((s, l) => s + l.self, 0);
  assert.equal(sum, p.tree.total[0] - 2);
  assert.deepEqual(filesInProfile(p), ['/p/x.js', '/p/y.js', '/p/z.js']);
  // Measured lines leave out what was placed on definition lines (functions without line data).
  assert.deepEqual(
    measuredLines(p).map((l) => `${l.file}:${l.line1}=${l.self}`),
    ['/p/x.js:10=6', '/p/x.js:11=3', '/p/y.js:30=2'],
  );
});

test('on a real recording, the marked line is the hottest of its file', () => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const p = importCpuprofile(readFileSync(join(dir, 'test/fixtures/node/hot.cpuprofile'), 'utf8'));
  const file = filesInProfile(p).find((f) => f.endsWith('/test/fixtures/node/hot.js'));
  assert.ok(file);
  const source = readFileSync(join(dir, 'test/fixtures/node/hot.js'), 'utf8').split('\n');
  const marked = source.findIndex((l) => l.trimEnd().endsWith('// HOT LINE')) + 1;
  const heat = lineHeatForFile(p, file);
  const hottest = [...heat].sort((x, y) => y.self - x.self)[0];
  assert.equal(hottest.line1, marked);
  assert.deepEqual(
    hottest.frameIds.map((f) => p.frames[f].name),
    ['checksum'],
  );
  assert.deepEqual(
    heat.map((l) => l.line1),
    [...heat.map((l) => l.line1)].sort((x, y) => x - y),
  );
});
