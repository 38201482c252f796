import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPstats } from '../formats/pstats';
import { repoRoot } from '../../test/support/repoRoot';
import { testProfile } from '../../test/support/testProfile';
import { functionGraph, treeFunctionGraph } from './functionGraph';
import { edgeLabelText, graphCalls, graphPlace, nodeLabelLines } from './graphLabels';
import { pruneGraph, type ShownGraph } from './graphPrune';
import { functionStats } from './functionStats';
import { ProfileBuilder, type Profile } from './profile';

const names = (p: Profile, g: ShownGraph) => g.nodes.map((n) => p.frames[n.frameId].name);
const edges = (p: Profile, g: ShownGraph) =>
  g.edges.map((e) => {
    const a = p.frames[g.nodes[e.from].frameId].name;
    const b = p.frames[g.nodes[e.to].frameId].name;
    return `${a}>${b}:${e.weight}`;
  });

function pstats(rel: string): Profile {
  return importPstats(new Uint8Array(readFileSync(join(repoRoot(), rel))), { sourceFile: rel });
}

test('a sampled profile: the graph its tree implies, no call counts', () => {
  const { profile } = testProfile();
  const g = functionGraph(profile);
  assert.equal(g.exact, false);
  assert.equal(g.total, 105);
  // Function figures are the table's.
  const stats = new Map(functionStats(profile).map((s) => [s.frameId, s]));
  for (const n of g.nodes) {
    assert.equal(n.self, stats.get(n.frameId)!.self);
    assert.equal(n.total, stats.get(n.frameId)!.total);
    assert.equal(n.calls, null);
  }
  const shown = pruneGraph(g, { nodeThreshold: 0, edgeThreshold: 0 });
  assert.deepEqual(names(profile, shown), [
    'main',
    'work',
    'helper',
    'parse',
    'rec',
    'readFileSync',
    '(garbage collector)',
  ]);
  // Edges: the time the callee spent when called from the caller, recursion once per edge.
  assert.deepEqual(edges(profile, shown).sort(), [
    'main>helper:7',
    'main>parse:25',
    'main>readFileSync:4',
    'main>rec:6',
    'main>work:60',
    'parse>work:20',
    'rec>rec:6',
    'work>helper:70',
  ]);
  assert.ok(shown.edges.every((e) => e.calls === null));
  // rec calls itself: a cycle of one.
  const rec = shown.nodes.find((n) => profile.frames[n.frameId].name === 'rec')!;
  assert.equal(rec.cycle, 1);
  assert.equal(shown.cycles, 1);
  assert.deepEqual(
    shown.edges.filter((e) => e.inCycle).map((e) => shown.nodes[e.from].frameId),
    [rec.frameId],
  );
  // A derived tree (the webview's "my code only") gives its own graph, shares of the whole.
  assert.equal(treeFunctionGraph(profile, profile.tree), g);
});

test('thresholds: functions and edges under them are left out', () => {
  const { profile } = testProfile();
  const g = functionGraph(profile);
  // 5% of 105 is 5.25: readFileSync (4), gc (3) out; rec (6) in; main>helper (7) in.
  const shown = pruneGraph(g, { nodeThreshold: 5, edgeThreshold: 6.5 });
  assert.deepEqual(names(profile, shown), ['main', 'work', 'helper', 'parse', 'rec']);
  assert.deepEqual(edges(profile, shown).sort(), [
    'main>helper:7',
    'main>parse:25',
    'main>work:60',
    'parse>work:20',
    'work>helper:70',
  ]);
  assert.equal(shown.functions, 7);
  assert.equal(shown.eligible, 5);
  assert.equal(shown.capped, false);
  assert.equal(shown.cycles, 0, 'rec>rec (6, under 6.5%) is not drawn');
  // gprof2dot's defaults.
  const d = pruneGraph(g);
  assert.equal(d.nodeThreshold, 0.5);
  assert.equal(d.edgeThreshold, 0.1);
  assert.equal(d.nodes.length, 7);
  const main = d.nodes[0];
  assert.equal(main.totalShare, 102 / 105);
  assert.equal(main.selfShare, 0);
});

test('focus: a function with its callers and callees N levels away', () => {
  const { profile, f } = testProfile();
  const g = functionGraph(profile);
  const at = (frameId: number, depth: number, extra = {}) =>
    names(profile, pruneGraph(g, { focus: { frameId, depth }, ...extra })).sort();
  assert.deepEqual(at(f.work, 0), ['work']);
  assert.deepEqual(at(f.work, 1), ['helper', 'main', 'parse', 'work']);
  assert.deepEqual(at(f.helper, 1), ['helper', 'main', 'work']);
  // Two levels up from helper: main (through work) and parse.
  assert.deepEqual(at(f.helper, 2), ['helper', 'main', 'parse', 'work']);
  // Callees of callers are not followed: main's other callees stay out.
  assert.ok(!at(f.helper, 5).includes('rec'));
  // The focused function is shown whatever its share; its neighbours keep the thresholds.
  assert.deepEqual(at(f.read, 1, { nodeThreshold: 50 }), ['main', 'readFileSync']);
  assert.deepEqual(at(f.read, 1, { nodeThreshold: 50, edgeThreshold: 10 }), ['readFileSync']);
  const shown = pruneGraph(g, { focus: { frameId: f.work, depth: 1 } });
  assert.equal(shown.focus, f.work);
  assert.equal(pruneGraph(g, { focus: { frameId: 999, depth: 1 } }).focus, null);
});

test('cap: the heaviest functions, the focused one kept, and the graph says so', () => {
  const { profile, f } = testProfile();
  const g = functionGraph(profile);
  const capped = pruneGraph(g, { maxNodes: 3 });
  assert.deepEqual(names(profile, capped), ['main', 'work', 'helper']);
  assert.equal(capped.capped, true);
  assert.equal(capped.eligible, 7);
  assert.deepEqual(edges(profile, capped).sort(), [
    'main>helper:7',
    'main>work:60',
    'work>helper:70',
  ]);
  const withFocus = pruneGraph(g, { maxNodes: 1, focus: { frameId: f.rec, depth: 3 } });
  assert.deepEqual(names(profile, withFocus), ['rec']);
  assert.equal(withFocus.eligible, 2, 'rec and its caller main');
  const keep = pruneGraph(g, { keep: (id) => profile.frames[id].kind === 'user' });
  assert.ok(!names(profile, keep).includes('parse'));
});

test('a cProfile graph: exact calls, primitive calls on edges, cycles of mutual recursion', () => {
  const p = pstats('test/fixtures/python/cprofile.prof');
  const g = pruneGraph(functionGraph(p));
  assert.equal(g.exact, true);
  const node = (name: string) => g.nodes.find((n) => p.frames[n.frameId].name === name)!;
  const even = node('is_even');
  const odd = node('is_odd');
  assert.equal(even.calls, 372);
  assert.equal(even.primitiveCalls, 12);
  assert.ok(even.cycle > 0 && even.cycle === odd.cycle, 'is_even and is_odd form one cycle');
  const e = g.edges.find((x) => g.nodes[x.from] === even && g.nodes[x.to] === odd)!;
  assert.equal(e.calls, 360);
  assert.equal(e.primitiveCalls, 12);
  assert.equal(e.inCycle, true);
  assert.equal(graphCalls(e.calls, e.primitiveCalls), '×360/12');
  assert.match(edgeLabelText(e), /^×360\/12, 4\.97%$/);
  const lines = nodeLabelLines(even, p.frames[even.frameId]);
  assert.deepEqual(lines.slice(0, 2), ['is_even', 'app.py:16']);
  assert.deepEqual(lines.slice(2), ['4.98%', '(4.79%)', '×372/12']);
  // No more time passes along an edge than either end spends.
  for (const x of functionGraph(p).links) {
    const ends = functionGraph(p).nodes.filter(
      (n) => n.frameId === x.caller || n.frameId === x.callee,
    );
    for (const n of ends) assert.ok(x.weight <= n.total, `${x.caller}>${x.callee}`);
  }
});

test('labels: short places, untimed recursion', () => {
  const frame = (file: string | null, line1: number | null) =>
    ({ name: 'f', file, line1, col1: null, kind: 'user' }) as const;
  assert.equal(graphPlace(frame('/usr/lib/python3.11/re/__init__.py', 225)), 're/__init__.py:225');
  assert.equal(graphPlace(frame('C:\\app\\lib\\index.js', 3)), 'lib/index.js:3');
  assert.equal(graphPlace(frame('/app/src/work.js', null)), 'work.js');
  assert.equal(graphPlace(frame('node:fs', 400)), 'node:fs:400');
  assert.equal(graphPlace(frame(null, null)), '');
  assert.equal(graphCalls(null, null), '');
  assert.equal(graphCalls(10130, 10130), '×10,130');
  // A call to itself whose time the file does not give is drawn with its calls alone.
  const b = new ProfileBuilder();
  const walk = b.frame({ name: 'walk', file: '/w.c', line1: 1, col1: null, kind: 'user' });
  b.setCallGraph({
    functions: [{ frame: walk, calls: 620, primitiveCalls: 20, self: 10, total: 10 }],
    edges: [{ caller: walk, callee: walk, calls: 600, self: 0, total: 0 }],
  });
  const p = b.build({ profiler: 'callgrind', clock: 'unknown', unit: 'none' });
  const shown = pruneGraph(functionGraph(p));
  assert.equal(shown.edges.length, 1);
  assert.equal(edgeLabelText(shown.edges[0]), '×600');
  assert.equal(shown.nodes[0].cycle, 1);
});
