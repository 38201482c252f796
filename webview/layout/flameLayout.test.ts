import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutFlame } from './flameLayout';
import {
  coverage,
  firstEndingAfter,
  intervalAt,
  visitVisible,
  type IntervalRow,
} from './intervals';
import { nodeAt, testProfile } from '../../test/support/testProfile';

test('flame layout: one row per depth, children heaviest first from the parent left edge', () => {
  const { profile, f } = testProfile();
  const layout = layoutFlame(profile.tree);
  const t = profile.tree;
  assert.equal(layout.max, 105);
  assert.equal(layout.rows.length, 5); // root, main, work/parse/..., helper/work/rec, helper/rec
  const row = (d: number): [string, number, number][] =>
    Array.from(layout.rows[d].node, (n, i) => [
      n === 0 ? '(root)' : profile.frames[t.frame[n]].name,
      layout.rows[d].start[i],
      layout.rows[d].end[i],
    ]);
  assert.deepEqual(row(0), [['(root)', 0, 105]]);
  assert.deepEqual(row(1), [
    ['main', 0, 102],
    ['(garbage collector)', 102, 105],
  ]);
  assert.deepEqual(row(2), [
    ['work', 0, 60],
    ['parse', 60, 85],
    ['helper', 85, 92],
    ['rec', 92, 98],
    ['readFileSync', 98, 102],
  ]);
  // Self time sits to the right of the children: work [0,60) has helper [0,50) then 10 self.
  assert.deepEqual(row(3), [
    ['helper', 0, 50],
    ['work', 60, 80],
    ['rec', 92, 98],
  ]);
  const parseWork = nodeAt(t, [f.main, f.parse, f.work]);
  assert.equal(layout.x[parseWork], 60);
  assert.equal(layout.rows[3].node[layout.indexInRow[parseWork]], parseWork);
  for (const r of layout.rows) {
    for (let i = 1; i < r.start.length; i++)
      assert.ok(r.start[i] >= r.end[i - 1], 'sorted, disjoint');
  }
});

function rowOf(boxes: [number, number][]): IntervalRow {
  return {
    node: Int32Array.from(boxes.map((_, i) => i)),
    start: Float64Array.from(boxes.map((b) => b[0])),
    end: Float64Array.from(boxes.map((b) => b[1])),
  };
}

test('interval lookup: binary search by x', () => {
  const row = rowOf([
    [0, 10],
    [10, 12],
    [20, 30],
  ]);
  assert.equal(firstEndingAfter(row, 0), 0);
  assert.equal(firstEndingAfter(row, 10), 1);
  assert.equal(firstEndingAfter(row, 15), 2);
  assert.equal(firstEndingAfter(row, 30), 3);
  assert.equal(intervalAt(row, 11), 1);
  assert.equal(intervalAt(row, 15), -1, 'in a gap');
  assert.equal(intervalAt(row, 29.9), 2);
});

test('culling: only visible boxes at least minWidth wide, sub-pixel runs skipped', () => {
  // 1000 tiny boxes, then one wide box that starts inside the last skipped pixel.
  const boxes: [number, number][] = [];
  for (let i = 0; i < 1000; i++) boxes.push([i * 0.01, i * 0.01 + 0.01]);
  boxes.push([10.005, 20]);
  boxes.push([20, 21]);
  boxes.push([30, 40]);
  const row = rowOf(boxes);
  const seen: number[] = [];
  const visited = visitVisible(row, 0, 35, 1, (i) => seen.push(i));
  assert.deepEqual(seen, [1000, 1001, 1002], 'the wide boxes, none of the tiny ones');
  assert.equal(visited, 3);
  const window: number[] = [];
  visitVisible(row, 15, 25, 1, (i) => window.push(i));
  assert.deepEqual(window, [1000, 1001], 'only what overlaps [15, 25)');
  const fine: number[] = [];
  visitVisible(row, 0, 0.05, 0.001, (i) => fine.push(i));
  assert.deepEqual(fine, [0, 1, 2, 3, 4], 'zoomed in: the tiny boxes are wide enough');
});

test('culling: a 1M-box row costs what is visible, not its length', () => {
  const n = 1_000_000;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    start[i] = i;
    end[i] = i + 1;
  }
  const row = { node: new Int32Array(n), start, end };
  // 1000 px over the whole row: each pixel is 1000 boxes wide, none visible, few lookups.
  let count = 0;
  visitVisible(row, 0, n, n / 1000, () => count++);
  assert.equal(count, 0);
  // Zoomed into 100 boxes: all 100 drawn.
  visitVisible(row, 500_000, 500_100, 0.1, () => count++);
  assert.equal(count, 100);
});

test('culling agrees with a brute-force scan on random rows', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 200; trial++) {
    const boxes: [number, number][] = [];
    let x = 0;
    const n = 1 + Math.floor(rand() * 300);
    for (let i = 0; i < n; i++) {
      x += rand() < 0.3 ? rand() * 5 : 0; // gaps sometimes
      const w = rand() < 0.7 ? rand() * 0.5 : rand() * 20;
      boxes.push([x, x + w]);
      x += w;
    }
    const row = rowOf(boxes);
    const x0 = rand() * x;
    const x1 = x0 + rand() * x;
    const minWidth = 0.05 + rand() * 2;
    const seen: number[] = [];
    const runs: [number, number][] = [];
    visitVisible(
      row,
      x0,
      x1,
      minWidth,
      (i) => seen.push(i),
      (a, b, first, last) => {
        runs.push([a, b]);
        assert.equal(boxes[first][0], a);
        assert.equal(boxes[last][1], b);
      },
    );
    // Every narrow box that is on screen lies inside a reported run.
    boxes.forEach(([a, b], i) => {
      if (b > x0 && a < x1 && b - a < minWidth) {
        assert.ok(
          runs.some(([ra, rb]) => ra <= a && b <= rb),
          `trial ${trial}: narrow box ${i} [${a}, ${b}) not in a run`,
        );
      }
    });
    for (const [a, b] of runs) assert.ok(b - a <= 2 * minWidth, 'a run spans at most two pixels');
    const expected = boxes
      .map((b, i) => [b, i] as const)
      .filter(([b]) => b[1] > x0 && b[0] < x1 && b[1] - b[0] >= minWidth)
      .map(([, i]) => i);
    assert.deepEqual(seen, expected, `trial ${trial}`);
  }
});

test('coverage: prefix sums of widths', () => {
  const row = rowOf([
    [0, 1],
    [2, 2.5],
    [3, 6],
  ]);
  assert.deepEqual(Array.from(coverage(row)), [0, 1, 1.5, 4.5]);
});
