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
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { gunzipBounded, isGzip } from './gzip';
import { Profile as PprofProfile } from 'pprof-format';
import { formatWeight } from '../core/format';
import { ProfileBuilder, type Frame, type FrameKind, type Profile } from '../core/profile';
import type { WeightUnit } from '../core/profile';
import { listChoices, type ImportOptions, type ProfileChoice } from './choices';
import { ProfileFormatError } from './errors';
import { fileUrlToPath } from '../util/fileUrl';
import { guessFrameKind } from './foreignFrame';

/** Decompressed pprof files larger than this are refused rather than risking the host's memory. */
const MAX_DECOMPRESSED = 512 * 1024 * 1024;

const NAME = /\.pb\.gz$|\.pprof(?:\.gz)?$/i;
/** Gzipped files whose name says they hold something else (JSON, text). */
const OTHER_GZ = /\.(?:json|cpuprofile|txt|folded|collapsed|csv|log|trace)\.gz$/i;

const REDO =
  'check that the file was copied whole, or write it again (go tool pprof -proto, or the ' +
  "profiler's own output)";

function describe(source: string | undefined): string {
  return source ? `"${source}"` : 'The profile';
}

function fail(source: string | undefined, what: string, todo = REDO): never {
  throw new ProfileFormatError(`${describe(source)} ${what}; ${todo}.`, source);
}

type Numeric = number | bigint;

/** A protobuf int64 as a number: pprof-format returns large values (and negative ones) as bigints. */
function num(value: Numeric | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'bigint' ? Number(BigInt.asIntN(64, value)) : value;
}

/** An unsigned 64-bit value (an address) in hex: pprof-format gives large ones as bigints. */
function hex(value: Numeric | undefined): string {
  if (value === undefined) return '0';
  return typeof value === 'bigint' ? BigInt.asUintN(64, value).toString(16) : value.toString(16);
}

// profile.proto's top-level fields: which are length-delimited (messages, strings) and which
// are varints. 13 (comment) is a repeated int64, packed or not.
const LENGTH_FIELDS = new Set([1, 2, 3, 4, 5, 6, 11]);
const VARINT_FIELDS = new Set([7, 8, 9, 10, 12, 14, 15]);

/**
 * Walks the top level of a Profile message without decoding it: null when every field has a
 * known number, the right wire type and fits in the bytes, else what is wrong. With `prefix`,
 * `bytes` is the start of a longer message and a field running past its end is fine.
 * (pprof-format itself reads a message cut short without complaint.) `fields` collects the
 * field numbers seen.
 */
function checkTopLevel(bytes: Uint8Array, prefix: boolean, fields?: Set<number>): string | null {
  const n = bytes.length;
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= n) return -1;
      const b = bytes[pos++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return value;
    }
    return -2;
  };
  while (pos < n) {
    const at = pos;
    const tag = varint();
    if (tag === -1) return prefix ? null : `it ends inside a field at byte ${at}`;
    if (tag < 0) return `it has a malformed number at byte ${at}`;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const lengthDelimited = wire === 2 && (LENGTH_FIELDS.has(field) || field === 13);
    const plain = wire === 0 && (VARINT_FIELDS.has(field) || field === 13);
    if (!lengthDelimited && !plain) {
      return `it has an unexpected field (number ${field}, wire type ${wire}) at byte ${at}`;
    }
    fields?.add(field);
    const value = varint();
    if (value === -1) return prefix ? null : `it ends inside a field at byte ${at}`;
    if (value < 0) return `it has a malformed number at byte ${at}`;
    if (lengthDelimited) {
      if (pos + value > n) return prefix ? null : `it ends inside a field at byte ${at}`;
      pos += value;
    }
  }
  return null;
}

/** True when `bytes` (a whole message, or its start when `prefix`) looks like a raw pprof protobuf. */
function looksLikeRawPprof(bytes: Uint8Array, prefix: boolean): boolean {
  // Every field must have a number and wire type of profile.proto, and a sample type must come
  // early (writers put it first or after the time): text does not walk as protobuf for long.
  const fields = new Set<number>();
  return checkTopLevel(bytes, prefix, fields) === null && fields.has(1);
}

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

/** Gunzips `bytes` when they are gzip, else returns them; a damaged gzip is a format error. */
function decompress(bytes: Uint8Array, source: string | undefined): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  return gunzipBounded(bytes, MAX_DECOMPRESSED, (why, e) => {
    if (why === 'too-large') {
      return fail(
        source,
        `decompresses to more than ${MAX_DECOMPRESSED / 1048576} MB, more than Heatlens reads`,
        'record a shorter run, or narrow it with go tool pprof -focus and -proto',
      );
    }
    const what = why === 'ends-early' ? 'it ends early' : 'it is damaged';
    return fail(source, `is gzip-compressed, but ${what} (${e.message})`);
  });
}

// The last files decoded: the editor asks for the choices, then imports one, from the same bytes.
const decoded = new WeakMap<Uint8Array, PprofProfile>();

/** Decodes and checks the file; every failure is a ProfileFormatError naming it. */
function decode(bytes: Uint8Array, source: string | undefined): PprofProfile {
  const known = decoded.get(bytes);
  if (known) return known;
  if (bytes.length === 0) fail(source, 'is empty', 'record the profile again');
  const raw = decompress(bytes, source);
  if (raw.length === 0) fail(source, 'holds nothing (it decompresses to 0 bytes)');
  const problem = checkTopLevel(raw, false);
  if (problem) {
    fail(
      source,
      `is not a pprof profile (a profile.proto message, usually gzip-compressed): ${problem}`,
      REDO,
    );
  }
  let profile: PprofProfile;
  try {
    profile = PprofProfile.decode(raw);
  } catch (e) {
    return fail(source, `is not a readable pprof profile (${(e as Error).message})`);
  }
  if (!profile.sampleType.length) {
    fail(source, 'names no sample types, so it holds no profile');
  }
  decoded.set(bytes, profile);
  return profile;
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

// Go package paths: the runtime's own, and files of a module cache or vendor folder.
const GO_RUNTIME = /^(?:runtime|runtime\/internal\/.*|internal\/runtime\/.*)$/;
const GO_LIBRARY_FILE = /[\\/]pkg[\\/]mod[\\/]|[\\/]vendor[\\/]/;
// Native code the user did not write: system folders, Rust's toolchain and crate registry.
const NATIVE_LIBRARY_FILE =
  /^\/(?:usr|lib|lib64|opt|System|Library)\/|^\/rustc\/|[\\/]\.cargo[\\/]registry[\\/]|[\\/]\.rustup[\\/]/;

/** The import path of a Go function name: `github.com/a/b.(*T).M` -> `github.com/a/b`. */
function goPackage(name: string): string {
  const plain = name.replace(/\[.*$/, ''); // generic instantiations: `main.F[...]`
  const slash = plain.lastIndexOf('/');
  const dot = plain.indexOf('.', slash + 1);
  return dot < 0 ? '' : plain.slice(0, dot);
}

function goKind(name: string, file: string | null): FrameKind {
  const pkg = goPackage(name);
  if (GO_RUNTIME.test(pkg)) return 'runtime';
  if (file && GO_LIBRARY_FILE.test(file)) return 'library';
  const firstElement = pkg.split('/')[0];
  // The standard library's import paths have no dot in their first element, and its files sit
  // under GOROOT/src/<import path>/ (or <import path>/ with -trimpath). `main` is the user's.
  if (pkg && pkg !== 'main' && !firstElement.includes('.')) {
    const normal = file?.replace(/\\/g, '/') ?? '';
    if (!file || normal.includes(`/src/${pkg}/`) || normal.startsWith(`${pkg}/`)) {
      return 'library';
    }
  }
  return 'user';
}

/** The kind of a pprof frame; see the module comment. */
function frameKind(name: string, file: string | null): FrameKind {
  if (file?.endsWith('.go')) return goKind(name, file);
  if (file && NATIVE_LIBRARY_FILE.test(file) && !/\.(?:py[wic]?|[cm]?[jt]sx?)$/.test(file)) {
    return 'library';
  }
  if (!file && !/^\(.*\)$/.test(name)) return 'runtime';
  return guessFrameKind(name, file, null);
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
  const label = describe(source);
  const profile = decode(bytes, source);
  const { types, ordered } = choicesOf(profile);
  const chosen =
    options.choice === undefined ? ordered[0] : types.find((t) => t.id === options.choice);
  if (!chosen) {
    const valid = listChoices(ordered.map((t) => `"${t.id}"`));
    throw new ProfileFormatError(
      `${label} has no sample type "${options.choice}"; choose one of ${valid}.`,
      source,
    );
  }
  const strings = profile.stringTable.strings;
  const str = (i: Numeric): string => strings[num(i)] ?? '';
  const builder = new ProfileBuilder();

  const functions = new Map<number, PprofProfile['function'][number]>();
  for (const f of profile.function) functions.set(num(f.id), f);
  const locations = new Map<number, PprofProfile['location'][number]>();
  for (const l of profile.location) locations.set(num(l.id), l);
  const mappings = new Map<number, PprofProfile['mapping'][number]>();
  for (const m of profile.mapping) mappings.set(num(m.id), m);

  const nameOf = (f: PprofProfile['function'][number]): string =>
    str(f.name) || str(f.systemName) || `(function ${num(f.id)})`;
  const fileOf = (f: PprofProfile['function'][number]): string | null => {
    const file = str(f.filename);
    return file ? fileUrlToPath(file) : null;
  };
  // Without start_line, a function's line is the lowest any location records in it.
  const lowestLine = new Map<string, number>();
  for (const l of profile.location) {
    for (const line of l.line) {
      const f = functions.get(num(line.functionId));
      const n = num(line.line);
      if (!f || num(f.startLine) > 0 || !(n >= 1)) continue;
      const key = `${nameOf(f)}\u0000${fileOf(f) ?? ''}`;
      const known = lowestLine.get(key);
      if (known === undefined || n < known) lowestLine.set(key, n);
    }
  }

  let missingFunctions = 0;
  let missingLocations = 0;
  const functionFrames = new Map<number, number>();
  const frameOfFunction = (id: number): number => {
    let frame = functionFrames.get(id);
    if (frame !== undefined) return frame;
    const f = functions.get(id);
    let value: Frame;
    if (!f) {
      missingFunctions++;
      value = {
        name: `(missing function ${id})`,
        file: null,
        line1: null,
        col1: null,
        kind: 'pseudo',
      };
    } else {
      const name = nameOf(f);
      const file = fileOf(f);
      const start = num(f.startLine);
      const line1 = start > 0 ? start : (lowestLine.get(`${name}\u0000${file ?? ''}`) ?? null);
      value = { name, file, line1, col1: null, kind: frameKind(name, file) };
    }
    frame = builder.frame(value);
    functionFrames.set(id, frame);
    return frame;
  };

  /** A location's frames, outermost first, and the leaf line (file, line) with its frame. */
  interface LocationFrames {
    readonly frames: readonly number[];
    readonly leafFile: string | null;
    readonly leafLine: number;
  }
  const prune = pruneRule(profile, str);
  const pruneOf = new Map<number, LocationPrune>();
  const pruneOfLocation = (id: number): LocationPrune => {
    let known = pruneOf.get(id);
    if (known === undefined) {
      const loc = locations.get(id);
      known = prune.drop && loc ? locationPrune(loc, functions, str, prune.drop, prune.keep) : KEEP;
      pruneOf.set(id, known);
    }
    return known;
  };
  const locationFrames = new Map<number, LocationFrames>();
  const framesOfLocation = (id: number): LocationFrames => {
    let known = locationFrames.get(id);
    if (known) return known;
    const loc = locations.get(id);
    // A location cut inside its inlined functions keeps only the callers above the cut.
    const kept = pruneOfLocation(id).keepLines;
    if (!loc) {
      missingLocations++;
      const frame = builder.frame({
        name: `(missing location ${id})`,
        file: null,
        line1: null,
        col1: null,
        kind: 'pseudo',
      });
      known = { frames: [frame], leafFile: null, leafLine: 0 };
    } else if (!loc.line.length) {
      const address = hex(loc.address);
      const mapping = mappings.get(num(loc.mappingId));
      const object = mapping ? str(mapping.filename) : '';
      const base = object.replace(/^.*[\\/]/, '');
      const name = `${base ? `${base} ` : ''}0x${address}`;
      const kind: FrameKind = /\.so(?:\.|$)|\.dylib$|\.dll$/i.test(base) ? 'library' : 'runtime';
      const frame = builder.frame({ name, file: null, line1: null, col1: null, kind });
      known = { frames: [frame], leafFile: null, leafLine: 0 };
    } else {
      // line[0] is the innermost inlined function, the last line its caller at this address.
      const lines = !kept ? loc.line : loc.line.slice(loc.line.length - kept);
      const frames: number[] = [];
      for (let i = lines.length - 1; i >= 0; i--) {
        frames.push(frameOfFunction(num(lines[i].functionId)));
      }
      const leaf = lines[0];
      const f = functions.get(num(leaf.functionId));
      known = { frames, leafFile: f ? fileOf(f) : null, leafLine: num(leaf.line) };
    }
    locationFrames.set(id, known);
    return known;
  };

  const index = chosen.index;
  const scale = chosen.scale;
  const samples = profile.sample;
  let negative = 0;
  let malformed = 0;
  let weighted = 0;
  let pruned = 0;
  const stack: number[] = [];
  for (let s = 0; s < samples.length; s++) {
    if (options.onProgress && s % 65536 === 65535) options.onProgress(s / samples.length);
    const sample = samples[s];
    if (sample.value.length !== types.length) {
      malformed++;
      if (sample.value.length <= index) continue;
    }
    const value = num(sample.value[index]) * scale;
    if (value < 0) negative++;
    if (!(value > 0) || !Number.isFinite(value)) continue;
    stack.length = 0;
    const ids = sample.locationId;
    const cut = prune.drop ? leafAfterPrune(ids, pruneOfLocation) : -1;
    if (cut >= 0) pruned++;
    const from = Math.max(0, cut);
    let leaf: LocationFrames | null = null;
    for (let i = ids.length - 1; i >= from; i--) {
      const loc = framesOfLocation(num(ids[i]));
      for (const f of loc.frames) stack.push(f);
      if (i === from) leaf = loc;
    }
    builder.addStack(stack, value);
    if (leaf && leaf.leafFile && leaf.leafLine >= 1) {
      builder.addLine(leaf.leafFile, leaf.leafLine, leaf.frames[leaf.frames.length - 1], value);
    }
    weighted++;
  }
  options.onProgress?.(1);

  const warnings: string[] = [];
  const what = chosen.type || chosen.id;
  if (!samples.length) warnings.push(`${label} holds no samples: nothing was recorded.`);
  else if (!weighted) warnings.push(`${label} holds no ${what} weight: every sample's is 0.`);
  if (negative) {
    warnings.push(
      `${label} has ${negative} sample${negative === 1 ? '' : 's'} with a negative ${what} ` +
        '(a difference of two profiles?); Heatlens leaves them out.',
    );
  }
  if (malformed) {
    warnings.push(
      `${label} has ${malformed} sample${malformed === 1 ? '' : 's'} whose values do not match ` +
        `its ${types.length} sample types; their values were read by position.`,
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
  if (prune.asked) warnings.push(pruneWarning(label, prune, pruned));

  const periodType = profile.periodType;
  const periodTypeName = periodType ? str(periodType.type) : '';
  const periodUnit = periodType ? UNITS[str(periodType.unit).toLowerCase()] : undefined;
  const period = num(profile.period);
  const periodNs = periodUnit ? NS_PER[periodUnit[0]] : undefined;
  const clockName = chosen.type === 'samples' ? periodTypeName : chosen.type;
  const unitNs = NS_PER[chosen.unit];
  const timeNanos = num(profile.timeNanos);
  const durationNanos = num(profile.durationNanos);
  return builder.build({
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
    sourceFile: source,
    warnings,
  });
}

/** What a profile's `drop_frames`/`keep_frames` ask for, as regular expressions. */
interface PruneRule {
  /** True when the profile sets either field. */
  readonly asked: boolean;
  readonly dropFrames: string;
  readonly keepFrames: string;
  /** The anchored patterns; `drop` undefined when nothing is dropped (unset, or unreadable). */
  readonly drop?: RegExp;
  readonly keep?: RegExp;
  /** Set when a pattern is not a regular expression JavaScript reads. */
  readonly unreadable?: string;
}

function pruneRule(profile: PprofProfile, str: (i: Numeric) => string): PruneRule {
  const dropFrames = str(profile.dropFrames);
  const keepFrames = str(profile.keepFrames);
  const asked = Boolean(dropFrames || keepFrames);
  // go tool pprof looks at keep_frames only when drop_frames is set.
  if (!dropFrames) return { asked, dropFrames, keepFrames };
  // Go's RE2 matches in linear time; JavaScript backtracks, and a repeated group that repeats
  // inside ("(a+)+") can take exponential time: a file must not be able to hang the reader.
  if (NESTED_REPEAT.test(dropFrames) || NESTED_REPEAT.test(keepFrames)) {
    return {
      asked,
      dropFrames,
      keepFrames,
      unreadable: 'a repeated group repeats inside: too slow to match safely',
    };
  }
  try {
    const drop = new RegExp(`^(?:${dropFrames})$`);
    const keep = keepFrames ? new RegExp(`^(?:${keepFrames})$`) : undefined;
    return { asked, dropFrames, keepFrames, drop, keep };
  } catch {
    return {
      asked,
      dropFrames,
      keepFrames,
      unreadable: 'not a regular expression JavaScript reads',
    };
  }
}

/** A group holding `+`, `*` or `{`, itself followed by one of them. */
const NESTED_REPEAT = /\([^()]*[+*{][^()]*\)[+*{]/;

function pruneWarning(label: string, rule: PruneRule, pruned: number): string {
  const quote = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
  const asked = `${label} asks to hide frames (drop_frames ${quote(rule.dropFrames)}, keep_frames ${quote(rule.keepFrames)})`;
  if (rule.unreadable) {
    return `${asked}, but Heatlens does not apply the patterns (${rule.unreadable}); every frame is shown, where go tool pprof may hide some.`;
  }
  if (!rule.drop) return `${asked}; without drop_frames nothing is hidden, as in go tool pprof.`;
  return (
    `${asked}: they are hidden as go tool pprof does, each with the functions it called; ` +
    `${pruned} sample${pruned === 1 ? '' : 's'} lost frames, their weight given to the frame above.`
  );
}

/**
 * How `drop_frames` cuts one location (prune.go's first loop): its lines are scanned from the
 * outermost caller in; at the first function that matches, the location is cut there.
 * `keepLines` is how many outer lines stay (0: the whole location matches; undefined: no match).
 */
interface LocationPrune {
  readonly keepLines?: number;
}

const KEEP: LocationPrune = Object.freeze({});

function locationPrune(
  loc: PprofProfile['location'][number],
  functions: Map<number, PprofProfile['function'][number]>,
  str: (i: Numeric) => string,
  drop: RegExp,
  keep: RegExp | undefined,
): LocationPrune {
  const lines = loc.line;
  for (let i = lines.length - 1; i >= 0; i--) {
    const f = functions.get(num(lines[i].functionId));
    const name = f ? str(f.name) : '';
    if (!name) continue;
    const simple = simplifyFunctionName(name);
    if (drop.test(simple) && !keep?.test(simple)) return { keepLines: lines.length - 1 - i };
  }
  return KEEP;
}

/**
 * The index in `ids` (leaf first) of the sample's leaf after pruning (prune.go's second loop):
 * from the root down, frames before the first location that nothing matches stay; after it, the
 * first location cut whole ends the stack above it, and a location cut inside ends the stack at
 * itself (with its outer lines only). -1 when nothing is cut.
 */
function leafAfterPrune(ids: readonly Numeric[], pruneOf: (id: number) => LocationPrune): number {
  let foundUser = false;
  for (let i = ids.length - 1; i >= 0; i--) {
    const { keepLines } = pruneOf(num(ids[i]));
    if (keepLines === undefined) {
      foundUser = true;
      continue;
    }
    if (!foundUser) continue;
    return keepLines === 0 ? i + 1 : i;
  }
  return -1;
}

// pprof's reserved names that hold a "(" that does not start an argument list.
const BRACKET = /\(anonymous namespace\)|operator\(\)|\(/g;

/**
 * A function name as pprof matches it against drop_frames: a leading "." (PPC64 ELF v1) dropped
 * and everything from the first "(" that is not part of "(anonymous namespace)" or "operator()"
 * cut (C++ argument lists; note that this also cuts Go's "main.(*T).M" to "main.").
 */
function simplifyFunctionName(name: string): string {
  const f = name.startsWith('.') ? name.slice(1) : name;
  for (const m of f.matchAll(BRACKET)) {
    if (m[0] === '(') return f.slice(0, m.index);
  }
  return f;
}
