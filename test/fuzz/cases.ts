/**
 * The cases of the fuzz tests: a real fixture with one to three stacked mutations, made from a
 * seed and a case number, so that every case can be made again. Shared by importers.test.ts
 * (every importer) and roundtrip.test.ts (import, export every format, import again).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readMarshal } from '../../src/formats/marshal';
import {
  Rng,
  byteMutations,
  callgrindLine,
  caseSeed,
  mutateJson,
  mutatePstats,
  textMutations,
} from './mutate';
import { repoRoot, utf8, type FuzzTarget } from './targets';

const root = repoRoot();
const encoder = new TextEncoder();

/** One case: its name, bytes and how it was made. */
export interface Input {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The mutations applied, in order: printed with a failure. */
  readonly how: string[];
}

/** A fixture as read once, in the shapes the mutations need. */
export interface Fixture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly marshal: unknown;
}

/** The fixtures of a target, read from the repository. */
export function loadFixtures(target: FuzzTarget): Fixture[] {
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
export function makeCase(
  target: FuzzTarget,
  fixtures: readonly Fixture[],
  caseNo: number,
  seed: number,
  salt = '',
): Input {
  const r = new Rng(caseSeed(seed, salt + target.format, caseNo));
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
