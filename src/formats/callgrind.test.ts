import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { importCallgrind, isCallgrind } from './callgrind';
import { ProfileFormatError } from './errors';
import { pythonFrame } from './pstats';
import type { Frame, GraphEdge, GraphFunction, Profile } from '../core/profile';
import { frameIndex, frameNamed } from '../../test/support/frames';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test/fixtures');
const text = (path: string) => readFileSync(join(fixtures, path), 'utf8');
const load = (path: string) => importCallgrind(text(path), { sourceFile: path });
const json = <T>(path: string): T => JSON.parse(text(path)) as T;

interface Annotated {
  total: number;
  functions: Array<{ file: string; name: string; self: number }>;
  lines: Record<string, Record<string, number>>;
  calls: Array<{ file: string; line: number; callee: string; calls: number; inclusive: number }>;
}

const fnOf = (p: Profile, frame: number): GraphFunction => {
  const f = p.callGraph?.functions.find((g) => g.frame === frame);
  assert.ok(f, p.frames[frame].name);
  return f;
};
const edgeOf = (p: Profile, caller: number, callee: number): GraphEdge | undefined =>
  p.callGraph?.edges.find((e) => e.caller === caller && e.callee === callee);

/** Self cost per (file base name, line) from the line table. */
function lineCosts(p: Profile): Map<string, number> {
  const out = new Map<string, number>();
  const { lines } = p;
  for (let i = 0; i < lines.count; i++) {
    const key = `${basename(lines.files[lines.file[i]])}:${lines.line1[i]}`;
    out.set(key, (out.get(key) ?? 0) + lines.self[i]);
  }
  return out;
}

/** The caller of each call site in hot.c and util.c, from the sources' line ranges. */
function callerAt(file: string, line: number): string {
  if (file === 'util.c') return line <= 2 ? 'mix' : 'checksum';
  if (line <= 9) return 'fib';
  if (line <= 14) return 'compare';
  if (line <= 23) return 'sort_and_sum';
  return 'main';
}

const sumTotals = (t: string) =>
  [...t.matchAll(/^totals: (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);

test("valgrind: per-function and per-line self costs are callgrind_annotate's", () => {
  const p = load('callgrind/callgrind.out.hot');
  const want = json<Annotated>('callgrind/callgrind.out.hot.expected.json');
  assert.equal(p.meta.profiler, 'callgrind');
  assert.equal(p.meta.unit, 'none');
  assert.deepEqual(p.meta.warnings, []);
  assert.equal(p.treeIsApproximate, true);
  // Recursion levels (fib'2) are merged into the function they repeat.
  const self = new Map<string, number>();
  for (const f of want.functions) {
    const name = f.name.replace(/'\d+$/, '');
    self.set(name, (self.get(name) ?? 0) + f.self);
  }
  assert.deepEqual([...self.keys()].sort(), [
    'checksum',
    'compare',
    'fib',
    'main',
    'mix',
    'sort_and_sum',
  ]);
  for (const [name, cost] of self) assert.equal(fnOf(p, frameIndex(p, name)).self, cost, name);
  assert.ok(!p.frames.some((f) => f.name.endsWith("'2")));
  const lines = lineCosts(p);
  for (const [file, table] of Object.entries(want.lines)) {
    for (const [line, cost] of Object.entries(table))
      assert.equal(lines.get(`${file}:${line}`), cost);
  }
  // Every line of the two sources with a cost is one callgrind_annotate shows.
  const ours = [...lines.keys()].filter((k) => /^(hot|util)\.c:/.test(k));
  assert.equal(
    ours.length,
    Object.values(want.lines).reduce((a, t) => a + Object.keys(t).length, 0),
  );
  // All cost lines add up to valgrind's own totals: line.
  const whole = sumTotals(text('callgrind/callgrind.out.hot'));
  assert.equal(p.meta.duration, whole);
  assert.equal(p.tree.total[0], whole);
});

test("valgrind: calls and inclusive costs per edge are callgrind_annotate's; recursion folds", () => {
  const p = load('callgrind/callgrind.out.hot');
  const want = json<Annotated>('callgrind/callgrind.out.hot.expected.json');
  const pairs = new Map<string, { calls: number; inclusive: number }>();
  for (const c of want.calls) {
    const caller = callerAt(c.file, c.line);
    const callee = c.callee.slice(c.callee.lastIndexOf(':') + 1).replace(/'\d+$/, '');
    if (callee === caller) continue; // fib -> fib'2 is recursion: checked below
    const key = `${caller} ${callee}`;
    const e = pairs.get(key) ?? { calls: 0, inclusive: 0 };
    e.calls += c.calls;
    e.inclusive += c.inclusive;
    pairs.set(key, e);
  }
  assert.ok(pairs.size >= 8);
  for (const [key, w] of pairs) {
    const [caller, callee] = key.split(' ');
    const e = edgeOf(p, frameIndex(p, caller), frameIndex(p, callee));
    assert.deepEqual(
      e && { calls: e.calls, total: e.total },
      { calls: w.calls, total: w.inclusive },
      key,
    );
  }
  // fib(18) three times: 8361 calls each, all but the outermost recursive.
  const fib = frameIndex(p, 'fib');
  assert.deepEqual([fnOf(p, fib).calls, fnOf(p, fib).primitiveCalls], [3 * 8361, 3]);
  assert.equal(edgeOf(p, fib, fib)?.calls, 3 * 8360);
  assert.equal(fnOf(p, fib).total, pairs.get('main fib')?.inclusive);
  // A total is self plus calls to others: main's equals what its caller measured for the call.
  const main = frameIndex(p, 'main');
  const belowMain = p.callGraph?.edges.find((e) => e.callee === main);
  assert.equal(fnOf(p, main).total, belowMain?.total);
  assert.equal(fnOf(p, main).total, 3472888);
});

test('valgrind: frames carry their file, first line and kind', () => {
  const p = load('callgrind/callgrind.out.hot');
  const main = frameNamed(p, 'main');
  assert.match(main.file ?? '', /\/callgrind\/hot\.c$/);
  assert.deepEqual([main.line1, main.kind], [25, 'user']);
  assert.equal(frameNamed(p, 'mix').line1, 2);
  assert.equal(frameNamed(p, 'qsort').kind, 'library');
  assert.ok(p.frames.some((f: Frame) => f.name === '(below main)' && f.kind === 'pseudo'));
  // The tree: main -> sort_and_sum -> qsort ... -> compare, exact on this single path.
  const { tree } = p;
  const sortNode = [...Array(tree.size).keys()].find(
    (n) => tree.frame[n] === frameIndex(p, 'sort_and_sum'),
  );
  assert.ok(sortNode);
  assert.equal(tree.total[sortNode], fnOf(p, frameIndex(p, 'sort_and_sum')).total);
});

test('valgrind, four parts, nine events, instr+line positions: merged, first event weighed', () => {
  const p = load('callgrind/callgrind.out.hot-parts');
  const want = json<Annotated>('callgrind/callgrind.out.hot.expected.json');
  assert.deepEqual(p.meta.warnings, [
    'callgrind/callgrind.out.hot-parts records 9 event types (Ir, Dr, Dw, I1mr, D1mr, D1mw, ILmr, DLmr, DLmw); Heatlens shows the first, Ir.',
  ]);
  assert.equal(p.meta.duration, sumTotals(text('callgrind/callgrind.out.hot-parts')));
  // The same program, so the same instruction counts in its own functions as the one-part run
  // (callgrind_annotate reads one part only, so it cannot check this file itself).
  for (const f of want.functions) {
    const name = f.name.replace(/'\d+$/, '');
    const merged = want.functions
      .filter((g) => g.name.replace(/'\d+$/, '') === name)
      .reduce((a, g) => a + g.self, 0);
    assert.equal(fnOf(p, frameIndex(p, name)).self, merged, name);
  }
  const lines = lineCosts(p);
  for (const [file, table] of Object.entries(want.lines)) {
    for (const [line, cost] of Object.entries(table))
      assert.equal(lines.get(`${file}:${line}`), cost);
  }
  // A call in progress when a part was dumped is written `calls=0` with its inclusive cost.
  const main = frameIndex(p, 'main');
  const sort = frameIndex(p, 'sort_and_sum');
  assert.equal(edgeOf(p, main, sort)?.calls, 3);
});

interface YappiExpected {
  functions: Array<{ key: [string, number, string]; self: number }>;
  edges: Array<{
    caller: [string, number, string];
    callee: [string, number, string];
    calls: number;
    inclusive: number;
  }>;
}

function pythonFrames(p: Profile): (key: [string, number, string]) => number | undefined {
  const ids = new Map(p.frames.map((f, i) => [`${f.name}\u0000${f.file}\u0000${f.line1}`, i]));
  return (key) => {
    const f = pythonFrame(...key);
    return ids.get(`${f.name}\u0000${f.file}\u0000${f.line1}`);
  };
}

test("yappi: figures are the ones yappi's pstat export of the same run holds, in µs", () => {
  const p = load('callgrind/callgrind.out.yappi');
  const want = json<YappiExpected>('callgrind/callgrind.out.yappi.expected.json');
  assert.deepEqual(
    [p.meta.profiler, p.meta.unit, p.meta.clock],
    ['yappi', 'microseconds', 'unknown'],
  );
  assert.equal(p.lines.count, 0);
  const frame = pythonFrames(p);
  for (const w of want.functions) {
    const id = frame(w.key);
    assert.ok(id !== undefined, w.key.join(':'));
    assert.equal(fnOf(p, id).self, w.self, w.key.join(':'));
  }
  // yappi refers to a nested list comprehension by a number it never defines: those edges
  // point at a function named by that number (and a warning says so); all others match.
  let unmatched = 0;
  for (const w of want.edges) {
    const caller = frame(w.caller);
    const callee = frame(w.callee);
    const e = caller !== undefined && callee !== undefined ? edgeOf(p, caller, callee) : undefined;
    if (!e) {
      unmatched++;
      assert.equal(w.callee[2], '<listcomp>');
      continue;
    }
    assert.deepEqual({ calls: e.calls, total: e.total }, { calls: w.calls, total: w.inclusive });
  }
  assert.ok(unmatched <= 2, String(unmatched));
  assert.match(p.meta.warnings.join('\n'), /never defines \(file \(353\), function \(353\)\)/);
  const score = frameNamed(p, 'Grid.score');
  assert.deepEqual([score.line1, score.kind], [8, 'user']);
  const fib = frameIndex(p, 'fib');
  assert.equal(fnOf(p, fib).calls, 14628);
  assert.equal(fnOf(p, fib).primitiveCalls, 12);
});

interface PstatsExpected {
  functions: Array<{ key: [string, number, string]; self: number; calls: number }>;
  edges: Array<{
    caller: [string, number, string];
    callee: [string, number, string];
    calls: number;
    total: number;
  }>;
}

test('pyprof2calltree: the pstats file it converted, in nanoseconds', () => {
  const p = load('callgrind/callgrind.out.pyprof2calltree');
  const want = json<PstatsExpected>('python/cprofile.expected.json');
  assert.deepEqual(
    [p.meta.profiler, p.meta.unit, p.meta.clock],
    ['cprofile', 'nanoseconds', 'wall'],
  );
  const frame = pythonFrames(p);
  // pyprof2calltree writes int(seconds * 1e9).
  for (const w of want.functions) {
    const id = frame(w.key);
    assert.ok(id !== undefined, w.key.join(':'));
    assert.equal(fnOf(p, id).self, Math.trunc(w.self * 1e9), w.key.join(':'));
  }
  assert.equal(p.callGraph?.edges.length, want.edges.length);
  for (const w of want.edges) {
    const e = edgeOf(p, frame(w.caller) as number, frame(w.callee) as number);
    assert.deepEqual(
      e && { calls: e.calls, total: e.total },
      { calls: w.calls, total: Math.trunc(w.total * 1e9) },
      `${w.caller[2]} -> ${w.callee[2]}`,
    );
  }
  const len = frameNamed(p, '<built-in method builtins.len>');
  assert.deepEqual([len.file, len.kind], [null, 'runtime']);
  assert.equal(frameNamed(p, 'main', 'données/app.py').line1, 33);
  // The outermost call is lost in the conversion; the tree still holds the whole run.
  assert.ok(Math.abs(p.tree.total[0] - (p.meta.duration ?? 0)) <= (p.meta.duration ?? 0) * 0.01);
});

test("the specification's examples: name and subposition compression", () => {
  const p = importCallgrind(
    [
      '# callgrind format',
      'events: Instructions',
      '',
      'fl=(1) file1.c',
      'fl=(2) file2.c',
      'fn=(1) main',
      'fn=(2) func1',
      'fn=(3) func2',
      '',
      'fl=(1)',
      'fn=(1)',
      '16 20',
      'cfn=(2)',
      'calls=1 50',
      '16 400',
      'cfi=(2)',
      'cfn=(3)',
      'calls=3 20',
      '16 400',
      '',
      'fn=(2)',
      '51 100',
      'cfi=(2)',
      'cfn=(3)',
      'calls=2 20',
      '51 300',
      '',
      'fl=(2)',
      'fn=(3)',
      '20 700',
    ].join('\r\n'),
  );
  const f = (name: string) => fnOf(p, frameIndex(p, name));
  assert.deepEqual(
    ['main', 'func1', 'func2'].map((n) => [f(n).self, f(n).total, f(n).calls]),
    [
      [20, 820, 0],
      [100, 400, 1],
      [700, 700, 5],
    ],
  );
  const e = (a: string, b: string) => edgeOf(p, frameIndex(p, a), frameIndex(p, b));
  assert.deepEqual([e('main', 'func2')?.calls, e('main', 'func2')?.total], [3, 400]);
  assert.deepEqual([e('func1', 'func2')?.calls, e('func1', 'func2')?.total], [2, 300]);
  assert.equal(frameNamed(p, 'func2').file, 'file2.c');
  assert.equal(frameNamed(p, 'func2').line1, 20);
  assert.equal(p.tree.total[0], 820);

  const q = importCallgrind(
    [
      'positions: instr line',
      'events: ticks',
      'fl=x.c',
      'fn=func',
      '0x80001234 90 1',
      '+3 * 5',
      '+1 +1 6',
      '-2 -1 1',
    ].join('\n'),
  );
  assert.deepEqual([...lineCosts(q)].sort(), [
    ['x.c:90', 7],
    ['x.c:91', 6],
  ]);
  assert.equal(fnOf(q, frameIndex(q, 'func')).self, 13);
});

test('units: Xdebug-style Time_(10ns) is scaled to nanoseconds; long event names decide', () => {
  const p = importCallgrind('events: Time_(10ns) Memory_(bytes)\nfl=/a.php\nfn=f\n3 7 100\n');
  assert.deepEqual([p.meta.unit, fnOf(p, 0).self], ['nanoseconds', 70]);
  const q = importCallgrind('event: t : Microseconds\nevents: t\nfl=/a.py\nfn=f\n3 7\n');
  assert.equal(q.meta.unit, 'microseconds');
  assert.deepEqual([...lineCosts(q)], [['a.py:3', 7]]);
});

test('detection: names first, then content', () => {
  for (const name of ['callgrind.out.1234', '/x/callgrind.out', 'a.callgrind']) {
    assert.equal(isCallgrind(name, ''), true, name);
  }
  for (const f of ['callgrind.out.hot', 'callgrind.out.yappi', 'callgrind.out.pyprof2calltree']) {
    assert.equal(isCallgrind(undefined, text(`callgrind/${f}`)), true, f);
  }
  assert.equal(isCallgrind(undefined, text('node/hot.cpuprofile')), false);
  assert.equal(isCallgrind(undefined, text('bad/garbage.callgrind')), false);
  assert.equal(isCallgrind('notes.txt', 'events: are planned\nnothing else'), false);
});

test('truncated, garbage and malformed files fail with an error naming the file', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      't.callgrind',
      text('bad/truncated.callgrind'),
      /t\.callgrind is not a readable callgrind file: it ends before its `totals:` line/,
    ],
    [
      'g.callgrind',
      text('bad/garbage.callgrind'),
      /g\.callgrind is not a readable callgrind file: line 1 .*is not a callgrind line/,
    ],
    ['n.callgrind', 'fl=a.c\nfn=f\n1 2\n', /line 3 .*no `events:` line came before it/],
    [
      'e.callgrind',
      'version: 1\n',
      /e\.callgrind is not a readable callgrind file: it has no `events:` line/,
    ],
    [
      'c.callgrind',
      'events: Ir\nfl=a.c\nfn=f\ncfn=g\ncalls=2 1\n',
      /line 5 starts a call \(calls=\), but the file ends there/,
    ],
    [
      'd.callgrind',
      'events: Ir\nfl=a.c\nfn=f\ncfn=g\ncalls=2 1\nfn=h\n1 1\n',
      /line 5 starts a call .*no cost line follows/,
    ],
    [
      'x.callgrind',
      'events: Ir\nfl=a.c\nfn=f\n1 zz\n',
      /line 4 \("1 zz"\) has "zz" where a number was expected/,
    ],
  ];
  for (const [name, body, message] of cases) {
    assert.throws(
      () => importCallgrind(body, { sourceFile: name }),
      (e: unknown) => e instanceof ProfileFormatError && e.file === name && message.test(e.message),
      name,
    );
  }
});

test('a cost or call count past 2^64 counts as 0 with a warning naming the file', () => {
  const huge = '9'.repeat(310);
  const body = [
    'events: Ir',
    'fl=a.c',
    'fn=main',
    '1 5',
    `2 ${huge}`,
    'cfn=work',
    `calls=${huge} 10`,
    '3 7',
    'fn=work',
    '10 4',
    `${huge} 3`,
    '',
  ].join('\n');
  const p = importCallgrind(body, { sourceFile: 'huge.callgrind' });
  // Every figure is a finite number: nothing becomes Infinity, NaN or null in JSON.
  assert.doesNotMatch(JSON.stringify(p.callGraph), /null/);
  assert.equal(p.meta.duration, 12);
  assert.equal(p.tree.total[0], 12);
  const main = fnOf(p, frameIndex(p, 'main'));
  assert.deepEqual([main.self, main.total], [5, 12]);
  assert.equal(fnOf(p, frameIndex(p, 'work')).calls, 0);
  // A line number past what a line can be is no line.
  assert.ok(p.frames.every((f) => f.line1 === null || f.line1 < 2 ** 31));
  assert.match(
    p.meta.warnings.join('\n'),
    /huge\.callgrind holds 2 costs or call counts larger than a 64-bit counter \(the first at line 5\)/,
  );
});
