/**
 * A reader for Python's `marshal` format, the subset that pstats files use (docs/FORMATS.md,
 * "Python pstats"), so that a profile opens without Python. marshal has no header and no schema:
 * every value is one type byte followed by its payload, little-endian. Bit 0x80 on a type byte
 * (FLAG_REF, marshal version 3 and later) appends the value to a table that later `r` codes index;
 * the slot is reserved before a container's children are read, as CPython's `r_ref_reserve` does,
 * so a child may refer to a container that is still being read.
 *
 * Values come back as plain JavaScript: tuples and lists as arrays, dicts as {@link MarshalDict}
 * (pstats keys are tuples, which a JavaScript Map cannot key by value), ints and floats as numbers
 * (a `l` long beyond 2^53 loses precision, which no call count or time reaches), `str` as string,
 * `bytes` as Uint8Array.
 */

/** A Python dict, in file order. Keys may be tuples, so they are kept as pairs. */
export class MarshalDict {
  constructor(readonly entries: Array<[MarshalValue, MarshalValue]>) {}
}

/** A Python set or frozenset, in file order. */
export class MarshalSet {
  constructor(
    readonly items: MarshalValue[],
    readonly frozen: boolean,
  ) {}
}

/** A value read from marshal data. */
export type MarshalValue =
  null | boolean | number | string | Uint8Array | MarshalValue[] | MarshalDict | MarshalSet;

/** marshal data that cannot be read: `offset` is where the reader stood. */
export class MarshalError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'MarshalError';
  }
}

/** Bit 0x80 of a type byte: the value enters the ref table. */
export const FLAG_REF = 0x80;
// Nesting deeper than CPython's own limit (MAX_MARSHAL_STACK_DEPTH is 2000) means garbage.
const MAX_DEPTH = 2000;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** Latin-1 bytes (at most a few hundred) as a flat string, in one call. */
export function shortString(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** A type byte for messages: the character and its code. */
export function describeCode(code: number): string {
  const c = String.fromCharCode(code);
  return code >= 0x20 && code < 0x7f ? `'${c}' (0x${code.toString(16)})` : `0x${code.toString(16)}`;
}

/**
 * Reads one marshal value at a time from `bytes`. Also counts floats and how many of them carried
 * FLAG_REF: marshal sets the flag only on objects referenced more than once, which tells a file
 * dumped from objects kept alive elsewhere (yappi's) from one built on the fly (cProfile's).
 */
export class MarshalReader {
  protected pos = 0;
  protected readonly refs: MarshalValue[] = [];
  protected readonly interned: string[] = [];
  protected readonly view: DataView;
  protected depth = 0;
  /** Floats read (`g` and `f`). */
  floats = 0;
  /** Floats read that carried FLAG_REF. */
  flaggedFloats = 0;

  constructor(protected readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** True when every byte has been read. */
  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Reads the next value. */
  read(): MarshalValue {
    const start = this.pos;
    const code = this.u8('a type code');
    if (code === 0x30 /* '0' TYPE_NULL */) {
      throw new MarshalError(`Unexpected end-of-dict marker '0' at offset ${start}.`, start);
    }
    return this.readTyped(code, start);
  }

  protected fail(what: string, at = this.pos): never {
    if (at >= this.bytes.length) {
      throw new MarshalError(
        `The data ends at offset ${this.bytes.length} where ${what} was expected (the file is cut short).`,
        at,
      );
    }
    throw new MarshalError(`Expected ${what} at offset ${at}.`, at);
  }

  protected need(n: number, what: string): void {
    if (this.pos + n <= this.bytes.length) return;
    if (this.pos >= this.bytes.length) this.fail(what);
    throw new MarshalError(
      `The data ends at offset ${this.bytes.length}, inside ${what} that starts at offset ${this.pos} (the file is cut short).`,
      this.pos,
    );
  }

  protected u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  protected i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  protected length(what: string): number {
    const at = this.pos;
    const n = this.i32(what);
    if (n < 0) throw new MarshalError(`Negative ${what} (${n}) at offset ${at}.`, at);
    return n;
  }

  protected slice(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Registers a value in the ref table when its type byte carried FLAG_REF. */
  protected keep<T extends MarshalValue>(flag: boolean, value: T): T {
    if (flag) this.refs.push(value);
    return value;
  }

  /**
   * Bytes as Latin-1 (ASCII is a subset). Short strings skip TextDecoder's per-call cost, and are
   * made in one call: appending a character at a time makes a rope that every Map lookup then
   * has to flatten (measured: 3x the time and twice the memory of a large pstats import).
   */
  protected latin1(n: number): string {
    const s = this.slice(n, 'string bytes');
    return n > 64 ? latin1.decode(s) : shortString(s);
  }

  protected utf8(n: number): string {
    const s = this.slice(n, 'string bytes');
    if (n > 64) return utf8.decode(s);
    for (let i = 0; i < n; i++) if (s[i] > 0x7f) return utf8.decode(s);
    return shortString(s);
  }

  /** The value of ref `index` (already checked to be in the table); `at` is the ref's offset. */
  protected refAt(index: number, at: number): MarshalValue {
    void at;
    return this.refs[index];
  }

  protected readTyped(typed: number, start: number): MarshalValue {
    const flag = (typed & FLAG_REF) !== 0;
    const code = typed & ~FLAG_REF;
    // A container enters the ref table before its children are read (CPython's r_ref_reserve):
    // the array or dict object is registered first and filled in place.
    switch (code) {
      case 0x4e /* N */:
        return this.keep(flag, null);
      case 0x54 /* T */:
        return this.keep(flag, true);
      case 0x46 /* F */:
        return this.keep(flag, false);
      case 0x69 /* i */:
        return this.keep(flag, this.i32('a 4-byte int'));
      case 0x49 /* I: int64, written by old Pythons */: {
        this.need(8, 'an 8-byte int');
        const v = Number(this.view.getBigInt64(this.pos, true));
        this.pos += 8;
        return this.keep(flag, v);
      }
      case 0x6c /* l */:
        return this.keep(flag, this.readLong());
      case 0x67 /* g */: {
        this.need(8, 'an 8-byte float');
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        this.floats++;
        if (flag) this.flaggedFloats++;
        return this.keep(flag, v);
      }
      case 0x66 /* f: float as text, marshal versions 0 and 1 */:
        return this.keep(flag, this.readFloatText(flag, start));
      case 0x7a /* z */:
      case 0x5a /* Z */:
        return this.keep(flag, this.latin1(this.u8('a string length')));
      case 0x61 /* a */:
      case 0x41 /* A */:
        return this.keep(flag, this.latin1(this.length('a string length')));
      case 0x75 /* u */:
        return this.keep(flag, this.utf8(this.length('a string length')));
      case 0x74 /* t: interned str, UTF-8 like u */: {
        const v = this.utf8(this.length('a string length'));
        // Python 2 refers back to interned strings with 'R' (its files have no FLAG_REF).
        this.interned.push(v);
        return this.keep(flag, v);
      }
      case 0x52 /* R: Python 2's reference to an interned string */: {
        const at = this.pos;
        const index = this.i32('an interned string index');
        if (index < 0 || index >= this.interned.length) {
          throw new MarshalError(
            `Interned string ${index} at offset ${at} points past the ${this.interned.length} read so far.`,
            at,
          );
        }
        return this.interned[index];
      }
      case 0x73 /* s: bytes */:
        return this.keep(flag, this.slice(this.length('a bytes length'), 'bytes').slice());
      case 0x29 /* ) small tuple */:
      case 0x28 /* ( tuple */:
      case 0x5b /* [ list */:
        return this.readSequence(code, flag, start);
      case 0x7b /* { dict */:
        return this.readDict(flag, start);
      case 0x3c /* < set */:
      case 0x3e /* > frozenset */:
        return this.readSet(code, flag, start);
      case 0x72 /* r */: {
        const at = this.pos;
        const index = this.i32('a reference index');
        if (index < 0 || index >= this.refs.length) {
          throw new MarshalError(
            `Reference ${index} at offset ${at} points past the ${this.refs.length} objects read so far.`,
            at,
          );
        }
        return this.refAt(index, at);
      }
      case 0x63 /* c */:
        throw new MarshalError(
          `Found a Python code object (type 'c') at offset ${start}: such files are written by the ` +
            'pure-Python `profile` module, whose keys hold code objects. Record with cProfile ' +
            'instead (`python -m cProfile -o out.prof script.py`).',
          start,
        );
      default:
        throw new MarshalError(
          `Unknown or unsupported marshal type ${describeCode(typed)} at offset ${start}.`,
          start,
        );
    }
  }

  /** `f`: a float written as text (marshal versions 0 and 1), as Python's repr() writes it. */
  protected readFloatText(flag: boolean, start: number): number {
    const n = this.u8('a float text length');
    const text = this.latin1(n);
    // Python writes repr(): '1.5', '1e+100', 'inf', '-inf', 'nan'.
    const v = /^[+-]?inf$/i.test(text)
      ? text.startsWith('-')
        ? -Infinity
        : Infinity
      : /^[+-]?nan$/i.test(text) || text.trim() === ''
        ? NaN
        : Number(text);
    if (Number.isNaN(v) && !/nan/i.test(text)) this.fail('a float written as text', start);
    this.floats++;
    if (flag) this.flaggedFloats++;
    return v;
  }

  /** Tuples and lists (`)`, `(`, `[`): a length, then the items. */
  protected readSequence(code: number, flag: boolean, start: number): MarshalValue[] {
    const n = code === 0x29 ? this.u8('a tuple length') : this.length('a sequence length');
    // Every element takes at least one byte: refuse lengths the data cannot hold.
    if (n > this.bytes.length - this.pos) this.fail(`${n} sequence elements`);
    const items = this.keep(flag, new Array<MarshalValue>(n));
    this.enter(start);
    for (let i = 0; i < n; i++) items[i] = this.read();
    this.depth--;
    return items;
  }

  /** `{`: key and value pairs up to the end-of-dict marker `0`. */
  protected readDict(flag: boolean, start: number): MarshalDict {
    const dict = this.keep(flag, new MarshalDict([]));
    this.enter(start);
    for (;;) {
      const keyAt = this.pos;
      const keyCode = this.u8('a dict key or the end-of-dict marker');
      if (keyCode === 0x30 /* '0' */) break;
      const key = this.readTyped(keyCode, keyAt);
      dict.entries.push([key, this.read()]);
    }
    this.depth--;
    return dict;
  }

  /** `<` and `>`: a size, then the items. */
  protected readSet(code: number, flag: boolean, start: number): MarshalSet {
    const n = this.length('a set size');
    if (n > this.bytes.length - this.pos) this.fail(`${n} set elements`);
    const set = this.keep(flag, new MarshalSet([], code === 0x3e));
    this.enter(start);
    for (let i = 0; i < n; i++) set.items.push(this.read());
    this.depth--;
    return set;
  }

  protected enter(start: number): void {
    if (++this.depth > MAX_DEPTH) {
      throw new MarshalError(
        `Containers nested deeper than ${MAX_DEPTH} at offset ${start}.`,
        start,
      );
    }
  }

  /** `l`: an i32 digit count whose sign is the number's, then base-2^15 digits, least first. */
  protected readLong(): number {
    const at = this.pos;
    const count = this.i32('a long digit count');
    const n = Math.abs(count);
    this.need(n * 2, `${n} long digits`);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      const digit = this.view.getUint16(this.pos, true);
      this.pos += 2;
      if (digit > 0x7fff) {
        throw new MarshalError(`Long digit ${digit} out of range at offset ${this.pos - 2}.`, at);
      }
      value += digit * scale;
      scale *= 32768;
    }
    return count < 0 ? -value : value;
  }
}

/** Reads one marshal value from `bytes` (there may be bytes after it; see {@link MarshalReader}). */
export function readMarshal(bytes: Uint8Array): MarshalValue {
  return new MarshalReader(bytes).read();
}
