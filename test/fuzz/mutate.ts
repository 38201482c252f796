/**
 * Deterministic mutations of real profile files for the fuzz tests. Everything is driven by a
 * seeded PRNG, so a case is reproduced from (seed, format, case number) alone; nothing here reads
 * the clock.
 */
import { MarshalDict, MarshalSet, type MarshalValue } from '../../src/formats/marshal';

/** A seeded pseudo-random generator (mulberry32): small, fast, good enough for fuzzing. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A 32-bit hash of strings and numbers, to derive one case's seed from its coordinates. */
export function caseSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x2c, 0x01000193);
  }
  return h >>> 0;
}

/** Numbers that break careless arithmetic: signs, overflow, NaN-producing text, int32 edges. */
export const NASTY_NUMBERS = [
  '-1',
  '0',
  '-0',
  '1e308',
  '-1e308',
  '1e400',
  '5e-324',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '4294967296',
  '99999999999999999999999',
  // 2^64, and an integer far past the double range (Infinity when read as a number).
  '18446744073709551616',
  '9'.repeat(310),
  '0.5',
  '1.5e9',
  'NaN',
  'Infinity',
  '-Infinity',
];

/** Strings that must never become markup, paths outside the file, or prototype keys. */
export const NASTY_STRINGS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  'file:///C:/%3Cb%3E',
  'file://%',
  '\u202e\u0000\ud800',
  '',
  'x'.repeat(5000),
];

// ---------------------------------------------------------------------------------------------
// Byte mutations: any format.

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const INTERESTING_BYTES = [0, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x7d, 0x5b, 0x0a, 0x30, 0x2d, 0x5c];

/** Byte-level mutations: names are the kinds printed on failure. */
export const byteMutations: Record<string, (b: Uint8Array, r: Rng) => Uint8Array> = {
  bitFlip(b, r) {
    const out = b.slice();
    const flips = 1 + r.int(8);
    for (let i = 0; i < flips && out.length; i++) out[r.int(out.length)] ^= 1 << r.int(8);
    return out;
  },
  byteSet(b, r) {
    const out = b.slice();
    const sets = 1 + r.int(4);
    for (let i = 0; i < sets && out.length; i++)
      out[r.int(out.length)] = r.chance(0.5) ? r.pick(INTERESTING_BYTES) : r.int(256);
    return out;
  },
  insertBytes(b, r) {
    const at = r.int(b.length + 1);
    const ins = new Uint8Array(1 + r.int(16));
    for (let i = 0; i < ins.length; i++)
      ins[i] = r.chance(0.5) ? r.pick(INTERESTING_BYTES) : r.int(256);
    return concat(b.subarray(0, at), ins, b.subarray(at));
  },
  deleteBytes(b, r) {
    if (!b.length) return b;
    const at = r.int(b.length);
    const len = 1 + r.int(Math.min(64, b.length - at));
    return concat(b.subarray(0, at), b.subarray(at + len));
  },
  truncate(b, r) {
    return b.slice(0, r.int(b.length + 1));
  },
  duplicateChunk(b, r) {
    if (!b.length) return b;
    const from = r.int(b.length);
    const len = 1 + r.int(Math.min(256, b.length - from));
    const at = r.int(b.length + 1);
    return concat(b.subarray(0, at), b.subarray(from, from + len), b.subarray(at));
  },
  swapChunks(b, r) {
    if (b.length < 4) return b;
    const out = b.slice();
    const len = 1 + r.int(Math.min(64, b.length >> 1));
    const a = r.int(b.length - len);
    const c = r.int(b.length - len);
    out.set(b.subarray(a, a + len), c);
    out.set(b.subarray(c, c + len), a);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// Text mutations: JSON and line formats.

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const JSON_STRING = /"(?:[^"\\\n]|\\.)*"/g;

function spans(text: string, re: RegExp, limit = 20000): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m && out.length < limit; m = re.exec(text))
    out.push([m.index, m.index + m[0].length]);
  return out;
}

function replaceAt(text: string, [a, b]: [number, number], by: string): string {
  return text.slice(0, a) + by + text.slice(b);
}

/** Text mutations that keep most of the file's syntax. */
export const textMutations: Record<string, (t: string, r: Rng) => string> = {
  nastyNumber(t, r) {
    const found = spans(t, NUMBER);
    if (!found.length) return t;
    let out = t;
    // Right to left, so earlier spans stay valid.
    const chosen = new Set<number>();
    const count = 1 + r.int(3);
    for (let i = 0; i < count; i++) chosen.add(r.int(found.length));
    for (const i of [...chosen].sort((a, b) => b - a))
      out = replaceAt(out, found[i], r.pick(NASTY_NUMBERS));
    return out;
  },
  swapNumbers(t, r) {
    const found = spans(t, NUMBER);
    if (found.length < 2) return t;
    let i = r.int(found.length);
    let j = r.int(found.length);
    if (i === j) return t;
    if (i > j) [i, j] = [j, i];
    const a = t.slice(...found[i]);
    const b = t.slice(...found[j]);
    return replaceAt(replaceAt(t, found[j], a), found[i], b);
  },
  nastyString(t, r) {
    const found = spans(t, JSON_STRING);
    if (!found.length) return t;
    return replaceAt(t, r.pick(found), JSON.stringify(r.pick(NASTY_STRINGS)));
  },
  duplicateLine(t, r) {
    const lines = t.split('\n');
    const i = r.int(lines.length);
    lines.splice(r.int(lines.length + 1), 0, ...lines.slice(i, i + 1 + r.int(4)));
    return lines.join('\n');
  },
  deleteLine(t, r) {
    const lines = t.split('\n');
    lines.splice(r.int(lines.length), 1 + r.int(3));
    return lines.join('\n');
  },
  swapLines(t, r) {
    const lines = t.split('\n');
    const i = r.int(lines.length);
    const j = r.int(lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  },
};

// ---------------------------------------------------------------------------------------------
// JSON-aware mutations: on the parsed value.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every array or object in a JSON value (with a cap, for big files). */
function containers(v: Json, out: Array<Json[] | { [key: string]: Json }> = []): typeof out {
  const stack: Json[] = [v];
  while (stack.length && out.length < 50000) {
    const x = stack.pop() as Json;
    if (x && typeof x === 'object') {
      out.push(x);
      for (const c of Array.isArray(x) ? x : Object.values(x))
        if (c && typeof c === 'object') stack.push(c);
    }
  }
  return out;
}

function nastyValue(r: Rng): Json {
  switch (r.int(9)) {
    case 0:
      return null;
    case 1:
      return [];
    case 2:
      return {};
    case 3:
      return r.pick(NASTY_STRINGS);
    case 4:
      return -1;
    case 5:
      return 1e308;
    case 6:
      return r.chance(0.5) ? 2 ** 31 : 2 ** 53 + 2;
    case 7:
      return r.chance(0.5) ? 0.5 : -1e-9;
    default:
      return true;
  }
}

/** Objects of a JSON value that look like V8 nodes, speedscope frames, ... (have `key`). */
function objectsWith(v: Json, key: string): Array<{ [key: string]: Json }> {
  return containers(v).filter(
    (c): c is { [key: string]: Json } => !Array.isArray(c) && Object.hasOwn(c, key),
  );
}

/** Mutations of a parsed JSON value, in place. Generic ones work on any JSON profile. */
export const jsonMutations: Record<string, (v: Json, r: Rng) => void> = {
  replaceValue(v, r) {
    const cs = containers(v);
    const c = r.pick(cs);
    if (Array.isArray(c)) {
      if (c.length) c[r.int(c.length)] = nastyValue(r);
    } else {
      const keys = Object.keys(c);
      if (keys.length) c[r.pick(keys)] = nastyValue(r);
    }
  },
  deleteKey(v, r) {
    const objs = containers(v).filter((c) => !Array.isArray(c)) as Array<{ [k: string]: Json }>;
    if (!objs.length) return;
    const o = r.pick(objs);
    const keys = Object.keys(o);
    if (keys.length) delete o[r.pick(keys)];
  },
  shuffleArray(v, r) {
    const arrays = containers(v).filter(Array.isArray) as Json[][];
    if (!arrays.length) return;
    const a = r.pick(arrays);
    for (let i = a.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
  },
  duplicateElement(v, r) {
    const arrays = (containers(v).filter(Array.isArray) as Json[][]).filter((a) => a.length);
    if (!arrays.length) return;
    const a = r.pick(arrays);
    const x = a[r.int(a.length)];
    a.splice(r.int(a.length + 1), 0, JSON.parse(JSON.stringify(x)) as Json);
  },
  truncateArray(v, r) {
    const arrays = (containers(v).filter(Array.isArray) as Json[][]).filter((a) => a.length);
    if (arrays.length) r.pick(arrays).length = r.int(2);
  },
  numbersNasty(v, r) {
    // Many numbers at once: weights, times, ids and lines all go bad together.
    const arrays = containers(v).filter(Array.isArray) as Json[][];
    const numeric = arrays.filter((a) => a.length && typeof a[0] === 'number');
    if (!numeric.length) return;
    const a = r.pick(numeric);
    const value = r.pick([-1, 1e308, -1e308, 0, 2 ** 31, 2 ** 53 + 2, 0.5, -0.25]);
    for (let i = 0; i < a.length; i++) if (r.chance(0.3)) a[i] = value;
  },
  markupStrings(v, r) {
    for (const c of containers(v)) {
      if (Array.isArray(c)) continue;
      for (const k of Object.keys(c))
        if (typeof c[k] === 'string' && r.chance(0.3)) c[k] = r.pick(NASTY_STRINGS);
    }
  },
  // V8 .cpuprofile nodes: {id, callFrame, children}.
  swapIds(v, r) {
    const nodes = objectsWith(v, 'id');
    if (nodes.length < 2) return;
    const a = r.pick(nodes);
    const b = r.pick(nodes);
    [a.id, b.id] = [b.id, a.id];
  },
  childCycle(v, r) {
    const nodes = objectsWith(v, 'id');
    if (nodes.length < 2) return;
    const a = r.pick(nodes);
    const b = r.pick(nodes);
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      if (!Array.isArray(x.children)) x.children = [];
      (x.children as Json[]).push(y.id);
    }
  },
  parentCycle(v, r) {
    // Chrome trace chunks name each node's parent instead of its children.
    const nodes = objectsWith(v, 'parent');
    if (nodes.length < 2) return;
    const a = r.pick(nodes);
    const b = r.pick(nodes);
    [a.parent, b.parent] = [b.id ?? null, a.id ?? null];
  },
  selfChild(v, r) {
    const nodes = objectsWith(v, 'id');
    if (!nodes.length) return;
    const a = r.pick(nodes);
    a.children = [...(Array.isArray(a.children) ? a.children : []), a.id];
  },
  deepenStack(v, r) {
    // A chain of new nodes under a random node, and the samples pointed at its end.
    const nodes = objectsWith(v, 'callFrame');
    if (!nodes.length || Array.isArray(v) || !v || typeof v !== 'object') return;
    if (!Array.isArray(v.nodes)) return;
    let maxId = 0;
    for (const n of nodes) if (typeof n.id === 'number' && n.id > maxId) maxId = n.id;
    let parent = r.pick(nodes);
    const depth = r.pick([100, 1000, 5000]);
    const list = v.nodes as Json[];
    for (let d = 0; d < depth; d++) {
      const node: { [k: string]: Json } = {
        id: ++maxId,
        callFrame: {
          functionName: `f${d % 7}`,
          scriptId: '1',
          url: 'file:///d.js',
          lineNumber: d % 7,
          columnNumber: 0,
        },
        hitCount: 0,
      };
      if (!Array.isArray(parent.children)) parent.children = [];
      (parent.children as Json[]).push(maxId);
      list.push(node);
      parent = node;
    }
    if (Array.isArray(v.samples))
      for (let i = 0; i < v.samples.length; i += 2) v.samples[i] = maxId;
  },
  // speedscope / pysamples / collapsed-in-JSON: stacks as arrays of frame indexes.
  deepenArrays(v, r) {
    const arrays = (containers(v).filter(Array.isArray) as Json[][]).filter(
      (a) => a.length && a.every((x) => typeof x === 'number' && Number.isInteger(x)),
    );
    if (!arrays.length) return;
    const a = r.pick(arrays);
    const depth = r.pick([1000, 5000]);
    const base = a.slice();
    while (a.length < depth) a.push(...base);
  },
};

/** Applies one JSON mutation to `text`; returns undefined when the text is not JSON. */
export function mutateJson(text: string, r: Rng): { text: string; kind: string } | undefined {
  let v: Json;
  try {
    v = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  const kind = r.pick(Object.keys(jsonMutations));
  jsonMutations[kind](v, r);
  return { text: JSON.stringify(v), kind };
}

// ---------------------------------------------------------------------------------------------
// marshal (pstats) mutations, on the decoded value, written back by a small marshal writer.

/** Writes a marshal value (no refs): enough for pstats files the importer must read. */
export function writeMarshal(value: MarshalValue): Uint8Array {
  let buf = new Uint8Array(1 << 16);
  let view = new DataView(buf.buffer);
  let n = 0;
  const room = (k: number) => {
    if (n + k <= buf.length) return;
    const bigger = new Uint8Array(Math.max(buf.length * 2, n + k));
    bigger.set(buf);
    buf = bigger;
    view = new DataView(buf.buffer);
  };
  const out = {
    push(...bytes: number[]) {
      room(bytes.length);
      for (const b of bytes) buf[n++] = b;
    },
  };
  const i32 = (x: number) => {
    room(4);
    view.setInt32(n, x, true);
    n += 4;
  };
  const f64 = (x: number) => {
    room(8);
    view.setFloat64(n, x, true);
    n += 8;
  };
  const raw = (b: Uint8Array) => {
    room(b.length);
    buf.set(b, n);
    n += b.length;
  };
  const enc = new TextEncoder();
  const stack: Array<MarshalValue | { end: true }> = [value];
  while (stack.length) {
    const v = stack.pop() as MarshalValue | { end: true };
    if (v === null) out.push(0x4e);
    else if (v === true) out.push(0x54);
    else if (v === false) out.push(0x46);
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
        out.push(0x69);
        i32(v);
      } else if (Number.isInteger(v) && Math.abs(v) < 2 ** 60) {
        // 'l': base-2^15 digits, least significant first, sign on the count.
        const digits: number[] = [];
        let m = Math.abs(v);
        while (m > 0) {
          digits.push(m % 32768);
          m = Math.floor(m / 32768);
        }
        out.push(0x6c);
        i32(v < 0 ? -digits.length : digits.length);
        for (const d of digits) out.push(d & 0xff, d >> 8);
      } else {
        out.push(0x67);
        f64(v);
      }
    } else if (typeof v === 'string') {
      const b = enc.encode(v);
      out.push(0x75);
      i32(b.length);
      raw(b);
    } else if (v instanceof Uint8Array) {
      out.push(0x73);
      i32(v.length);
      raw(v);
    } else if (Array.isArray(v)) {
      if (v.length < 256) out.push(0x29, v.length);
      else {
        out.push(0x28);
        i32(v.length);
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v instanceof MarshalDict) {
      out.push(0x7b);
      stack.push({ end: true });
      for (let i = v.entries.length - 1; i >= 0; i--) stack.push(v.entries[i][1], v.entries[i][0]);
    } else if (v instanceof MarshalSet) {
      out.push(v.frozen ? 0x3e : 0x3c);
      i32(v.items.length);
      for (let i = v.items.length - 1; i >= 0; i--) stack.push(v.items[i]);
    } else out.push(0x30); // the end of a dict
  }
  return buf.slice(0, n);
}

const NASTY_FIGURES = [-1, NaN, Infinity, -Infinity, 1e308, 2 ** 53 + 2, 2 ** 40, 0, 1e-300];

/**
 * Mutations of a decoded pstats dict `{(file, line, name): (cc, nc, tt, ct, {caller: (nc, cc,
 * tt, ct)})}`, in place.
 */
export const pstatsMutations: Record<string, (top: MarshalDict, r: Rng) => void> = {
  nastyFigure(top, r) {
    if (!top.entries.length) return;
    const v = r.pick(top.entries)[1];
    if (!Array.isArray(v)) return;
    const callers = v[4];
    if (callers instanceof MarshalDict && callers.entries.length && r.chance(0.5)) {
      const cv = r.pick(callers.entries)[1];
      if (Array.isArray(cv)) cv[r.int(4)] = r.pick(NASTY_FIGURES);
    } else v[r.int(4)] = r.pick(NASTY_FIGURES);
  },
  allFiguresNasty(top, r) {
    const x = r.pick(NASTY_FIGURES);
    const k = r.int(4);
    for (const [, v] of top.entries) if (Array.isArray(v) && r.chance(0.5)) v[k] = x;
  },
  swapKeys(top, r) {
    if (top.entries.length < 2) return;
    const a = r.pick(top.entries);
    const b = r.pick(top.entries);
    [a[0], b[0]] = [b[0], a[0]];
  },
  callerCycle(top, r) {
    if (top.entries.length < 2) return;
    const a = r.pick(top.entries);
    const b = r.pick(top.entries);
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      const callers = Array.isArray(x[1]) ? x[1][4] : null;
      if (callers instanceof MarshalDict) callers.entries.push([y[0], [5, 5, 1.5, 9.5]]);
    }
  },
  selfCaller(top, r) {
    if (!top.entries.length) return;
    const a = r.pick(top.entries);
    const callers = Array.isArray(a[1]) ? a[1][4] : null;
    if (callers instanceof MarshalDict)
      callers.entries.push([a[0], [r.pick([1, 100, 1e9]), 1, 0.5, 3]]);
  },
  unknownCaller(top, r) {
    if (!top.entries.length) return;
    const callers = Array.isArray(r.pick(top.entries)[1])
      ? (r.pick(top.entries)[1] as MarshalValue[])[4]
      : null;
    if (callers instanceof MarshalDict)
      callers.entries.push([
        ['nowhere.py', r.int(99), 'ghost'],
        [1, 1, 0.1, 0.2],
      ]);
  },
  nastyKey(top, r) {
    if (!top.entries.length) return;
    const e = r.pick(top.entries);
    const key = Array.isArray(e[0]) ? (e[0].slice() as MarshalValue[]) : ['', 0, ''];
    const i = r.int(3);
    key[i] = i === 1 ? r.pick([-5, NaN, 1e20, 2 ** 31, 0.5]) : r.pick(NASTY_STRINGS);
    e[0] = key;
  },
  wrongShape(top, r) {
    if (!top.entries.length) return;
    const e = r.pick(top.entries);
    e[r.int(2)] = r.pick<MarshalValue>([
      null,
      [],
      [1, 2],
      'x',
      new MarshalDict([]),
      [1, 2, 3, 4, 5],
    ]);
  },
  deepChain(top, r) {
    // A call chain thousands of functions long: each one's caller is the previous one.
    const depth = r.pick([300, 2000]);
    let prev: MarshalValue = null;
    for (let d = 0; d < depth; d++) {
      const key: MarshalValue = ['/deep.py', d + 1, `f${d}`];
      const callers = new MarshalDict(prev ? [[prev, [1, 1, 0.001, (depth - d) * 0.001]]] : []);
      top.entries.push([key, [1, 1, 0.001, (depth - d) * 0.001, callers]]);
      prev = key;
    }
  },
};

/** Applies one pstats mutation to marshal bytes; undefined when they do not decode. */
export function mutatePstats(
  decoded: MarshalValue,
  r: Rng,
): { bytes: Uint8Array; kind: string } | undefined {
  if (!(decoded instanceof MarshalDict)) return undefined;
  // A deep copy through the writer and reader would need the reader here; copy by hand.
  const copy = (v: MarshalValue): MarshalValue =>
    Array.isArray(v)
      ? v.map(copy)
      : v instanceof MarshalDict
        ? new MarshalDict(v.entries.map(([k, x]) => [copy(k), copy(x)]))
        : v;
  const top = copy(decoded) as MarshalDict;
  const kind = r.pick(Object.keys(pstatsMutations));
  pstatsMutations[kind](top, r);
  return { bytes: writeMarshal(top), kind };
}

// ---------------------------------------------------------------------------------------------
// callgrind: lines that stress the parser's state machine.

const CALLGRIND_LINES = [
  'calls=1 0',
  'calls=-5 1',
  'calls=99999999999999999999 1',
  'fn=(1)',
  'fn=(99999)',
  'cfn=(1)',
  'cfn=(4294967296) <img src=x onerror=alert(1)>',
  'fl=(1) <script>alert(1)</script>',
  'fi=(2)',
  'positions: instr line',
  'positions: line',
  'events: A B C',
  'events: Ir',
  'event: Ir : <b>bold</b>',
  '0x7fffffff 1',
  '-99999 5',
  '+9999999999999999999 1',
  '* 1',
  '1 -5',
  '1 1e308',
  'totals: 1e400',
  `1 ${'9'.repeat(310)}`,
  `calls=${'9'.repeat(310)} 1`,
  'summary: 5',
  'part: 2',
  'jump=1 2',
  'ob=(1)',
  'cob=(7)',
  'rcalls=3 1',
];

/** Inserts a callgrind line that moves the parser into an unusual state. */
export function callgrindLine(t: string, r: Rng): string {
  const lines = t.split('\n');
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) lines.splice(r.int(lines.length + 1), 0, r.pick(CALLGRIND_LINES));
  return lines.join('\n');
}
