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
import { FrameTable, Grow, GrowInt } from './cpuprofileColumns';
import type { NodeColumns } from './cpuprofileColumns';

/** Thrown inside the scanner to give up; never escapes it. */
class GiveUp extends Error {}
const giveUp = new GiveUp('not the layout the fast reader knows');

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

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const BRACKET_OPEN = 91;
const BRACKET_CLOSE = 93;
const BRACE_OPEN = 123;
const BRACE_CLOSE = 125;

/** Where an occurrence of each raw frame's strings sits in the bytes. */
interface RawSpan {
  nameStart: number;
  nameLength: number;
  urlStart: number;
  urlLength: number;
}

class ByteScanner {
  private pos = 0;
  private readonly n: number;
  /** The last string read: its raw bytes are `b[strStart, strEnd)` (escapes undecoded). */
  private strStart = 0;
  private strEnd = 0;
  private strEscaped = false;
  private nextReport = PROGRESS_STEP;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  private readonly frames = new FrameTable();
  private readonly spans: RawSpan[] = [];
  private readonly id = new GrowInt();
  private readonly frame = new GrowInt();
  private readonly hitCount = new GrowInt();
  private readonly childStart = new GrowInt();
  private readonly childCount = new GrowInt();
  private readonly childRefs = new GrowInt();
  private readonly tickStart = new GrowInt();
  private readonly tickLength = new GrowInt();
  private readonly tickLine = new GrowInt();
  private readonly tickCount = new GrowInt();

  constructor(
    private readonly b: Uint8Array,
    private readonly onProgress?: (fraction: number) => void,
  ) {
    this.n = b.length;
  }

  private progress(): void {
    if (this.pos >= this.nextReport && this.onProgress) {
      this.nextReport = this.pos + PROGRESS_STEP;
      this.onProgress(this.pos / this.n);
    }
  }

  /** Skips whitespace; returns the next byte (-1 at the end). */
  private ws(): number {
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

  private expect(code: number): void {
    if (this.ws() !== code) throw giveUp;
    this.pos++;
  }

  /** After a value inside an object or array: true if another follows, false at `close`. */
  private more(close: number): boolean {
    const c = this.ws();
    this.pos++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw giveUp;
  }

  private string(): void {
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
  private is(key: string): boolean {
    const start = this.strStart;
    if (this.strEnd - start !== key.length) return false;
    const b = this.b;
    for (let i = 0; i < key.length; i++) if (b[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private same(a: number, c: number, length: number): boolean {
    const b = this.b;
    for (let i = 0; i < length; i++) if (b[a + i] !== b[c + i]) return false;
    return true;
  }

  /** The string at `b[start, end)`, decoded. */
  private decode(start: number, end: number, escaped: boolean): string {
    if (end === start) return '';
    const raw = this.decoder.decode(this.b.subarray(start, end));
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      throw giveUp; // a bad escape: let the JSON parse word the error
    }
  }

  private number(): number {
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

  /** A number that must fit an Int32Array column (ids, counts, lines); else JSON decides. */
  private int(): number {
    this.ws();
    const value = this.number();
    if ((value | 0) !== value) throw giveUp;
    return value;
  }

  private numbers(out: Grow): void {
    this.expect(BRACKET_OPEN);
    if (this.ws() === BRACKET_CLOSE) {
      this.pos++;
      return;
    }
    do {
      this.ws();
      out.push(this.number());
      if ((out.length & 0xffff) === 0) this.progress();
    } while (this.more(BRACKET_CLOSE));
  }

  private ints(out: GrowInt): void {
    this.expect(BRACKET_OPEN);
    if (this.ws() === BRACKET_CLOSE) {
      this.pos++;
      return;
    }
    do {
      out.push(this.int());
      if ((out.length & 0xffff) === 0) this.progress();
    } while (this.more(BRACKET_CLOSE));
  }

  private skipValue(): void {
    const c = this.ws();
    if (c === QUOTE) this.string();
    else if (c === BRACE_OPEN) {
      this.pos++;
      if (this.ws() === BRACE_CLOSE) {
        this.pos++;
        return;
      }
      do {
        this.string();
        this.expect(COLON);
        this.skipValue();
      } while (this.more(BRACE_CLOSE));
    } else if (c === BRACKET_OPEN) {
      this.pos++;
      if (this.ws() === BRACKET_CLOSE) {
        this.pos++;
        return;
      }
      do this.skipValue();
      while (this.more(BRACKET_CLOSE));
    } else if (c === 116 || c === 102 || c === 110) {
      // true, false, null
      const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      for (let i = 0; i < word.length; i++) {
        if (this.pos >= this.n || this.b[this.pos] !== word.charCodeAt(i)) throw giveUp;
        this.pos++;
      }
    } else this.number();
  }

  profile(): NodeColumns {
    let sawNodes = false;
    let startTime: number | undefined;
    let endTime: number | undefined;
    let samples: GrowInt | undefined;
    let times: Grow | undefined;
    this.expect(BRACE_OPEN);
    if (this.ws() !== BRACE_CLOSE) {
      do {
        this.string();
        this.expect(COLON);
        if (this.is('nodes')) {
          // A repeated key: JSON.parse keeps the last value, the columns would keep both.
          if (sawNodes) throw giveUp;
          this.nodes();
          sawNodes = true;
        } else if (this.is('samples')) this.ints((samples = new GrowInt(65536)));
        else if (this.is('timeDeltas')) this.numbers((times = new Grow(65536)));
        else if (this.is('startTime')) startTime = (this.ws(), this.number());
        else if (this.is('endTime')) endTime = (this.ws(), this.number());
        else if (this.is('head') || this.is('timestamps') || this.is('profile')) throw giveUp;
        else this.skipValue();
      } while (this.more(BRACE_CLOSE));
    } else this.pos++;
    // Anything but the end is bytes after the profile.
    if (this.ws() !== -1 || !sawNodes) throw giveUp;
    this.onProgress?.(1);
    return {
      count: this.id.length,
      id: this.id.values(),
      frame: this.frame.values(),
      frames: this.frames.frames,
      childStart: this.childStart.values(),
      childCount: this.childCount.values(),
      childRefs: this.childRefs.values(),
      childRefsAreIndexes: false,
      tickStart: this.tickStart.values(),
      tickLength: this.tickLength.values(),
      tickLine: this.tickLine.values(),
      tickCount: this.tickCount.values(),
      hitCount: this.hitCount.values(),
      samples: samples?.values(),
      times: times?.values(),
      timesAreAbsolute: false,
      startTime,
      endTime,
    };
  }

  private nodes(): void {
    this.expect(BRACKET_OPEN);
    if (this.ws() === BRACKET_CLOSE) {
      this.pos++;
      return;
    }
    do {
      this.expect(BRACE_OPEN);
      let id = NaN;
      let frame = -1;
      let hits = 0;
      const firstChild = this.childRefs.length;
      const firstTick = this.tickLine.length;
      if (this.ws() !== BRACE_CLOSE) {
        do {
          this.string();
          this.expect(COLON);
          if (this.is('id')) id = this.int();
          else if (this.is('callFrame')) frame = this.callFrame();
          else if (this.is('children')) {
            if (this.childRefs.length !== firstChild) throw giveUp; // repeated key
            this.ints(this.childRefs);
          } else if (this.is('hitCount')) hits = this.int();
          else if (this.is('positionTicks')) {
            if (this.tickLine.length !== firstTick) throw giveUp; // repeated key
            this.ticks();
          } else this.skipValue();
        } while (this.more(BRACE_CLOSE));
      } else this.pos++;
      if (Number.isNaN(id) || frame < 0) throw giveUp;
      this.id.push(id);
      this.frame.push(frame);
      this.hitCount.push(hits);
      this.childStart.push(firstChild);
      this.childCount.push(this.childRefs.length - firstChild);
      this.tickStart.push(firstTick);
      this.tickLength.push(this.tickLine.length - firstTick);
      if ((this.id.length & 0x3fff) === 0) this.progress();
    } while (this.more(BRACKET_CLOSE));
  }

  private callFrame(): number {
    this.expect(BRACE_OPEN);
    let nameStart = 0;
    let nameEnd = 0;
    let nameEscaped = false;
    let urlStart = 0;
    let urlEnd = 0;
    let urlEscaped = false;
    let line0 = -1;
    let col0 = -1;
    if (this.ws() !== BRACE_CLOSE) {
      do {
        this.string();
        this.expect(COLON);
        if (this.is('functionName')) {
          this.string();
          nameStart = this.strStart;
          nameEnd = this.strEnd;
          nameEscaped = this.strEscaped;
        } else if (this.is('url')) {
          this.string();
          urlStart = this.strStart;
          urlEnd = this.strEnd;
          urlEscaped = this.strEscaped;
        } else if (this.is('lineNumber')) line0 = (this.ws(), this.number());
        else if (this.is('columnNumber')) col0 = (this.ws(), this.number());
        else this.skipValue();
      } while (this.more(BRACE_CLOSE));
    } else this.pos++;
    const nameLength = nameEnd - nameStart;
    const urlLength = urlEnd - urlStart;
    const hash = FrameTable.hash(nameLength, urlLength, line0, col0);
    const table = this.frames;
    const c = table.candidate(hash);
    if (c >= 0) {
      // Same raw bytes, same frame: no string is made for a repeated frame.
      const f = table.frames[c];
      const span = this.spans[c];
      if (
        f.line0 === line0 &&
        f.col0 === col0 &&
        span.nameLength === nameLength &&
        span.urlLength === urlLength &&
        this.same(nameStart, span.nameStart, nameLength) &&
        this.same(urlStart, span.urlStart, urlLength)
      ) {
        return c;
      }
    }
    const name = this.decode(nameStart, nameEnd, nameEscaped);
    const url = this.decode(urlStart, urlEnd, urlEscaped);
    const index = table.intern(name, url, line0, col0, hash);
    if (index === this.spans.length)
      this.spans.push({ nameStart, nameLength, urlStart, urlLength });
    else this.spans[index] = { nameStart, nameLength, urlStart, urlLength };
    return index;
  }

  private ticks(): void {
    this.expect(BRACKET_OPEN);
    if (this.ws() === BRACKET_CLOSE) {
      this.pos++;
      return;
    }
    do {
      this.expect(BRACE_OPEN);
      let line = NaN;
      let ticks = NaN;
      if (this.ws() !== BRACE_CLOSE) {
        do {
          this.string();
          this.expect(COLON);
          if (this.is('line')) line = this.int();
          else if (this.is('ticks')) ticks = this.int();
          else this.skipValue();
        } while (this.more(BRACE_CLOSE));
      } else this.pos++;
      if (Number.isNaN(line) || Number.isNaN(ticks)) throw giveUp;
      this.tickLine.push(line);
      this.tickCount.push(ticks);
    } while (this.more(BRACKET_CLOSE));
  }
}
