/**
 * The tables the callgrind parser (callgrindParser.ts) fills: its functions, call records summed
 * per pair of functions, what the header said, and the pool of names with its compression
 * tables.
 */
import { Float64Column, Int32Column } from '../core/growable';

/** A callgrind function before frames are made: (object, file at `fn=`, name without level). */
export interface CallgrindFunction {
  readonly name: string;
  readonly file: string;
  readonly object: string;
  /** Self cost of every level. */
  self: number;
  /** Self cost at level 1 (the name without a `'N` suffix). */
  selfOuter: number;
  /** First line of this function's own file with a self cost, or 0. */
  firstLine: number;
  /** Lowest such line, or 0. */
  minLine: number;
  /** Whether the file names a recursion level of it (`fn'2`): its figures are then exact. */
  leveled: boolean;
}

/** What the header lines said. */
export interface CallgrindHeader {
  creator: string;
  /** Event names of the last `events:` line, or null before the first. */
  eventNames: string[] | null;
  /** The first event of the file: the weight. */
  weightName: string;
  /** Its index in the current `events:` line (-1 when a later part does not record it). */
  weightIndex: number;
  /** `event:` long names. */
  readonly longNames: Map<string, string>;
  /** Every event type named. */
  readonly allEvents: Set<string>;
  positionCount: number;
  /** Index of `line` among the positions, or -1. */
  lineIndex: number;
  parts: number;
  totalsSeen: number;
  totalsSum: number;
}

/**
 * Per (caller, callee) pair of functions, the sums of its call records: `calls` and
 * `inclusive` over every record; `outer` the inclusive cost of records whose caller or callee
 * was at level 1 (pstats' rule: a call nested in a call of the same pair is not added again);
 * `intoOuter`/`intoOuterRecords` the calls into level 1 of another function; `fromOuter` the
 * inclusive cost of calls made at level 1; `primitive` the calls that were not recursive.
 */
export class CallgrindEdges {
  readonly caller = new Int32Column();
  readonly callee = new Int32Column();
  readonly calls = new Float64Column();
  readonly inclusive = new Float64Column();
  readonly outer = new Float64Column();
  readonly intoOuter = new Float64Column();
  readonly intoOuterRecords = new Int32Column();
  readonly fromOuter = new Float64Column();
  readonly primitive = new Float64Column();
  private slots = new Int32Array(256);

  get count(): number {
    return this.caller.length;
  }

  /** The edge of a pair, made on first use. */
  of(caller: number, callee: number): number {
    if (this.count * 2 >= this.slots.length) this.rehash();
    const mask = this.slots.length - 1;
    let i = pairHash(caller, callee) & mask;
    for (;;) {
      const e = this.slots[i] - 1;
      if (e < 0) break;
      if (this.caller.data[e] === caller && this.callee.data[e] === callee) return e;
      i = (i + 1) & mask;
    }
    const e = this.count;
    this.slots[i] = e + 1;
    this.caller.push(caller);
    this.callee.push(callee);
    this.calls.push(0);
    this.inclusive.push(0);
    this.outer.push(0);
    this.intoOuter.push(0);
    this.fromOuter.push(0);
    this.primitive.push(0);
    this.intoOuterRecords.push(0);
    return e;
  }

  /** Adds one call record (`calls=` and its cost line). */
  add(
    caller: number,
    callerOuter: boolean,
    callee: number,
    calleeOuter: boolean,
    calls: number,
    cost: number,
  ): void {
    const e = this.of(caller, callee);
    const same = caller === callee;
    // With levels, a function never calls its own level 1; without them (every record at
    // level 1), a call of a function by itself is recursion, nested in an outer call.
    const nested = same && callerOuter && calleeOuter;
    this.calls.data[e] += calls;
    this.inclusive.data[e] += cost;
    if ((callerOuter || calleeOuter) && !nested) this.outer.data[e] += cost;
    if (calleeOuter && !same) {
      this.intoOuter.data[e] += cost;
      this.intoOuterRecords.data[e]++;
    }
    if (callerOuter && !nested) this.fromOuter.data[e] += cost;
    if (calleeOuter && !nested) this.primitive.data[e] += calls;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.count; e++) {
      let i = pairHash(this.caller.data[e], this.callee.data[e]) & mask;
      while (slots[i]) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.slots = slots;
  }
}

function pairHash(a: number, b: number): number {
  const h = Math.imul(Math.imul(a, 0x9e3779b1) ^ b, 0x85ebca6b);
  return h ^ (h >>> 15);
}

/** A name as written: its level-free name's id in the pool, and its recursion level. */
export interface PooledName {
  readonly base: number;
  readonly outer: boolean;
}

/**
 * Strings by id: names, files and objects are numbers while parsing. A compressed name `(12)`
 * maps to a pool id through its table (files share one table across fl/fi/fe/cfi/cfl/jfi,
 * functions another, objects a third; tables are kept across parts, and a redefinition
 * replaces a name).
 */
export class NamePool {
  readonly text: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  /** Per pool id of a function name: its name without `'N`, and whether it had none. */
  private readonly levels: Array<PooledName | undefined> = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.text.length;
      this.text.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** A function name's level-free id and whether it is level 1 (no `'N` suffix). */
  level(id: number): PooledName {
    let l = this.levels[id];
    if (!l) {
      const m = /'(\d+)$/.exec(this.text[id]);
      l = m
        ? { base: this.id(this.text[id].slice(0, -m[0].length)), outer: Number(m[1]) <= 1 }
        : { base: id, outer: true };
      this.levels[id] = l;
    }
    return l;
  }
}

/** One compression table: `(n)` -> pool id. */
export class Compressed {
  private readonly small: number[] = [];
  private readonly large = new Map<number, number>();
  get(n: number): number | undefined {
    return n < 1 << 20 ? this.small[n] : this.large.get(n);
  }
  set(n: number, id: number): void {
    if (n < 1 << 20) this.small[n] = id;
    else this.large.set(n, id);
  }
}
