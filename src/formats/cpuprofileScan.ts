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
  QUOTE,
} from './cpuprofileScanner';
import { TextScanner, flatCopy } from './cpuprofileText';
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

/** The text walk with quick readers of the layout V8 writes. */
class Scanner extends TextScanner {
  /** The value the last quick reader read (see quickNode). */
  private value = 0;
  /** Each url's text, as written, and the one string it decodes to. */
  private readonly urls = new Map<string, string>();

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

  /**
   * The length of the string without escapes (or control characters) whose quote is at `p`,
   * or -1.
   */
  private quickString(p: number): number {
    const s = this.s;
    const start = p + 1;
    let q = start;
    let c = s.charCodeAt(q);
    // Control characters too are left to the general walk, which JSON.parse decodes with.
    while (c !== QUOTE && c !== BACKSLASH && c >= 32) c = s.charCodeAt(++q);
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

  /**
   * A call frame that knownFrame did not know (at `pos`; `close` is the first `}` after it):
   * the quick way when it is written as V8 writes them (keys `functionName` and `url` with
   * strings without escapes, `lineNumber` and `columnNumber` with integers of up to nine digits,
   * others with strings), where the name needs no JSON decoding and each url is decoded once;
   * anything else, the general walk.
   */
  protected override newCallFrame(close: number): number {
    const start = this.pos;
    const frame = this.readQuickCallFrame(start);
    if (frame < 0) return super.newCallFrame(close);
    if (this.pos === close + 1) this.rememberFrame(start, close + 1, frame);
    return frame;
  }

  /** The frame of the call frame at `start`, read the quick way, or -1 (`pos` unchanged). */
  private readQuickCallFrame(start: number): number {
    const s = this.s;
    let p = this.skip(start + 1);
    let nameStart = 0;
    let nameEnd = 0;
    let urlStart = 0;
    let urlEnd = 0;
    let line0 = -1;
    let col0 = -1;
    for (;;) {
      if (s.charCodeAt(p) !== QUOTE) return -1;
      const k = p + 1;
      const length = this.quickString(p);
      if (length < 0) return -1;
      p = this.skip(k + length + 1);
      if (s.charCodeAt(p) !== COLON) return -1;
      p = this.skip(p + 1);
      const line = length === 10 && this.keyAt(k, 'lineNumber');
      if (line || (length === 12 && this.keyAt(k, 'columnNumber'))) {
        const negative = s.charCodeAt(p) === 45; /* - */
        p = this.digits(negative ? p + 1 : p);
        if (p < 0) return -1;
        const value = negative ? -this.value : this.value;
        if (line) line0 = value;
        else col0 = value;
      } else {
        // functionName, url, or another key with a string (scriptId).
        const value = s.charCodeAt(p) === QUOTE ? this.quickString(p) : -1;
        if (value < 0) return -1;
        if (length === 12 && this.keyAt(k, 'functionName')) {
          nameStart = p + 1;
          nameEnd = p + 1 + value;
        } else if (length === 3 && this.keyAt(k, 'url')) {
          urlStart = p + 1;
          urlEnd = p + 1 + value;
        }
        p += value + 2;
      }
      p = this.skip(p);
      const c = s.charCodeAt(p);
      if (c === BRACE_CLOSE) break;
      if (c !== COMMA) return -1;
      p = this.skip(p + 1);
    }
    this.pos = p + 1;
    const name = ownString(s.slice(nameStart, nameEnd));
    const raw = s.slice(urlStart, urlEnd);
    let url = this.urls.get(raw);
    if (url === undefined) this.urls.set(raw, (url = ownString(raw)));
    return this.internFrame(name, url, line0, col0);
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
}
// Its hidden class outlives every import (see keepShape).
keepShape(new Scanner(''));

/**
 * `text` as a string of its own: a short slice is a copy already; a longer one is a view into
 * the whole input, which a profile's frame must not keep alive.
 */
function ownString(text: string): string {
  return text.length < 13 ? text : flatCopy(text);
}
