/** Small profiles for the comparison tests (src/core/diff*.test.ts). */
import assert from 'node:assert/strict';
import type { FunctionDelta } from '../../src/core/diff';
import { ProfileBuilder, type Frame, type Profile, type WeightUnit } from '../../src/core/profile';

/** A frame of /app/a.js (a pseudo-frame without a file). */
export const fn = (
  name: string,
  line1: number | null = 1,
  file: string | null = '/app/a.js',
): Frame => ({
  name,
  file,
  line1,
  col1: line1 === null ? null : 1,
  kind: file === null ? 'pseudo' : 'user',
});

/** A profile from (stack of frames, self weight) pairs; frames are interned in `order` first. */
export function build(
  stacks: [Frame[], number][],
  options: { unit?: WeightUnit; order?: Frame[] } = {},
): Profile {
  const b = new ProfileBuilder();
  for (const f of options.order ?? []) b.frame(f);
  for (const [stack, w] of stacks) {
    b.addStack(
      stack.map((f) => b.frame(f)),
      w,
    );
  }
  return b.build({ profiler: 'test', clock: 'cpu', unit: options.unit ?? 'microseconds' });
}

/** The function of that name in a comparison's list, or a failed assertion. */
export const byName = (list: readonly FunctionDelta[], name: string): FunctionDelta => {
  const found = list.find((f) => f.name === name);
  assert.ok(found, `no ${name} in ${list.map((f) => f.name).join(', ')}`);
  return found;
};
