/**
 * pprof profiles (docs/FORMATS.md, "pprof"; github.com/google/pprof, proto/profile.proto): Go's
 * runtime/pprof and `go test -cpuprofile`, `go tool pprof -proto`, Node's @datadog/pprof and
 * anything else that writes profile.proto. Gzip-compressed (`1f 8b`, the usual case) or raw
 * protobuf; decoded with the npm package `pprof-format`.
 *
 * What the model gets, and why:
 *
 * - A file holds one profile per sample type (`cpu`, `samples`, `alloc_space`, ...): each is a
 *   {@link ProfileChoice} whose id is the type's name. The default is the type named by
 *   `default_sample_type`, else the last one: what `go tool pprof` shows without
 *   `-sample_index`. {@link pprofChoices} lists the default first.
 * - `sample.location_id[0]` is the leaf. A location's `line[]` holds the functions inlined at
 *   that address, innermost first and the caller last: each becomes a frame of its own, as
 *   pprof shows them. A location without lines (no symbols) becomes a frame named by its address
 *   and the mapped file's base name.
 * - A frame is (name, file, start line, kind): `name` (else `system_name`), `filename` (`file://`
 *   URLs become paths), `start_line` when set; when not (Go before 1.20 writes none) the lowest
 *   line any location records in the function, an approximation just below its signature.
 * - Self weight of a sample goes to its leaf node; its leaf line (`Line.line` of the innermost
 *   function at `location_id[0]`) gets the same weight in the line table.
 * - Units: times and bytes map onto the model's units (kilobytes etc. are scaled to bytes);
 *   `count` is a plain number, except for a sample type named `samples`. Samples have no order in
 *   pprof, so the model gets no time-ordered samples: the tree and line table only.
 * - Zero and negative values add nothing (negative ones come from `-diff_base` profiles and are
 *   counted in a warning). Ids that point nowhere become `(missing ...)` pseudo frames, counted in
 *   a warning, so every sample's weight stays in the total.
 * - Kinds: Go functions by package (`runtime`, `runtime/internal/...`, `internal/runtime/...` are
 *   the runtime; the standard library, the module cache and vendored code are libraries; the
 *   rest, `main` included, the user's), JavaScript and Python files by their classifiers, native
 *   code under system or toolchain folders as libraries, frames without a file as the runtime's.
 * - `drop_frames`/`keep_frames` are applied as `go tool pprof` applies them by default
 *   (github.com/google/pprof, profile/prune.go, `Prune`), so the figures are `go tool pprof
 *   -top`'s, and a warning says so: a function name (its argument list cut off at the first `(`)
 *   matching `^(drop_frames)$` and not `^(keep_frames)$` is cut from every stack with everything
 *   below it (its callees), unless it comes before the stack's first unmatched frame counting
 *   from the root; the weight goes to the frame above the cut. A pattern JavaScript cannot read
 *   (RE2 syntax it lacks) is not applied, and the warning says that instead.
 * - Sample labels, mappings' build ids and `is_folded` are not used.
 *
 * This file holds detection, the choices and the importer; decoding is pprofDecode.ts, the
 * reading of functions, locations and samples pprofReader.ts (frame kinds pprofFrameKind.ts,
 * `drop_frames` pprofPrune.ts).
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Profile as PprofProfile } from 'pprof-format';
import { formatWeight } from '../core/format';
import { ProfileBuilder, type Profile, type ProfileMeta, type WeightUnit } from '../core/profile';
import { listChoices, type ImportOptions, type ProfileChoice } from './choices';
import { fileLabel, formatError } from './errors';
import { isGzip } from './gzip';
import { decode, looksLikeRawPprof, num, type Numeric } from './pprofDecode';
import { pruneWarning } from './pprofPrune';
import { PprofReader } from './pprofReader';

const NAME = /\.pb\.gz$|\.pprof(?:\.gz)?$/i;
/** Gzipped files whose name says they hold something else (JSON, text). */
const OTHER_GZ = /\.(?:json|cpuprofile|txt|folded|collapsed|csv|log|trace)\.gz$/i;

/**
 * True when the file looks like pprof: by name first (`.pb.gz`, `.pprof`, as Go and pprof name
 * them), then by content: gzip whose first decompressed bytes walk as a pprof protobuf (`go test
 * -cpuprofile cpu.out` names it anything), or a raw pprof protobuf.
 */
export function isPprof(name: string | undefined, bytes: Uint8Array): boolean {
  if (name && NAME.test(name)) return true;
  if (bytes.length < 2) return false;
  if (isGzip(bytes)) {
    if (name && OTHER_GZ.test(name)) return false;
    try {
      // Only the first few kilobytes: sync flush yields what they hold without reading on.
      const head = gunzipSync(bytes.subarray(0, 4096), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      });
      return head.length > 0 && looksLikeRawPprof(head.subarray(0, 4096), true);
    } catch {
      return false;
    }
  }
  const whole = bytes.length <= 65536;
  return looksLikeRawPprof(whole ? bytes : bytes.subarray(0, 65536), !whole);
}

interface SampleType {
  readonly id: string;
  readonly index: number;
  readonly type: string;
  readonly unitName: string;
  readonly unit: WeightUnit;
  /** Factor from the file's unit to `unit` (kilobytes to bytes, minutes to seconds). */
  readonly scale: number;
}

const UNITS: Record<string, readonly [WeightUnit, number]> = {
  nanoseconds: ['nanoseconds', 1],
  nanosecond: ['nanoseconds', 1],
  ns: ['nanoseconds', 1],
  microseconds: ['microseconds', 1],
  microsecond: ['microseconds', 1],
  us: ['microseconds', 1],
  µs: ['microseconds', 1],
  milliseconds: ['milliseconds', 1],
  millisecond: ['milliseconds', 1],
  ms: ['milliseconds', 1],
  seconds: ['seconds', 1],
  second: ['seconds', 1],
  s: ['seconds', 1],
  minutes: ['seconds', 60],
  minute: ['seconds', 60],
  hours: ['seconds', 3600],
  hour: ['seconds', 3600],
  bytes: ['bytes', 1],
  byte: ['bytes', 1],
  b: ['bytes', 1],
  // pprof's own scaling: a kilobyte is 1024 bytes.
  kilobytes: ['bytes', 1024],
  kb: ['bytes', 1024],
  megabytes: ['bytes', 1048576],
  mb: ['bytes', 1048576],
  gigabytes: ['bytes', 1073741824],
  gb: ['bytes', 1073741824],
};

const NS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

function sampleTypes(profile: PprofProfile): SampleType[] {
  const strings = profile.stringTable.strings;
  const str = (i: Numeric): string => strings[num(i)] ?? '';
  const used = new Set<string>();
  return profile.sampleType.map((vt, index) => {
    const type = str(vt.type);
    const unitName = str(vt.unit);
    let id = type || `value${index + 1}`;
    // Ids must be unique; a type named twice gets its position.
    if (used.has(id)) id = `${id}#${index + 1}`;
    used.add(id);
    const known = UNITS[unitName.toLowerCase()];
    const unit: WeightUnit = known
      ? known[0]
      : type === 'samples' || unitName === 'samples'
        ? 'samples'
        : 'none';
    return { id, index, type, unitName, unit, scale: known ? known[1] : 1 };
  });
}

function defaultIndex(profile: PprofProfile, types: readonly SampleType[]): number {
  const name = profile.stringTable.strings[num(profile.defaultSampleType)] ?? '';
  if (name) {
    const found = types.find((t) => t.type === name);
    if (found) return found.index;
  }
  return types.length - 1;
}

/** The choices of a decoded profile: every sample type, the default first. */
function choicesOf(profile: PprofProfile): { types: SampleType[]; ordered: SampleType[] } {
  const types = sampleTypes(profile);
  const first = defaultIndex(profile, types);
  return { types, ordered: [types[first], ...types.filter((t) => t.index !== first)] };
}

/**
 * Every sample type of a pprof file as a choice (id: the type's name, e.g. `cpu`, `samples`,
 * `alloc_space`; label: name and unit), the default first (see the module comment). Throws a
 * {@link ProfileFormatError} when the bytes are not a readable pprof file.
 */
export function pprofChoices(bytes: Uint8Array, sourceFile?: string): ProfileChoice[] {
  const profile = decode(bytes, sourceFile);
  const { ordered } = choicesOf(profile);
  const totals = new Float64Array(ordered.length);
  for (const s of profile.sample) {
    for (const t of ordered) {
      const v = num(s.value[t.index]);
      if (v > 0) totals[t.index] += v * t.scale;
    }
  }
  return ordered.map((t) => ({
    id: t.id,
    label: `${t.type || t.id} (${t.unitName || 'no unit'})`,
    detail: `${formatWeight(totals[t.index], t.unit)} in all`,
  }));
}

/**
 * Reads one sample type of a pprof file (`options.choice`, a {@link pprofChoices} id; default:
 * `default_sample_type`, else the last type) into a profile: the call tree with inlined frames
 * expanded, and the line table from each sample's leaf line. Throws a
 * {@link ProfileFormatError} naming the file when it is not a readable pprof file or the choice
 * is not one of its sample types.
 */
export function importPprof(bytes: Uint8Array, options: ImportOptions = {}): Profile {
  const source = options.sourceFile;
  const label = fileLabel(source);
  const profile = decode(bytes, source);
  const { types, ordered } = choicesOf(profile);
  const chosen =
    options.choice === undefined ? ordered[0] : types.find((t) => t.id === options.choice);
  if (!chosen) {
    const valid = listChoices(ordered.map((t) => `"${t.id}"`));
    throw formatError(source, `has no sample type "${options.choice}"`, `choose one of ${valid}`);
  }
  const builder = new ProfileBuilder();
  const reader = new PprofReader(profile, builder);
  const { index, scale } = chosen;
  reader.readSamples({ index, scale, typeCount: types.length }, options.onProgress);
  return builder.build({
    ...pprofMeta(profile, chosen, reader.str),
    sourceFile: source,
    warnings: readWarnings(label, chosen, types.length, profile.sample.length, reader),
  });
}

/** What the importer tells about a file it read: empty, negative or odd samples, missing ids. */
function readWarnings(
  label: string,
  chosen: SampleType,
  typeCount: number,
  sampleCount: number,
  reader: PprofReader,
): string[] {
  const { negative, malformed, missingLocations, missingFunctions } = reader;
  const warnings: string[] = [];
  const what = chosen.type || chosen.id;
  if (!sampleCount) warnings.push(`${label} holds no samples: nothing was recorded.`);
  else if (!reader.weighted)
    warnings.push(`${label} holds no ${what} weight: every sample's is 0.`);
  if (negative) {
    warnings.push(
      `${label} has ${negative} sample${negative === 1 ? '' : 's'} with a negative ${what} ` +
        '(a difference of two profiles?); Heatlens leaves them out.',
    );
  }
  if (malformed) {
    warnings.push(
      `${label} has ${malformed} sample${malformed === 1 ? '' : 's'} whose values do not match ` +
        `its ${typeCount} sample types; their values were read by position.`,
    );
  }
  if (missingLocations) {
    warnings.push(
      `${label} refers to ${missingLocations} location${missingLocations === 1 ? '' : 's'} it ` +
        'does not define; they are shown as "(missing location N)" frames.',
    );
  }
  if (missingFunctions) {
    warnings.push(
      `${label} refers to ${missingFunctions} function${missingFunctions === 1 ? '' : 's'} it ` +
        'does not define; they are shown as "(missing function N)" frames.',
    );
  }
  if (reader.prune.asked) warnings.push(pruneWarning(label, reader.prune, reader.pruned));
  return warnings;
}

/** The profile's meta for the chosen sample type: clock, unit, sampling interval, start, length. */
function pprofMeta(
  profile: PprofProfile,
  chosen: SampleType,
  str: (i: Numeric) => string,
): Omit<ProfileMeta, 'warnings' | 'sourceFile'> {
  const periodType = profile.periodType;
  const periodTypeName = periodType ? str(periodType.type) : '';
  const periodUnit = periodType ? UNITS[str(periodType.unit).toLowerCase()] : undefined;
  const period = num(profile.period);
  const periodNs = periodUnit ? NS_PER[periodUnit[0]] : undefined;
  const clockName = chosen.type === 'samples' ? periodTypeName : chosen.type;
  const unitNs = NS_PER[chosen.unit];
  const timeNanos = num(profile.timeNanos);
  const durationNanos = num(profile.durationNanos);
  return {
    profiler: 'pprof',
    clock: clockName === 'cpu' ? 'cpu' : clockName === 'wall' ? 'wall' : 'unknown',
    unit: chosen.unit,
    intervalUs:
      periodNs !== undefined && periodUnit && period > 0
        ? (period * periodUnit[1] * periodNs) / 1000
        : undefined,
    startEpochMs: timeNanos > 0 ? timeNanos / 1e6 : undefined,
    // The recording's length, when the weights are times (a heap profile's have no length).
    duration: unitNs !== undefined && durationNanos > 0 ? durationNanos / unitNs : undefined,
  };
}
