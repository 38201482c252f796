/**
 * The primitives of the `.cpuprofile` walk (cpuprofileScanner.ts) over a string: whitespace,
 * strings, numbers, key comparison, decoding, and the lookup of whole call-frame texts. The
 * quick readers of V8's own layout build on it (cpuprofileScan.ts).
 */
import { BACKSLASH, CpuprofileScanner, QUOTE, giveUp, type Column } from './cpuprofileScanner';

/** The walk of cpuprofileScanner.ts over a string. */
export class TextScanner extends CpuprofileScanner {
  /** Call-frame texts read in full: their hash -> entry; an entry's text and its frame. */
  private readonly seen = new Map<number, number>();
  private readonly seenText: string[] = [];
  private readonly seenFrame: number[] = [];
  private lastHash = 0;

  constructor(protected readonly s: string) {
    super();
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
      // The common case first and apart: digits, then a comma and another digit. (A sign kept
      // in the same loop made every value a possible -0, a double, and the loop a sixth slower.)
      let value = c - 48;
      let start = p;
      if (value >= 0 && value <= 9) {
        c = s.charCodeAt(++p);
        let digit = c - 48;
        while (digit >= 0 && digit <= 9) {
          value = value * 10 + digit;
          c = s.charCodeAt(++p);
          digit = c - 48;
        }
      } else if (c === 45 /* - */) {
        c = s.charCodeAt(++p);
        start = p;
        let magnitude = 0;
        while (c >= 48 && c <= 57) {
          magnitude = magnitude * 10 + (c - 48);
          c = s.charCodeAt(++p);
        }
        if (p === start) break;
        value = -magnitude;
      } else break;
      if (p - start > maxDigits) break;
      if (length === data.length) {
        // Room for the rest of the list at the density read so far (one reallocation for a
        // long list, where doubling made several and copied each).
        const end = s.indexOf(']', p);
        const rest = end < 0 ? 0 : Math.ceil(((end - p) * (length - saved)) / (p - at)) + 1024;
        out.length = length;
        out.grow(length + rest + (rest >> 5));
        data = out.data;
      }
      if (c === 44 /* , */) {
        data[length++] = value;
        c = s.charCodeAt(++p);
        if (c >= 48 && c <= 57) continue;
      } else {
        // A fraction or an exponent: the general loop's.
        if (c === 46 || c === 101 || c === 69) break;
        data[length++] = value;
        while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
        if (c === 93 /* ] */) {
          out.length = length;
          this.pos = p + 1;
          return true;
        }
        if (c !== 44 /* , */) break;
        c = s.charCodeAt(++p);
      }
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
    }
    out.length = saved;
    this.pos = at;
    return false;
  }

  protected override knownFrame(start: number, end: number): number {
    // A hash of the first and last 48 characters (the name, the position and the url's end, in
    // the order V8 writes them), then the texts compared as strings (natively, and much faster
    // than hashing the characters between in a loop). Texts alike at both ends with the same
    // length take the slow way in turn, and still read right.
    const s = this.s;
    let h = 0x811c9dc5 ^ (end - start);
    const head = Math.min(end, start + 48);
    for (let i = start; i < head; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let i = Math.max(head, end - 48); i < end; i++)
      h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
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
export function flatCopy(text: string): string {
  return ` ${text}`.slice(1);
}
