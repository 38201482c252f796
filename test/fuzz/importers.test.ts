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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Profile } from '../../src/core/profile';
import { importCpuprofile, importCpuprofileWithJsonParse } from '../../src/formats/cpuprofile';
import { readMarshal } from '../../src/formats/marshal';
import { summarize } from '../../src/core/summary';
import {
  Rng,
  byteMutations,
  callgrindLine,
  caseSeed,
  mutateJson,
  mutatePstats,
  textMutations,
} from './mutate';
import { FUZZ_TARGETS, repoRoot, utf8, type FuzzTarget } from './targets';

const SEED = Number(process.env.HEATLENS_FUZZ_SEED ?? 20240611);
const SCALE = Number(process.env.HEATLENS_FUZZ_SCALE ?? 1);
const ONLY = process.env.HEATLENS_FUZZ_CASE; // "<format>:<case>"
const SAVE = process.env.HEATLENS_FUZZ_SAVE;

const root = repoRoot();
const encoder = new TextEncoder();

interface Input {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The mutations applied, in order: printed with a failure. */
  readonly how: string[];
}

interface Fixture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly marshal: unknown;
}

function loadFixtures(target: FuzzTarget): Fixture[] {
  return target.fixtures.map((fixture) => {
    const path = typeof fixture === 'string' ? fixture : fixture.path;
    let bytes = new Uint8Array(readFileSync(join(root, path)));
    // A plain copy: a Buffer's slice() is a view, and mutations must never reach the fixture.
    if (typeof fixture !== 'string') bytes = new Uint8Array(fixture.prepare(bytes));
    let marshal: unknown;
    if (target.shape === 'pstats') marshal = readMarshal(bytes);
    const name = typeof fixture === 'string' ? basename(path) : fixture.name;
    return { name, bytes, text: utf8(bytes), marshal };
  });
}

/** The input of one case: a fixture and one to three stacked mutations. */
function makeCase(target: FuzzTarget, fixtures: readonly Fixture[], caseNo: number): Input {
  const r = new Rng(caseSeed(SEED, target.format, caseNo));
  const fixture = r.pick(fixtures);
  const how: string[] = [fixture.name];
  let bytes = fixture.bytes;
  let first = true;
  // Mostly one mutation: a file broken twice over rarely gets past the parser.
  const rounds = r.chance(0.6) ? 1 : 2 + r.int(2);
  for (let round = 0; round < rounds; round++) {
    // Structural mutations need a file that still parses: only on the first round.
    const family = r.int(10);
    if (first && family < 5 && target.shape === 'json') {
      const m = mutateJson(fixture.text, r);
      if (m) {
        bytes = encoder.encode(m.text);
        how.push(`json:${m.kind}`);
      }
    } else if (first && family < 5 && target.shape === 'pstats') {
      const m = mutatePstats(fixture.marshal as never, r);
      if (m) {
        bytes = m.bytes;
        how.push(`pstats:${m.kind}`);
      }
    } else if (family < 7 && target.shape !== 'bytes' && target.shape !== 'pstats') {
      const t = utf8(bytes);
      if (target.shape === 'callgrind' && r.chance(0.4)) {
        bytes = encoder.encode(callgrindLine(t, r));
        how.push('callgrind:line');
      } else {
        const kind = r.pick(Object.keys(textMutations));
        bytes = encoder.encode(textMutations[kind](t, r));
        how.push(`text:${kind}`);
      }
    } else {
      const kind = r.pick(Object.keys(byteMutations));
      bytes = byteMutations[kind](bytes, r);
      how.push(`bytes:${kind}`);
    }
    first = false;
  }
  // Mostly the fixture's own name (detection by name); sometimes a neutral one (by content).
  const name = r.chance(0.8) ? `fuzz-${caseNo}-${fixture.name}` : `fuzz-${caseNo}.dat`;
  return { name, bytes, how };
}

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
      const input = makeCase(target, fixtures, caseNo);
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
