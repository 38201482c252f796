import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/core/profile';
import { frameIndex, frameNamed } from './frames';

const frames: Frame[] = [
  { name: 'main', file: '/app/a.py', line1: 1, col1: null, kind: 'user' },
  { name: 'work', file: '/app/a.py', line1: 5, col1: null, kind: 'user' },
  { name: 'work', file: '/app/lib/b.py', line1: 9, col1: null, kind: 'library' },
  { name: '(idle)', file: null, line1: null, col1: null, kind: 'pseudo' },
];

test('frameIndex finds the first frame of a name, or the one in a file ending so', () => {
  assert.equal(frameIndex({ frames }, 'work'), 1);
  assert.equal(frameIndex({ frames }, 'work', 'lib/b.py'), 2);
  assert.equal(frameIndex({ frames }, '(idle)'), 3);
  assert.equal(frameNamed({ frames }, 'work', 'b.py').kind, 'library');
});

test('a frame that is not there fails, naming what was looked for', () => {
  assert.throws(() => frameIndex({ frames }, 'missing'), /no frame missing$/);
  assert.throws(() => frameNamed({ frames }, 'main', 'b.py'), /no frame main in b\.py/);
  // A frame without a file never matches a file.
  assert.throws(() => frameIndex({ frames }, '(idle)', ''), /no frame \(idle\) in /);
});
