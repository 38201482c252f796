import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder } from './profile';
import { formatSummaryTable, summarize } from './summary';

function profile() {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/repo/src/app.js', line1: 3, col1: 1, kind: 'user' });
  const work = b.frame({
    name: 'work',
    file: '/repo/src/app.js',
    line1: 10,
    col1: 1,
    kind: 'user',
  });
  const gc = b.frame({
    name: '(garbage collector)',
    file: null,
    line1: null,
    col1: null,
    kind: 'pseudo',
  });
  b.addStack([main, work], 700.123456);
  b.addLine('/repo/src/app.js', 12, work, 500.1);
  b.addLine('/repo/src/app.js', 13, work, 200.023456);
  b.addStack([main], 200);
  b.addStack([gc], 100);
  b.warn('The source map of app.js is broken.');
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds', duration: 1100 });
}

test('the --json summary holds the contract fields, sorted and rounded', () => {
  const s = summarize(profile());
  assert.equal(s.profiler, 'v8');
  assert.equal(s.unit, 'microseconds');
  assert.equal(s.clock, 'wall');
  assert.equal(s.total, 1000.123);
  assert.equal(s.duration, 1100);
  assert.deepEqual(s.functions[0], {
    name: 'main',
    file: '/repo/src/app.js',
    line: 3,
    self: 200,
    total: 900.123,
    calls: null,
    kind: 'user',
  });
  assert.deepEqual(
    s.functions.map((f) => f.name),
    ['main', 'work', '(garbage collector)'],
  );
  assert.deepEqual(s.functions[2].file, null);
  assert.deepEqual(s.lines, [
    { file: '/repo/src/app.js', line: 12, self: 500.1 },
    { file: '/repo/src/app.js', line: 13, self: 200.023 },
    { file: '/repo/src/app.js', line: 3, self: 200 },
  ]);
  assert.deepEqual(s.warnings, ['The source map of app.js is broken.']);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  const one = summarize(profile(), { limit: 1 });
  assert.equal(one.functions.length, 1);
  assert.equal(one.lines.length, 1);
  assert.equal(summarize(profile(), { limit: 0 }).functions.length, 3);
});

test('the table shows functions, lines, shares and warnings', () => {
  const text = formatSummaryTable(summarize(profile()), { relativeTo: '/repo' });
  assert.match(text, /^Total: 1\.00 ms of wall-clock time \(v8 profiler\)/);
  assert.match(text, /900 µs\s+90\.0%\s+200 µs\s+20\.0%\s+main\s+src\/app\.js:3/);
  assert.match(text, /\(garbage collector\)\n/);
  assert.match(text, /500 µs\s+50\.0%\s+src\/app\.js:12/);
  assert.match(text, /Warning: The source map of app\.js is broken\./);
  // Runtime frames that cost little themselves are left out of the table unless asked for.
  const b = new ProfileBuilder();
  const loader = b.frame({
    name: 'Module._load',
    file: 'node:internal/modules/cjs/loader',
    line1: 1,
    col1: 1,
    kind: 'runtime',
  });
  const user = b.frame({ name: 'work', file: '/repo/a.js', line1: 2, col1: 1, kind: 'user' });
  b.addStack([loader, user], 100);
  b.addLine('node:internal/modules/cjs/loader', 5, loader, 0);
  const quiet = summarize(b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' }));
  assert.doesNotMatch(formatSummaryTable(quiet), /Module\._load/);
  assert.match(formatSummaryTable(quiet), /1 runtime function with little time/);
  assert.match(formatSummaryTable(quiet, { all: true }), /Module\._load/);
  assert.deepEqual(
    quiet.functions.map((f) => f.name).sort(),
    ['Module._load', 'work'],
    'the JSON keeps every function',
  );
  const empty = new ProfileBuilder().build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
  assert.match(formatSummaryTable(summarize(empty)), /no samples/);
});
