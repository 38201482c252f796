/**
 * Strings read from bytes, interned by the bytes themselves: a hash of the bytes finds a string
 * met before without decoding it again, so a file that repeats a name in every record (marshal
 * data whose writer did not share the string) makes one string per distinct name. Every string
 * also has an id by its text, so a string that came another way (decoded by a generic reader)
 * gets the same id.
 */
import { Int32Column } from '../core/growable';
import { shortString } from './marshal';

const utf8Decoder = new TextDecoder('utf-8');
const latin1Decoder = new TextDecoder('latin1');

/** Strings interned by their bytes, and by their text. */
export class ByteStrings {
  readonly text: string[] = [];
  private readonly byText = new Map<string, number>();
  private slots = new Int32Array(1024);
  private runCount = 0;
  private readonly runStart = new Int32Column();
  private readonly runLength = new Int32Column();
  private readonly runKind = new Int32Column();
  private readonly runId = new Int32Column();

  constructor(private readonly bytes: Uint8Array) {}

  /** The id of a string's text. */
  idOfText(s: string): number {
    let id = this.byText.get(s);
    if (id === undefined) {
      id = this.text.length;
      this.text.push(s);
      this.byText.set(s, id);
    }
    return id;
  }

  /** The id of the string written as `bytes[start .. start + n)`, UTF-8 or Latin-1. */
  idOfBytes(start: number, n: number, isUtf8: boolean): number {
    const b = this.bytes;
    let h = 0x811c9dc5 ^ n;
    let high = 0;
    for (let i = start; i < start + n; i++) {
      const c = b[i];
      high |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    // Bytes below 0x80 read the same either way; above, the decoder makes the string.
    const kind = high & 0x80 ? (isUtf8 ? 2 : 1) : 0;
    h ^= kind;
    if (this.runCount * 2 >= this.slots.length) this.rehash();
    const mask = this.slots.length - 1;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const r = this.slots[slot] - 1;
      if (r < 0) break;
      if (this.runLength.data[r] === n && this.runKind.data[r] === kind) {
        const s = this.runStart.data[r];
        let i = 0;
        while (i < n && b[s + i] === b[start + i]) i++;
        if (i === n) return this.runId.data[r];
      }
      slot = (slot + 1) & mask;
    }
    const sub = b.subarray(start, start + n);
    const text =
      kind === 0 && n <= 256
        ? shortString(sub)
        : (kind === 2 ? utf8Decoder : latin1Decoder).decode(sub);
    const id = this.idOfText(text);
    const r = this.runCount++;
    this.runStart.push(start);
    this.runLength.push(n);
    this.runKind.push(kind);
    this.runId.push(id);
    this.slots[slot] = r + 1;
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const b = this.bytes;
    for (let r = 0; r < this.runCount; r++) {
      const start = this.runStart.data[r];
      const n = this.runLength.data[r];
      let h = 0x811c9dc5 ^ n;
      for (let i = start; i < start + n; i++) h = Math.imul(h ^ b[i], 0x01000193);
      h ^= this.runKind.data[r];
      let slot = (h ^ (h >>> 15)) & mask;
      while (slots[slot]) slot = (slot + 1) & mask;
      slots[slot] = r + 1;
    }
    this.slots = slots;
  }
}
