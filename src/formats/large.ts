/**
 * Text profiles too large for one string. V8's strings hold at most 2^29 - 24 characters (about
 * 512 MB), so `TextDecoder.decode` (and with it every text importer) fails on a larger file.
 * These files are read from their bytes instead, and give the same profile the text route gives
 * a smaller file:
 *
 * - `.cpuprofile`: a byte scanner fills the same columns as the text scanner (cpuprofileBytes.ts),
 *   with a byte-level JSON parse as its fallback;
 * - callgrind and collapsed stacks: their importers, fed the text a piece at a time, each cut
 *   at a line end (byteLines.ts: UTF-8 or UTF-16);
 * - speedscope and Chrome traces: a byte-level JSON parse (jsonBytes.ts) and the importers'
 *   `...Value` entry points.
 *
 * Binary formats (pstats, pprof) never make a string of the file and are not handled here, nor
 * is anything of another format: the caller's usual route decides (and words the error).
 * UTF-16 files are large only past twice the limit (two bytes a character); JSON ones are then
 * re-encoded to UTF-8 a piece at a time first.
 */
import type { Profile } from '../core/profile';
import { byteOrderMark, bytePieces } from './byteLines';
import { importCallgrindPieces, isCallgrind } from './callgrind';
import type { ImportOptions } from './choices';
import { importChromeTraceValue, isChromeTrace } from './chromeTrace';
import { importCollapsedPieces, isCollapsed } from './collapsed';
import { importCpuprofileBytes, isCpuprofile } from './cpuprofile';
import { formatError } from './errors';
import { isGzip } from './gzip';
import { JsonBytesError, parseJsonBytes } from './jsonBytes';
import { importSpeedscopeValue, isSpeedscope } from './speedscope';

/** The longest string V8 makes on 64-bit systems (Node 20 and later): 2^29 - 24 characters. */
export const MAX_STRING_LENGTH = 0x1fffffe8;

/** Options of {@link importLargeProfile}. */
export interface LargeImportOptions extends ImportOptions {
  /**
   * Characters above which a file is read from its bytes (default {@link MAX_STRING_LENGTH}).
   * Tests lower it to run the byte route on small fixtures.
   */
  readonly threshold?: number;
}

/** How much of each end of a file is decoded to recognise its format. */
const SNIFF_BYTES = 64 * 1024;

/** Whether a file's text would have more than `threshold` characters (UTF-16: two bytes each). */
export function isLargeProfile(bytes: Uint8Array, threshold = MAX_STRING_LENGTH): boolean {
  const { encoding } = byteOrderMark(bytes);
  return (encoding === 'utf-8' ? bytes.length : bytes.length / 2) > threshold;
}

/**
 * Reads a text profile too large for one string (see the module comment), or returns undefined
 * when the file is not that large, is binary, or is of a format this module does not read: the
 * caller then takes its usual route. Throws {@link ProfileFormatError} naming the file, as the
 * text importers do, when the file is of a format read here but damaged. `options.onProgress`
 * gets the fraction done (0 to 1) every few MB.
 */
export function importLargeProfile(
  name: string,
  bytes: Uint8Array,
  options: LargeImportOptions = {},
): Profile | undefined {
  if (!isLargeProfile(bytes, options.threshold ?? MAX_STRING_LENGTH)) return undefined;
  // gzip (pprof, a compressed file of any kind): bytes, not text.
  if (isGzip(bytes)) return undefined;
  const { encoding, length: mark } = byteOrderMark(bytes);
  const sniff = sniffText(bytes, encoding, mark);

  // Progress never runs backwards, even when a fast route gives up and a slower one restarts.
  let done = 0;
  const report = options.onProgress;
  const progress = (from: number, to: number) =>
    report
      ? (f: number): void => {
          const at = from + (to - from) * Math.min(1, Math.max(0, f));
          if (at > done) report((done = at));
        }
      : undefined;
  const importOptions = { sourceFile: name, choice: options.choice };

  let profile: Profile;
  if (isCpuprofile(name, sniff)) {
    profile = importCpuprofileBytes(utf8(bytes, encoding, mark), {
      sourceFile: name,
      onProgress: progress(0, 0.95),
    });
  } else if (isCallgrind(name, sniff)) {
    profile = importCallgrindPieces(bytePieces(bytes, { onProgress: progress(0, 0.99) }), {
      sourceFile: name,
    });
  } else if (isSpeedscope(name, sniff)) {
    const value = parseLarge(utf8(bytes, encoding, mark), name, 'speedscope', progress(0, 0.8));
    profile = importSpeedscopeValue(value, { ...importOptions, onProgress: progress(0.8, 1) });
  } else if (isChromeTrace(name, sniff)) {
    const value = parseLarge(utf8(bytes, encoding, mark), name, 'Chrome trace', progress(0, 0.8));
    profile = importChromeTraceValue(value, { ...importOptions, onProgress: progress(0.8, 1) });
  } else if (isCollapsed(name, sniff)) {
    profile = importCollapsedPieces(bytePieces(bytes, { onProgress: progress(0, 0.99) }), {
      sourceFile: name,
    });
  } else return undefined;
  report?.(1);
  return profile;
}

/**
 * The start and end of the file as text, for the format tests (they look at a few KB at each
 * end). UTF-16 is cut at even offsets; a UTF-8 character cut in two decodes as U+FFFD, harmless
 * to the tests.
 */
function sniffText(bytes: Uint8Array, encoding: string, mark: number): string {
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  const headEnd = Math.min(bytes.length, mark + SNIFF_BYTES);
  const head = decoder.decode(bytes.subarray(mark, headEnd));
  let tailStart = Math.max(headEnd, bytes.length - SNIFF_BYTES);
  if (encoding !== 'utf-8' && (tailStart - mark) % 2) tailStart++;
  return head + decoder.decode(bytes.subarray(tailStart));
}

/** The file as UTF-8 bytes without a byte-order mark: UTF-16 is re-encoded a piece at a time. */
function utf8(bytes: Uint8Array, encoding: string, mark: number): Uint8Array {
  if (encoding === 'utf-8') return bytes.subarray(mark);
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  const encoder = new TextEncoder();
  // A UTF-16 code unit (2 bytes) becomes at most 3 UTF-8 bytes.
  const out = new Uint8Array(Math.ceil(((bytes.length - mark) * 3) / 2) + 4);
  const piece = 4 * 1024 * 1024;
  let written = 0;
  for (let from = mark; from < bytes.length; from += piece) {
    const end = Math.min(bytes.length, from + piece);
    // `stream` keeps a surrogate pair or odd byte cut by the piece's end for the next piece.
    const text = decoder.decode(bytes.subarray(from, end), { stream: end < bytes.length });
    written += encoder.encodeInto(text, out.subarray(written)).written;
  }
  return out.subarray(0, written);
}

/** {@link parseJsonBytes}, its errors worded for a person as the text importers word theirs. */
function parseLarge(
  bytes: Uint8Array,
  name: string,
  format: string,
  onProgress: ((fraction: number) => void) | undefined,
): unknown {
  try {
    return parseJsonBytes(bytes, onProgress);
  } catch (err) {
    if (!(err instanceof JsonBytesError)) throw err;
    if (err.truncated) {
      throw formatError(
        name,
        'is cut short: its JSON ends before the profile does',
        'the file was probably truncated while being written or copied, so record or save it again',
      );
    }
    const detail = err.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
    throw formatError(name, `is not valid JSON (${detail})`, `is it really a ${format} file?`);
  }
}
