/**
 * The files of one stored run, as bytes (runStore.ts reads and writes them):
 *
 * - `<id>.heatlens.json.gz`: the profile in Heatlens' run format (formats/heatlensRun.ts),
 *   gzipped, with what the index says of the run also in its meta (command, start, profiled file),
 *   so that a lost index is rebuilt from the run files;
 * - `<id>.sources.json.gz` (optional): the texts of the run's source files (runSources.ts).
 */
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { profileTotal, type Profile, type WeightUnit } from '../core/profile';
import {
  deserializeProfile,
  HEATLENS_RUN_VERSION,
  runFileVersion,
  serializeProfile,
} from '../formats/heatlensRun';
import type { NewRun, RunRecord } from './runIndex';
import type { RunSources } from './runSources';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Suffix of a stored run's file. */
export const RUN_FILE_SUFFIX = '.heatlens.json.gz';
/** Suffix of a stored run's source texts (optional). */
export const SOURCES_FILE_SUFFIX = '.sources.json.gz';
const SOURCES_VERSION = 1;

const NS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

/** The record of a run being added: a new id (the start time first, so ids sort by time). */
export function newRecord(profile: Profile, run: NewRun): RunRecord {
  return {
    id: `${Math.max(0, Math.floor(run.startedAt)).toString(36)}-${randomBytes(4).toString('hex')}`,
    file: run.file,
    command: [...run.command],
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    profiler: run.profiler,
    ...(run.mode !== undefined ? { mode: run.mode } : {}),
    total: profileTotal(profile),
    unit: profile.meta.unit,
    outcome: run.outcome,
  };
}

/** The run file of `profile` stored as `record`. */
export async function runFileBytes(profile: Profile, record: RunRecord): Promise<Uint8Array> {
  // What the index says is also put in the profile's own meta (the model has these fields),
  // so a lost index can be rebuilt from the run files.
  const stored: Profile = {
    ...profile,
    meta: {
      ...profile.meta,
      command: profile.meta.command ?? record.command,
      startEpochMs: profile.meta.startEpochMs ?? record.startedAt,
      sourceFile: record.file,
    },
  };
  return gzipAsync(serializeProfile(stored));
}

/** The sources file of a run's source texts. */
export async function sourcesFileBytes(sources: RunSources): Promise<Uint8Array> {
  return gzipAsync(JSON.stringify({ version: SOURCES_VERSION, files: sources }));
}

/** A run file's profile. Throws, naming `file`, when it is damaged. */
export async function readRunFile(bytes: Uint8Array, file: string): Promise<Profile> {
  return deserializeProfile(await unzipRun(bytes, file), file);
}

/**
 * A sources file's texts. Throws when it is damaged: a `SyntaxError` when it is not JSON, else an
 * error saying what it is.
 */
export async function readSourcesFile(bytes: Uint8Array): Promise<RunSources> {
  const value = JSON.parse(new TextDecoder().decode(await gunzipAsync(bytes))) as {
    version?: unknown;
    files?: unknown;
  };
  if (value?.version !== SOURCES_VERSION || !value.files || typeof value.files !== 'object') {
    throw new Error('it is not a list of source texts this Heatlens reads');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value.files as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * The record of a run file the index does not list, rebuilt from its profile's meta (its outcome
 * is then unknown); `modified` gives the file's time, for a profile without a start time. A file
 * of a newer Heatlens gives its run format version instead. Throws, saying why, for a damaged
 * file.
 */
export async function recordFromRunFile(
  id: string,
  bytes: Uint8Array,
  file: string,
  modified: () => Promise<number>,
): Promise<RunRecord | { newerVersion: number }> {
  const unzipped = await unzipRun(bytes, file);
  const version = runFileVersion(unzipped);
  if (version !== undefined && version > HEATLENS_RUN_VERSION) return { newerVersion: version };
  const profile = deserializeProfile(unzipped, file);
  const meta = profile.meta;
  if (!meta.sourceFile) throw new Error('it does not say which file was profiled');
  const mtimeMs = await modified();
  const ns = NS_PER[meta.unit];
  return {
    id,
    file: meta.sourceFile,
    command: [...(meta.command ?? [])],
    startedAt: meta.startEpochMs ?? mtimeMs,
    durationMs: ns !== undefined && meta.duration !== undefined ? (meta.duration * ns) / 1e6 : 0,
    profiler: meta.profiler,
    total: profileTotal(profile),
    unit: meta.unit,
    outcome: 'unknown',
  };
}

async function unzipRun(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes);
  } catch (err) {
    throw new Error(
      `Heatlens cannot read the stored run ${file}: it is damaged (${(err as Error).message}). ` +
        'Delete it from the Runs view.',
    );
  }
}
