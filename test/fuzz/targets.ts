/**
 * The importers under fuzz, one row each: adding a format is one line in {@link FUZZ_TARGETS}.
 * Shared by the fuzz test (mutated real fixtures) and the regression test (the inputs that once
 * crashed, kept under test/fixtures/fuzz/<format>/).
 */
import { gunzipSync } from 'node:zlib';
import type { Profile } from '../../src/core/profile';
import { importProfileFile } from '../../src/formats/detect';
import { ProfileFormatError } from '../../src/formats/errors';
import { serializeProfile } from '../../src/formats/heatlensRun';
import { MarshalError, readMarshal } from '../../src/formats/marshal';
import { checkProfileInvariants } from './invariants';
import { repoRoot } from '../support/repoRoot';

/** How the fuzzer may mutate a format's files beyond raw bytes. */
export type FuzzShape = 'json' | 'text' | 'callgrind' | 'pstats' | 'bytes';

/**
 * A fixture: a path, or a path with `prepare` (trim a big file, gunzip, convert: fewer bytes
 * per case means more cases per second) and the name the prepared bytes go by.
 */
export type FuzzFixture =
  | string
  | {
      readonly path: string;
      readonly name: string;
      readonly prepare: (b: Uint8Array) => Uint8Array;
    };

/** One importer under fuzz. */
export interface FuzzTarget {
  /** Names the case in messages and the folder of kept failures (test/fixtures/fuzz/<format>). */
  readonly format: string;
  /** Real files to mutate: paths relative to the repository root, or made from one. */
  readonly fixtures: readonly FuzzFixture[];
  readonly shape: FuzzShape;
  /** Mutated cases per run. */
  readonly cases: number;
  /** Reads a file; throws the format's own error type for bad input. */
  readonly read: (name: string, bytes: Uint8Array) => unknown;
  /** True for the errors that mean "bad input, said clearly" (anything else is a crash). */
  readonly isCleanError: (error: unknown, name: string) => boolean;
  /** Checks a successful read; throws on a broken invariant. */
  readonly check: (result: unknown) => void;
}

const text = new TextDecoder();

/** A ProfileFormatError whose message names the file: the person must know which file failed. */
export function isProfileFormatError(error: unknown, name: string): boolean {
  return error instanceof ProfileFormatError && error.message.includes(name);
}

const profileTarget = (
  format: string,
  shape: FuzzShape,
  cases: number,
  fixtures: readonly FuzzFixture[],
  read: (name: string, bytes: Uint8Array) => Profile = importProfileFile,
): FuzzTarget => ({
  format,
  fixtures,
  shape,
  cases,
  read,
  isCleanError: isProfileFormatError,
  check: (p) => checkProfileInvariants(p as Profile),
});

/** Decodes UTF-8 text for the importers that take text (a direct call, without detect.ts). */
export function utf8(bytes: Uint8Array): string {
  return text.decode(bytes);
}

/** The first `lines` lines of a text file (a smaller file of a line format). */
const firstLines =
  (lines: number) =>
  (bytes: Uint8Array): Uint8Array =>
    new TextEncoder().encode(utf8(bytes).split('\n').slice(0, lines).join('\n') + '\n');

/** A stored run made from a recorded profile (the format Heatlens writes itself). */
const asRun = (bytes: Uint8Array): Uint8Array =>
  serializeProfile(importProfileFile('hot.cpuprofile', bytes));

/** Every importer, its fixtures and its share of the cases. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  profileTarget('cpuprofile', 'json', 800, [
    'test/fixtures/node/hot.cpuprofile',
    'test/fixtures/node/hot.old.cpuprofile',
    'test/fixtures/node/recursive.cpuprofile',
    'examples/profiles/primes.cpuprofile',
  ]),
  profileTarget('pstats', 'pstats', 600, [
    'test/fixtures/python/cprofile-flat.prof',
    'test/fixtures/python/yappi-flat.pstat',
    'test/fixtures/python/cprofile.prof',
    'examples/profiles/service.prof',
  ]),
  profileTarget('callgrind', 'callgrind', 300, [
    'test/fixtures/callgrind/callgrind.out.hot',
    'test/fixtures/callgrind/callgrind.out.yappi',
    'test/fixtures/callgrind/callgrind.out.pyprof2calltree',
  ]),
  profileTarget('pysamples', 'json', 800, [
    'test/fixtures/pysamples/hot-cpu.pysamples.json',
    'test/fixtures/pysamples/threaded-wall.pysamples.json',
  ]),
  profileTarget('speedscope', 'json', 500, [
    'test/fixtures/speedscope/primes.cpuprofile.speedscope.json',
    'test/fixtures/speedscope/primes.sampled.speedscope.json',
  ]),
  profileTarget('collapsed', 'text', 300, [
    {
      path: 'test/fixtures/collapsed/primes.folded',
      name: 'primes.folded',
      prepare: firstLines(150),
    },
    {
      path: 'test/fixtures/collapsed/primes.invalid.folded',
      name: 'invalid.folded',
      prepare: firstLines(150),
    },
  ]),
  profileTarget('chrome-trace', 'json', 300, ['test/fixtures/chrome-trace/primes.trace.json']),
  profileTarget('pprof', 'bytes', 600, [
    { path: 'test/fixtures/pprof/cpu.pb.gz', name: 'cpu.pprof', prepare: (b) => gunzipSync(b) },
    { path: 'test/fixtures/pprof/heap.pb.gz', name: 'heap.pprof', prepare: (b) => gunzipSync(b) },
    'test/fixtures/pprof/cpu.pb.gz',
  ]),
  profileTarget('heatlens-run', 'json', 400, [
    { path: 'test/fixtures/node/hot.cpuprofile', name: 'hot.heatlens.json', prepare: asRun },
  ]),
  {
    format: 'marshal',
    fixtures: [
      'test/fixtures/python/marshal-sample.v0.bin',
      'test/fixtures/python/marshal-sample.v2.bin',
      'test/fixtures/python/marshal-sample.v4.bin',
    ],
    shape: 'bytes',
    cases: 800,
    read: (_name, bytes) => readMarshal(bytes),
    isCleanError: (error) => error instanceof MarshalError,
    check: () => undefined,
  },
];

export { repoRoot };
