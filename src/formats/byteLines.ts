/**
 * The lines of a text file, read from its bytes a piece at a time, for line formats (callgrind,
 * collapsed stacks) too large to decode into one string: V8's strings hold at most 2^29 - 24
 * characters (about 512 MB), and `TextDecoder.decode` of a larger file throws.
 *
 * Encoding: UTF-8, or UTF-16 (little or big endian) when the file starts with its byte-order
 * mark, as detect.ts decides; a UTF-8 byte-order mark is dropped. Lines end at `\n`; a `\r`
 * before it (CRLF) is dropped. The result is what `text.split('\n')` gives after decoding the
 * whole file and removing each line's trailing `\r`, except that a final empty line (after the
 * file's last newline) is not produced.
 *
 * Why it cuts at newlines instead of streaming through `TextDecoder`: a piece that ends right
 * after a newline never splits a multi-byte character or a surrogate pair (a newline byte or
 * code unit is never part of one), so each piece decodes on its own, and the lines are slices of
 * one flat string per piece. Gluing a partial line onto the next streamed piece made a
 * concatenated string per piece and was 10x slower (measured: 115 MB of collapsed stacks,
 * 3.8 s against 0.3 s). A line longer than a piece makes the piece longer.
 *
 * Memory: a line is a slice of its piece's string, so a string an importer keeps from a line
 * (a frame name) keeps that piece (about `chunkSize` bytes) alive. Importers keep few strings
 * and intern them, so at most a few pieces stay.
 */

/** Options of {@link byteLines}. */
export interface ByteLinesOptions {
  /** About how many bytes are decoded at a time (default 1 MiB); small values are for tests. */
  readonly chunkSize?: number;
  /** Called with the fraction of the bytes read (0 to 1) after each piece of a few MB or more. */
  readonly onProgress?: (fraction: number) => void;
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding a file's byte-order mark names (UTF-8 without one), and the mark's length. */
export function byteOrderMark(bytes: Uint8Array): { encoding: Encoding; length: number } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { encoding: 'utf-16le', length: 2 };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { encoding: 'utf-16be', length: 2 };
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: 'utf-8', length: 3 };
  }
  return { encoding: 'utf-8', length: 0 };
}

/** Progress is reported at most every this many bytes. */
const PROGRESS_STEP = 8 * 1024 * 1024;

/**
 * The end (exclusive) of the piece that starts at `from`: just after the last newline at or
 * before `from + size`, or, when there is none, just after the next newline; the file's end if
 * no newline follows. For UTF-16, newlines are whole code units at an even offset from `from`.
 */
function pieceEnd(bytes: Uint8Array, from: number, size: number, encoding: Encoding): number {
  const n = bytes.length;
  if (from + size >= n) return n;
  if (encoding === 'utf-8') {
    const back = bytes.lastIndexOf(10, from + size - 1);
    if (back >= from) return back + 1;
    const ahead = bytes.indexOf(10, from + size);
    return ahead < 0 ? n : ahead + 1;
  }
  // The newline's low byte comes first in little endian, second in big endian.
  const lo = encoding === 'utf-16le' ? 0 : 1;
  const isNewline = (i: number): boolean => bytes[i + lo] === 10 && bytes[i + 1 - lo] === 0;
  // The last code unit starting at or before from + size - 2, at an even offset.
  let i = from + ((size - 2) & ~1);
  for (; i >= from; i -= 2) if (isNewline(i)) return i + 2;
  for (i = from + (size & ~1); i + 1 < n; i += 2) if (isNewline(i)) return i + 2;
  return n;
}

/**
 * The text of a file's bytes, decoded a piece of about `chunkSize` bytes at a time: every piece
 * but the last ends just after a newline, so a line is never cut between two pieces and no
 * string is ever larger than a piece (a line longer than a piece makes the piece longer). The
 * byte-order mark is not part of the text. Line importers that scan text in place (without a
 * string per line) read these; {@link byteLines} cuts them into lines.
 */
export function* bytePieces(bytes: Uint8Array, options: ByteLinesOptions = {}): Generator<string> {
  const size = Math.max(2, Math.floor(options.chunkSize ?? 1024 * 1024));
  const onProgress = options.onProgress;
  const { encoding, length: mark } = byteOrderMark(bytes);
  // Not fatal: invalid bytes become U+FFFD, as when detect.ts decodes a whole file.
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  const total = bytes.length;
  let nextReport = PROGRESS_STEP;
  let from = mark;
  while (from < total) {
    const end = pieceEnd(bytes, from, size, encoding);
    const text = decoder.decode(bytes.subarray(from, end));
    from = end;
    yield text;
    if (onProgress && from >= nextReport) {
      nextReport = from + PROGRESS_STEP;
      onProgress(from / total);
    }
  }
  onProgress?.(1);
}

/**
 * The lines of a text file's bytes (see the module comment for the exact contract), decoded a
 * piece of about `chunkSize` bytes at a time so no string is ever larger than a piece.
 */
export function* byteLines(bytes: Uint8Array, options: ByteLinesOptions = {}): Generator<string> {
  for (const text of bytePieces(bytes, options)) {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      yield text.charCodeAt(nl - 1) === 13 && nl > start
        ? text.slice(start, nl - 1)
        : text.slice(start, nl);
      start = nl + 1;
    }
    // Only the file's last piece can end without a newline.
    if (start < text.length) {
      yield text.charCodeAt(text.length - 1) === 13
        ? text.slice(start, text.length - 1)
        : text.slice(start);
    }
  }
}
