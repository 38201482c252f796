/**
 * Typed arrays to and from the bytes that carry them: an ArrayBuffer (binary channels), a typed
 * array a channel recreated (possibly at an odd offset), or base64 (JSON). Little-endian, as on
 * every platform VS Code runs on.
 */
import { base64ToBytes } from './base64';

/** A typed-array constructor this module reinterprets bytes with. */
export type TypedArrayClass<T extends Int32Array | Float64Array> = {
  new (buffer: ArrayBuffer, offset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** A copy of exactly the bytes of a typed array (never its whole, possibly shared, buffer). */
export function rawCopy(view: ArrayBufferView): ArrayBuffer {
  return (view.buffer as ArrayBuffer).slice(view.byteOffset, view.byteOffset + view.byteLength);
}

/** Raw bytes of an ArrayBuffer, a typed array or base64; undefined for anything else. */
function bytesOf(
  value: unknown,
): { buffer: ArrayBuffer; offset: number; length: number } | undefined {
  if (typeof value === 'string') {
    const bytes = base64ToBytes(value);
    return { buffer: bytes.buffer as ArrayBuffer, offset: 0, length: bytes.byteLength };
  }
  if (value instanceof ArrayBuffer) return { buffer: value, offset: 0, length: value.byteLength };
  if (ArrayBuffer.isView(value)) {
    return {
      buffer: value.buffer as ArrayBuffer,
      offset: value.byteOffset,
      length: value.byteLength,
    };
  }
  return undefined;
}

/**
 * A typed array of `count` elements over the bytes of `value` (without a copy when they are
 * aligned), or a reason why not: `'not bytes'`, or the byte count found when it does not match.
 */
export function typedFromBytes<T extends Int32Array | Float64Array>(
  Ctor: TypedArrayClass<T>,
  value: unknown,
  count: number,
): T | { readonly wrong: 'not bytes' } | { readonly wrong: 'length'; readonly bytes: number } {
  const size = Ctor.BYTES_PER_ELEMENT;
  const bytes = bytesOf(value);
  if (!bytes) return { wrong: 'not bytes' };
  const length = bytes.length;
  let { buffer, offset } = bytes;
  if (length !== count * size) return { wrong: 'length', bytes: length };
  if (offset % size !== 0) {
    // A view at an odd offset cannot be reinterpreted in place: copy it once.
    buffer = buffer.slice(offset, offset + length);
    offset = 0;
  }
  return new Ctor(buffer, offset, count);
}
