/**
 * Figures per frame computed from a profile's tree, for tests that compare two profiles of one
 * recording (an import and its export read back, two readers of one file) frame by frame.
 */
import assert from 'node:assert/strict';
import type { Frame, Profile } from '../../src/core/profile';

/** A readable key for a frame, independent of frame ids. */
export const frameKey = (f: Frame): string =>
  `${f.kind} ${f.name} ${f.file ?? '-'}:${f.line1 ?? '-'}:${f.col1 ?? '-'}`;

/** Self and total (recursion once) per frame key, computed here from the tree. */
export function frameFigures(p: Profile): Map<string, { self: number; total: number }> {
  const out = new Map<string, { self: number; total: number }>();
  const { tree } = p;
  for (let n = 1; n < tree.size; n++) {
    const key = frameKey(p.frames[tree.frame[n]]);
    let e = out.get(key);
    if (!e) out.set(key, (e = { self: 0, total: 0 }));
    e.self += tree.self[n];
    let recursive = false;
    for (let a = tree.parent[n]; a > 0; a = tree.parent[a]) {
      if (tree.frame[a] === tree.frame[n]) recursive = true;
    }
    if (!recursive) e.total += tree.total[n];
  }
  return out;
}

/** `actual` is `expected` within a relative `tolerance`. */
export function near(actual: number, expected: number, what: string, tolerance = 1e-6): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );
}
