/**
 * The one entry point from a file's bytes to a {@link Profile}: decodes the text (UTF-8, or
 * UTF-16 with a byte-order mark), picks the importer by name first and content second, and
 * explains what is wrong when no importer fits. Formats: V8 `.cpuprofile`, Chrome traces holding
 * CPU profiles, speedscope JSON, pprof, Python pstats (cProfile, yappi), callgrind (valgrind,
 * yappi, pyprof2calltree), collapsed stacks, Heatlens' Python sampler output and its stored runs.
 * Files too large for one string take the byte-level route of large.ts.
 */
import type { Profile } from '../core/profile';
import { importCallgrind, isCallgrind } from './callgrind';
import type { ImportOptions, ProfileChoice } from './choices';
import { chromeTraceChoices, importChromeTraceValue, isChromeTrace } from './chromeTrace';
import { importCollapsed, isCollapsed } from './collapsed';
import { importCpuprofile, isCpuprofile } from './cpuprofile';
import { ProfileFormatError } from './errors';
import { gunzipBounded, isGzip } from './gzip';
import { deserializeProfile, isHeatlensRun } from './heatlensRun';
import { importLargeProfile, isLargeProfile, MAX_STRING_LENGTH } from './large';
import { importPprof, isPprof, pprofChoices } from './pprof';
import { importPstats, isPstats } from './pstats';
import { importPythonSamples, isPythonSamples } from './pysamples';
import { importSpeedscopeValue, isSpeedscope, speedscopeChoices } from './speedscope';

/** The formats named in the error for a file no importer reads. */
const KNOWN =
  'V8 .cpuprofile (`node --cpu-prof`, Chrome DevTools), Chrome trace, speedscope JSON, pprof, ' +
  'Python pstats (cProfile, yappi), callgrind (valgrind, yappi, pyprof2calltree), collapsed ' +
  'stacks (`a;b;c 12`) or Heatlens Python samples';

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
  if (isHeatlensRun(name, bytes)) return deserializeProfile(bytes, name);
  if (isPprof(name, bytes)) return importPprof(bytes, opts);
  if (isGzip(bytes)) {
    // A compressed profile of another format (`trace.json.gz`, `x.cpuprofile.gz`).
    const inner = name.replace(/\.gz$/i, '');
    return importProfileFile(
      inner === name ? `${name}.decompressed` : inner,
      gunzip(name, bytes),
      options,
    );
  }
  // pstats is binary (Python's marshal format): look at the bytes before decoding any text.
  if (isPstats(name, bytes)) return importPstats(bytes, opts);
  if (isLargeProfile(bytes)) {
    const large = importLargeProfile(name, bytes, opts);
    if (large) return large;
  }
  const text = decode(name, bytes);
  if (isCpuprofile(name, text)) return importCpuprofile(text, opts);
  if (isSpeedscope(name, text)) return importSpeedscopeValue(json(name, bytes, text), opts);
  if (isChromeTrace(name, text)) return importChromeTraceValue(json(name, bytes, text), opts);
  if (isPythonSamples(name, text)) return importPythonSamples(text, opts);
  if (isCallgrind(name, text)) return importCallgrind(text, opts);
  if (isCollapsed(name, text)) return importCollapsed(text, opts);
  throw new ProfileFormatError(
    `"${name}" is not a profile format Heatlens reads: ${KNOWN}. Open one of those instead.`,
    name,
  );
}

/**
 * The profiles a file holds when it holds several (speedscope profiles, pprof sample types, the
 * threads of a Chrome trace), the default first; empty for a file of one profile. Never throws:
 * a damaged file reports its error from {@link importProfileFile}.
 */
export function profileChoices(name: string, bytes: Uint8Array): readonly ProfileChoice[] {
  try {
    if (bytes.length === 0 || isHeatlensRun(name, bytes)) return [];
    if (isPprof(name, bytes)) return few(pprofChoices(bytes, name));
    if (isGzip(bytes)) return [];
    if (isPstats(name, bytes) || isLargeProfile(bytes)) return [];
    const text = decode(name, bytes);
    if (isCpuprofile(name, text)) return [];
    if (isSpeedscope(name, text)) return few(speedscopeChoices(json(name, bytes, text)));
    if (isChromeTrace(name, text)) return few(chromeTraceChoices(json(name, bytes, text)));
    return [];
  } catch {
    return [];
  }
}

function few(choices: readonly ProfileChoice[]): readonly ProfileChoice[] {
  return choices.length > 1 ? choices : [];
}
