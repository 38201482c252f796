/**
 * A small profile with real-looking stacks for the layout tests: a user program calling a library
 * that calls back into user code, a garbage-collector pseudo frame, a runtime frame and recursion.
 * Figures are in microseconds; the expected numbers in the tests are worked out from these stacks.
 */
import { ProfileBuilder, type Frame, type Profile } from '../../src/core/profile';

/** Frame ids of {@link testProfile}, by name. */
export interface TestFrames {
  main: number;
  work: number;
  helper: number;
  parse: number;
  gc: number;
  rec: number;
  read: number;
}

/** The stacks (outermost first) and their self weights. */
export const TEST_STACKS: readonly (readonly [string[], number])[] = [
  [['main', 'work', 'helper'], 50],
  [['main', 'work'], 10],
  [['main', 'parse', 'work', 'helper'], 20],
  [['main', 'parse'], 5],
  [['(garbage collector)'], 3],
  [['main', 'helper'], 7],
  [['main', 'rec', 'rec', 'rec'], 6],
  [['main', 'readFileSync'], 4],
];

const FRAMES: Record<string, Frame> = {
  main: { name: 'main', file: '/app/src/main.js', line1: 1, col1: 1, kind: 'user' },
  work: { name: 'work', file: '/app/src/work.js', line1: 10, col1: 1, kind: 'user' },
  helper: { name: 'helper', file: '/app/src/work.js', line1: 30, col1: 3, kind: 'user' },
  parse: {
    name: 'parse',
    file: '/app/node_modules/fast-json/index.js',
    line1: 5,
    col1: 1,
    kind: 'library',
  },
  '(garbage collector)': {
    name: '(garbage collector)',
    file: null,
    line1: null,
    col1: null,
    kind: 'pseudo',
  },
  rec: { name: 'rec', file: '/app/src/main.js', line1: 20, col1: 1, kind: 'user' },
  readFileSync: { name: 'readFileSync', file: 'node:fs', line1: 400, col1: 1, kind: 'runtime' },
};

/** Builds the test profile, with one timed sample per stack unit in the order given. */
export function testProfile(): { profile: Profile; f: TestFrames } {
  const b = new ProfileBuilder();
  const ids: Record<string, number> = {};
  for (const [name, frame] of Object.entries(FRAMES)) ids[name] = b.frame(frame);
  let t = 0;
  for (const [stack, w] of TEST_STACKS) {
    const node = b.addStack(
      stack.map((s) => ids[s]),
      w,
    );
    b.addSample(node, w, t);
    t += w;
  }
  const profile = b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
  return {
    profile,
    f: {
      main: ids.main,
      work: ids.work,
      helper: ids.helper,
      parse: ids.parse,
      gc: ids['(garbage collector)'],
      rec: ids.rec,
      read: ids.readFileSync,
    },
  };
}

/** The node at the end of a path of frame ids (outermost first), or -1. */
export function nodeAt(
  tree: {
    childStart: Int32Array;
    childCount: Int32Array;
    children: Int32Array;
    frame: Int32Array;
  },
  path: readonly number[],
): number {
  let node = 0;
  for (const f of path) {
    let next = -1;
    for (let k = 0; k < tree.childCount[node]; k++) {
      const c = tree.children[tree.childStart[node] + k];
      if (tree.frame[c] === f) next = c;
    }
    if (next < 0) return -1;
    node = next;
  }
  return node;
}
