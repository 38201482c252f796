/**
 * `JSON.parse` for UTF-8 bytes, without decoding them into one string: for JSON profiles
 * (speedscope, Chrome traces, `.cpuprofile` layouts the fast scanner does not read) larger than
 * V8's largest string (2^29 - 24 characters, about 512 MB), which `TextDecoder` and
 * `JSON.parse` cannot take at all.
 *
 * The value is the one `JSON.parse(new TextDecoder().decode(bytes))` gives: same numbers (a
 * number that integer arithmetic cannot give exactly goes through `Number()`, which rounds as
 * `JSON.parse` does), same strings (invalid UTF-8 becomes U+FFFD as the decoder makes it; escapes
 * are undone by `JSON.parse` of the string alone), a key `__proto__` as an own property, the last
 * of repeated keys. It accepts exactly what `JSON.parse` accepts; a UTF-8 byte-order mark is
 * skipped as the decoder skips it.
 *
 * It keeps its own stack instead of recursing, so a hostile file nested a million deep is
 * parsed (or rejected) without overflowing the call stack. Short ASCII strings (keys, event
 * types, frame names) are interned through a small cache, so a file of millions of objects
 * does not make millions of copies of `"frame"` and `"at"`.
 */

/** A syntax error in JSON bytes, with the byte offset where it was found. */
export class JsonBytesError extends SyntaxError {
  /** Byte offset of the error. */
  readonly offset: number;
  /** True when the bytes ended inside a value: the file was probably cut short. */
  readonly truncated: boolean;

  constructor(message: string, offset: number, truncated: boolean) {
    super(message);
    this.name = 'JsonBytesError';
    this.offset = offset;
    this.truncated = truncated;
  }
}

/** Progress is reported every this many bytes. */
const PROGRESS_STEP = 8 * 1024 * 1024;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const BRACKET_OPEN = 91;
const BRACKET_CLOSE = 93;
const BRACE_OPEN = 123;
const BRACE_CLOSE = 125;

/** Strings up to this many bytes (ASCII, no escapes) are interned. */
const INTERN_MAX = 32;
const CACHE_SIZE = 4096;

/**
 * Parses UTF-8 JSON bytes into the value `JSON.parse` would give for their text. Throws a
 * {@link JsonBytesError} (a SyntaxError) where `JSON.parse` would throw. `onProgress` gets the
 * fraction of bytes read (0 to 1) every few MB.
 */
export function parseJsonBytes(
  bytes: Uint8Array,
  onProgress?: (fraction: number) => void,
): unknown {
  return new Parser(bytes, onProgress).parse();
}

class Parser {
  private pos = 0;
  private readonly n: number;
  private nextReport = PROGRESS_STEP;
  private readonly cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);
  private decoder: TextDecoder | undefined;

  constructor(
    private readonly b: Uint8Array,
    private readonly onProgress?: (fraction: number) => void,
  ) {
    this.n = b.length;
  }

  private error(what?: string): never {
    const { b, pos, n } = this;
    if (pos >= n) throw new JsonBytesError('Unexpected end of JSON input', n, true);
    const c = b[pos];
    const token =
      c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
    throw new JsonBytesError(
      `${what ?? `Unexpected token ${token}`} at byte ${pos} of the JSON`,
      pos,
      false,
    );
  }

  private errorAt(pos: number, what: string): never {
    this.pos = pos;
    return this.error(what);
  }

  /** The separator just read (at pos - 1) is not one that may follow a value. */
  private unexpected(): never {
    this.pos--;
    return this.error();
  }

  /** Skips JSON whitespace; returns the next byte, or -1 at the end. */
  private ws(): number {
    const b = this.b;
    const n = this.n;
    let p = this.pos;
    while (p < n) {
      const c = b[p];
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else {
        this.pos = p;
        return c;
      }
    }
    this.pos = p;
    return -1;
  }

  parse(): unknown {
    const b = this.b;
    if (this.n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    // Open containers and, for objects, the key whose value is being read.
    const containers: (unknown[] | Record<string, unknown>)[] = [];
    const isArray: boolean[] = [];
    const keys: string[] = [];
    let depth = 0;
    let value: unknown;

    for (;;) {
      // Read one value; containers are opened here and filled in the loop below.
      let c = this.ws();
      if (c === BRACE_OPEN) {
        this.pos++;
        const obj: Record<string, unknown> = {};
        c = this.ws();
        if (c === BRACE_CLOSE) {
          this.pos++;
          value = obj;
        } else {
          containers[depth] = obj;
          isArray[depth] = false;
          keys[depth] = this.key(c);
          depth++;
          continue;
        }
      } else if (c === BRACKET_OPEN) {
        this.pos++;
        const arr: unknown[] = [];
        if (this.ws() === BRACKET_CLOSE) {
          this.pos++;
          value = arr;
        } else {
          containers[depth] = arr;
          isArray[depth] = true;
          depth++;
          continue;
        }
      } else if (c === QUOTE) value = this.string();
      else if (c === MINUS || (c >= 48 && c <= 57)) value = this.number();
      else if (c === 116) value = this.literal('true', true);
      else if (c === 102) value = this.literal('false', false);
      else if (c === 110) value = this.literal('null', null);
      else this.error();

      // Put the value in its container; close every container that ends here.
      for (;;) {
        if (depth === 0) {
          if (this.ws() !== -1) this.error();
          this.onProgress?.(1);
          return value;
        }
        const top = depth - 1;
        const sep = this.ws();
        this.pos++;
        if (isArray[top]) {
          (containers[top] as unknown[]).push(value);
          if (sep === COMMA) break;
          if (sep !== BRACKET_CLOSE) this.unexpected();
        } else {
          const obj = containers[top] as Record<string, unknown>;
          const key = keys[top];
          // `obj.__proto__ = v` would set the prototype; JSON.parse makes an own property.
          if (key === '__proto__') {
            Object.defineProperty(obj, key, {
              value,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else obj[key] = value;
          if (sep === COMMA) {
            keys[top] = this.key(this.ws());
            break;
          }
          if (sep !== BRACE_CLOSE) this.unexpected();
        }
        value = containers[top];
        containers[top] = undefined as never; // let it go once finished
        depth = top;
      }
      if (this.pos >= this.nextReport && this.onProgress) {
        this.nextReport = this.pos + PROGRESS_STEP;
        this.onProgress(this.pos / this.n);
      }
    }
  }

  /** An object key (next byte `c`) and the colon after it. */
  private key(c: number): string {
    if (c !== QUOTE) this.error();
    const key = this.string();
    if (this.ws() !== COLON) this.error();
    this.pos++;
    return key;
  }

  private literal<T>(word: string, result: T): T {
    const b = this.b;
    for (let i = 0; i < word.length; i++) {
      if (b[this.pos] !== word.charCodeAt(i) || this.pos >= this.n) this.error();
      this.pos++;
    }
    return result;
  }

  private string(): string {
    const b = this.b;
    const n = this.n;
    const start = this.pos + 1;
    let p = start;
    let hash = 0;
    // The common case: printable ASCII, no escapes.
    while (p < n) {
      const c = b[p];
      if (c === QUOTE || c === BACKSLASH || c < 0x20 || c >= 0x80) break;
      hash = (Math.imul(hash, 31) + c) | 0;
      p++;
    }
    if (p < n && b[p] === QUOTE) {
      this.pos = p + 1;
      const length = p - start;
      if (length <= INTERN_MAX) {
        const slot = (hash ^ (hash >>> 12) ^ length) & (CACHE_SIZE - 1);
        const cached = this.cache[slot];
        if (cached !== undefined && cached.length === length) {
          let same = true;
          for (let i = 0; i < length; i++) {
            if (cached.charCodeAt(i) !== b[start + i]) {
              same = false;
              break;
            }
          }
          if (same) return cached;
        }
        const s = this.ascii(start, p);
        this.cache[slot] = s;
        return s;
      }
      return this.decode(start, p);
    }
    // Escapes, non-ASCII text or an error: find the end, then decode.
    let escaped = false;
    while (p < n) {
      const c = b[p];
      if (c === QUOTE) break;
      if (c < 0x20) this.errorAt(p, 'Bad control character in string literal');
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
      } else p++;
    }
    if (p >= n) {
      this.pos = n;
      this.error();
    }
    this.pos = p + 1;
    const raw = this.decode(start, p);
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      // A bad escape: point at it.
      let q = start;
      while (q < p && !(b[q] === BACKSLASH && !/["\\/bfnrtu]/.test(String.fromCharCode(b[q + 1]))))
        q += b[q] === BACKSLASH ? 2 : 1;
      this.pos = q < p ? q : start;
      return this.error('Bad escaped character in string literal');
    }
  }

  /** ASCII bytes as a string: short ones without a call into the decoder. */
  private ascii(start: number, end: number): string {
    if (end - start > 256) return this.decode(start, end);
    return String.fromCharCode.apply(null, this.b.subarray(start, end) as unknown as number[]);
  }

  private decode(start: number, end: number): string {
    this.decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
    return this.decoder.decode(this.b.subarray(start, end));
  }

  /** A number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
  private number(): number {
    const b = this.b;
    const n = this.n;
    const start = this.pos;
    let p = start;
    const negative = b[p] === MINUS;
    if (negative) p++;
    const digitsFrom = p;
    let value = 0;
    if (p < n && b[p] === 48) p++;
    else if (p < n && b[p] >= 49 && b[p] <= 57) {
      while (p < n && b[p] >= 48 && b[p] <= 57) value = value * 10 + (b[p++] - 48);
    } else this.errorAt(p, 'No number after minus sign');
    let exact = p - digitsFrom <= 15;
    if (p < n && b[p] === 46) {
      p++;
      if (!(p < n && b[p] >= 48 && b[p] <= 57)) this.errorAt(p, 'Unterminated fractional number');
      while (p < n && b[p] >= 48 && b[p] <= 57) p++;
      exact = false;
    }
    if (p < n && (b[p] === 101 || b[p] === 69)) {
      p++;
      if (p < n && (b[p] === 43 || b[p] === MINUS)) p++;
      if (!(p < n && b[p] >= 48 && b[p] <= 57)) {
        this.errorAt(p, 'Exponent part is missing a number');
      }
      while (p < n && b[p] >= 48 && b[p] <= 57) p++;
      exact = false;
    }
    this.pos = p;
    if (exact) return negative ? -value : value;
    // Number() rounds a decimal string exactly as JSON.parse does.
    return Number(this.ascii(start, p));
  }
}
