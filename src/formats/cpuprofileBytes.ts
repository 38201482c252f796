/**
 * The fast `.cpuprofile` reader of cpuprofileScan.ts, over UTF-8 bytes instead of a string: for
 * profiles larger than V8's largest string (about 512 MB), which cannot be decoded at all. It
 * reads the same modern layout into the same columns (cpuprofileColumns.ts), decoding only the
 * strings of each distinct call frame, and gives up (undefined) on anything else, so the caller
 * can fall back to a byte-level JSON parse (jsonBytes.ts), which also words the errors.
 *
 * Strings are compared as raw bytes: equal bytes are an equal frame, escapes included, exactly as
 * the text scanner compares raw text. Their decoding is `TextDecoder` (invalid UTF-8 becomes
 * U+FFFD, as when the whole file is decoded) and, when they hold escapes, `JSON.parse` of the
 * string alone.
 */
import { GrowInt, type NodeColumns } from './cpuprofileColumns';
import {
  BACKSLASH,
  CpuprofileScanner,
  GiveUp,
  QUOTE,
  giveUp,
  type Column,
} from './cpuprofileScanner';
import { keepShape } from '../util/keepShape';

/** Progress is reported every this many bytes. */
const PROGRESS_STEP = 8 * 1024 * 1024;

/**
 * The columns of a modern `.cpuprofile` held as UTF-8 bytes (without a byte-order mark), or
 * undefined when a full JSON parse must decide. `onProgress` gets the fraction of bytes read.
 */
export function scanCpuprofileBytes(
  bytes: Uint8Array,
  onProgress?: (fraction: number) => void,
): NodeColumns | undefined {
  try {
    return new ByteScanner(bytes, onProgress).profile();
  } catch (e) {
    if (e instanceof GiveUp || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** The walk of cpuprofileScanner.ts over UTF-8 bytes. */
class ByteScanner extends CpuprofileScanner {
  private readonly n: number;
  private nextReport = PROGRESS_STEP;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Call-frame texts read in full: their hash -> entry; an entry's bytes and its frame. */
  private readonly seen = new Map<number, number>();
  private readonly seenStart = new GrowInt();
  private readonly seenLength = new GrowInt();
  private readonly seenFrame = new GrowInt();
  private lastHash = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly onProgress?: (fraction: number) => void,
  ) {
    super();
    this.n = b.length;
  }

  override profile(): NodeColumns {
    const columns = super.profile();
    this.onProgress?.(1);
    return columns;
  }

  protected override progress(): void {
    if (this.pos >= this.nextReport && this.onProgress) {
      this.nextReport = this.pos + PROGRESS_STEP;
      this.onProgress(this.pos / this.n);
    }
  }

  /** Skips whitespace; returns the next byte (-1 at the end). */
  protected override ws(): number {
    const b = this.b;
    const n = this.n;
    let p = this.pos;
    while (p < n) {
      const c = b[p];
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) {
        this.pos = p;
        return c;
      }
      p++;
    }
    this.pos = p;
    return -1;
  }

  protected override atEnd(): boolean {
    return this.ws() === -1;
  }

  protected override string(): void {
    if (this.ws() !== QUOTE) throw giveUp;
    const b = this.b;
    const n = this.n;
    const start = this.pos + 1;
    let p = start;
    let escaped = false;
    for (;;) {
      if (p >= n) throw giveUp; // the bytes ended inside the string
      const c = b[p];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
      } else p++;
    }
    this.strStart = start;
    this.strEnd = p;
    this.strEscaped = escaped;
    this.pos = p + 1;
  }

  /** Whether the last string read is exactly `key` (ASCII). */
  protected override is(key: string): boolean {
    const start = this.strStart;
    if (this.strEnd - start !== key.length) return false;
    const b = this.b;
    for (let i = 0; i < key.length; i++) if (b[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  protected override integerList(out: Column, maxDigits: number): boolean {
    if (this.ws() !== 91 /* [ */) return false;
    const at = this.pos;
    const b = this.b;
    const n = this.n;
    const saved = out.length;
    let p = this.pos + 1;
    let c = p < n ? b[p] : -1;
    while (c === 32 || c === 10 || c === 13 || c === 9) c = ++p < n ? b[p] : -1;
    if (c === 93 /* ] */) {
      this.pos = p + 1;
      return true;
    }
    for (;;) {
      const negative = c === 45;
      if (negative) c = ++p < n ? b[p] : -1;
      const start = p;
      let value = 0;
      while (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        c = ++p < n ? b[p] : -1;
      }
      if (p === start || p - start > maxDigits || c === 46 || c === 101 || c === 69) break;
      out.push(negative ? -value : value);
      if ((out.length & 0xffff) === 0) {
        this.pos = p;
        this.progress();
      }
      while (c === 32 || c === 10 || c === 13 || c === 9) c = ++p < n ? b[p] : -1;
      if (c === 93 /* ] */) {
        this.pos = p + 1;
        return true;
      }
      if (c !== 44 /* , */) break;
      c = ++p < n ? b[p] : -1;
      while (c === 32 || c === 10 || c === 13 || c === 9) c = ++p < n ? b[p] : -1;
    }
    out.length = saved;
    this.pos = at;
    return false;
  }

  /** A hash of `b[start, end)`, a small integer (a Smi as a Map key). */
  private hashSpan(start: number, end: number): number {
    const b = this.b;
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
    return h & 0x3fffffff;
  }

  protected override knownFrame(start: number, end: number): number {
    const entry = this.seen.get((this.lastHash = this.hashSpan(start, end)));
    if (entry === undefined) return -1;
    const length = end - start;
    if (this.seenLength.data[entry] !== length) return -1;
    if (!this.same(start, this.seenStart.data[entry], length)) return -1;
    return this.seenFrame.data[entry];
  }

  protected override rememberFrame(start: number, end: number, frame: number): void {
    // Called right after knownFrame missed on the same text: its hash is the last one.
    const entry = this.seen.get(this.lastHash);
    if (entry === undefined) {
      this.seen.set(this.lastHash, this.seenFrame.length);
      this.seenStart.push(start);
      this.seenLength.push(end - start);
      this.seenFrame.push(frame);
    } else {
      // Two texts with one hash: the later one stays.
      this.seenStart.data[entry] = start;
      this.seenLength.data[entry] = end - start;
      this.seenFrame.data[entry] = frame;
    }
  }

  protected override closeBrace(from: number): number {
    return this.b.indexOf(125, from);
  }

  protected override same(a: number, c: number, length: number): boolean {
    const b = this.b;
    for (let i = 0; i < length; i++) if (b[a + i] !== b[c + i]) return false;
    return true;
  }

  /** The string at `b[start, end)`, decoded. */
  protected override decode(start: number, end: number, escaped: boolean): string {
    if (end === start) return '';
    const raw = this.decoder.decode(this.b.subarray(start, end));
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      throw giveUp; // a bad escape: let the JSON parse word the error
    }
  }

  protected override number(): number {
    const b = this.b;
    const n = this.n;
    let p = this.pos;
    let c = p < n ? b[p] : -1;
    const negative = c === 45;
    if (negative) c = ++p < n ? b[p] : -1;
    if (!(c >= 48 && c <= 57)) throw giveUp;
    const start = p;
    let value = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = ++p < n ? b[p] : -1;
    }
    if (c === 46 || c === 101 || c === 69 || p - start > 15) {
      // A fraction, an exponent or too many digits for exact integer arithmetic.
      while ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) {
        c = ++p < n ? b[p] : -1;
      }
      const from = negative ? start - 1 : start;
      if (p - from > 64) throw giveUp;
      const text = String.fromCharCode.apply(null, b.subarray(from, p) as unknown as number[]);
      const exact = Number(text);
      if (!Number.isFinite(exact)) throw giveUp;
      this.pos = p;
      return exact;
    }
    this.pos = p;
    return negative ? -value : value;
  }

  protected override word(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.pos >= this.n || this.b[this.pos] !== word.charCodeAt(i)) throw giveUp;
      this.pos++;
    }
  }
}

// Its hidden class outlives every import (see keepShape).
keepShape(new ByteScanner(new Uint8Array(0)));
