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

test('the --json summary holds the contract fields, sorted, at full precision', () => {
  const s = summarize(profile());
  assert.equal(s.schemaVersion, 1);
  assert.equal(s.lineFigures, 'measured');
  assert.equal(s.profiler, 'v8');
  assert.equal(s.unit, 'microseconds');
  assert.equal(s.clock, 'wall');
  assert.equal(s.total, 1000.123456);
  assert.equal(s.duration, 1100);
  assert.deepEqual(s.functions[0], {
    name: 'main',
    file: '/repo/src/app.js',
    line: 3,
    self: 200,
    total: 900.123456,
    calls: null,
    kind: 'user',
  });
  assert.deepEqual(
    s.functions.map((f) => f.name),
    ['main', 'work', '(garbage collector)'],
  );
  assert.deepEqual(s.functions[2].file, null);
  assert.deepEqual(s.lines, [
    { file: '/repo/src/app.js', line: 12, self: 500.1, external: 0 },
    { file: '/repo/src/app.js', line: 13, self: 200.023456, external: 0 },
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
  assert.match(text, /^Total: 1\.00 ms of wall-clock time \(V8 CPU profiler\)\n/);
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

test('figures in seconds keep full precision in JSON and significant digits in the table', () => {
  // A 67 µs pstats-like profile: rounding to three decimals of a second made every figure 0.
  const b = new ProfileBuilder();
  const f = b.frame({ name: 'tiny', file: '/repo/t.py', line1: 1, col1: null, kind: 'user' });
  const g = b.frame({ name: 'tinier', file: '/repo/t.py', line1: 5, col1: null, kind: 'user' });
  b.addStack([f], 59.2e-6);
  b.addStack([f, g], 7.8e-6);
  const s = summarize(b.build({ profiler: 'cprofile', clock: 'wall', unit: 'seconds' }));
  assert.equal(s.total, 59.2e-6 + 7.8e-6);
  assert.equal(s.functions[0].total, 59.2e-6 + 7.8e-6);
  assert.equal(s.functions[1].self, 7.8e-6);
  const text = formatSummaryTable(s);
  assert.match(text, /^Total: 67\.0 µs of wall-clock time \(cProfile\)\n/);
  assert.match(text, /7\.80 µs\s+11\.6%\s+7\.80 µs\s+11\.6%\s+tinier/);
});

test('wording: no "of time" without a clock, profiler names, footers only for what is hidden', () => {
  const make = (profiler: string, unit: 'samples' | 'milliseconds') => {
    const b = new ProfileBuilder();
    const f = b.frame({ name: 'work', file: '/repo/w.py', line1: 1, col1: null, kind: 'user' });
    b.addStack([f], 560);
    return formatSummaryTable(summarize(b.build({ profiler, clock: 'unknown', unit })));
  };
  assert.match(make('collapsed', 'samples'), /^Total: 560 samples \(collapsed stacks\)\n/);
  assert.match(make('speedscope', 'milliseconds'), /^Total: 560 ms \(speedscope file\)\n/);
  assert.doesNotMatch(make('collapsed', 'samples'), /of time|Node's own modules/);
  // Function-only profilers: no line figures, and the table says so instead of listing def lines.
  const text = make('collapsed', 'samples');
  assert.doesNotMatch(text, /Hottest lines/);
  assert.match(text, /No line figures: collapsed stacks records functions, not lines\./);
});

test('a call-graph profile lists no lines: its def lines are not line measurements', () => {
  const b = new ProfileBuilder();
  const mod = b.frame({ name: '<module>', file: '/r/s.py', line1: 1, col1: null, kind: 'user' });
  const hot = b.frame({ name: 'hot', file: '/r/s.py', line1: 7, col1: null, kind: 'user' });
  b.addStack([mod], 0.1);
  b.addStack([mod, hot], 0.9);
  b.setCallGraph({
    functions: [
      { frame: mod, calls: 1, primitiveCalls: 1, self: 0.1, total: 1 },
      { frame: hot, calls: 1, primitiveCalls: 1, self: 0.9, total: 0.9 },
    ],
    edges: [{ caller: mod, callee: hot, calls: 1, self: 0.9, total: 0.9 }],
  });
  const s = summarize(b.build({ profiler: 'cprofile', clock: 'wall', unit: 'seconds' }));
  assert.equal(s.lineFigures, 'none');
  assert.deepEqual(s.lines, []);
  const text = formatSummaryTable(s);
  assert.doesNotMatch(text, /Hottest lines/);
  assert.match(text, /No line figures: cProfile records functions, not lines\./);
  assert.match(text, /\s1\s+hot\s/, 'one call reads "1" in the Calls column');
});

test('external time below a line is its own column, never part of self', () => {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/r/a.py', line1: 1, col1: null, kind: 'user' });
  const lib = b.frame({
    name: 'compile',
    file: '/py/re.py',
    line1: 9,
    col1: null,
    kind: 'library',
  });
  b.addStack([main], 1);
  b.addLine('/r/a.py', 3, main, 1);
  b.addStack([main, lib], 3);
  b.addLine('/py/re.py', 12, lib, 3);
  b.addLineExternal('/r/a.py', 4, main, 3);
  const s = summarize(b.build({ profiler: 'heatlens-sampler', clock: 'cpu', unit: 'seconds' }));
  assert.deepEqual(s.lines, [
    { file: '/py/re.py', line: 12, self: 3, external: 0 },
    { file: '/r/a.py', line: 4, self: 0, external: 3 },
    { file: '/r/a.py', line: 3, self: 1, external: 0 },
  ]);
  assert.equal(
    s.lines.reduce((sum, l) => sum + l.self, 0),
    s.total,
  );
  const text = formatSummaryTable(s);
  assert.match(text, /Hottest lines \(by self \+ below\*\)/);
  assert.match(text, /0 ms\s+0%\s+3\.00 s\s+75\.0%\s+\/r\/a\.py:4/);
  assert.match(text, /\* Below: time spent below the line in code that is not yours/);
});
