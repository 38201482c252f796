/**
 * Test helpers comparing a profile's per-function figures with speedscope's Sandwich table as
 * recorded beside a fixture (`*.expected.json`, written by test/fixtures/speedscope/record.mjs).
 * speedscope shows rounded figures ("459.75ms", "980.00µs", "483"), so each comparison allows
 * half a unit of the last digit shown.
 */
import assert from 'node:assert/strict';
import { functionStats } from '../../src/core/functionStats';
import type { Frame, Profile, WeightUnit } from '../../src/core/profile';
import { repoRoot } from './repoRoot';

/** The folder holding package.json above `from` (built tests run from out/). */

/** One row of speedscope's Sandwich table, as displayed. */
export interface SandwichRow {
  readonly name: string;
  readonly total: string;
  readonly self: string;
}

const NS: Record<string, number> = { ns: 1, µs: 1e3, us: 1e3, ms: 1e6, s: 1e9 };
const UNIT_NS: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

/** A displayed figure in `unit`, and how far the true value may be from it. */
export function parseShown(shown: string, unit: WeightUnit): { value: number; tolerance: number } {
  const m = /^([\d.,]+)\s*(ns|µs|us|ms|s)?$/.exec(shown.trim());
  assert.ok(m, `unreadable figure ${JSON.stringify(shown)}`);
  const digits = m[1].replace(/,/g, '');
  const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
  const half = 0.5 * 10 ** -decimals;
  if (m[2]) {
    const per = UNIT_NS[unit];
    assert.ok(per, `a time ${shown} in a profile of unit ${unit}`);
    const scale = NS[m[2]] / per;
    return { value: Number(digits) * scale, tolerance: half * scale };
  }
  return { value: Number(digits), tolerance: half };
}

/**
 * Asserts that `profile`'s self and total per function equal speedscope's rows. Functions are
 * matched by name (the table shows nothing else; `nameOf` gives the name speedscope shows for a
 * frame whose text an importer split up); several functions of one name are compared in order of
 * size.
 */
export function assertSameFigures(
  profile: Profile,
  rows: readonly SandwichRow[],
  what: string,
  nameOf: (frame: Frame) => string = (frame) => frame.name,
): void {
  const unit = profile.meta.unit;
  const ours = new Map<string, { self: number; total: number }[]>();
  for (const s of functionStats(profile)) {
    const name = nameOf(s.frame);
    let list = ours.get(name);
    if (!list) ours.set(name, (list = []));
    list.push({ self: s.self, total: s.total });
  }
  const theirs = new Map<
    string,
    { self: ReturnType<typeof parseShown>; total: ReturnType<typeof parseShown> }[]
  >();
  for (const r of rows) {
    let list = theirs.get(r.name);
    if (!list) theirs.set(r.name, (list = []));
    list.push({ self: parseShown(r.self, unit), total: parseShown(r.total, unit) });
  }
  assert.deepEqual(
    [...ours.keys()].sort(),
    [...theirs.keys()].sort(),
    `${what}: the same functions`,
  );
  const close = (a: number, b: { value: number; tolerance: number }) =>
    Math.abs(a - b.value) <= b.tolerance * (1 + 1e-9) + 1e-9 * Math.abs(b.value);
  for (const [name, list] of theirs) {
    const mine = ours.get(name) ?? [];
    assert.equal(mine.length, list.length, `${what}: how many functions are called ${name}`);
    mine.sort((a, b) => a.total - b.total || a.self - b.self);
    list.sort((a, b) => a.total.value - b.total.value || a.self.value - b.self.value);
    for (let i = 0; i < list.length; i++) {
      assert.ok(
        close(mine[i].total, list[i].total),
        `${what}: total of ${name}: ${mine[i].total} vs speedscope's ${list[i].total.value}`,
      );
      assert.ok(
        close(mine[i].self, list[i].self),
        `${what}: self of ${name}: ${mine[i].self} vs speedscope's ${list[i].self.value}`,
      );
    }
  }
}

export { repoRoot };
