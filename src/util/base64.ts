/**
 * Base64 of raw bytes, both ways, for the typed arrays of a profile: the webview's JSON-only
 * channels and the stored-run files carry them so. Pure code: the webview has no `Buffer`.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = new Uint8Array(128).fill(255);
for (let i = 0; i < B64.length; i++) B64_CODES[B64.charCodeAt(i)] = i;

interface NodeBufferLike {
  from(
    data: ArrayBufferLike,
    byteOffset?: number,
    length?: number,
  ): {
    toString(enc: string): string;
    buffer: ArrayBuffer;
    byteOffset: number;
    byteLength: number;
  };
}
// Node's Buffer when present (extension host, CLI, tests): about 10x faster than the loops below.
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;

/** Base64 of the bytes of a typed array. */
export function bytesToBase64(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  return portableBase64(bytes);
}

/** Base64 without Node's Buffer (the webview side). Exported for its test. */
export function portableBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 16384;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < end) {
      const two = i + 1 < end;
      const n = (bytes[i] << 16) | ((two ? bytes[i + 1] : 0) << 8);
      s += B64[n >> 18] + B64[(n >> 12) & 63] + (two ? B64[(n >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** The bytes of a base64 string, in a fresh (so aligned) buffer. */
export function base64ToBytes(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const n =
      (B64_CODES[text.charCodeAt(i)] << 18) |
      (B64_CODES[text.charCodeAt(i + 1)] << 12) |
      (B64_CODES[text.charCodeAt(i + 2)] << 6) |
      B64_CODES[text.charCodeAt(i + 3)];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest >= 2) {
    const n =
      (B64_CODES[text.charCodeAt(i)] << 18) |
      (B64_CODES[text.charCodeAt(i + 1)] << 12) |
      (rest === 3 ? B64_CODES[text.charCodeAt(i + 2)] << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}
