/**
 * Fuzzes the exporters through the importers: every fixture of every importer, and mutated
 * copies of them (cases.ts), is imported; each profile that imports is exported to every format
 * Heatlens writes, and each export must import again (an exporter writes only what the
 * importers read) with the same total weight: a `convert` never writes a file that its own
 * `summary` refuses, nor one that says something else.
 *
 * Bounded by a count of cases, never by time; seeded. HEATLENS_FUZZ_SEED changes the seed,
 * HEATLENS_FUZZ_SCALE multiplies the number of cases, HEATLENS_FUZZ_CASE=roundtrip-<format>:<case>
 * reruns one case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../src/core/profile';
import { importProfileFile } from '../../src/formats/detect';
import { collapsedUnit } from '../../src/formats/exportCollapsed';
import { pprofValueType } from '../../src/formats/exportPprof';
import {
  PROFILE_EXPORT_FORMATS,
  exportFileName,
  exportProfile,
} from '../../src/formats/exportProfile';
import { ExportEmptyError, ExportRangeError, timeFactor } from '../../src/formats/exportUnits';
import { loadFixtures, makeCase, type Input } from './cases';
import { checkProfileInvariants } from './invariants';
import { FUZZ_TARGETS } from './targets';

const SEED = Number(process.env.HEATLENS_FUZZ_SEED ?? 20240611);
const SCALE = Number(process.env.HEATLENS_FUZZ_SCALE ?? 1);
const ONLY = process.env.HEATLENS_FUZZ_CASE; // "roundtrip-<format>:<case>"
/** Mutated cases per importer (each is exported five times and read back). */
const CASES = 40;

/**
 * The figure every export keeps: the total weight. The call-graph formats (pstats, callgrind)
 * keep a call graph's self times, whose sum is compared (the importers differ in the total they
 * show beside it: pstats may take a larger inclusive time); the tree formats write the tree,
 * whose total may differ from the graph's (the tree is an approximation), so theirs is compared
 * with the tree's.
 */
function totalOf(p: Profile, to: string): number {
  const graphFormat = to === 'pstats' || to === 'callgrind';
  // Weight on the root itself (samples with an empty stack) is no function's: the formats
  // keyed by function, and collapsed stacks and pprof (a sample needs a stack), have no place
  // for it.
  if (!graphFormat || !p.callGraph)
    return (
      p.tree.total[0] - (graphFormat || to === 'collapsed' || to === 'pprof' ? p.tree.self[0] : 0)
    );
  let sum = 0;
  for (const f of p.callGraph.functions) if (f.self > 0) sum += f.self;
  return sum;
}

/** Whether `b` equals `a` to the rounding the formats allow: whole numbers or float printing. */
function sameTotal(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
}

/** What is wrong with the round trips of one input, or undefined. */
function roundTrips(input: Input): string | undefined {
  let profile: Profile;
  try {
    profile = importProfileFile(input.name, input.bytes);
  } catch {
    return undefined; // the importers' own fuzz test judges their errors
  }
  for (const { id } of PROFILE_EXPORT_FORMATS) {
    let bytes: Uint8Array;
    try {
      bytes = exportProfile(profile, id);
    } catch (error) {
      // A refusal that says why (numbers past 2^53, collapsed stacks of a profile without time)
      // is fine: a file that does not read back is not.
      if (error instanceof ExportRangeError || error instanceof ExportEmptyError) continue;
      return `export to ${id} threw: ${String(error).slice(0, 300)}`;
    }
    const name = exportFileName(`fuzz/${input.name}`, id).replace(/^fuzz\//, '');
    let back: Profile;
    try {
      back = importProfileFile(name, bytes);
      checkProfileInvariants(back);
    } catch (error) {
      return `the ${id} export does not read back: ${String(error).slice(0, 300)}`;
    }
    // In one unit: collapsed counts are the weights times the scale it chose; other formats
    // convert between time units (seconds, nanoseconds, microseconds) or keep the weights.
    // pprof: values in nanoseconds for time (converted below), else the weights times its scale.
    const timed = timeFactor(profile.meta.unit, 'nanoseconds') !== null;
    const scale =
      id === 'collapsed'
        ? collapsedUnit(profile).scale
        : id === 'pprof' && !timed
          ? pprofValueType(profile).scale
          : 1;
    const want = totalOf(profile, id) * scale;
    const got = totalOf(back, id);
    const factor = id === 'collapsed' ? null : timeFactor(back.meta.unit, profile.meta.unit);
    if (!sameTotal(want, got * (factor ?? 1))) {
      return `the ${id} export reads back a total of ${got} ${back.meta.unit}, not ${want} ${profile.meta.unit}`;
    }
  }
  return undefined;
}

for (const target of FUZZ_TARGETS) {
  if (target.format === 'marshal') continue; // not a profile format
  const format = `roundtrip-${target.format}`;
  const only = ONLY?.split(':');
  if (only && only[0] !== format) continue;
  test(`fuzz ${format}: every export of every import reads back with the same total`, (t) => {
    const fixtures = loadFixtures(target);
    const failures: string[] = [];
    // The fixtures themselves first (case -1 - i), then mutated copies.
    const inputs: { caseNo: number; input: Input }[] = only
      ? []
      : fixtures.map((f, i) => ({
          caseNo: -1 - i,
          input: { name: f.name, bytes: f.bytes, how: [f.name] },
        }));
    if (!only && target.format === 'speedscope') {
      // Weights far beyond any recording (a sampled profile in seconds, times 10^12): callgrind
      // costs in nanoseconds and .cpuprofile timestamps in microseconds pass 2^53.
      for (const f of fixtures) {
        const json = JSON.parse(new TextDecoder().decode(f.bytes)) as {
          profiles: { type: string; unit: string; weights?: number[] }[];
        };
        if (!json.profiles.every((p) => p.type === 'sampled')) continue;
        for (const p of json.profiles) {
          p.unit = 'seconds';
          p.weights = p.weights?.map((w) => w * 1e12);
        }
        const bytes = new TextEncoder().encode(JSON.stringify(json));
        inputs.push({ caseNo: -100, input: { name: `huge-${f.name}`, bytes, how: ['huge'] } });
      }
    }
    const count = Math.round(CASES * SCALE);
    const cases = only ? [Number(only[1])] : Array.from({ length: count }, (_, i) => i);
    for (const caseNo of cases) {
      if (caseNo < 0) continue;
      inputs.push({ caseNo, input: makeCase(target, fixtures, caseNo, SEED, 'roundtrip:') });
    }
    for (const { caseNo, input } of inputs) {
      const wrong = roundTrips(input);
      if (wrong) {
        failures.push(
          `${wrong}\n    ${input.how.join(' > ')}; rerun: HEATLENS_FUZZ_SEED=${SEED} ` +
            `HEATLENS_FUZZ_CASE=${format}:${caseNo}`,
        );
      }
    }
    t.diagnostic(`${format}: ${inputs.length} inputs, ${failures.length} failed`);
    if (failures.length)
      assert.fail(
        `${format}: ${failures.length} round trips failed\n${failures.slice(0, 8).join('\n')}`,
      );
  });
}
