/**
 * gzip-compressed profiles (pprof always, other formats when someone compressed the file):
 * recognised by their magic bytes and decompressed with a limit, so that a few MB of compressed
 * zeros cannot become gigabytes in the editor.
 */
import { gunzipSync } from 'node:zlib';

/** True when `bytes` start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Why a file did not decompress. */
export type GunzipFailure = 'too-large' | 'ends-early' | 'damaged';

/**
 * Decompresses `bytes` to at most `limit` bytes. On failure calls `fail` (which throws the
 * caller's own error, worded for its format) with the reason and zlib's error.
 */
export function gunzipBounded(
  bytes: Uint8Array,
  limit: number,
  fail: (why: GunzipFailure, error: Error) => never,
): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      return fail('too-large', e as Error);
    return fail(code === 'Z_BUF_ERROR' ? 'ends-early' : 'damaged', e as Error);
  }
}
