/**
 * The node table both `.cpuprofile` readers produce (the fast scanner of cpuprofileScan.ts and
 * the `JSON.parse` reader of cpuprofileJson.ts): flat columns instead of one object per node, and
 * each distinct call frame once. The model is built from these columns alone (cpuprofileBuild.ts).
 */
import { keepShape } from '../util/keepShape';

/** A call frame as written in the file: positions 0-based, -1 when unknown. */
export interface RawFrame {
  readonly name: string;
  readonly url: string;
  readonly line0: number;
  readonly col0: number;
}

/** A growable Int32Array (for ids, counts and indexes: half the memory of Float64). */
export class GrowInt {
  data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  /** Makes room for at least `capacity` values; at least doubles the room. */
  grow(capacity = 0): void {
    const bigger = new Int32Array(Math.max(16, capacity, this.data.length * 2));
    bigger.set(this.data);
    this.data = bigger;
  }

  /** The values, trimmed to length (a view: no copy). */
  values(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** A growable Float64Array. */
export class Grow {
  data: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  /** Makes room for at least `capacity` values; at least doubles the room. */
  grow(capacity = 0): void {
    const bigger = new Float64Array(Math.max(16, capacity, this.data.length * 2));
    bigger.set(this.data);
    this.data = bigger;
  }

  /** The values, trimmed to length (a view: no copy). */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Numbers in a column: Int32Array from the scanner, Float64Array from the JSON.parse route. */
export type Numbers = Int32Array | Float64Array;

/** Every node of a profile, column by column. */
export interface NodeColumns {
  readonly count: number;
  /** V8 node id of each node. */
  readonly id: Numbers;
  /** Index into `frames` of each node's call frame. */
  readonly frame: Int32Array;
  readonly frames: readonly RawFrame[];
  /** Children of node i: `childRefs[childStart[i] .. childStart[i] + childCount[i])`. */
  readonly childStart: Int32Array;
  readonly childCount: Int32Array;
  /** Child node ids, or (old layout) child indexes into the columns. */
  readonly childRefs: Numbers;
  readonly childRefsAreIndexes: boolean;
  /** `positionTicks` of node i: `tickLine/tickCount[tickStart[i] .. + tickLength[i])`. */
  readonly tickStart: Int32Array;
  readonly tickLength: Int32Array;
  readonly tickLine: Numbers;
  readonly tickCount: Numbers;
  /** `hitCount` of each node (0 when absent); used only when a file has no samples. */
  readonly hitCount: Numbers;
  /** Sampled node ids, or undefined when the file has none. */
  readonly samples: Numbers | undefined;
  /** Deltas (modern) or absolute microseconds (old layout), one per sample. */
  readonly times: Float64Array | undefined;
  readonly timesAreAbsolute: boolean;
  /** Microseconds. */
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
}

/**
 * Interns raw call frames, exactly: by url, name and position (no key string is built, and no
 * Map per name); the frames of one url share one url string. `lookup`, for readers that hold
 * every node's strings already (the `JSON.parse` route), first tries the frame last seen with the
 * same small integer hash of its position and string lengths, confirmed by comparing the
 * strings: most nodes repeat a frame seen before. (The scanners look whole call-frame texts up
 * before they decode anything: cpuprofileScanner.ts.)
 */
export class FrameTable {
  readonly frames: RawFrame[] = [];
  private readonly recent = new Map<number, number>();
  /**
   * By url (with the one string every frame of that url shares), then name: the last frame
   * interned with that url and name; the others are chained through `sameName`.
   */
  private readonly exact = new Map<string, { url: string; byName: Map<string, number> }>();
  private readonly sameName = new GrowInt(256);
  /** Each frame's position as one number, `line0 * 2^24 + col0` (equal numbers: one frame). */
  private readonly positions = new Grow(256);

  /** A small integer from a frame's position and two numbers that stand for its name and url. */
  static hash(nameKey: number, urlKey: number, line0: number, col0: number): number {
    return (
      (Math.imul(line0, 0x9e3779b1) ^
        Math.imul(col0, 0x85ebca6b) ^
        Math.imul(nameKey, 0xc2b2ae35) ^
        urlKey) &
      // 30 bits: a small integer (Smi) as a Map key, never a boxed number.
      0x3fffffff
    );
  }

  /** The index of (name, url, line0, col0), added on first sight. */
  intern(name: string, url: string, line0: number, col0: number): number {
    let byUrl = this.exact.get(url);
    if (!byUrl) this.exact.set(url, (byUrl = { url, byName: new Map() }));
    const position = line0 * 16777216 + col0;
    const first = byUrl.byName.get(name) ?? -1;
    for (let i = first; i >= 0; i = this.sameName.data[i]) {
      const other = this.positions.data[i];
      // As a Map key compares: NaN equals NaN.
      if (other === position || (other !== other && position !== position)) return i;
    }
    const index = this.frames.length;
    this.frames.push({ name, url: byUrl.url, line0, col0 });
    this.positions.push(position);
    this.sameName.push(first);
    byUrl.byName.set(name, index);
    return index;
  }

  /** Looks a frame up by its strings (the `JSON.parse` reader, where strings exist already). */
  lookup(name: string, url: string, line0: number, col0: number): number {
    const hash = FrameTable.hash(name.length, url.length, line0, col0);
    const c = this.recent.get(hash);
    if (c !== undefined) {
      const f = this.frames[c];
      if (f.line0 === line0 && f.col0 === col0 && f.name === name && f.url === url) return c;
    }
    const index = this.intern(name, url, line0, col0);
    this.recent.set(hash, index);
    return index;
  }
}

// Their hidden classes outlive every import (see keepShape).
keepShape(new GrowInt(0));
keepShape(new Grow(0));
keepShape(new FrameTable());
