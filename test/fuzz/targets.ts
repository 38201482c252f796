/**
 * The importers under fuzz: every row of the format registry (src/formats/registry.ts), with the
 * real files to mutate (a row's fixture folder, test/fixtures/<id>/, unless PROFILE_FUZZ says
 * otherwise), and Python's marshal reader. Shared by the fuzz test (mutated real fixtures) and the regression test (the inputs that once
 * crashed, kept under test/fixtures/fuzz/<format>/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Profile } from '../../src/core/profile';
import { detectFormat, importProfileFile } from '../../src/formats/detect';
import { ProfileFormatError } from '../../src/formats/errors';
import { serializeProfile } from '../../src/formats/heatlensRun';
import { MarshalError, readMarshal } from '../../src/formats/marshal';
import { PROFILE_FORMATS, type FormatId, type ProfileFormat } from '../../src/formats/registry';
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

/** How a registry row is fuzzed: the mutations that fit it, its real files, its share of cases. */
interface ProfileFuzz {
  readonly shape: FuzzShape;
  readonly cases: number;
  readonly fixtures: readonly FuzzFixture[];
}

const profileTarget = (format: string, fuzz: ProfileFuzz): FuzzTarget => ({
  format,
  fixtures: fuzz.fixtures,
  shape: fuzz.shape,
  cases: fuzz.cases,
  read: importProfileFile,
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

/** A preprocessed V8 log with its first `ticks` ticks (every code entry and script kept). */
const fewTicks =
  (ticks: number) =>
  (bytes: Uint8Array): Uint8Array => {
    const log = JSON.parse(utf8(bytes)) as { ticks: unknown[] };
    return new TextEncoder().encode(JSON.stringify({ ...log, ticks: log.ticks.slice(0, ticks) }));
  };

/** A stored run made from a recorded profile (the format Heatlens writes itself). */
const asRun = (bytes: Uint8Array): Uint8Array =>
  serializeProfile(importProfileFile('hot.cpuprofile', bytes));

/**
 * The rows whose fixtures are not (only) their folder's, or that need a prepared or smaller
 * file (folders of kept failures: test/fixtures/fuzz/<id>). Any other row is fuzzed with
 * {@link folderFuzz}.
 */
const PROFILE_FUZZ: Readonly<Partial<Record<FormatId, ProfileFuzz>>> = {
  cpuprofile: {
    shape: 'json',
    cases: 800,
    fixtures: [
      'test/fixtures/node/hot.cpuprofile',
      'test/fixtures/node/hot.old.cpuprofile',
      'test/fixtures/node/recursive.cpuprofile',
      'examples/profiles/primes.cpuprofile',
    ],
  },
  heapprofile: {
    shape: 'json',
    cases: 500,
    fixtures: [
      'test/fixtures/heapprofile/live.heapprofile',
      'test/fixtures/heapprofile/all.heapprofile',
    ],
  },
  'trace-events': {
    shape: 'json',
    cases: 400,
    fixtures: [
      'test/fixtures/trace-events/node_trace.1.log',
      'test/fixtures/trace-events/node_trace.truncated.log',
    ],
  },
  pstats: {
    shape: 'pstats',
    cases: 600,
    fixtures: [
      'test/fixtures/python/cprofile-flat.prof',
      'test/fixtures/python/yappi-flat.pstat',
      'test/fixtures/python/cprofile.prof',
      'examples/profiles/service.prof',
    ],
  },
  callgrind: {
    shape: 'callgrind',
    cases: 300,
    fixtures: [
      'test/fixtures/callgrind/callgrind.out.hot',
      'test/fixtures/callgrind/callgrind.out.yappi',
      'test/fixtures/callgrind/callgrind.out.pyprof2calltree',
    ],
  },
  pymemory: {
    shape: 'json',
    cases: 500,
    fixtures: ['test/fixtures/pymemory/peak.pymemory.json'],
  },
  pysamples: {
    shape: 'json',
    cases: 800,
    fixtures: [
      'test/fixtures/pysamples/hot-cpu.pysamples.json',
      'test/fixtures/pysamples/threaded-wall.pysamples.json',
    ],
  },
  speedscope: {
    shape: 'json',
    cases: 500,
    fixtures: [
      'test/fixtures/speedscope/primes.cpuprofile.speedscope.json',
      'test/fixtures/speedscope/primes.sampled.speedscope.json',
    ],
  },
  collapsed: {
    shape: 'text',
    cases: 300,
    fixtures: [
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
    ],
  },
  'chrome-trace': {
    shape: 'json',
    cases: 300,
    fixtures: ['test/fixtures/chrome-trace/primes.trace.json'],
  },
  pprof: {
    shape: 'bytes',
    cases: 600,
    fixtures: [
      { path: 'test/fixtures/pprof/cpu.pb.gz', name: 'cpu.pprof', prepare: (b) => gunzipSync(b) },
      { path: 'test/fixtures/pprof/heap.pb.gz', name: 'heap.pprof', prepare: (b) => gunzipSync(b) },
      'test/fixtures/pprof/cpu.pb.gz',
    ],
  },
  'v8-log': {
    shape: 'json',
    cases: 400,
    fixtures: [
      {
        path: 'test/fixtures/v8-log/work.v8log.json',
        name: 'work.v8log.json',
        prepare: fewTicks(150),
      },
      {
        path: 'test/fixtures/v8-log/work-node24.v8log.json',
        name: 'isolate-0x1-24-v8.log',
        prepare: fewTicks(150),
      },
    ],
  },
  'heatlens-run': {
    shape: 'json',
    cases: 400,
    fixtures: [
      { path: 'test/fixtures/node/hot.cpuprofile', name: 'hot.heatlens.json', prepare: asRun },
    ],
  },
};

/**
 * A row's fixture folder, test/fixtures/<id>/ (the folder "How to add a format" asks for): every
 * file in it that detection gives to the row (record scripts and reference figures are not),
 * text files cut to their first 200 lines (fewer bytes per case, more cases).
 */
function folderFuzz(row: ProfileFormat): ProfileFuzz {
  const folder = `test/fixtures/${row.id}`;
  const fixtures: FuzzFixture[] = [];
  for (const name of readdirSync(join(repoRoot(), folder)).sort()) {
    const path = `${folder}/${name}`;
    const bytes = new Uint8Array(readFileSync(join(repoRoot(), path)));
    if (detectFormat(name, bytes)?.id !== row.id) continue;
    fixtures.push(row.reads === 'text' ? { path, name, prepare: firstLines(200) } : path);
  }
  if (fixtures.length === 0) throw new Error(`${folder} holds no ${row.id} file to fuzz`);
  return { shape: row.reads === 'text' ? 'text' : 'bytes', cases: 300, fixtures };
}

/** Every importer, its fixtures and its share of the cases. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  ...PROFILE_FORMATS.map((f) => profileTarget(f.id, PROFILE_FUZZ[f.id] ?? folderFuzz(f))),
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
