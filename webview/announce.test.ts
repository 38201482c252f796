import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffProfiles } from '../src/core/diff';
import { formatShare } from '../src/core/format';
import { ProfileBuilder, type Frame } from '../src/core/profile';
import { decodeCompare, encodeCompare } from '../src/shared/wireCompare';
import { nodeAt, testProfile } from '../test/support/testProfile';
import {
  describeBox,
  describeFunction,
  mainChartLabel,
  noBoxText,
  openSourceText,
  spokenPlace,
} from './announce';
import type { ChartSource, Hit } from './chart';
import { Model } from './model';
import { DEFAULT_STATE, type UiState } from './store';
import { tooltipContent } from './tooltip';
import { mainSource } from './views';

const ui = (change: Partial<UiState> = {}): UiState => ({ ...DEFAULT_STATE, ...change });

/** The box of a node in a chart source's rows. */
function hitOfNode(src: ChartSource, node: number): Hit {
  for (let r = 0; r < src.rows.rows.length; r++) {
    const i = src.rows.rows[r].node.indexOf(node);
    if (i >= 0) return { row: r, index: i, node };
  }
  throw new Error(`node ${node} is in no row`);
}

test('a box of the flame graph: name, total and self shares, file name and line', () => {
  const { profile, f } = testProfile();
  const m = new Model(profile);
  const state = ui();
  const src = mainSource(m, state)!;
  const say = (path: number[]) =>
    describeBox(m, state, 'main', src, hitOfNode(src, nodeAt(profile.tree, path)));
  // Totals out of 105: main 102 (self 0), main > work 60 (self 10), main > parse 25 (self 5).
  assert.equal(say([f.main]), 'main, 97.1% total, 0% self, main.js line 1');
  assert.equal(say([f.main, f.work]), 'work, 57.1% total, 9.5% self, work.js line 10');
  assert.equal(say([f.main, f.parse]), 'parse, 23.8% total, 4.8% self, index.js line 5');
  assert.equal(say([f.gc]), '(garbage collector), 2.9% total, 2.9% self, profiler pseudo-frame');
  assert.equal(say([f.main, f.read]), 'readFileSync, 3.8% total, 3.8% self, node:fs line 400');
  assert.equal(describeBox(m, state, 'main', src, hitOfNode(src, 0)), 'All, 100% total');
});

test("the figures are the tooltip's, for every box of the flame graph and a sandwich", () => {
  const { profile, f } = testProfile();
  const m = new Model(profile);
  const state = ui();
  const src = mainSource(m, state)!;
  const check = (role: 'main' | 'callers' | 'callees', s: ChartSource, node: number) => {
    const hit = hitOfNode(s, node);
    const said = describeBox(m, state, role, s, hit);
    const tip = tooltipContent(m, state, role, s, hit)!;
    const total = formatShare(s.tree.total[node], m.total);
    const self = formatShare(s.tree.self[node], m.total);
    assert.ok(said.startsWith(`${tip.title}, ${total} total, ${self} self, `), said);
    assert.ok(tip.lines.some((l) => l.startsWith('Total here: ') && l.includes(`(${total})`)));
    assert.ok(tip.lines.some((l) => l.startsWith('Self here: ') && l.includes(`(${self})`)));
  };
  for (let node = 1; node < profile.tree.size; node++) check('main', src, node);
  const s = m.sandwich(false, f.helper);
  for (const [role, tree] of [
    ['callers', s.callers],
    ['callees', s.callees],
  ] as const) {
    const half: ChartSource = { rows: m.layout(tree), tree, frames: m.frames, rootLabel: '' };
    for (let node = 1; node < tree.size; node++) check(role, half, node);
  }
});

test('inverted, time order and the table say what their tooltips and cells say', () => {
  const { profile, f } = testProfile();
  const m = new Model(profile);
  const inverted = ui({ inverted: true });
  const inv = mainSource(m, inverted)!;
  const helper = nodeAt(inv.tree, [f.helper]);
  // helper's self time: 50 + 20 + 7 = 77 of 105.
  assert.equal(
    describeBox(m, inverted, 'main', inv, hitOfNode(inv, helper)),
    'helper, 73.3% in this call path, work.js line 30',
  );
  const timed = ui({ view: 'timeOrder' });
  const time = mainSource(m, timed)!;
  // The first samples: main > work > helper for 50 µs from the start.
  const first: Hit = { row: 2, index: 0, node: time.rows.rows[2].node[0] };
  assert.equal(
    describeBox(m, timed, 'main', time, first),
    'helper, 47.6% of the run, from 0 ms to 50.0 µs, work.js line 30',
  );
  const fig = m.functionFigures(false, f.work)!;
  assert.equal(
    describeFunction(m, profile.frames[f.work], fig),
    `work, ${formatShare(fig.total, m.total)} total, ${formatShare(fig.self, m.total)} self, work.js line 10`,
  );
});

test('the differential view says the change and the totals before and after', () => {
  const a = { name: 'a', file: '/app/a.js', line1: 3, col1: 1, kind: 'user' } as Frame;
  const b = { name: 'b', file: '/app/b.js', line1: 7, col1: 1, kind: 'user' } as Frame;
  const build = (wa: number, wb: number) => {
    const p = new ProfileBuilder();
    const [ia, ib] = [p.frame(a), p.frame(b)];
    p.addStack([ia], wa);
    p.addStack([ia, ib], wb);
    return p.build({ profiler: 'test', clock: 'cpu', unit: 'milliseconds' });
  };
  const before = build(100, 100);
  const after = build(100, 400);
  const diff = diffProfiles(before, after, { normalisation: 'none' });
  const labels = { beforeLabel: 'run 1', afterLabel: 'run 2' };
  const compare = decodeCompare(encodeCompare(diff, before, labels), after);
  const m = new Model(after, compare);
  const state = ui({ view: 'diff' });
  const src = mainSource(m, state)!;
  const node = nodeAt(after.tree, [0, 1]);
  const said = describeBox(m, state, 'main', src, hitOfNode(src, node));
  const tip = tooltipContent(m, state, 'main', src, hitOfNode(src, node))!;
  const total = tip.lines.find((l) => l.startsWith('Total here: '))!;
  // "Total here: before 100 ms · after 400 ms · +300 ms · +300%"
  const [, before100, after400, change] = /before (.+) · after (.+?) · (.+)$/.exec(total)!;
  assert.equal(said, `b, ${change}, total before ${before100}, after ${after400}, b.js line 7`);
  assert.match(said, /^b, \+300 ms · \+300%, total before 100 ms, after 400 ms, b\.js line 7$/);
});

test('places, hostile names, edges, opening a source, the chart names', () => {
  const frame = (name: string, file: string | null, line1: number | null, kind = 'user') =>
    ({ name, file, line1, col1: null, kind }) as Frame;
  assert.equal(spokenPlace(frame('x', '/a/b/parser.ts', 88)), 'parser.ts line 88');
  assert.equal(spokenPlace(frame('x', 'C:\\src\\app.py', 3)), 'app.py line 3');
  assert.equal(spokenPlace(frame('x', '/a/b/c.js', null)), 'c.js');
  assert.equal(spokenPlace(frame('(idle)', null, null, 'pseudo')), 'profiler pseudo-frame');
  assert.equal(spokenPlace(frame('now', null, null, 'runtime')), 'runtime code');
  // Names are data: said as they are (the live region sets them with textContent).
  const hostile = '<img src=x onerror=alert(1)>';
  const b = new ProfileBuilder();
  b.addStack([b.frame(frame(hostile, '/app/<b>evil</b>.js', 2))], 10);
  const p = b.build({ profiler: 'test', clock: 'cpu', unit: 'samples' });
  const m = new Model(p);
  const src = mainSource(m, ui())!;
  assert.equal(
    describeBox(m, ui(), 'main', src, hitOfNode(src, 1)),
    `${hostile}, 100% total, 100% self, b>.js line 2`,
  );
  assert.equal(noBoxText('ArrowLeft'), 'No frame to the left');
  assert.equal(noBoxText('ArrowUp'), 'No frame above');
  const parse = frame('parse', '/app/parser.ts', 88);
  assert.equal(openSourceText(parse, true), 'Opening parser.ts line 88, parse');
  assert.equal(
    openSourceText(frame('now', 'node:perf_hooks', 1, 'runtime'), false),
    'now has no source file to open (node:perf_hooks line 1).',
  );
  assert.match(openSourceText(undefined, false), /^Select a function first/);
  assert.equal(mainChartLabel(ui(), src), 'Flame graph');
  assert.equal(
    mainChartLabel(ui({ zoom: [{ row: 1, index: 0 }], myCodeOnly: true }), src),
    `Flame graph, my code only, zoomed to ${hostile}`,
  );
  assert.equal(mainChartLabel(ui({ view: 'timeOrder' }), undefined), 'Time order chart');
});
