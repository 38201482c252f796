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
import type { NodeColumns } from './cpuprofileColumns';
import { BACKSLASH, CpuprofileScanner, QUOTE, giveUp, type Column } from './cpuprofileScanner';

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
  constructor(private readonly s: string) {
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
      out.push(negative ? -value : value);
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p);
      if (c === 93 /* ] */) {
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

  protected override hashText(start: number, end: number): number {
    const s = this.s;
    let h = 0x811c9dc5;
    for (let i = Math.max(start, end - 24); i < end; i++)
      h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h;
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
