/**
 * Writes a profile as collapsed ("folded") stacks, `root;caller;leaf <count>`, one line per
 * stack with self weight: the input of flamegraph.pl, speedscope, and our importer
 * (collapsed.ts).
 *
 * - Counts must be whole numbers (flamegraph.pl and speedscope read nothing else), and the format
 *   has no unit. Time profiles are written in microseconds when every stack's weight is a whole
 *   number of them (V8's sample intervals nearly are), else in nanoseconds, rounded; other units
 *   as whole numbers, times 1000s only when a weight has a fraction. {@link collapsedUnit} says
 *   which, so callers can tell the person. The counts are rounded as a running sum, so they add
 *   up to the profile's total, rounded once.
 * - A frame with a file is written `name (file:line)`, py-spy's convention, which our importer
 *   and others that know it read back as a file and a 1-based line (0 when the line is unknown);
 *   a frame without a file is its name. `;` would split a frame and a line break a line: they
 *   become `:` and a space.
 * - The file has no time order and no calls: it holds the tree. A profile from a call graph
 *   (pstats, callgrind) is written as its tree, which is an approximation of the graph.
 */
import type { Frame, Profile, WeightUnit } from '../core/profile';
import {
  integerScale,
  timeFactor,
  ExportEmptyError,
  ExportRangeError,
  MAX_EXACT,
} from './exportUnits';

/** What the counts of {@link exportCollapsed} mean for a profile. */
export interface CollapsedUnit {
  /** count = weight * scale (before rounding). */
  readonly scale: number;
  /** The unit of the counts: microseconds or nanoseconds for time, else the profile's unit. */
  readonly unit: WeightUnit;
}

/** The unit the counts of `profile` are written in (see the file comment). */
export function collapsedUnit(profile: Profile): CollapsedUnit {
  const { tree } = profile;
  const us = timeFactor(profile.meta.unit, 'microseconds');
  const selfs = (function* () {
    for (let i = 1; i < tree.size; i++) yield tree.self[i];
  })();
  if (us === null) {
    return { scale: integerScale(selfs), unit: profile.meta.unit };
  }
  if (profile.meta.unit === 'nanoseconds') return { scale: 1, unit: 'nanoseconds' };
  // Microseconds when they lose nothing, else nanoseconds.
  const scaled = (function* () {
    for (const s of selfs) yield s * us;
  })();
  return integerScale(scaled) === 1
    ? { scale: us, unit: 'microseconds' }
    : { scale: us * 1e3, unit: 'nanoseconds' };
}

/** A frame as one element of a collapsed stack. */
export function collapsedFrame(frame: Frame): string {
  const clean = (s: string) => s.replace(/;/g, ':').replace(/[\r\n]+/g, ' ');
  return frame.file === null
    ? clean(frame.name)
    : `${clean(frame.name)} (${clean(frame.file)}:${frame.line1 ?? 0})`;
}

/** The collapsed stacks of `profile` (see the file comment). */
export function exportCollapsed(profile: Profile): string {
  const { tree, frames } = profile;
  const { scale } = collapsedUnit(profile);
  const labels = frames.map(collapsedFrame);
  const out: string[] = [];
  const path: string[] = [];
  let running = 0;
  let previous = 0;
  // Depth first, heaviest child first (the tree's order): entries >= 0 enter, ~id leave.
  const stack: number[] = [];
  for (let c = tree.childCount[0] - 1; c >= 0; c--)
    stack.push(tree.children[tree.childStart[0] + c]);
  while (stack.length) {
    const entry = stack.pop() as number;
    if (entry < 0) {
      path.pop();
      continue;
    }
    path.push(labels[tree.frame[entry]]);
    const self = tree.self[entry];
    if (self > 0) {
      running += self * scale;
      const now = Math.round(running);
      if (now > MAX_EXACT) throw new ExportRangeError('collapsed stacks', `a count of ${now}`);
      if (now > previous) out.push(`${path.join(';')} ${now - previous}`);
      previous = Math.max(previous, now);
    }
    stack.push(~entry);
    const start = tree.childStart[entry];
    for (let c = tree.childCount[entry] - 1; c >= 0; c--) stack.push(tree.children[start + c]);
  }
  if (out.length === 0) {
    throw new ExportEmptyError(
      'collapsed stacks',
      'the profile holds no samples, and a file of no stacks is empty (export it to speedscope ' +
        'or pstats instead)',
    );
  }
  out.push('');
  return out.join('\n');
}
