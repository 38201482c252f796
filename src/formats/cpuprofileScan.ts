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
import type { GrowInt, NodeColumns } from './cpuprofileColumns';
import {
  BACKSLASH,
  BRACE_CLOSE,
  BRACE_OPEN,
  BRACKET_CLOSE,
  BRACKET_OPEN,
  COLON,
  COMMA,
  CpuprofileScanner,
  QUOTE,
  giveUp,
  type Column,
} from './cpuprofileScanner';
import { keepShape } from '../util/keepShape';

/** The columns of a modern `.cpuprofile`, or undefined when JSON.parse must decide. */
export function scanCpuprofile(text: string): NodeColumns | undefined {
  try {
    return new Scanner(text).profile();
  } catch {
    // GiveUp, or a stack overflow on absurdly nested unknown values: let JSON.parse judge.
    return undefined;
  }
}

/** The walk of cpuprofileScanner.ts over a string. */
class Scanner extends CpuprofileScanner {
  /** Call-frame texts read in full: their hash -> entry; an entry's text and its frame. */
  private readonly seen = new Map<number, number>();
  private readonly seenText: string[] = [];
  private readonly seenFrame: number[] = [];
  private lastHash = 0;
  /** The value the last quick reader read (see quickNode). */
  private value = 0;

  constructor(private readonly s: string) {
    super();
  }

  /**
   * One node the quick way, in tight loops over the text: the layout V8 writes (keys `id`,
   * `callFrame`, `hitCount`, `children` and `positionTicks`, each at most once, in any order;
   * integers of one to nine digits; whitespace between tokens; other keys with a string without
   * escapes as their value). At anything else it returns false with nothing changed, and the
   * general walk reads the node (and decides whether to give up). Twice as fast as the general
   * walk, whose calls per token were most of the scanner's time.
   */
  protected override quickNode(): boolean {
    const firstChild = this.childRefs.length;
    const firstTick = this.tickLine.length;
    if (this.readQuickNode(firstChild, firstTick)) return true;
    this.childRefs.length = firstChild;
    this.tickLine.length = this.tickCount.length = firstTick;
    return false;
  }

  private readQuickNode(firstChild: number, firstTick: number): boolean {
    const s = this.s;
    let p = this.skip(this.pos + 1);
    let c = s.charCodeAt(p);
    let id = -1;
    let frame = -1;
    let hits = 0;
    let seen = 0;
    for (;;) {
      if (c !== QUOTE) return false;
      const k = p + 1;
      const length = this.quickString(p);
      if (length < 0) return false;
      p = this.skip(k + length + 1);
      if (s.charCodeAt(p) !== COLON) return false;
      p = this.skip(p + 1);
      const key =
        length === 2 && this.keyAt(k, 'id')
          ? 1
          : length === 9 && this.keyAt(k, 'callFrame')
            ? 2
            : length === 8 && this.keyAt(k, 'hitCount')
              ? 4
              : length === 8 && this.keyAt(k, 'children')
                ? 8
                : length === 13 && this.keyAt(k, 'positionTicks')
                  ? 16
                  : 0;
      if ((seen & key) !== 0) return false;
      seen |= key;
      if (key === 1 || key === 4) {
        p = this.digits(p);
        if (p < 0) return false;
        if (key === 1) id = this.value;
        else hits = this.value;
      } else if (key === 2) {
        p = this.quickCallFrame(p);
        if (p < 0) return false;
        frame = this.value;
      } else if (key === 8) p = this.quickInts(p, this.childRefs);
      else if (key === 16) p = this.quickTicks(p);
      else {
        const value = s.charCodeAt(p) === QUOTE ? this.quickString(p) : -1;
        p = value < 0 ? -1 : p + value + 2;
      }
      if (p < 0) return false;
      p = this.skip(p);
      c = s.charCodeAt(p);
      if (c === BRACE_CLOSE) break;
      if (c !== COMMA) return false;
      p = this.skip(p + 1);
      c = s.charCodeAt(p);
    }
    if ((seen & 1) === 0 || frame < 0) return false;
    this.addNode(id, frame, hits, firstChild, firstTick);
    this.pos = p + 1;
    return true;
  }

  /** The first position at or after `p` that is not whitespace. */
  private skip(p: number): number {
    const s = this.s;
    let c = s.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    return p;
  }

  /** The length of the string without escapes whose quote is at `p`, or -1. */
  private quickString(p: number): number {
    const s = this.s;
    const start = p + 1;
    let q = start;
    let c = s.charCodeAt(q);
    while (c !== QUOTE && c !== BACKSLASH && c === c) c = s.charCodeAt(++q);
    return c === QUOTE ? q - start : -1;
  }

  /** Whether `s[k, k + key.length)` is `key`. */
  private keyAt(k: number, key: string): boolean {
    const s = this.s;
    for (let i = 0; i < key.length; i++)
      if (s.charCodeAt(k + i) !== key.charCodeAt(i)) return false;
    return true;
  }

  /**
   * An integer of one to nine digits at `p` into `value` (it fits an Int32Array); the position
   * after it, or -1 (no digit, more digits, a fraction or an exponent: the general walk's).
   */
  private digits(p: number): number {
    const s = this.s;
    const start = p;
    let c = s.charCodeAt(p);
    let value = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = s.charCodeAt(++p);
    }
    if (p === start || p - start > 9 || c === 46 || c === 101 || c === 69) return -1;
    this.value = value;
    return p;
  }

  /** A call frame at `p` into `value`; the position after it, or -1. */
  private quickCallFrame(p: number): number {
    if (this.s.charCodeAt(p) !== BRACE_OPEN) return -1;
    const close = this.s.indexOf('}', p);
    if (close < 0) return -1;
    const known = this.knownFrame(p, close + 1);
    if (known >= 0) {
      this.value = known;
      return close + 1;
    }
    this.pos = p;
    this.value = this.newCallFrame(close);
    return this.pos;
  }

  /** A list of integers of one to nine digits at `p` into `out`; the position after it, or -1. */
  private quickInts(p: number, out: GrowInt): number {
    const s = this.s;
    if (s.charCodeAt(p) !== BRACKET_OPEN) return -1;
    p = this.skip(p + 1);
    if (s.charCodeAt(p) === BRACKET_CLOSE) return p + 1;
    for (;;) {
      p = this.digits(p);
      if (p < 0) return -1;
      out.push(this.value);
      p = this.skip(p);
      const c = s.charCodeAt(p);
      if (c === BRACKET_CLOSE) return p + 1;
      if (c !== COMMA) return -1;
      p = this.skip(p + 1);
    }
  }

  /** `positionTicks` at `p`: `[{"line": N, "ticks": N}, ...]`; the position after it, or -1. */
  private quickTicks(p: number): number {
    const s = this.s;
    if (s.charCodeAt(p) !== BRACKET_OPEN) return -1;
    p = this.skip(p + 1);
    if (s.charCodeAt(p) === BRACKET_CLOSE) return p + 1;
    for (;;) {
      if (s.charCodeAt(p) !== BRACE_OPEN) return -1;
      p = this.skip(p + 1);
      let line = -1;
      let ticks = -1;
      for (;;) {
        if (s.charCodeAt(p) !== QUOTE) return -1;
        const k = p + 1;
        const length = this.quickString(p);
        const isLine = length === 4 && this.keyAt(k, 'line');
        if (!isLine && !(length === 5 && this.keyAt(k, 'ticks'))) return -1;
        p = this.skip(k + length + 1);
        if (s.charCodeAt(p) !== COLON) return -1;
        p = this.digits(this.skip(p + 1));
        if (p < 0 || (isLine ? line : ticks) >= 0) return -1;
        if (isLine) line = this.value;
        else ticks = this.value;
        p = this.skip(p);
        const c = s.charCodeAt(p);
        if (c === BRACE_CLOSE) break;
        if (c !== COMMA) return -1;
        p = this.skip(p + 1);
      }
      if (line < 0 || ticks < 0) return -1;
      this.tickLine.push(line);
      this.tickCount.push(ticks);
      p = this.skip(p + 1);
      const c = s.charCodeAt(p);
      if (c === BRACKET_CLOSE) return p + 1;
      if (c !== COMMA) return -1;
      p = this.skip(p + 1);
    }
  }

  /** Skips whitespace; returns the next character code (NaN at the end). */
  protected override ws(): number {
    const s = this.s;
    let p = this.pos;
    let c = s.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    this.pos = p;
    return c;
  }

  protected override atEnd(): boolean {
    // NaN is the end of the text.
    return Number.isNaN(this.ws());
  }

  protected override string(): void {
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
  protected override is(key: string): boolean {
    const start = this.strStart;
    if (this.strEnd - start !== key.length) return false;
    const s = this.s;
    for (let i = 0; i < key.length; i++)
      if (s.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
    return true;
  }

  protected override integerList(out: Column, maxDigits: number): boolean {
    if (this.ws() !== 91 /* [ */) return false;
    const at = this.pos;
    const s = this.s;
    const saved = out.length;
    // Straight into the column's array (a call per value was a third of this loop's time).
    let data = out.data;
    let length = saved;
    let p = this.pos + 1;
    let c = s.charCodeAt(p);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    if (c === 93 /* ] */) {
      this.pos = p + 1;
      return true;
    }
    for (;;) {
      const negative = c === 45;
      if (negative) c = s.charCodeAt(++p);
      const start = p;
      let value = 0;
      while (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        c = s.charCodeAt(++p);
      }
      if (p === start || p - start > maxDigits || c === 46 || c === 101 || c === 69) break;
      if (length === data.length) {
        // Room for the rest of the list at the density read so far (one reallocation for a
        // long list, where doubling made several and copied each).
        const end = s.indexOf(']', p);
        const rest = end < 0 ? 0 : Math.ceil(((end - p) * (length - saved)) / (p - at)) + 1024;
        out.length = length;
        out.grow(length + rest + (rest >> 5));
        data = out.data;
      }
      data[length++] = negative ? -value : value;
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
      if (c === 93 /* ] */) {
        out.length = length;
        this.pos = p + 1;
        return true;
      }
      if (c !== 44 /* , */) break;
      c = s.charCodeAt(++p);
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    }
    out.length = saved;
    this.pos = at;
    return false;
  }

  protected override knownFrame(start: number, end: number): number {
    // A hash of every character, then the texts compared as strings (natively).
    const s = this.s;
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    const entry = this.seen.get((this.lastHash = h & 0x3fffffff));
    if (entry === undefined) return -1;
    const text = this.seenText[entry];
    return text.length === end - start && s.slice(start, end) === text ? this.seenFrame[entry] : -1;
  }

  protected override rememberFrame(start: number, end: number, frame: number): void {
    // Called right after knownFrame missed on the same text: its hash is the last one. The text
    // is kept as a copy of its own: the copies of all frames lie close together in memory,
    // where a slice would point back into the input, which on a large file is cold in the
    // cache by the time the frame comes again (that made each comparison cost microseconds).
    const text = flatCopy(this.s.slice(start, end));
    const entry = this.seen.get(this.lastHash);
    if (entry === undefined) {
      this.seen.set(this.lastHash, this.seenText.length);
      this.seenText.push(text);
      this.seenFrame.push(frame);
    } else {
      // Two texts with one hash: the later one stays.
      this.seenText[entry] = text;
      this.seenFrame[entry] = frame;
    }
  }

  protected override closeBrace(from: number): number {
    return this.s.indexOf('}', from);
  }

  protected override same(a: number, b: number, length: number): boolean {
    const s = this.s;
    for (let i = 0; i < length; i++) if (s.charCodeAt(a + i) !== s.charCodeAt(b + i)) return false;
    return true;
  }

  /**
   * The string at `s[start, end)`, decoded. Through JSON.parse even without escapes: that makes
   * a string of its own, where `slice` would keep the whole text alive for as long as the
   * profile's frames live.
   */
  protected override decode(start: number, end: number): string {
    if (end === start) return '';
    return JSON.parse(this.s.slice(start - 1, end + 1)) as string;
  }

  protected override number(): number {
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

  protected override word(word: string): void {
    if (!this.s.startsWith(word, this.pos)) throw giveUp;
    this.pos += word.length;
  }
}

/**
 * A string of its own with `text`'s characters: joining makes a new string, and slicing that
 * flattens it into one new sequential string (not a view into `text`'s parent).
 */
function flatCopy(text: string): string {
  return ` ${text}`.slice(1);
}

// Its hidden class outlives every import (see keepShape).
keepShape(new Scanner(''));
