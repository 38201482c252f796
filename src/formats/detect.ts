/**
 * The one entry point from a file's bytes to a {@link Profile}: decodes the text (UTF-8, or
 * UTF-16 with a byte-order mark), picks the importer by name first and content second, and
 * explains what is wrong when no importer fits. The formats and their order are the rows of
 * registry.ts; this file adds what is no format's own: empty files, gzip around another format,
 * and files too large for one string (the byte-level route of large.ts).
 */
import type { Profile } from '../core/profile';
import type { ImportOptions, ProfileChoice } from './choices';
import { ProfileFormatError } from './errors';
import { gunzipBounded, isGzip } from './gzip';
import { importLargeProfile, isLargeProfile, MAX_STRING_LENGTH } from './large';
import {
  FORMAT_ROWS,
  knownFormatsSentence,
  type BinaryFormat,
  type ProfileFormat,
  type TextFormat,
  type TextInput,
} from './registry';

/** The rows read from bytes, tried before any text is decoded, and the rows read from text. */
const BINARY = FORMAT_ROWS.filter((f): f is BinaryFormat => f.reads === 'bytes');
const TEXT = FORMAT_ROWS.filter((f): f is TextFormat => f.reads === 'text');

/**
 * A gzip-compressed file other than pprof is decompressed once and read by its inner name, up to
 * V8's longest string: a few MB of compressed zeros must not become gigabytes in the editor.
 */
const MAX_GUNZIP_BYTES = MAX_STRING_LENGTH;

function decode(name: string, bytes: Uint8Array): string {
  let encoding = 'utf-8';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  try {
    // TextDecoder drops the byte-order mark itself.
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    // Strings have a maximum length (about 512 MB in V8); nothing else makes decode throw.
    throw new ProfileFormatError(
      `"${name}" is too large to read as text (${Math.round(bytes.length / 1048576)} MB); ` +
        'record a shorter run or use a larger sampling interval.',
      name,
    );
  }
}

/** Parsed JSON per file: choosing a profile and importing it parse the file once. */
const parsed = new WeakMap<Uint8Array, unknown>();

function json(name: string, bytes: Uint8Array, text: string): unknown {
  if (parsed.has(bytes)) return parsed.get(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProfileFormatError(
      `"${name}" is not valid JSON (${(err as Error).message}); the file may be truncated. ` +
        'Record or save it again.',
      name,
    );
  }
  parsed.set(bytes, value);
  return value;
}

function gunzip(name: string, bytes: Uint8Array): Uint8Array {
  return gunzipBounded(bytes, MAX_GUNZIP_BYTES, (why, err) => {
    if (why === 'too-large') {
      throw new ProfileFormatError(
        `"${name}" decompresses to more than ${Math.round(MAX_GUNZIP_BYTES / 1048576)} MB; ` +
          'decompress it (gunzip) and open the decompressed file.',
        name,
      );
    }
    throw new ProfileFormatError(
      `"${name}" is gzip-compressed but does not decompress (${err.message}); ` +
        'the file may be truncated.',
      name,
    );
  });
}

/**
 * Reads a profile file of any supported format. Throws {@link ProfileFormatError} (naming the
 * file, saying what is wrong and what to do) when the file is empty, damaged or of a format
 * Heatlens does not read. `options.choice` picks one of {@link profileChoices}.
 */
export function importProfileFile(
  name: string,
  bytes: Uint8Array,
  options: ImportOptions = {},
): Profile {
  const opts: ImportOptions = { ...options, sourceFile: name };
  if (bytes.length === 0) {
    throw new ProfileFormatError(
      `"${name}" is empty; profile the program again, or check that the file was written completely.`,
      name,
    );
  }
  const binary = BINARY.find((f) => f.detect(name, bytes));
  if (binary) return binary.import({ name, bytes }, opts);
  if (isGzip(bytes)) {
    // A compressed profile of another format (`trace.json.gz`, `x.cpuprofile.gz`).
    const inner = name.replace(/\.gz$/i, '');
    return importProfileFile(
      inner === name ? `${name}.decompressed` : inner,
      gunzip(name, bytes),
      options,
    );
  }
  if (isLargeProfile(bytes)) {
    const large = importLargeProfile(name, bytes, opts);
    if (large) return large;
  }
  const input = textInput(name, bytes);
  const text = TEXT.find((f) => f.detect(name, input.text));
  if (text) return text.import(input, opts);
  throw new ProfileFormatError(
    `"${name}" is not a profile format Heatlens reads: ${knownFormatsSentence()}. ` +
      'Open one of those instead.',
    name,
  );
}

/**
 * The row of the format registry that reads a file, by name first and content second, as
 * {@link importProfileFile} picks it; `name` may be undefined (content only). Undefined for a
 * gzip file of another format, a file too large for one string, and a file of no format.
 */
export function detectFormat(
  name: string | undefined,
  bytes: Uint8Array,
): ProfileFormat | undefined {
  const binary = BINARY.find((f) => f.detect(name, bytes));
  if (binary || isGzip(bytes) || isLargeProfile(bytes)) return binary;
  const text = decode(name ?? 'The file', bytes);
  return TEXT.find((f) => f.detect(name, text));
}

function textInput(name: string, bytes: Uint8Array): TextInput {
  const text = decode(name, bytes);
  return { name, bytes, text, json: () => json(name, bytes, text) };
}

/**
 * The profiles a file holds when it holds several (speedscope profiles, pprof sample types, the
 * threads of a Chrome trace), the default first; empty for a file of one profile. Never throws:
 * a damaged file reports its error from {@link importProfileFile}.
 */
export function profileChoices(name: string, bytes: Uint8Array): readonly ProfileChoice[] {
  try {
    if (bytes.length === 0) return [];
    const binary = BINARY.find((f) => f.detect(name, bytes));
    if (binary) return few(binary.choices?.({ name, bytes }) ?? []);
    if (isGzip(bytes) || isLargeProfile(bytes)) return [];
    const input = textInput(name, bytes);
    const text = TEXT.find((f) => f.detect(name, input.text));
    return few(text?.choices?.(input) ?? []);
  } catch {
    return [];
  }
}

function few(choices: readonly ProfileChoice[]): readonly ProfileChoice[] {
  return choices.length > 1 ? choices : [];
}
