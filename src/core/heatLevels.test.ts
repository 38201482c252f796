import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatLevel } from './heatLevels';

test('by default a level is a share of the whole run, whatever the file', () => {
  // 0.4% of the run is the hottest line of a cold file: pale, not the deepest red.
  assert.equal(heatLevel(0.4, 100, 0.4, 'run'), 0);
  assert.equal(heatLevel(0.2, 100, 0.4, 'run'), 0);
  assert.equal(heatLevel(1, 100, 90, 'run'), 1);
  assert.equal(heatLevel(4.99, 100, 90, 'run'), 1);
  assert.equal(heatLevel(5, 100, 90, 'run'), 2);
  assert.equal(heatLevel(15, 100, 90, 'run'), 3);
  assert.equal(heatLevel(39.9, 100, 90, 'run'), 3);
  assert.equal(heatLevel(40, 100, 90, 'run'), 4);
  assert.equal(heatLevel(90, 100, 90, 'run'), 4);
});

test('the per-file scale makes the file hottest line the top level', () => {
  assert.equal(heatLevel(0.4, 100, 0.4, 'file'), 4);
  assert.equal(heatLevel(0.2, 100, 0.4, 'file'), 2);
  assert.equal(heatLevel(0.01, 100, 0.4, 'file'), 0);
});
