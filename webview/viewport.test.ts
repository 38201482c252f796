import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IntervalRow, IntervalRows } from './layout/intervals';
import { ROW_HEIGHT, Viewport } from './viewport';

function row(boxes: [node: number, start: number, end: number][]): IntervalRow {
  return {
    node: Int32Array.from(boxes, (b) => b[0]),
    start: Float64Array.from(boxes, (b) => b[1]),
    end: Float64Array.from(boxes, (b) => b[2]),
  };
}

/** A root over [0, 100), two children, and a grandchild of the second. */
function rows(): IntervalRows {
  return {
    rows: [
      row([[0, 0, 100]]),
      row([
        [1, 0, 40],
        [2, 40, 100],
      ]),
      row([[3, 60, 80]]),
    ],
    min: 0,
    max: 100,
  };
}

function view(flipped = false): Viewport {
  const v = new Viewport(flipped);
  v.setRows(rows());
  v.setSize(200, 2 * ROW_HEIGHT);
  return v;
}

test('a new source shows its whole extent from the top; keepView keeps the range', () => {
  const v = view();
  assert.deepEqual([v.x0, v.x1, v.scrollY], [0, 100, 0]);
  v.set(10, 20, 5);
  v.setRows(rows(), true);
  assert.deepEqual([v.x0, v.x1, v.scrollY], [10, 20, 5]);
  v.setRows(rows());
  assert.deepEqual([v.x0, v.x1, v.scrollY], [0, 100, 0]);
});

test('set clamps the range to the extent and the scroll to the content', () => {
  const v = view();
  v.set(90, 130);
  assert.deepEqual([v.x0, v.x1], [60, 100]);
  v.set(-50, 500, 1000);
  assert.deepEqual([v.x0, v.x1], [0, 100]);
  // Three rows and one empty row below, in a canvas two rows high.
  assert.equal(v.scrollY, 2 * ROW_HEIGHT);
  assert.equal(new Viewport().set(0, 1), false, 'nothing to show without rows');
});

test('zoomBy keeps the point under the cursor; panBy moves by a share of the width', () => {
  const v = view();
  v.zoomBy(0.5, 0.25);
  assert.deepEqual([v.x0, v.x1], [12.5, 62.5]);
  v.panBy(0.5);
  assert.deepEqual([v.x0, v.x1], [37.5, 87.5]);
  v.panBy(1);
  assert.deepEqual([v.x0, v.x1], [50, 100], 'pan stops at the end');
});

test('zoomTo shows a box and scrolls its row into view; ensureVisible only pans', () => {
  const v = view();
  assert.equal(v.zoomTo({ row: 2, index: 0, node: 3 }), true);
  assert.deepEqual([v.x0, v.x1], [60, 80]);
  assert.equal(v.scrollY, ROW_HEIGHT);
  v.set(0, 10, 0);
  v.ensureVisible({ row: 1, index: 1, node: 2 });
  assert.deepEqual([v.x0, v.x1], [65, 75], 'centred on the box, same span');
  assert.equal(v.zoomTo({ row: 9, index: 0, node: 0 }), false);
});

test('hitAt and boxOf map between pixels and boxes, top down and flipped', () => {
  const v = view();
  assert.deepEqual(v.hitAt(150, ROW_HEIGHT + 2), { row: 1, index: 1, node: 2 });
  assert.deepEqual(v.hitAt(10, ROW_HEIGHT + 2), { row: 1, index: 0, node: 1 });
  assert.equal(v.hitAt(10, 2 * ROW_HEIGHT + 2), null, 'no box there in row 2');
  assert.deepEqual(v.boxOf({ row: 1, index: 1, node: 2 }), {
    x: 80,
    y: ROW_HEIGHT,
    w: 120,
    h: ROW_HEIGHT - 1,
  });
  assert.equal(v.boxOf({ row: 2, index: 0, node: 3 }), null, 'below the canvas');
  const f = view(true);
  // Flipped: row 0 is the bottom row of the canvas.
  assert.deepEqual(f.hitAt(10, 2 * ROW_HEIGHT - 2), { row: 0, index: 0, node: 0 });
  assert.deepEqual(f.hitAt(10, 2), { row: 1, index: 0, node: 1 });
  assert.equal(f.boxOf({ row: 0, index: 0, node: 0 })?.y, ROW_HEIGHT);
});
