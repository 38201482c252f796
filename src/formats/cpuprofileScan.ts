/**
 * A reader for modern V8 `.cpuprofile` text that never builds the JSON object tree.
 *
 * Why not `JSON.parse`: a profile parses into more small objects (one per node, call frame,
 * child list and position tick) than the file has bytes, only to be walked once and dropped:
 * `JSON.parse` of a 32 MB profile of `tsc` (143k nodes) took the process from about 100 MB to
 * 140 MB, and the model build on top to 200 MB. This scanner reads the bytes once and writes
 * flat columns (cpuprofileColumns.ts); strings are only made for each distinct call frame, and a
 * node's call frame is recognised by comparing its raw text with that of the frame it most
 * likely repeats (found through a small integer hash), so equal text means an equal frame,
 * escapes included. It reads the string itself, not an encoded copy: a copy of a 100 MB text is
 * 100 MB more at the peak.
 *
 * It reads exactly the modern layout V8, Node and Chrome write (keys in any order, any
 * whitespace, unknown keys skipped). Anything else - the old `head` layout, an inspector
 * wrapper, a value of an unexpected type, broken JSON - makes it give up (return undefined),
 * and the caller reads the text with `JSON.parse` instead, which also produces the error
 * messages. So this file is only ever a faster route to the same result. (One leniency: raw
 * control characters inside strings, which JSON forbids, are not looked for.)
 */
import { FrameTable, Grow, GrowInt } from './cpuprofileColumns';
import type { NodeColumns } from './cpuprofileColumns';

/** Thrown inside the scanner to give up; never escapes it. */
class GiveUp extends Error {}
const giveUp = new GiveUp('not the layout the fast reader knows');

/** The columns of a modern `.cpuprofile`, or undefined when JSON.parse must decide. */
export function scanCpuprofile(text: string): NodeColumns | undefined {
  try {
    return new Scanner(text).profile();
  } catch {
    // GiveUp, or a stack overflow on absurdly nested unknown values: let JSON.parse judge.
    return undefined;
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

/** Where an occurrence of each raw frame's strings sits in the text. */
interface RawSpan {
  nameStart: number;
  nameLength: number;
  urlStart: number;
  urlLength: number;
}

class Scanner {
  private pos = 0;
  /** The last string read: its raw text is `s[strStart, strEnd)` (escapes undecoded). */
  private strStart = 0;
  private strEnd = 0;

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

  constructor(private readonly s: string) {}

  /** Skips whitespace; returns the next character code (NaN at the end). */
  private ws(): number {
    const s = this.s;
    let p = this.pos;
    let c = s.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    this.pos = p;
    return c;
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
    const s = this.s;
    const start = this.pos + 1;
    // A plain loop: most strings here are a few characters long, where a call to indexOf costs
    // more than it saves (measured: indexOf per string was a fifth of the scanner's time).
    let p = start;
    let c = s.charCodeAt(p);
    while (c !== QUOTE && c !== BACKSLASH && c === c) c = s.charCodeAt(++p);
    while (c !== QUOTE) {
      if (c !== c) throw giveUp; // NaN: the text ended inside the string
      p += c === BACKSLASH ? 2 : 1;
      c = s.charCodeAt(p);
    }
    this.strStart = start;
    this.strEnd = p;
    this.pos = p + 1;
  }

  /** Whether the last string read is exactly `key` (no allocation, no call into the runtime). */
  private is(key: string): boolean {
    const start = this.strStart;
    if (this.strEnd - start !== key.length) return false;
    const s = this.s;
    for (let i = 0; i < key.length; i++)
      if (s.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
    return true;
  }

  private same(a: number, b: number, length: number): boolean {
    const s = this.s;
    for (let i = 0; i < length; i++) if (s.charCodeAt(a + i) !== s.charCodeAt(b + i)) return false;
    return true;
  }

  /**
   * The string at `s[start, end)`, decoded. Through JSON.parse even without escapes: that makes
   * a string of its own, where `slice` would keep the whole text alive for as long as the
   * profile's frames live.
   */
  private decode(start: number, end: number): string {
    if (end === start) return '';
    return JSON.parse(this.s.slice(start - 1, end + 1)) as string;
  }

  private number(): number {
    const s = this.s;
    let p = this.pos;
    let c = s.charCodeAt(p);
    const negative = c === 45;
    if (negative) c = s.charCodeAt(++p);
    if (!(c >= 48 && c <= 57)) throw giveUp;
    const start = p;
    let value = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = s.charCodeAt(++p);
    }
    if (c === 46 || c === 101 || c === 69 || p - start > 15) {
      // A fraction, an exponent or too many digits for exact integer arithmetic.
      while ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) {
        c = s.charCodeAt(++p);
      }
      const exact = Number(s.slice(negative ? start - 1 : start, p));
      if (!Number.isFinite(exact)) throw giveUp;
      this.pos = p;
      return exact;
    }
    this.pos = p;
    return negative ? -value : value;
  }

  /** A number that must fit an Int32Array column (ids, counts, lines); else JSON.parse decides. */
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
    } while (this.more(BRACKET_CLOSE));
  }

  private ints(out: GrowInt): void {
    this.expect(BRACKET_OPEN);
    if (this.ws() === BRACKET_CLOSE) {
      this.pos++;
      return;
    }
    do out.push(this.int());
    while (this.more(BRACKET_CLOSE));
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
      if (!this.s.startsWith(word, this.pos)) throw giveUp;
      this.pos += word.length;
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
    const after = this.ws();
    // NaN is the end of the text; anything else is text after the profile.
    if (!Number.isNaN(after) || !sawNodes) throw giveUp;
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
    } while (this.more(BRACKET_CLOSE));
  }

  private callFrame(): number {
    this.expect(BRACE_OPEN);
    let nameStart = 0;
    let nameEnd = 0;
    let urlStart = 0;
    let urlEnd = 0;
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
        } else if (this.is('url')) {
          this.string();
          urlStart = this.strStart;
          urlEnd = this.strEnd;
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
      // Same raw text, same frame: no string is made for a repeated frame.
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
    const name = this.decode(nameStart, nameEnd);
    const url = this.decode(urlStart, urlEnd);
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
