// Round trips: import a real profile, export it, import the export, and compare every
// function's self and total weight (frames matched by name, file and line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameSelfAndTotal, functionStats } from '../core/functionStats';
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import { importCallgrind } from './callgrind';
import { importCollapsed } from './collapsed';
import { pprofValueType } from './exportPprof';
import { importPprof } from './pprof';
import { importCpuprofile } from './cpuprofile';
import { importProfileFile } from './detect';
import { collapsedFrame, collapsedUnit } from './exportCollapsed';
import {
  EXPORT_FORMATS,
  PROFILE_EXPORT_FORMATS,
  exportFileName,
  exportProfile,
  type ProfileExportFormat,
} from './exportProfile';
import { timeFactor } from './exportUnits';
import { importPstats } from './pstats';
import { importSpeedscope } from './speedscope';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();

/** Real profiles of every kind: sampled trees, call graphs, recursion, units other than time. */
const FIXTURES = [
  'examples/profiles/primes.cpuprofile',
  'examples/profiles/service.prof',
  'test/fixtures/node/recursive.cpuprofile',
  'test/fixtures/python/cprofile.prof',
  'test/fixtures/python/yappi.pstat',
  'test/fixtures/python/yappi-flat.pstat',
  'test/fixtures/callgrind/callgrind.out.hot',
  'test/fixtures/callgrind/callgrind.out.yappi',
  'test/fixtures/callgrind/callgrind.out.pyprof2calltree',
  'test/fixtures/pysamples/threaded-wall.pysamples.json',
  'test/fixtures/pysamples/hot-cpu.pysamples.json',
  'test/fixtures/speedscope/primes.cpuprofile.speedscope.json',
  'test/fixtures/speedscope/primes.sampled.speedscope.json',
  'test/fixtures/collapsed/primes.folded',
  'test/fixtures/pprof/heap.pb.gz',
];

const cache = new Map<string, Profile>();
function load(path: string): Profile {
  let p = cache.get(path);
  if (!p) {
    p = importProfileFile(path, new Uint8Array(readFileSync(join(root, path))));
    cache.set(path, p);
  }
  return p;
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const REIMPORT: Record<ProfileExportFormat, (bytes: Uint8Array) => Profile> = {
  speedscope: (b) => importSpeedscope(decode(b)),
  collapsed: (b) => importCollapsed(decode(b)),
  callgrind: (b) => importCallgrind(decode(b)),
  cpuprofile: (b) => importCpuprofile(decode(b)),
  pstats: (b) => importPstats(b),
  pprof: (b) => importPprof(b),
};

interface Figures {
  self: number;
  total: number;
}

/** A frame's key. */
function keyOf(f: Frame): string {
  return `${f.name} | ${f.file ?? '-'} | ${f.line1 ?? '-'}`;
}

/**
 * The key of a frame as a collapsed-stacks reader sees it: a frame is only a name there, which
 * the reader interprets (py-spy's `name (file:line)`, perf's `JS:*name file:line:col`), and a
 * line without a file cannot be written at all.
 */
function collapsedKeyOf(f: Frame): string {
  return keyOf(importCollapsed(`${collapsedFrame(f)} 1`).frames[0]);
}

/**
 * Self and total per key from the tree, frames with one key merged first (so "total" counts the
 * time any of them was on the stack, once). `weight` replaces node self weights (for counting).
 */
function treeFigures(
  p: Profile,
  key: (f: Frame) => string = keyOf,
  weight: (node: number) => number = (n) => p.tree.self[n],
): Map<string, Figures> {
  const b = new ProfileBuilder();
  const frameOf = p.frames.map((f) =>
    b.frame({ name: key(f), file: null, line1: null, col1: null, kind: 'user' }),
  );
  const node = new Int32Array(p.tree.size);
  for (let i = 1; i < p.tree.size; i++) {
    node[i] = b.child(node[p.tree.parent[i]], frameOf[p.tree.frame[i]]);
    b.addSelf(node[i], weight(i));
  }
  const q = b.build({ profiler: 'test', clock: 'unknown', unit: p.meta.unit });
  const { self, total } = frameSelfAndTotal(q);
  const out = new Map<string, Figures>();
  q.frames.forEach((f, i) => {
    if (self[i] > 0 || total[i] > 0) out.set(f.name, { self: self[i], total: total[i] });
  });
  return out;
}

/** Self and total per key as the profile shows them (a call graph's own figures when it has one). */
function shownFigures(p: Profile): Map<string, Figures & { calls: number | null }> {
  const out = new Map<string, Figures & { calls: number | null }>();
  for (const s of functionStats(p)) {
    const key = keyOf(s.frame);
    assert.ok(!out.has(key), `one function per key: ${key}`);
    out.set(key, { self: s.self, total: s.total, calls: s.calls });
  }
  return out;
}

function wholeOf(figures: Map<string, Figures>): number {
  let most = 0;
  for (const f of figures.values()) most = Math.max(most, f.total);
  return most;
}

for (const to of PROFILE_EXPORT_FORMATS.map((f) => f.id)) {
  test(`round trip through ${to} keeps every function's self and total`, () => {
    for (const path of FIXTURES) {
      const original = load(path);
      const bytes = exportProfile(original, to);
      const back = REIMPORT[to](bytes);
      const graphFormat = to === 'pstats' || to === 'callgrind';
      const key = to === 'collapsed' ? collapsedKeyOf : keyOf;
      // Call-graph formats hold a graph: the original's graph figures, or its tree's. The tree
      // formats hold a tree: the original's tree (for a call graph, its approximation).
      const expected =
        graphFormat && original.callGraph ? shownFigures(original) : treeFigures(original, key);
      const got = graphFormat ? shownFigures(back) : treeFigures(back);

      // Units: the factor from the original's weights to the export's (exact where it is an
      // integer: 1000 from microseconds to nanoseconds, 1e9 from seconds; division by an
      // integer from nanoseconds or microseconds to seconds).
      let k: number;
      let rounding = (_key: string): number => 0;
      if (to === 'collapsed') {
        const unit = collapsedUnit(original);
        k = unit.scale;
        // Each line's count is rounded (as a running sum): less than 1 off per line.
        const lines = treeFigures(original, key, (n) => (original.tree.self[n] > 0 ? 1 : 0));
        rounding = (key) => lines.get(key)?.total ?? 0;
        assert.equal(back.meta.unit, 'samples');
      } else if (to === 'pprof') {
        k = pprofValueType(original).scale;
        // As collapsed: one sample per node with self weight, rounded as a running sum.
        const nodes = treeFigures(original, key, (n) => (original.tree.self[n] > 0 ? 1 : 0));
        rounding = (key) => nodes.get(key)?.total ?? 0;
      } else if (to === 'callgrind') {
        k = timeFactor(original.meta.unit, 'nanoseconds') ?? 1;
        // Self cost lines are rounded as a running sum, each call's cost on its own.
        const out = new Map<string, number>();
        for (const e of back.callGraph?.edges ?? []) {
          const key = keyOf(back.frames[e.caller]);
          out.set(key, (out.get(key) ?? 0) + 1);
        }
        rounding = (key) => 0.5 + 0.5 * (out.get(key) ?? 0);
        if (k !== 1 || original.meta.unit === 'nanoseconds')
          assert.equal(back.meta.unit, 'nanoseconds');
      } else if (to === 'pstats') {
        k = timeFactor(original.meta.unit, 'seconds') ?? 1;
        assert.equal(back.meta.unit, 'seconds');
      } else if (to === 'cpuprofile') {
        k = timeFactor(original.meta.unit, 'microseconds') ?? 1;
        assert.equal(back.meta.unit, 'microseconds');
      } else {
        k = 1;
        const unit = original.meta.unit === 'samples' ? 'none' : original.meta.unit;
        assert.equal(back.meta.unit, unit);
      }
      const float = 1e-9 * wholeOf(expected) * k;

      // A recorded function whose total exceeds its self plus its calls' totals
      // (yappi's time in code it does not profile; cProfile's two comprehensions of one line,
      // which share a key) cannot be said in callgrind, where a total is exactly that sum.
      // Our reader also caps a total at the sum of all self costs, which cProfile's `exec` can
      // pass by the profiler's own overhead between calls.
      let selfSum = 0;
      for (const f of original.callGraph?.functions ?? []) selfSum += f.self;
      const representable = (key: string, e: Figures): boolean => {
        if (to !== 'callgrind' || !original.callGraph) return true;
        if (e.total > selfSum * (1 + 1e-9)) return false;
        let out = 0;
        for (const edge of original.callGraph.edges) {
          if (edge.caller !== edge.callee && keyOf(original.frames[edge.caller]) === key)
            out += edge.total;
        }
        return e.total <= (e.self + out) * (1 + 1e-9) + 1e-12;
      };

      let shortTotals = 0;
      for (const [key, e] of expected) {
        const where = `${path} -> ${to}: ${key}`;
        const g = got.get(key);
        if (!g) {
          // Only a weight that rounds to nothing may vanish.
          assert.ok(e.total * k <= rounding(key) + float, `${where} is missing (${e.total})`);
          continue;
        }
        const tol = float + rounding(key);
        assert.ok(
          Math.abs(g.self - e.self * k) <= tol,
          `${where}: self ${g.self} != ${e.self * k}`,
        );
        if (representable(key, e)) {
          assert.ok(
            Math.abs(g.total - e.total * k) <= tol,
            `${where}: total ${g.total} != ${e.total * k}`,
          );
        } else {
          shortTotals++;
          assert.ok(g.total <= e.total * k + tol && g.total >= g.self - tol, where);
        }
      }
      for (const [key, g] of got) {
        if (!expected.has(key)) assert.ok(g.total <= float, `${path} -> ${to}: extra ${key}`);
      }
      if (path.endsWith('yappi-flat.pstat') && to === 'callgrind') assert.ok(shortTotals > 0);
      if (path.endsWith('service.prof')) assert.equal(shortTotals, 0, 'cProfile: all exact');
    }
  });
}

test('pstats and callgrind keep a recorded call graph: calls per function and per edge', () => {
  for (const path of [
    'examples/profiles/service.prof',
    'test/fixtures/python/cprofile.prof',
    'test/fixtures/python/yappi.pstat',
    'test/fixtures/callgrind/callgrind.out.yappi',
  ]) {
    const original = load(path);
    const graph = original.callGraph!;
    const edgeKey = (p: Profile, caller: number, callee: number) =>
      `${keyOf(p.frames[caller])} -> ${keyOf(p.frames[callee])}`;
    const edgesOf = (p: Profile) =>
      new Map(p.callGraph!.edges.map((e) => [edgeKey(p, e.caller, e.callee), e] as const));
    const before = edgesOf(original);

    const pstats = importPstats(exportProfile(original, 'pstats'));
    const k = timeFactor(original.meta.unit, 'seconds')!;
    const fns = new Map(pstats.callGraph!.functions.map((f) => [keyOf(pstats.frames[f.frame]), f]));
    for (const f of graph.functions) {
      const g = fns.get(keyOf(original.frames[f.frame]))!;
      assert.equal(g.calls, f.calls, path);
      assert.equal(g.primitiveCalls, f.primitiveCalls, path);
      assert.equal(g.self, f.self * k);
      assert.equal(g.total, f.total * k);
    }
    const afterPstats = edgesOf(pstats);
    assert.equal(afterPstats.size, before.size);
    for (const [key, e] of before) {
      const g = afterPstats.get(key)!;
      assert.deepEqual([g.calls, g.self, g.total], [e.calls, e.self * k, e.total * k], key);
    }

    // callgrind: every edge with its calls; no function gains calls.
    const callgrind = importCallgrind(decode(exportProfile(original, 'callgrind')));
    const afterCallgrind = edgesOf(callgrind);
    assert.equal(afterCallgrind.size, before.size, path);
    for (const [key, e] of before) assert.equal(afterCallgrind.get(key)?.calls, e.calls, key);
  }
});

test('a sampled profile exported to pstats gets the calls its stacks imply', () => {
  const original = load('test/fixtures/node/recursive.cpuprofile');
  const back = importPstats(exportProfile(original, 'pstats'));
  // Tree nodes per function: at least one call per distinct call path.
  const nodes = new Map<string, number>();
  for (let i = 1; i < original.tree.size; i++) {
    const key = keyOf(original.frames[original.tree.frame[i]]);
    nodes.set(key, (nodes.get(key) ?? 0) + 1);
  }
  let recursive = 0;
  for (const f of back.callGraph!.functions) {
    const key = keyOf(back.frames[f.frame]);
    assert.equal(f.calls, nodes.get(key), key);
    assert.ok(f.primitiveCalls >= 1 && f.primitiveCalls <= f.calls);
    if (f.primitiveCalls < f.calls) recursive++;
  }
  assert.ok(recursive > 0, 'the recursion shows as calls beyond the primitive ones');
  // cProfile's order of the fields, recognised as such.
  assert.equal(back.meta.profiler, 'cprofile');
});

test('speedscope: time-ordered samples are written in order with their own weights', () => {
  const original = load('examples/profiles/primes.cpuprofile');
  const file = JSON.parse(decode(exportProfile(original, 'speedscope')));
  assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  const [p] = file.profiles;
  assert.equal(p.type, 'sampled');
  assert.equal(p.unit, 'microseconds');
  const s = original.samples!;
  assert.deepEqual(p.weights, Array.from(s.weight));
  for (const i of [0, Math.floor(s.count / 2), s.count - 1]) {
    const names: string[] = p.samples[i].map((f: number) => file.shared.frames[f].name);
    const expected: string[] = [];
    for (let n = s.node[i]; n > 0; n = original.tree.parent[n])
      expected.unshift(original.frames[original.tree.frame[n]].name);
    assert.deepEqual(names, expected);
  }
  const back = importSpeedscope(JSON.stringify(file));
  assert.deepEqual(
    Array.from(back.samples!.weight),
    Array.from(s.weight).filter((w) => w > 0),
  );
});

test('collapsed: py-spy frames, whole counts, and the unit they are in', () => {
  const primes = load('examples/profiles/primes.cpuprofile');
  const text = decode(exportProfile(primes, 'collapsed'));
  const lines = text.trimEnd().split('\n');
  for (const line of lines) assert.match(line, /^[^\n]+ \d+$/);
  assert.match(text, /(?:^|;)isPrime \(\/[^;]*\/examples\/js\/primes\.js:4\)(?:;| )/m);
  // V8's last sample lasts the mean interval, a fraction of a microsecond: nanoseconds.
  assert.deepEqual(collapsedUnit(primes), { scale: 1000, unit: 'nanoseconds' });
  const total = lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  assert.equal(total, Math.round(primes.tree.total[0] * 1000));
  // Whole sample counts stay as they are.
  assert.deepEqual(collapsedUnit(load('test/fixtures/collapsed/primes.folded')), {
    scale: 1,
    unit: 'samples',
  });
  assert.equal(
    collapsedFrame({ name: 'a;b', file: '/x/y.py', line1: null, col1: null, kind: 'user' }),
    'a:b (/x/y.py:0)',
  );
});

test('collapsed: a profile of zero samples is refused, not written as an empty file', () => {
  // `a;b 0` reads as a profile of no samples; exporting it once wrote an empty file, which the
  // importer (rightly) refuses: the exporter says so instead.
  const zero = importCollapsed('a;b 0\n', { sourceFile: 'zero.folded' });
  assert.throws(() => exportProfile(zero, 'collapsed'), {
    name: 'ExportEmptyError',
    message: /cannot be written as collapsed stacks: the profile holds no samples/,
  });
  // Every other format writes it, and reads it back as no samples.
  for (const format of PROFILE_EXPORT_FORMATS.map((f) => f.id).filter((f) => f !== 'collapsed')) {
    const back = importProfileFile(
      exportFileName('zero.folded', format),
      exportProfile(zero, format),
    );
    assert.equal(back.tree.total[0], 0, format);
  }
});

test('callgrind: name compression, one name per function, and pyprof2calltree names', () => {
  const text = decode(exportProfile(load('examples/profiles/service.prof'), 'callgrind'));
  assert.match(text, /^# callgrind format\n/);
  assert.match(text, /\nevents: ns\n/);
  assert.doesNotMatch(text, /\ncreator:/, 'read back the Python way (no creator, ns)');
  // Two comprehensions of service.py share a name: each gets its line.
  assert.match(text, /fn=\(\d+\) <genexpr>:19\n/);
  assert.match(text, /fn=\(\d+\) <genexpr>:32\n/);
  const defined = [...text.matchAll(/^c?fn=\((\d+)\) (.+)$/gm)].map((m) => m[1]);
  assert.equal(new Set(defined).size, defined.length, 'each id is defined once');
  // valgrind's instruction counts: valgrind's conventions, and the line table survives.
  const hot = load('test/fixtures/callgrind/callgrind.out.hot');
  const out = decode(exportProfile(hot, 'callgrind'));
  assert.match(out, /\ncreator: heatlens\n/);
  const back = importCallgrind(out);
  assert.equal(back.lines.count, hot.lines.count);
  let a = 0;
  let b = 0;
  for (let i = 0; i < hot.lines.count; i++) a += hot.lines.self[i];
  for (let i = 0; i < back.lines.count; i++) b += back.lines.self[i];
  assert.equal(b, a);
});

test('default file names of exports', () => {
  assert.equal(exportFileName('/p/app.cpuprofile', 'speedscope'), '/p/app.speedscope.json');
  assert.equal(exportFileName('/p/app.cpuprofile', 'callgrind'), '/p/callgrind.out.app');
  assert.equal(exportFileName('C:\\p\\run.prof', 'collapsed'), 'C:\\p\\run.folded');
  assert.equal(exportFileName('callgrind.out.1234', 'pstats'), '1234.prof');
  assert.equal(exportFileName('x.speedscope.json', 'cpuprofile'), 'x.cpuprofile');
  assert.equal(exportFileName('cpu.pb.gz', 'collapsed'), 'cpu.folded');
  assert.equal(exportFileName('app.cpuprofile', 'cpuprofile'), 'app.cpuprofile');
  assert.deepEqual(
    EXPORT_FORMATS.map((f) => f.id),
    ['speedscope', 'collapsed', 'callgrind', 'cpuprofile', 'pstats', 'pprof', 'dot', 'svg'],
  );
  assert.equal(exportFileName('/p/run.prof', 'dot'), '/p/run.dot');
  assert.equal(exportFileName('/p/callgrind.out.42', 'svg'), '/p/42.svg');
});
