/**
 * Decoding a pprof file (pprof.ts): gunzip when compressed, a check of profile.proto's top level
 * (pprof-format reads a message cut short without complaint), then pprof-format's decoder; and
 * the protobuf numbers as JavaScript numbers. Every failure is a format error naming the file.
 */
import { Profile as PprofProfile } from 'pprof-format';
import { formatFail, type FormatFail } from './errors';
import { gunzipBounded, isGzip } from './gzip';

/** Decompressed pprof files larger than this are refused rather than risking the host's memory. */
const MAX_DECOMPRESSED = 512 * 1024 * 1024;

const REDO =
  'check that the file was copied whole, or write it again (go tool pprof -proto, or the ' +
  "profiler's own output)";

const fail: FormatFail = formatFail('The profile', REDO);

/** A protobuf integer as pprof-format gives it. */
export type Numeric = number | bigint;

/** A protobuf int64 as a number: pprof-format returns large values (and negative ones) as bigints. */
export function num(value: Numeric | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'bigint' ? Number(BigInt.asIntN(64, value)) : value;
}

/** An unsigned 64-bit value (an address) in hex: pprof-format gives large ones as bigints. */
export function hex(value: Numeric | undefined): string {
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
export function looksLikeRawPprof(bytes: Uint8Array, prefix: boolean): boolean {
  // Every field must have a number and wire type of profile.proto, and a sample type must come
  // early (writers put it first or after the time): text does not walk as protobuf for long.
  const fields = new Set<number>();
  return checkTopLevel(bytes, prefix, fields) === null && fields.has(1);
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
export function decode(bytes: Uint8Array, source: string | undefined): PprofProfile {
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
