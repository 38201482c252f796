/**
 * Reads a pstats file's marshalled dict as a stream, into columns: no JavaScript object per
 * function, per caller or per figure (pstats.ts turns the columns into a profile).
 *
 * The dict is `{(file, line, name): (cc, nc, tt, ct, {caller_key: (nc, cc, tt, ct)})}`. Reading it
 * through the generic {@link MarshalReader} made a tree of arrays and dicts of every entry first,
 * and garbage collection then took most of the time of a large import. This reader walks the
 * bytes with that shape in mind and, anywhere the shape differs (a list for a tuple, a `long`
 * for an int, a value shared with the ref flag), reads that one value with the generic reader
 * and goes on from it, so any marshal data the generic reader takes is read the same way.
 *
 * Keys become function indexes as soon as they are read. marshal shares repeated objects through
 * its ref table: a key tuple written with the ref flag is remembered by its ref index, so a later
 * `r` to it costs one array lookup, and strings are remembered the same way. Strings written
 * inline are interned by their bytes (a hash of the bytes, decoded only on first sight): a file
 * whose writer did not share them repeats the same file name in every key.
 */
import { Float64Column, Int32Column } from '../core/growable';
import { ByteStrings } from './byteStrings';
import { FLAG_REF, MarshalDict, MarshalReader, type MarshalValue } from './marshal';

/** The file holds marshal data, but not in the shape of a pstats dict: the message says where. */
export class PstatsShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PstatsShapeError';
  }
}

const utf8Decoder = new TextDecoder('utf-8');

/** Which text a value is: a string, or bytes (Python 2 wrote file names as bytes). */
function textOf(v: MarshalValue): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8Decoder.decode(v);
  return undefined;
}

/** A value for messages. */
export function describeValue(v: MarshalValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a ${v.length}-tuple`;
  if (v instanceof MarshalDict) return 'a dict';
  if (v instanceof Uint8Array) return 'bytes';
  return `a ${typeof v}`;
}

const isTuple = (code: number) => code === 0x29 || code === 0x28 || code === 0x5b;

/**
 * The streaming reader (see the module comment). After {@link read}: the distinct keys
 * (`keyFile`, `keyLine`, `keyName`, strings by id in `strings`), one row per top-level entry
 * (`entryKey` and its four figures as written) and one row per caller (`callerCallee`, the
 * entry's key; `callerKey`; its nc, tt and ct). Throws `MarshalError` for data that is not
 * marshal, {@link PstatsShapeError} for marshal data that is not a pstats dict.
 */
export class PstatsReader extends MarshalReader {
  private readonly strings: ByteStrings;
  /** Per ref index: the key of a key tuple (-1: none), and the id of a string (-1: none). */
  private readonly refKey = new Int32Column(-1);
  private readonly refString = new Int32Column(-1);
  /** Keys, by (file id, line, name id) through an open-addressing hash. */
  readonly keyFile = new Int32Column();
  readonly keyLine = new Float64Column();
  readonly keyName = new Int32Column();
  private keySlots = new Int32Array(1024);
  readonly entryKey = new Int32Column();
  readonly entryFigures = [
    new Float64Column(),
    new Float64Column(),
    new Float64Column(),
    new Float64Column(),
  ] as const;
  readonly callerCallee = new Int32Column();
  readonly callerKey = new Int32Column();
  readonly callerCalls = new Float64Column();
  readonly callerSelf = new Float64Column();
  readonly callerTotal = new Float64Column();
  /** Each caller's primitive calls (its second figure; its call count where that is not a number). */
  readonly callerPrimitive = new Float64Column();
  /** Set by {@link number}: whether the value read was a number. */
  private isNumber = false;

  constructor(bytes: Uint8Array) {
    super(bytes);
    this.strings = new ByteStrings(bytes);
  }

  /** The text of string id `id`. */
  string(id: number): string {
    return this.strings.text[id];
  }

  get keyCount(): number {
    return this.keyFile.length;
  }

  /** A key for messages: `name (file:line)`. */
  describeKey(key: number): string {
    return `${this.string(this.keyName.data[key])} (${this.string(this.keyFile.data[key])}:${this.keyLine.data[key]})`;
  }

  /** Reads the dict of functions (the file's first value). */
  readStats(): void {
    const at = this.pos;
    const code = this.u8('a type code');
    if ((code & ~FLAG_REF) !== 0x7b /* { */) {
      this.pos = at;
      const v = this.read();
      throw new PstatsShapeError(
        `expected a dict of functions at offset 0, found ${describeValue(v)}.`,
      );
    }
    if (code & FLAG_REF) this.refs.push(null);
    for (let i = 1; ; i++) {
      const keyAt = this.pos;
      const c = this.u8('a dict key or the end-of-dict marker');
      if (c === 0x30 /* end of dict */) break;
      const key = this.key(c, keyAt, () => `key ${i}`);
      this.entry(key);
    }
  }

  /** The value of a ref: a key tuple read as a stream is rebuilt for the generic reader. */
  protected override refAt(index: number, at: number): MarshalValue {
    const key = this.refKey.get(index);
    if (key < 0) return super.refAt(index, at);
    return [
      this.string(this.keyFile.data[key]),
      this.keyLine.data[key],
      this.string(this.keyName.data[key]),
    ];
  }

  /** A key (type byte `c` already read at `at`): its index. */
  private key(c: number, at: number, where: () => string): number {
    const code = c & ~FLAG_REF;
    if (code === 0x72 /* r */) {
      const index = this.i32('a reference index');
      const key = this.refKey.get(index);
      if (key >= 0) return key;
      this.pos = at + 1;
      return this.keyOfValue(this.readTyped(c, at), where);
    }
    if (isTuple(code)) {
      const n = code === 0x29 ? this.u8('a tuple length') : this.length('a sequence length');
      if (n === 3 && code !== 0x5b) {
        let slot = -1;
        if (c & FLAG_REF) {
          slot = this.refs.length;
          this.refs.push(null);
        }
        const file = this.text();
        const line = this.number();
        const lineOk = this.isNumber && Number.isFinite(line);
        const name = this.text();
        if (file < 0 || !lineOk || name < 0) {
          throw new PstatsShapeError(
            `${where()} should be a (file, line, name) tuple but is a 3-tuple.`,
          );
        }
        const key = this.keyOf(file, line, name);
        if (slot >= 0) this.refKey.set(slot, key);
        return key;
      }
      this.pos = at + 1;
    }
    return this.keyOfValue(this.readTyped(c, at), where);
  }

  /** A key read by the generic reader. */
  private keyOfValue(v: MarshalValue, where: () => string): number {
    if (Array.isArray(v) && v.length === 3) {
      const file = textOf(v[0]);
      const line = v[1];
      const name = textOf(v[2]);
      if (
        file !== undefined &&
        typeof line === 'number' &&
        Number.isFinite(line) &&
        name !== undefined
      ) {
        return this.keyOf(this.strings.idOfText(file), line, this.strings.idOfText(name));
      }
    }
    throw new PstatsShapeError(
      `${where()} should be a (file, line, name) tuple but is ${describeValue(v)}.`,
    );
  }

  /** The index of key (file, line, name), made on first sight. */
  private keyOf(file: number, line: number, name: number): number {
    if (this.keyFile.length * 2 >= this.keySlots.length) this.rehashKeys();
    const mask = this.keySlots.length - 1;
    let slot = keyHash(file, line, name) & mask;
    for (;;) {
      const k = this.keySlots[slot] - 1;
      if (k < 0) break;
      if (
        this.keyFile.data[k] === file &&
        this.keyName.data[k] === name &&
        this.keyLine.data[k] === line
      )
        return k;
      slot = (slot + 1) & mask;
    }
    const k = this.keyFile.length;
    this.keyFile.push(file);
    this.keyLine.push(line);
    this.keyName.push(name);
    this.keySlots[slot] = k + 1;
    return k;
  }

  private rehashKeys(): void {
    const slots = new Int32Array(this.keySlots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.keyFile.length; k++) {
      let slot = keyHash(this.keyFile.data[k], this.keyLine.data[k], this.keyName.data[k]) & mask;
      while (slots[slot]) slot = (slot + 1) & mask;
      slots[slot] = k + 1;
    }
    this.keySlots = slots;
  }

  /** A string as a string id, or -1 when the value is not text. */
  private text(): number {
    const at = this.pos;
    const c = this.u8('a type code');
    const code = c & ~FLAG_REF;
    let n = -1;
    let isUtf8 = false;
    switch (code) {
      case 0x7a /* z */:
      case 0x5a /* Z */:
        n = this.u8('a string length');
        break;
      case 0x61 /* a */:
      case 0x41 /* A */:
        n = this.length('a string length');
        break;
      case 0x75 /* u */:
        n = this.length('a string length');
        isUtf8 = true;
        break;
      case 0x72 /* r */: {
        const index = this.i32('a reference index');
        const id = this.refString.get(index);
        if (id >= 0) return id;
        this.pos = at + 1;
        const v = textOf(this.readTyped(c, at));
        if (v === undefined) return -1;
        const known = this.strings.idOfText(v);
        this.refString.set(index, known);
        return known;
      }
    }
    if (n < 0) {
      const v = textOf(this.readTyped(c, at));
      return v === undefined ? -1 : this.strings.idOfText(v);
    }
    this.need(n, 'string bytes');
    const id = this.strings.idOfBytes(this.pos, n, isUtf8);
    this.pos += n;
    if (c & FLAG_REF) {
      this.refString.set(this.refs.length, id);
      this.refs.push(this.string(id));
    }
    return id;
  }

  /** A number; {@link isNumber} says whether the value was one (0 is returned when not). */
  private number(): number {
    const at = this.pos;
    const c = this.u8('a type code');
    let v: number;
    switch (c & ~FLAG_REF) {
      case 0x69 /* i */:
        v = this.i32('a 4-byte int');
        break;
      case 0x67 /* g */:
        this.need(8, 'an 8-byte float');
        v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        this.floats++;
        if (c & FLAG_REF) this.flaggedFloats++;
        break;
      default: {
        const value = this.readTyped(c, at);
        this.isNumber = typeof value === 'number';
        return this.isNumber ? (value as number) : 0;
      }
    }
    if (c & FLAG_REF) this.refs.push(v);
    this.isNumber = true;
    return v;
  }

  /** An entry's figures and callers, for the key just read. */
  private entry(key: number): void {
    const at = this.pos;
    const c = this.u8('a type code');
    const where = () => `the figures of ${this.describeKey(key)}`;
    // Values shared through the ref table (no profiler writes them) go through the generic reader.
    if (isTuple(c) && !(c & FLAG_REF)) {
      const n = c === 0x29 ? this.u8('a tuple length') : this.length('a sequence length');
      if (n === 5) {
        const figures = this.figures(4, 4, where);
        this.addEntry(key, figures);
        this.callers(key, where);
        return;
      }
      this.pos = at + 1;
    }
    this.entryOfValue(key, this.readTyped(c, at), where);
  }

  private readonly scratch = new Float64Array(4);

  /** `count` numbers of a tuple (the first `required` must be numbers) into the scratch array. */
  private figures(count: number, required: number, where: () => string): Float64Array {
    for (let i = 0; i < count; i++) {
      this.scratch[i] = this.number();
      if (!this.isNumber && i < required) {
        throw new PstatsShapeError(`${where()} should be a 5-tuple starting with four numbers.`);
      }
    }
    return this.scratch;
  }

  private addEntry(key: number, figures: ArrayLike<number>): void {
    this.entryKey.push(key);
    for (let i = 0; i < 4; i++) this.entryFigures[i].push(figures[i]);
  }

  /** An entry read by the generic reader. */
  private entryOfValue(key: number, v: MarshalValue, where: () => string): void {
    if (
      !Array.isArray(v) ||
      v.length !== 5 ||
      typeof v[0] !== 'number' ||
      typeof v[1] !== 'number' ||
      typeof v[2] !== 'number' ||
      typeof v[3] !== 'number'
    ) {
      throw new PstatsShapeError(`${where()} should be a 5-tuple starting with four numbers.`);
    }
    const callers = v[4];
    if (!(callers instanceof MarshalDict)) {
      throw new PstatsShapeError(`${where()} should end with a dict of callers.`);
    }
    this.addEntry(key, v as number[]);
    for (const [k, cv] of callers.entries) {
      this.callerOfValue(key, this.keyOfValue(k, this.callerWhere(key)), cv);
    }
  }

  private callerWhere(key: number): () => string {
    return () => `a caller key of ${this.string(this.keyName.data[key])}`;
  }

  /** The callers dict of an entry. */
  private callers(key: number, where: () => string): void {
    const at = this.pos;
    const c = this.u8('a type code');
    if (c !== 0x7b /* { without the ref flag */) {
      const v = this.readTyped(c, at);
      if (!(v instanceof MarshalDict)) {
        throw new PstatsShapeError(`${where()} should end with a dict of callers.`);
      }
      for (const [k, cv] of v.entries) {
        this.callerOfValue(key, this.keyOfValue(k, this.callerWhere(key)), cv);
      }
      return;
    }
    const keyWhere = this.callerWhere(key);
    for (;;) {
      const keyAt = this.pos;
      const k = this.u8('a dict key or the end-of-dict marker');
      if (k === 0x30 /* end of dict */) break;
      const caller = this.key(k, keyAt, keyWhere);
      const valueAt = this.pos;
      const v = this.u8('a type code');
      if (isTuple(v) && !(v & FLAG_REF)) {
        const n = v === 0x29 ? this.u8('a tuple length') : this.length('a sequence length');
        if (n === 4) {
          const f = this.callerFigures(key);
          this.addCaller(key, caller, f[0], f[2], f[3], f[1]);
          continue;
        }
        this.pos = valueAt + 1;
      }
      this.callerOfValue(key, caller, this.readTyped(v, valueAt));
    }
  }

  /** A caller's (nc, cc, tt, ct): nc, tt and ct must be numbers. */
  private callerFigures(key: number): Float64Array {
    for (let i = 0; i < 4; i++) {
      this.scratch[i] = this.number();
      if (!this.isNumber) {
        if (i !== 1) throw this.callerError(key);
        this.scratch[1] = Number.NaN;
      }
    }
    return this.scratch;
  }

  private callerError(key: number): PstatsShapeError {
    return new PstatsShapeError(
      `the figures of a caller of ${this.string(this.keyName.data[key])} should be four numbers.`,
    );
  }

  /** A caller's figures read by the generic reader. */
  private callerOfValue(key: number, caller: number, v: MarshalValue): void {
    if (
      !Array.isArray(v) ||
      v.length !== 4 ||
      typeof v[0] !== 'number' ||
      typeof v[2] !== 'number' ||
      typeof v[3] !== 'number'
    ) {
      throw this.callerError(key);
    }
    this.addCaller(key, caller, v[0], v[2], v[3], typeof v[1] === 'number' ? v[1] : Number.NaN);
  }

  private addCaller(
    key: number,
    caller: number,
    calls: number,
    self: number,
    total: number,
    primitive: number,
  ): void {
    this.callerCallee.push(key);
    // The caller's primitive calls: its second figure (cProfile's and yappi's order alike).
    this.callerPrimitive.push(Number.isNaN(primitive) ? calls : primitive);
    this.callerKey.push(caller);
    this.callerCalls.push(calls);
    this.callerSelf.push(self);
    this.callerTotal.push(total);
  }
}

function keyHash(file: number, line: number, name: number): number {
  const h =
    Math.imul(Math.imul(file, 0x9e3779b1) ^ name, 0x85ebca6b) ^ Math.imul(line | 0, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
