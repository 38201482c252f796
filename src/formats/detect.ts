/**
 * The one entry point from a file's bytes to a {@link Profile}: decodes the text (UTF-8, or
 * UTF-16 with a byte-order mark), picks the importer by name first and content second, and
 * explains what is wrong when no importer fits: V8 `.cpuprofile`, Python pstats (cProfile, yappi),
 * callgrind (valgrind, yappi, pyprof2calltree) and Heatlens' own Python sampler output.
 */
import type { Profile } from '../core/profile';
import { importCallgrind, isCallgrind } from './callgrind';
import { importCpuprofile, isCpuprofile } from './cpuprofile';
import { importPstats, isPstats } from './pstats';
import { importPythonSamples, isPythonSamples } from './pysamples';
import { ProfileFormatError } from './errors';

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

/**
 * Reads a profile file of any supported format. Throws {@link ProfileFormatError} (naming the
 * file, saying what is wrong and what to do) when the file is empty, damaged or of a format
 * Heatlens does not read.
 */
export function importProfileFile(name: string, bytes: Uint8Array): Profile {
  if (bytes.length === 0) {
    throw new ProfileFormatError(
      `"${name}" is empty; profile the program again, or check that the file was written completely.`,
      name,
    );
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new ProfileFormatError(
      `"${name}" is gzip-compressed (a pprof profile?), which Heatlens does not read yet; ` +
        'decompress it if it is a .cpuprofile, or open a V8 .cpuprofile instead.',
      name,
    );
  }
  // pstats is binary (Python's marshal format): look at the bytes before decoding any text.
  if (isPstats(name, bytes)) return importPstats(bytes, { sourceFile: name });
  const text = decode(name, bytes);
  if (isCpuprofile(name, text)) return importCpuprofile(text, { sourceFile: name });
  if (isPythonSamples(name, text)) return importPythonSamples(text, { sourceFile: name });
  if (isCallgrind(name, text)) return importCallgrind(text, { sourceFile: name });
  throw new ProfileFormatError(
    `"${name}" is not a profile format Heatlens reads: V8 .cpuprofile (\`node --cpu-prof\`, ` +
      'Chrome DevTools), Python pstats (cProfile, yappi), callgrind (valgrind, yappi, ' +
      'pyprof2calltree) or Heatlens Python samples. Open one of those instead.',
    name,
  );
}
