import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callersAndCallees } from '../core/callers';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import { readGprofReport, type GprofReport } from '../../test/support/gprofTables';
import { repoRoot } from '../../test/support/repoRoot';
import { detectFormat, importProfileFile } from './detect';
import { ProfileFormatError } from './errors';
import { importGprof, isGprof } from './gprof';

const FOLDER = 'test/fixtures/gprof';
const read = (name: string) => readFileSync(join(repoRoot(), FOLDER, name), 'utf8');
const load = (name: string) => importGprof(read(name), { sourceFile: name });
const near = (a: number, b: number, slack = 1e-9) => Math.abs(a - b) <= slack;

function fn(p: Profile, name: string) {
  const matches = functionStats(p).filter((s) => s.frame.name === name);
  assert.equal(matches.length, 1, `one function ${name}`);
  return matches[0];
}

function graphFn(p: Profile, name: string) {
  const frame = p.frames.findIndex((f) => f.name === name);
  return p.callGraph!.functions.find((f) => f.frame === frame)!;
}

function edge(p: Profile, caller: string, callee: string) {
  const a = p.frames.findIndex((f) => f.name === caller);
  const b = p.frames.findIndex((f) => f.name === callee);
  return p.callGraph!.edges.find((e) => e.caller === a && e.callee === b);
}

/** Self, total and calls of every function, and every timed arc, as gprof printed them. */
function assertGprofFigures(p: Profile, ref: GprofReport, what: string): void {
  for (const [name, f] of ref.functions) {
    if (ref.shared.has(name) || !f.graph) continue;
    const s = fn(p, name);
    assert.ok(near(s.self, f.self), `${what}: self of ${name}: ${s.self} vs ${f.self}`);
    const total = f.graph.self + f.graph.children;
    assert.ok(near(s.total, total), `${what}: total of ${name}: ${s.total} vs gprof's ${total}`);
    assert.equal(s.calls, f.graph.calls + f.graph.selfCalls, `${what}: calls of ${name}`);
    // The flat profile counts calls without self-calls.
    if (f.flatCalls !== null) assert.equal(f.flatCalls, s.calls! - f.graph.selfCalls);
  }
  for (const a of ref.arcs) {
    if (ref.shared.has(a.caller) || ref.shared.has(a.callee)) continue;
    const e = edge(p, a.caller, a.callee);
    assert.ok(e, `${what}: edge ${a.caller} -> ${a.callee}`);
    assert.equal(e.calls, a.calls, `${what}: calls ${a.caller} -> ${a.callee}`);
    assert.ok(
      near(e.self, a.self) && near(e.total, a.self + a.children),
      `${a.caller} -> ${a.callee}`,
    );
  }
  for (const c of ref.counted) {
    const e = edge(p, c.caller, c.callee);
    assert.equal(e?.calls, c.calls, `${what}: calls ${c.caller} -> ${c.callee}`);
  }
  assert.ok(near(profileTotal(p), ref.total), `${what}: total ${profileTotal(p)}`);
}

test("every layout of one run gives gprof's self, total, calls and arcs", () => {
  const ref = readGprofReport(`${FOLDER}/calls.gprof`);
  for (const name of [
    'calls.gprof',
    'calls.brief.gprof',
    'calls.graph.gprof',
    'calls.bsd.gprof',
    'calls.files.gprof',
  ]) {
    const p = load(name);
    assertGprofFigures(p, ref, name);
    assert.deepEqual(p.meta.warnings, [], name);
    assert.equal(p.meta.profiler, 'gprof');
    assert.equal(p.meta.unit, 'seconds');
    assert.equal(p.meta.clock, 'cpu');
    assert.ok(p.treeIsApproximate);
  }
  const p = load('calls.gprof');
  assert.equal(p.meta.intervalUs, 10000);
  assert.equal(p.meta.sampleCount, Math.round(ref.total / 0.01));
});

test('direct recursion: primitive calls apart, the self-call with no time', () => {
  const p = load('calls.gprof');
  const ref = readGprofReport(`${FOLDER}/calls.gprof`).functions.get('fib')!.graph!;
  const fib = graphFn(p, 'fib');
  assert.equal(fib.primitiveCalls, ref.calls);
  assert.equal(fib.calls, ref.calls + ref.selfCalls);
  const self = edge(p, 'fib', 'fib')!;
  assert.equal(self.calls, ref.selfCalls);
  assert.equal(self.total, 0);
});

test('a cycle: members keep their own figures, arcs inside it share the callee by calls', () => {
  const p = load('calls.gprof');
  const ref = readGprofReport(`${FOLDER}/calls.gprof`);
  assert.ok(!p.frames.some((f) => f.name.includes('<cycle')), 'the cycle is no function');
  // is_even is called from main (outside the cycle) and from is_odd; is_odd only from is_even.
  const fromMain = ref.arcs.find((a) => a.caller === 'main' && a.callee === 'is_even')!;
  assert.equal(graphFn(p, 'is_even').primitiveCalls, fromMain.calls);
  assert.equal(graphFn(p, 'is_odd').primitiveCalls, 0);
  const oddToEven = edge(p, 'is_odd', 'is_even')!;
  const even = fn(p, 'is_even');
  const share = oddToEven.calls / even.calls!;
  assert.ok(near(oddToEven.total, even.total * share) && near(oddToEven.self, even.self * share));
  const evenToOdd = edge(p, 'is_even', 'is_odd')!;
  assert.ok(near(evenToOdd.total, fn(p, 'is_odd').total), 'all of is_odd calls are from is_even');
  // The arc from main carries the whole cycle's time, as gprof prints it.
  const cycle = readFileSync(join(repoRoot(), FOLDER, 'calls.gprof'), 'utf8').match(
    /^\[\d+\]\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s+\d+\+\d+\s+<cycle 1 as a whole>/m,
  )!;
  assert.ok(near(edge(p, 'main', 'is_even')!.total, Number(cycle[1]) + Number(cycle[2])));
  // The derived tree shows the cycle under main with its whole time.
  const { callees } = callersAndCallees(
    p,
    p.frames.findIndex((f) => f.name === 'main'),
  );
  assert.ok(callees.some((c) => p.frames[c.frameId].name === 'is_even'));
});

test('a function called from two callers: each edge is its arc line', () => {
  const p = load('calls.brief.gprof');
  const shared = fn(p, 'shared');
  const left = edge(p, 'left', 'shared')!;
  const right = edge(p, 'right', 'shared')!;
  assert.equal(left.calls + right.calls, shared.calls);
  assert.ok(right.total > left.total);
});

test('-p: the flat profile alone, totals are self times, with a warning', () => {
  const ref = readGprofReport(`${FOLDER}/calls.gprof`);
  const p = load('calls.flat.gprof');
  for (const [name, f] of ref.functions) {
    if (!f.inFlat) continue;
    const s = fn(p, name);
    assert.ok(near(s.self, f.self) && near(s.total, f.self), name);
    assert.equal(s.calls, f.flatCalls, name);
  }
  assert.match(p.meta.warnings.join('\n'), /no call graph \(gprof -p\)/);
  assert.equal(p.callGraph!.edges.length, 0);
});

test('-l: line rows add up to their function and fill the line table', () => {
  const p = load('calls.lines.gprof');
  const flat = read('calls.lines.gprof').split('Call graph')[0];
  const rows = [...flat.matchAll(/^\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s.*?(\w+) \(calls\.c:(\d+) @/gm)];
  assert.ok(rows.length > 8);
  for (const name of ['mix', 'is_even', 'fib', 'shared']) {
    const sum = rows.filter((r) => r[2] === name).reduce((s, r) => s + Number(r[1]), 0);
    assert.ok(near(fn(p, name).self, sum), name);
  }
  // is_even's time is on three of its lines; its frame is at its first line (the entry's).
  assert.equal(fn(p, 'is_even').frame.line1, 28);
  assert.equal(fn(p, 'is_even').frame.file, 'calls.c');
  const lines = new Set<number>();
  for (let c = 0; c < p.lines.count; c++)
    if (p.frames[p.lines.frame[c]].name === 'is_even') lines.add(p.lines.line1[c]);
  assert.ok(lines.size >= 2 && lines.has(29), [...lines].join());
  assert.match(p.meta.warnings.join('\n'), /by source line \(gprof -l\)/);
});

test('--inline-file-names: frames get their file and line', () => {
  const p = load('calls.files.gprof');
  assert.deepEqual(
    [fn(p, 'mix').frame.file, fn(p, 'mix').frame.line1, fn(p, 'fib').frame.line1],
    ['calls.c', 19, 21],
  );
});

test('C++: names with blanks kept whole, two static helpers told apart by their files', () => {
  const p = load('names.gprof');
  const ref = readGprofReport(`${FOLDER}/names.gprof`);
  assertGprofFigures(p, ref, 'names.gprof');
  const helpers = functionStats(p).filter((s) => s.frame.name === 'helper(int)');
  assert.deepEqual(helpers.map((h) => h.frame.file).sort(), ['names.cpp', 'other.cpp']);
  assert.ok(near(helpers[0].self + helpers[1].self, 0.47 + 0.34));
  const sum = 'double shapes::sum<double, 2000>(shapes::Buffer<double, 2000> const&)';
  assert.equal(fn(p, sum).calls, 40);
  assert.equal(fn(p, sum).frame.kind, 'user');
  // The cycle of three: each member's primitive calls come from outside it.
  assert.equal(graphFn(p, 'ping(int)').primitiveCalls, 8000);
  assert.equal(graphFn(p, 'pong(int)').primitiveCalls, 0);
  // Without the index's files, the two helpers keep gprof's index in their names.
  const bare = importGprof(read('names.gprof').replace(/ \((?:names|other)\.cpp\)/g, ''));
  const names = bare.frames.map((f) => f.name).filter((n) => n.startsWith('helper'));
  assert.deepEqual(names.sort(), ['helper(int) [3]', 'helper(int) [5]']);
});

test('detection: by content, by name, and not other text', () => {
  for (const name of ['calls.gprof', 'calls.flat.gprof', 'calls.graph.gprof', 'calls.bsd.gprof'])
    assert.ok(isGprof(undefined, read(name)), name);
  assert.ok(isGprof('prog.gprof.txt', 'anything'));
  assert.ok(isGprof('gprof.txt', ''));
  assert.ok(!isGprof('notes.txt', 'Flat profile:\n\nsome words\n'));
  assert.ok(!isGprof(undefined, 'main;fib 12\n'));
  const crlf = new TextEncoder().encode(read('calls.gprof').replace(/\n/g, '\r\n'));
  assert.equal(detectFormat(undefined, crlf)?.id, 'gprof');
  const p = importProfileFile('calls.txt', crlf);
  assert.ok(near(fn(p, 'mix').self, 1.36));
});

test("gprof's binary gmon.out: an error that says how to get the text", () => {
  const gmon = new Uint8Array([0x67, 0x6d, 0x6f, 0x6e, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(detectFormat('gmon.out', gmon)?.id, 'gprof');
  assert.throws(
    () => importProfileFile('gmon.out', gmon),
    (e: unknown) =>
      e instanceof ProfileFormatError &&
      /"gmon\.out" is gprof's binary gmon\.out.*gprof <program> gmon\.out > out\.gprof/.test(
        e.message,
      ),
  );
});

test('damage: lines that read as no row are skipped with a warning; no function is an error', () => {
  const text = read('calls.brief.gprof').replace(/^(\[6\].*)$/m, '$1\n   garbage ### here');
  const p = importGprof(text, { sourceFile: 'x.gprof' });
  assert.match(p.meta.warnings.join('\n'), /"x\.gprof": 1 lines .* line \d+/);
  assert.ok(near(fn(p, 'mix').self, 1.36));
  // Cut off in the middle of a line of the call graph: read up to there.
  const cut = read('calls.brief.gprof');
  const half = importGprof(cut.slice(0, cut.indexOf('\n[6]') + 20), { sourceFile: 'cut.gprof' });
  assert.ok(near(fn(half, 'mix').self, 1.36));
  // fib's entry is cut: it is the flat profile's fib, named once, still mix's caller.
  assert.ok(near(fn(half, 'fib').self, 0.29));
  assert.ok(edge(half, 'fib', 'mix'));
  assert.match(half.meta.warnings.join('\n'), /"cut\.gprof": \d+ lines/);
  assert.throws(
    () =>
      importGprof('Flat profile:\n\nEach sample counts as 0.01 seconds.\n no time accumulated\n', {
        sourceFile: 'empty.gprof',
      }),
    (e: unknown) =>
      e instanceof ProfileFormatError && /"empty\.gprof" holds no function/.test(e.message),
  );
});
