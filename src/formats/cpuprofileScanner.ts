/**
 * What the two fast `.cpuprofile` readers share: the walk over the modern layout (profile, nodes,
 * call frames, position ticks, skipped values) and the columns it fills. The reader over a string
 * (cpuprofileScan.ts) and the one over UTF-8 bytes (cpuprofileBytes.ts) supply only the
 * primitives that touch the input: whitespace, strings, numbers, key comparison, decoding.
 *
 * Why a base class and not one scanner over a small reader interface: the primitives are the hot
 * loop (a call per character through an interface that is sometimes a string and sometimes a
 * Uint8Array would be a polymorphic access per character). Here each subclass keeps its own
 * loops over its own input type, and only calls from the structural walk, a few per value, are
 * shared.
 */
import { FrameTable, Grow, GrowInt } from './cpuprofileColumns';
import type { NodeColumns } from './cpuprofileColumns';

/** Thrown inside a scanner to give up; never escapes it. */
export class GiveUp extends Error {}
export const giveUp = new GiveUp('not the layout the fast reader knows');

export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const COLON = 58;
export const BRACKET_OPEN = 91;
export const BRACKET_CLOSE = 93;
export const BRACE_OPEN = 123;
export const BRACE_CLOSE = 125;

/** A growable column of numbers. */
export type Column = GrowInt | Grow;

/** The modern `.cpuprofile` walk; subclasses read the input it walks. */
export abstract class CpuprofileScanner {
  protected pos = 0;
  /** The last string read: its raw text is `input[strStart, strEnd)` (escapes undecoded). */
  protected strStart = 0;
  protected strEnd = 0;
  /** Whether the last string read holds an escape (only tracked where decoding needs it). */
  protected strEscaped = false;

  private readonly frames = new FrameTable();
  private readonly id = new GrowInt();
  private readonly frame = new GrowInt();
  private readonly hitCount = new GrowInt();
  private readonly childStart = new GrowInt();
  private readonly childCount = new GrowInt();
  protected readonly childRefs = new GrowInt();
  private readonly tickStart = new GrowInt();
  private readonly tickLength = new GrowInt();
  protected readonly tickLine = new GrowInt();
  protected readonly tickCount = new GrowInt();

  /** Skips whitespace; returns the next character code (something not a JSON token at the end). */
  protected abstract ws(): number;
  /** Whether only whitespace is left. */
  protected abstract atEnd(): boolean;
  /** Reads a string at `pos` into strStart/strEnd (and strEscaped where tracked). */
  protected abstract string(): void;
  /** Whether the last string read is exactly `key` (ASCII). */
  protected abstract is(key: string): boolean;
  /** Whether `input[a, a + length)` equals `input[b, b + length)`. */
  protected abstract same(a: number, b: number, length: number): boolean;
  /** The string at `input[start, end)`, decoded. */
  protected abstract decode(start: number, end: number, escaped: boolean): string;
  /** The position of the first `}` at or after `from`, or -1. */
  protected abstract closeBrace(from: number): number;
  /**
   * The frame of a call-frame text `input[start, end)` equal to one passed to `rememberFrame`
   * (the last one remembered, when texts collide), or -1.
   */
  protected abstract knownFrame(start: number, end: number): number;
  /** Remembers that the call-frame text `input[start, end)` reads as `frame`. */
  protected abstract rememberFrame(start: number, end: number, frame: number): void;
  /** A number at `pos` (whitespace already skipped). */
  protected abstract number(): number;
  /** Reads exactly `word` (true, false, null) at `pos`. */
  protected abstract word(word: string): void;
  /** Called now and then on long arrays, for progress reports. */
  protected progress(): void {}
  /**
   * A quicker way through one node (at `pos`, its `{`), for a subclass that has one: reads it
   * and adds it (`addNode`), or returns false with `pos` and the columns as they were, for the
   * general walk to read it. This base has none.
   */
  protected quickNode(): boolean {
    return false;
  }
  /**
   * The quick way through an array of plain integers (samples, time deltas, children): reads
   * the whole array at `pos` into `out` and returns true, or, at anything else (a fraction, an
   * exponent, more than `maxDigits` digits), leaves `pos` and `out` as they were and returns
   * false, for the general loop to read it.
   */
  protected abstract integerList(out: Column, maxDigits: number): boolean;

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

  /** A number that must fit an Int32Array column (ids, counts, lines); else JSON decides. */
  private int(): number {
    this.ws();
    const value = this.number();
    if ((value | 0) !== value) throw giveUp;
    return value;
  }

  private numbers(out: Grow): void {
    if (this.integerList(out, 15)) return;
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
    // Nine digits always fit an Int32Array.
    if (this.integerList(out, 9)) return;
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
      this.word(c === 116 ? 'true' : c === 102 ? 'false' : 'null');
    } else this.number();
  }

  /** Reads the whole input as a profile; throws `giveUp` on anything else. */
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
    // Anything but the end is input after the profile.
    if (!this.atEnd() || !sawNodes) throw giveUp;
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
      if (this.ws() !== BRACE_OPEN) throw giveUp;
      if (!this.quickNode()) this.node();
      if ((this.id.length & 0x3fff) === 0) this.progress();
    } while (this.more(BRACKET_CLOSE));
  }

  /** One node, key by key. */
  private node(): void {
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
    this.addNode(id, frame, hits, firstChild, firstTick);
  }

  /**
   * Adds a node whose children and position ticks were added to `childRefs` and
   * `tickLine`/`tickCount` from `firstChild` and `firstTick` on.
   */
  protected addNode(
    id: number,
    frame: number,
    hits: number,
    firstChild: number,
    firstTick: number,
  ) {
    this.id.push(id);
    this.frame.push(frame);
    this.hitCount.push(hits);
    this.childStart.push(firstChild);
    this.childCount.push(this.childRefs.length - firstChild);
    this.tickStart.push(firstTick);
    this.tickLength.push(this.tickLine.length - firstTick);
  }

  /**
   * A node's call frame. V8 writes the same call-frame text for every node of a function, so the
   * whole text from `{` to the first `}` is looked up first (`knownFrame`): a repeated frame
   * costs one lookup, and no key or string is read. Equal text is an equal frame, whatever it
   * holds: a text equal to one read in full parses the same way. Other texts are read key by key.
   */
  private callFrame(): number {
    if (this.ws() !== BRACE_OPEN) throw giveUp;
    const start = this.pos;
    const close = this.closeBrace(start);
    if (close < 0) throw giveUp;
    const known = this.knownFrame(start, close + 1);
    if (known >= 0) {
      this.pos = close + 1;
      return known;
    }
    return this.newCallFrame(close);
  }

  /**
   * A call frame at `pos` that `knownFrame` did not know, `close` being the first `}` after its
   * `{`: read key by key, and remembered when `close` ends it.
   */
  protected newCallFrame(close: number): number {
    const start = this.pos;
    const frame = this.readCallFrame();
    // Only a text that ends at its first `}` (none inside a string) can be found again.
    if (this.pos === close + 1) this.rememberFrame(start, close + 1, frame);
    return frame;
  }

  /** The index of the raw frame (name, url, line0, col0), added on first sight. */
  protected internFrame(name: string, url: string, line0: number, col0: number): number {
    return this.frames.intern(name, url, line0, col0);
  }

  /** A call frame read key by key, interned by its decoded strings and position. */
  private readCallFrame(): number {
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
    const name = this.decode(nameStart, nameEnd, nameEscaped);
    const url = this.decode(urlStart, urlEnd, urlEscaped);
    return this.frames.intern(name, url, line0, col0);
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
