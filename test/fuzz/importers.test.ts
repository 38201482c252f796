/**
 * Fuzzes every importer with mutated real fixtures (FUZZ_TARGETS in targets.ts). Each case must
 * either throw the format's clean error (a ProfileFormatError naming the file) or return a
 * profile that keeps the model's invariants and survives every analysis (invariants.ts). Anything
 * else - a TypeError, a RangeError, a stack overflow, a broken invariant - is a crash.
 *
 * Bounded by a count of cases, never by time. Every case is reproducible from its coordinates:
 *   HEATLENS_FUZZ_CASE=<format>:<case> node --test out/test/fuzz/importers.test.js
 * reruns one case (add HEATLENS_FUZZ_SAVE=<dir> to write its input there), HEATLENS_FUZZ_SEED
 * changes the seed, HEATLENS_FUZZ_SCALE multiplies the number of cases (for a longer hunt).
 * Inputs that once crashed are kept under test/fixtures/fuzz/<format>/ (regressions.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../src/core/profile';
import { importCpuprofile, importCpuprofileWithJsonParse } from '../../src/formats/cpuprofile';
import { summarize } from '../../src/core/summary';
import { loadFixtures, makeCase, type Input } from './cases';
import { FUZZ_TARGETS, utf8, type FuzzTarget } from './targets';

const SEED = Number(process.env.HEATLENS_FUZZ_SEED ?? 20240611);
const SCALE = Number(process.env.HEATLENS_FUZZ_SCALE ?? 1);
const ONLY = process.env.HEATLENS_FUZZ_CASE; // "<format>:<case>"
const SAVE = process.env.HEATLENS_FUZZ_SAVE;

/** What one case did; `crash` is set when it broke the contract. */
interface Outcome {
  readonly result: 'ok' | 'error';
  readonly crash?: unknown;
  readonly value?: unknown;
}

function runCase(target: FuzzTarget, input: Input): Outcome {
  let value: unknown;
  try {
    value = target.read(input.name, input.bytes);
  } catch (error) {
    return target.isCleanError(error, input.name)
      ? { result: 'error' }
      : { result: 'error', crash: error };
  }
  try {
    target.check(value);
  } catch (error) {
    return { result: 'ok', crash: error };
  }
  return { result: 'ok', value };
}

/**
 * The two routes of the .cpuprofile reader (the fast scanner and JSON.parse) must agree on any
 * input both read: the scanner is only ever a faster way to the same profile.
 */
function cpuprofileRoutesAgree(input: Input): string | undefined {
  const text = utf8(input.bytes);
  let fast: Profile | undefined;
  let slow: Profile | undefined;
  try {
    fast = importCpuprofile(text, { sourceFile: input.name });
  } catch {
    /* compared below */
  }
  try {
    slow = importCpuprofileWithJsonParse(text, { sourceFile: input.name });
  } catch {
    /* compared below */
  }
  if (!fast || !slow) return undefined;
  const a = JSON.stringify(summarize(fast, { limit: 0 }));
  const b = JSON.stringify(summarize(slow, { limit: 0 }));
  if (a !== b || fast.tree.size !== slow.tree.size)
    return 'the scanner and JSON.parse routes read different profiles';
  return undefined;
}

function describeCrash(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 300)}`;
  return String(error);
}

for (const target of FUZZ_TARGETS) {
  const only = ONLY?.split(':');
  if (only && only[0] !== target.format) continue;
  test(`fuzz ${target.format}: mutated fixtures give a clean error or a sound profile`, (t) => {
    const fixtures = loadFixtures(target);
    const cpuBefore = process.cpuUsage();
    const count = Math.round(target.cases * SCALE);
    const cases = only ? [Number(only[1])] : Array.from({ length: count }, (_, i) => i);
    const failures = new Map<string, string[]>();
    let ok = 0;
    let errors = 0;
    // Figures for the person tuning the fuzzer, never a limit: where the time goes.
    const byKind = new Map<string, number>();
    let slowest = { ms: 0, what: '' };
    for (const caseNo of cases) {
      const input = makeCase(target, fixtures, caseNo, SEED);
      if (SAVE) {
        mkdirSync(SAVE, { recursive: true });
        writeFileSync(join(SAVE, input.name), input.bytes);
      }
      const began = performance.now();
      const outcome = runCase(target, input);
      if (outcome.result === 'ok') ok++;
      else errors++;
      let crash = outcome.crash === undefined ? undefined : describeCrash(outcome.crash);
      if (!crash && target.format === 'cpuprofile' && outcome.result === 'ok')
        crash = cpuprofileRoutesAgree(input);
      const took = performance.now() - began;
      for (const h of input.how.slice(1)) {
        const k = h.split(':').slice(0, 2).join(':');
        byKind.set(k, (byKind.get(k) ?? 0) + took);
      }
      if (took > slowest.ms)
        slowest = { ms: took, what: `case ${caseNo} (${input.how.join(' > ')})` };
      if (crash) {
        // One line per kind of crash (numbers stripped), with the cases that hit it.
        const kind = crash.replace(/\d+/g, 'N').slice(0, 160);
        const list = failures.get(kind) ?? [];
        list.push(
          `${crash}\n    seed=${SEED} case=${target.format}:${caseNo} (${input.how.join(' > ')}); ` +
            `rerun: HEATLENS_FUZZ_SEED=${SEED} HEATLENS_FUZZ_CASE=${target.format}:${caseNo}`,
        );
        failures.set(kind, list);
      }
    }
    const cpu = process.cpuUsage(cpuBefore);
    t.diagnostic(
      `${target.format}: ${cases.length} cases, ${ok} imported, ${errors} clean errors, ` +
        `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`,
    );
    t.diagnostic(`slowest: ${slowest.ms.toFixed(1)} ms, ${slowest.what}`);
    if (process.env.HEATLENS_FUZZ_TIMES) {
      for (const [k, ms] of [...byKind].sort((a, b) => b[1] - a[1]))
        t.diagnostic(`  ${k}: ${ms.toFixed(0)} ms`);
    }
    if (failures.size) {
      const report = [...failures.values()]
        .map(
          (list) =>
            `${list[0]}\n    (${list.length} case${list.length > 1 ? 's' : ''} of this kind)`,
        )
        .join('\n');
      assert.fail(`${target.format}: ${failures.size} kinds of crash\n${report}`);
    }
  });
}
