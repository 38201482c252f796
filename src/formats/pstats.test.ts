import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPstats, isPstats, pythonFrame } from './pstats';
import { ProfileFormatError } from './errors';
import { functionStats, frameSelfAndTotal } from '../core/functionStats';
import type { Frame, Profile } from '../core/profile';
import { frameIndex, frameNamed } from '../../test/support/frames';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test/fixtures');
const bytes = (path: string) => new Uint8Array(readFileSync(join(fixtures, path)));
const load = (path: string) => importPstats(bytes(path), { sourceFile: path });

type Key = [string, number, string];
interface Expected {
  producer: string;
  totalTime: number;
  functions: Array<{
    key: Key;
    calls: number;
    primitiveCalls: number;
    self: number;
    total: number;
  }>;
  edges: Array<{ caller: Key; callee: Key; calls: number; self: number; total: number }>;
  roots: Array<{ key: Key; rootCalls: number }>;
}
const expectedOf = (path: string): Expected =>
  JSON.parse(readFileSync(join(fixtures, path), 'utf8')) as Expected;

const frameKey = (f: Frame) => `${f.name}\u0000${f.file ?? ''}\u0000${f.line1 ?? ''}`;

/** Frame ids by (name, file, line): the profile's frames for the expected keys. */
function framesByKey(p: Profile): (key: Key) => number {
  const ids = new Map(p.frames.map((f, i) => [frameKey(f), i] as const));
  return (key) => {
    const id = ids.get(frameKey(pythonFrame(...key)));
    assert.ok(id !== undefined, `no frame for ${key.join(':')}`);
    return id;
  };
}

for (const [file, json] of [
  ['python/cprofile.prof', 'python/cprofile.expected.json'],
  ['python/yappi.pstat', 'python/yappi.expected.json'],
] as const) {
  test(`${file}: every function's figures are the ones Python's pstats reports`, () => {
    const p = load(file);
    const want = expectedOf(json);
    assert.equal(p.meta.profiler, want.producer);
    const frame = framesByKey(p);
    const graph = p.callGraph;
    assert.ok(graph);
    assert.equal(graph.functions.length, want.functions.length);
    const fnByFrame = new Map(graph.functions.map((f) => [f.frame, f]));
    for (const w of want.functions) {
      const f = fnByFrame.get(frame(w.key));
      assert.deepEqual(
        f && { calls: f.calls, primitiveCalls: f.primitiveCalls, self: f.self, total: f.total },
        { calls: w.calls, primitiveCalls: w.primitiveCalls, self: w.self, total: w.total },
        w.key.join(':'),
      );
    }
    assert.equal(p.meta.duration, want.totalTime);
  });

  test(`${file}: every caller -> callee edge has pstats' figures`, () => {
    const p = load(file);
    const want = expectedOf(json);
    const frame = framesByKey(p);
    const edges = new Map(p.callGraph?.edges.map((e) => [`${e.caller}:${e.callee}`, e]));
    assert.equal(edges.size, want.edges.length);
    for (const w of want.edges) {
      const e = edges.get(`${frame(w.caller)}:${frame(w.callee)}`);
      assert.deepEqual(
        e && { calls: e.calls, self: e.self, total: e.total },
        { calls: w.calls, self: w.self, total: w.total },
        `${w.caller[2]} -> ${w.callee[2]}`,
      );
    }
  });

  test(`${file}: the tree is approximate, starts at the roots and adds up to the run`, () => {
    const p = load(file);
    const want = expectedOf(json);
    assert.equal(p.treeIsApproximate, true);
    assert.equal(p.meta.unit, 'seconds');
    const frame = framesByKey(p);
    const rootFrames = new Set(want.roots.map((r) => frame(r.key)));
    const { tree } = p;
    const top = Array.from(
      tree.children.subarray(tree.childStart[0], tree.childStart[0] + tree.childCount[0]),
    );
    assert.ok(top.length >= 1);
    for (const n of top) assert.ok(rootFrames.has(tree.frame[n]), p.frames[tree.frame[n]].name);
    // The heaviest root holds the run: the tree neither loses nor invents much of it.
    const whole = tree.total[0];
    assert.ok(
      Math.abs(whole - want.totalTime) / want.totalTime < 0.01,
      `${whole} vs ${want.totalTime}`,
    );
  });
}

test('cProfile: producer, clock, built-ins, library code and the non-ASCII path', () => {
  const p = load('python/cprofile.prof');
  assert.equal(p.meta.profiler, 'cprofile');
  assert.equal(p.meta.clock, 'wall');
  assert.equal(p.meta.sourceFile, 'python/cprofile.prof');
  assert.deepEqual(p.meta.warnings, []);
  const len = frameNamed(p, '<built-in method builtins.len>');
  assert.deepEqual(len, {
    name: '<built-in method builtins.len>',
    file: null,
    line1: null,
    col1: null,
    kind: 'runtime',
  });
  const main = frameNamed(p, 'main', 'données/app.py');
  assert.equal(main.kind, 'user');
  assert.equal(main.line1, 33);
  assert.match(main.file ?? '', /\/données\/app\.py$/);
  assert.equal(frameNamed(p, 'score', 'données/shapes.py').line1, 8);
  assert.equal(frameNamed(p, 'compile', 're/__init__.py').kind, 'library');
  assert.equal(frameNamed(p, '_find_and_load').kind, 'library');
  assert.equal(frameNamed(p, '_find_and_load').file, '<frozen importlib._bootstrap>');
  assert.equal(p.lines.count, 0);
});

test('cProfile: recursion, direct and mutual, and the tree around it', () => {
  const p = load('python/cprofile.prof');
  const graph = p.callGraph;
  assert.ok(graph);
  const fib = frameIndex(p, 'fib');
  const fibFn = graph.functions.find((f) => f.frame === fib);
  // 12 calls of fib(14) from main, each making 1218 recursive ones.
  assert.equal(fibFn?.primitiveCalls, 12);
  assert.equal(fibFn?.calls, 12 * 1219);
  const self = graph.edges.find((e) => e.caller === fib && e.callee === fib);
  assert.equal(self?.calls, 12 * 1218);
  // And the caller's primitive calls, as `print_callers` shows them: `fib <- 14616/24 ... fib`.
  assert.equal(self?.primitiveCalls, 24);
  const { tree } = p;
  const fibNodes = [];
  for (let n = 1; n < tree.size; n++) if (tree.frame[n] === fib) fibNodes.push(n);
  assert.equal(fibNodes.length, 1, 'direct recursion is folded into one node');
  // is_even -> is_odd -> is_even: the recursive call shows as a leaf, not expanded again.
  const even = frameIndex(p, 'is_even');
  const odd = frameIndex(p, 'is_odd');
  const evenNode = [...Array(tree.size).keys()].find((n) => tree.frame[n] === even);
  assert.ok(evenNode);
  const kids = (n: number) =>
    Array.from(tree.children.subarray(tree.childStart[n], tree.childStart[n] + tree.childCount[n]));
  const oddNode = kids(evenNode).find((n) => tree.frame[n] === odd);
  assert.ok(oddNode);
  const again = kids(oddNode).find((n) => tree.frame[n] === even);
  assert.ok(again);
  assert.equal(tree.childCount[again], 0);
  // On a single call path the tree's totals are the graph's (main -> fib, count_words, ...).
  const { total } = frameSelfAndTotal(p);
  for (const name of ['main', 'fib', 'count_words', 'encode', 'is_even']) {
    const stat = functionStats(p).find((s) => s.frame.name === name);
    assert.ok(stat);
    assert.ok(Math.abs(total[stat.frameId] - stat.total) <= stat.total * 1e-9, name);
    assert.equal(stat.calls, graph.functions.find((f) => f.frame === stat.frameId)?.calls);
  }
});

test('yappi: detected by its call counts; qualified names; built-ins under their module', () => {
  const p = load('python/yappi.pstat');
  assert.equal(p.meta.profiler, 'yappi');
  assert.equal(p.meta.clock, 'unknown');
  const score = frameNamed(p, 'Grid.score');
  assert.equal(score.line1, 8);
  assert.equal(score.kind, 'user');
  const exec = frameNamed(p, 'builtins.exec');
  assert.deepEqual([exec.file, exec.line1, exec.kind], [null, null, 'runtime']);
  const append = frameNamed(p, "<method 'append' of 'list' objects>");
  assert.deepEqual([append.file, append.kind], [null, 'runtime']);
  const fib = p.callGraph?.functions.find((f) => f.frame === frameIndex(p, 'fib'));
  assert.deepEqual([fib?.calls, fib?.primitiveCalls], [14628, 12]);
  assert.equal(frameNamed(p, 'compile', '/re/__init__.py').kind, 'library');
});

test('without recursion: yappi told by qualified names, cProfile by its ~ built-ins', () => {
  const y = load('python/yappi-flat.pstat');
  assert.equal(y.meta.profiler, 'yappi');
  assert.ok(y.frames.some((f) => f.name === 'Grid.score'));
  const c = load('python/cprofile-flat.prof');
  assert.equal(c.meta.profiler, 'cprofile');
  for (const p of [y, c]) {
    // No recursion: both fields agree, so nothing depends on the guess.
    for (const f of p.callGraph?.functions ?? []) assert.ok(f.calls >= f.primitiveCalls);
  }
});

/** A tiny marshal writer for pstats-shaped dicts, to reach cases no recorder produces. */
function marshalPstats(
  entries: Array<[Key, [number, number, number, number], Array<[Key, number[]]>]>,
  flagFloats: boolean,
): Uint8Array {
  const out: number[] = [];
  const i32 = (n: number) => out.push(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    out.push(0x75);
    i32(b.length);
    out.push(...b);
  };
  const num = (x: number, float: boolean) => {
    if (float) {
      out.push(flagFloats ? 0xe7 : 0x67, ...new Uint8Array(new Float64Array([x]).buffer));
    } else {
      out.push(0x69);
      i32(x);
    }
  };
  const key = (k: Key) => {
    out.push(0x29, 3);
    str(k[0]);
    num(k[1], false);
    str(k[2]);
  };
  out.push(0x7b);
  for (const [k, v, callers] of entries) {
    key(k);
    out.push(0x29, 5);
    v.forEach((x, i) => num(x, i >= 2));
    out.push(0x7b);
    for (const [ck, cv] of callers) {
      key(ck);
      out.push(0x29, 4);
      cv.forEach((x, i) => num(x, i >= 2));
    }
    out.push(0x30);
  }
  out.push(0x30);
  return Uint8Array.from(out);
}

test('without recursion, names or built-ins: floats shared with the ref flag mean yappi', () => {
  const entries: Parameters<typeof marshalPstats>[0] = [
    [['/a.py', 1, 'f'], [1, 1, 0.5, 1.0], []],
    [
      ['/a.py', 5, 'g'],
      [1, 1, 0.5, 0.5],
      [
        [
          ['/a.py', 1, 'f'],
          [1, 1, 0.5, 0.5],
        ],
      ],
    ],
  ];
  assert.equal(importPstats(marshalPstats(entries, true)).meta.profiler, 'yappi');
  const plain = importPstats(marshalPstats(entries, false));
  assert.equal(plain.meta.profiler, 'cprofile');
  assert.ok(isPstats(undefined, marshalPstats(entries, false)));
  // A tree: f -> g, exact.
  assert.equal(plain.tree.total[0], 1.0);
  assert.equal(plain.tree.size, 3);
});

test('a caller without statistics of its own is kept, with a warning', () => {
  const p = importPstats(
    marshalPstats(
      [
        [
          ['/a.py', 5, 'g'],
          [2, 2, 0.5, 0.5],
          [
            [
              ['/a.py', 1, 'f'],
              [2, 2, 0.5, 0.5],
            ],
          ],
        ],
      ],
      false,
    ),
    { sourceFile: 'x.prof' },
  );
  assert.equal(p.callGraph?.functions.length, 2);
  assert.match(p.meta.warnings.join('\n'), /x\.prof: 1 callers have no statistics/);
});

test('negative times and counts count as 0, with a warning naming the file', () => {
  const p = importPstats(
    marshalPstats(
      [
        [['/a.py', 1, 'f'], [1, 1, -0.25, 1.0], []],
        [
          ['/a.py', 5, 'g'],
          [2, 2, 0.5, -0.5],
          [
            [
              ['/a.py', 1, 'f'],
              [-2, 2, 0.5, 0.5],
            ],
          ],
        ],
      ],
      false,
    ),
    { sourceFile: 'neg.prof' },
  );
  for (const f of p.callGraph?.functions ?? []) {
    assert.ok(f.self >= 0 && f.total >= 0 && f.calls >= 0, p.frames[f.frame].name);
  }
  for (const e of p.callGraph?.edges ?? []) assert.ok(e.calls >= 0 && e.self >= 0 && e.total >= 0);
  assert.equal(p.meta.duration, 0.5);
  assert.match(p.meta.warnings.join('\n'), /neg\.prof holds 3 negative call counts or times/);
});

test('detection: names first, then content', () => {
  const prof = bytes('python/cprofile.prof');
  for (const name of ['x.prof', 'x.pstats', 'X.PSTAT', undefined, 'unknown.bin']) {
    assert.equal(isPstats(name, prof), true, String(name));
  }
  assert.equal(isPstats(undefined, bytes('python/yappi.pstat')), true);
  assert.equal(isPstats(undefined, bytes('bad/garbage.prof')), false);
  assert.equal(isPstats('x.prof', new TextEncoder().encode('{"nodes": []}')), true);
  assert.equal(isPstats(undefined, new TextEncoder().encode('{"nodes": []}')), false);
  assert.equal(isPstats(undefined, bytes('node/hot.cpuprofile')), false);
  assert.equal(isPstats(undefined, bytes('callgrind/callgrind.out.hot')), false);
  assert.equal(isPstats(undefined, new Uint8Array()), false);
});

test('truncated, garbage and non-pstats files fail with an error naming the file', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'bad/truncated.prof',
      /bad\/truncated\.prof is not a readable pstats file: The data ends at offset 3000/,
    ],
    ['bad/garbage.prof', /bad\/garbage\.prof is not a readable pstats file/],
    ['bad/profile-module.prof', /code object.*cProfile/],
    ['node/hot.cpuprofile', /hot\.cpuprofile is not a readable pstats file: .*offset 1\./],
  ];
  for (const [path, message] of cases) {
    assert.throws(
      () => load(path),
      (e: unknown) => e instanceof ProfileFormatError && e.file === path && message.test(e.message),
      path,
    );
  }
  assert.throws(() => importPstats(new Uint8Array(), { sourceFile: 'e.prof' }), /e\.prof .* empty/);
  // A marshalled list is marshal, but not pstats.
  assert.throws(
    () => importPstats(Uint8Array.of(0x5b, 0, 0, 0, 0), { sourceFile: 'l.prof' }),
    /l\.prof is not a readable pstats file: expected a dict of functions at offset 0, found a 0-tuple/,
  );
});

test('python frames: built-ins of both producers, line 0, and library paths', () => {
  assert.deepEqual(pythonFrame('~', 0, "<method 'x' of 'y' objects>"), {
    name: "<method 'x' of 'y' objects>",
    file: null,
    line1: null,
    col1: null,
    kind: 'runtime',
  });
  assert.equal(pythonFrame('posix', 0, 'stat').name, 'posix.stat');
  assert.equal(pythonFrame('posix', 0, 'stat').file, null);
  assert.equal(pythonFrame('/x/app.py', 0, '<module>').file, '/x/app.py');
  assert.equal(pythonFrame('/x/app.py', 0, '<module>').line1, null);
  assert.equal(pythonFrame('/v/lib/python3.12/site-packages/r/a.py', 3, 'f').kind, 'library');
  assert.equal(pythonFrame('C:\\Py\\Python311\\Lib\\json\\x.py', 3, 'f').kind, 'library');
  assert.equal(pythonFrame('<string>', 1, '<module>').kind, 'user');
});
