/**
 * A writer for Python's `marshal` format, the subset a pstats file needs (the reader is
 * marshal.ts; docs/FORMATS.md, "Python pstats"), so that `python -m pstats`, `pstats.Stats` and
 * snakeviz read what Heatlens exports.
 *
 * JavaScript values map onto Python ones so that no type is guessed: `bigint` is a Python int
 * (`i` when it fits 32 bits, else `l`), `number` a float (`g`, binary float64), `string` a str
 * (`z` for short ASCII, `a` for longer ASCII, `u` UTF-8 otherwise), an array a tuple, a
 * {@link MarshalOutDict} a dict, `null`/`true`/`false` None/True/False.
 *
 * Objects that occur more than once (the same array, or equal strings) are written once with
 * FLAG_REF and referred to with `r` afterwards, as CPython does for objects it holds twice: a
 * pstats file names each function's key tuple again for every caller edge. Floats never get the
 * flag: cProfile's own files have none on floats, and readers (ours included) take flagged floats
 * as a sign of yappi.
 */
/** A Python dict to write, in order. Keys may be tuples (arrays), so entries are pairs. */
export class MarshalOutDict {
  constructor(readonly entries: Array<readonly [MarshalOut, MarshalOut]> = []) {}
}

/** A value {@link writeMarshal} can write. */
export type MarshalOut =
  null | boolean | bigint | number | string | readonly MarshalOut[] | MarshalOutDict;

const FLAG_REF = 0x80;
const utf8 = new TextEncoder();

/** A growing byte buffer. */
class Bytes {
  private buf = new Uint8Array(1 << 12);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** True for strings marshal can write as ASCII (`z`/`a`). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Serialises one value in marshal format (version 4 codes, which Python 3.4 and later read).
 * A value that contains itself is written with a reference to itself, as CPython does.
 */
export function writeMarshal(value: MarshalOut): Uint8Array {
  // First pass: which objects (by identity) and strings (by value) occur more than once.
  const seenObjects = new Map<object, number>();
  const seenStrings = new Map<string, number>();
  const count = (v: MarshalOut): void => {
    if (typeof v === 'string') {
      seenStrings.set(v, (seenStrings.get(v) ?? 0) + 1);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const n = (seenObjects.get(v) ?? 0) + 1;
    seenObjects.set(v, n);
    if (n > 1) return; // its children were counted the first time
    if (v instanceof MarshalOutDict) {
      for (const [k, x] of v.entries) {
        count(k);
        count(x);
      }
    } else {
      for (const x of v) count(x);
    }
  };
  count(value);

  const out = new Bytes();
  const objectRef = new Map<object, number>();
  const stringRef = new Map<string, number>();
  let refs = 0;

  const write = (v: MarshalOut): void => {
    if (v === null) return out.u8(0x4e); // N
    if (v === true) return out.u8(0x54); // T
    if (v === false) return out.u8(0x46); // F
    if (typeof v === 'bigint') {
      const small = Number(v);
      if (small >= -2147483648 && small <= 2147483647) {
        out.u8(0x69); // i
        out.i32(small);
        return;
      }
      // l: digit count (its sign is the number's), then base-2^15 digits, least significant first.
      const negative = v < 0n;
      let rest = negative ? -v : v;
      const digits: number[] = [];
      while (rest > 0n) {
        digits.push(Number(rest & 0x7fffn));
        rest >>= 15n;
      }
      out.u8(0x6c);
      out.i32(negative ? -digits.length : digits.length);
      for (const d of digits) out.u16(d);
      return;
    }
    if (typeof v === 'number') {
      out.u8(0x67); // g
      out.f64(v);
      return;
    }
    if (typeof v === 'string') {
      const known = stringRef.get(v);
      if (known !== undefined) {
        out.u8(0x72); // r
        out.i32(known);
        return;
      }
      const flag = (seenStrings.get(v) ?? 0) > 1 ? FLAG_REF : 0;
      if (flag) stringRef.set(v, refs++);
      if (isAscii(v)) {
        if (v.length < 256) {
          out.u8(0x7a | flag); // z
          out.u8(v.length);
        } else {
          out.u8(0x61 | flag); // a
          out.i32(v.length);
        }
        for (let i = 0; i < v.length; i++) out.u8(v.charCodeAt(i));
      } else {
        const b = utf8.encode(v);
        out.u8(0x75 | flag); // u
        out.i32(b.length);
        out.bytes(b);
      }
      return;
    }
    const known = objectRef.get(v);
    if (known !== undefined) {
      out.u8(0x72);
      out.i32(known);
      return;
    }
    const flag = (seenObjects.get(v) ?? 0) > 1 ? FLAG_REF : 0;
    // The slot is taken before the children are written: readers reserve it the same way.
    if (flag) objectRef.set(v, refs++);
    if (v instanceof MarshalOutDict) {
      out.u8(0x7b | flag); // {
      for (const [k, x] of v.entries) {
        write(k);
        write(x);
      }
      out.u8(0x30); // end of dict
    } else if (v.length < 256) {
      out.u8(0x29 | flag); // ) small tuple
      out.u8(v.length);
      for (const x of v) write(x);
    } else {
      out.u8(0x28 | flag); // ( tuple
      out.i32(v.length);
      for (const x of v) write(x);
    }
  };
  write(value);
  return out.result();
}
