/**
 * The line parser of callgrind files (see callgrind.ts for the format and what the model gets):
 * one method per kind of line, filling the tables callgrind.ts turns into a profile. Text is
 * scanned where it lies, a piece of the file at a time: a cost line, most of a file, makes no
 * string and no object, and a position line makes a string only when it defines a name.
 *
 * Recursion levels. valgrind (`--separate-recs`, 2 by default) names a function called while
 * it is already on the stack `fn'2` (and deeper `fn'3`..., up to the option's level). Calls into
 * level 1 are the outermost: they never nest inside one another, so their inclusive costs add
 * up to exactly the time the function was on the stack. Levels are merged into one function
 * for the model, but every call record keeps whether its caller and its callee were at level 1,
 * and the figures that need it (totals, primitive calls, edge totals) are summed from the
 * outermost records only. A file without levels (yappi, pyprof2calltree, valgrind with
 * `--separate-recs=1`) has every function at level 1.
 */
import {
  CallgrindEdges,
  Compressed,
  NamePool,
  type CallgrindFunction,
  type CallgrindHeader,
} from './callgrindTables';
import { ProfileFormatError } from './errors';

/** Larger costs or counts than a 64-bit counter holds only come from damage. */
const MAX_COUNT = 2 ** 64;
/** Positions past this are not lines (and would not fit the model's Int32 columns). */
const MAX_POSITION = 0x7fffffff;

type Pending = 'calls' | 'jump' | null;

/** The parser (see the module comment). Feed it text with {@link feed}, then call {@link finish}. */
export class CallgrindParser {
  readonly header: CallgrindHeader = {
    creator: '',
    eventNames: null,
    weightName: '',
    weightIndex: 0,
    longNames: new Map(),
    allEvents: new Set(),
    positionCount: 1,
    lineIndex: 0,
    parts: 0,
    totalsSeen: 0,
    totalsSum: 0,
  };
  readonly fns: CallgrindFunction[] = [];
  readonly edges = new CallgrindEdges();
  /** Per function, self cost per (file pool id * 2^24 + line). */
  readonly cells: Array<Map<number, number> | undefined> = [];
  readonly pool = new NamePool();
  /** Names used before any definition, for a warning: `function (12)`. */
  readonly undefinedRefs = new Set<string>();
  /** Cost lines outside calls (self costs). */
  costLines = 0;
  /** Costs and counts past {@link MAX_COUNT}, counted as 0, and the first line holding one. */
  hugeNumbers = 0;
  firstHugeLine = 0;

  private readonly label: string;
  private lineNo = 0;
  private readonly objects = new Compressed();
  private readonly files = new Compressed();
  private readonly names = new Compressed();
  private readonly fnIndex = new Map<number | string, number>();
  // Position state, as pool ids (-1: none).
  private object = 0;
  private fnFile = 0;
  private fnObject = 0;
  private file = 0;
  private fnName = -1;
  private currentFn = -1;
  private currentOuter = true;
  private calledObject = -1;
  private calledFile = -1;
  private calledName = -1;
  private pending: Pending = null;
  private pendingCalls = 0;
  private pendingAt = 0;
  private last = [0];
  // The line being read: text[start .. end), and the scan cursor.
  private text = '';
  private start = 0;
  private end = 0;
  private at = 0;

  constructor(private readonly source: string | undefined) {
    this.label = source ?? 'The profile';
  }

  /** Fails with the format's error naming the file. */
  fail(what: string): never {
    throw new ProfileFormatError(
      `${this.label} is not a readable callgrind file: ${what} Check that the file was copied ` +
        'whole, or record it again (valgrind --tool=callgrind, or yappi save(type="callgrind")).',
      this.source,
    );
  }

  private failAt(what: string): never {
    const raw = this.text.slice(this.start, this.end);
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}...` : raw;
    return this.fail(`line ${this.lineNo} (${JSON.stringify(shown)}) ${what}`);
  }

  /**
   * Reads every line of `text`: lines end at `\n` (a `\r` before it is dropped), and text after
   * the last newline is a line too. Pieces of one file must end at line ends.
   */
  feed(text: string): void {
    this.text = text;
    const n = text.length;
    let from = text.charCodeAt(0) === 0xfeff && this.lineNo === 0 ? 1 : 0;
    while (from < n) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = n;
      this.lineNo++;
      this.start = from;
      this.end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
      this.line();
      from = to + 1;
    }
  }

  /** Reads a line given on its own (a trailing `\r` is ignored). */
  feedLine(line: string): void {
    this.text = line;
    this.lineNo++;
    this.start = 0;
    this.end = line.endsWith('\r') ? line.length - 1 : line.length;
    this.line();
  }

  /** Checks the end of the file. */
  finish(): void {
    if (this.pending === 'calls')
      this.fail(`line ${this.pendingAt} starts a call (calls=), but the file ends there.`);
    if (this.header.eventNames === null) this.fail('it has no `events:` line.');
  }

  private line(): void {
    const { text, start, end } = this;
    if (start === end) return;
    const c = text.charCodeAt(start);
    if (c === 35 /* # */) return;
    const cost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (this.pending === 'calls' && !cost) {
      this.lineNo = this.pendingAt;
      this.fail(`line ${this.pendingAt} starts a call (calls=), but no cost line follows it.`);
    }
    if (cost) this.costLine();
    else if (!this.positionLine(c) && !this.callLine(c)) this.headerLine();
  }

  /** `ob= fl= fi= fe= fn= cob= cfi= cfl= cfn=` (and `jfi= jfn=`, which only define names). */
  private positionLine(c: number): boolean {
    const { text, start } = this;
    let spec = '';
    if (c === 102 /* f */ || c === 111 /* o */) spec = text.slice(start, start + 3);
    else if (c === 99 /* c */ || c === 106 /* j */) spec = text.slice(start, start + 4);
    let value: number;
    switch (spec) {
      case 'ob=':
        this.object = this.resolve(this.objects, start + 3, 'object');
        return true;
      case 'fl=':
        this.fnFile = this.file = this.resolve(this.files, start + 3, 'file');
        return true;
      case 'fi=':
      case 'fe=':
        this.file = this.resolve(this.files, start + 3, 'file');
        return true;
      case 'fn=':
        value = this.resolve(this.names, start + 3, 'function');
        this.fnName = value;
        this.fnObject = this.object;
        this.file = this.fnFile;
        this.currentFn = -1;
        return true;
      case 'cob=':
        this.calledObject = this.resolve(this.objects, start + 4, 'object');
        return true;
      case 'cfi=':
      case 'cfl=':
        this.calledFile = this.resolve(this.files, start + 4, 'file');
        return true;
      case 'cfn=':
        this.calledName = this.resolve(this.names, start + 4, 'function');
        return true;
      case 'jfi=':
        this.resolve(this.files, start + 4, 'file');
        return true;
      case 'jfn=':
        this.resolve(this.names, start + 4, 'function');
        return true;
    }
    return false;
  }

  /** The pool id of a position's value at `from`: `(n) name`, `(n)` or a plain name. */
  private resolve(table: Compressed, from: number, kind: string): number {
    const { text, end } = this;
    let at = from;
    while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
    if (text.charCodeAt(at) === 40 /* ( */) {
      let n = 0;
      let k = at + 1;
      while (k < end && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) {
        n = n * 10 + text.charCodeAt(k) - 48;
        k++;
      }
      if (k > at + 1 && text.charCodeAt(k) === 41 /* ) */) {
        const name = text.slice(k + 1, end).trim();
        if (name) {
          const id = this.pool.id(name);
          table.set(n, id);
          return id;
        }
        const known = table.get(n);
        if (known !== undefined) return known;
        // yappi writes such references when two functions share a name and a line (nested
        // list comprehensions): KCachegrind carries on with an unknown name, and so do we.
        this.undefinedRefs.add(`${kind} (${n})`);
        return this.pool.id(`(${n})`);
      }
    }
    return this.pool.id(text.slice(at, end).trim());
  }

  /** `calls=`/`rcalls=` (a call follows), `jump=`/`jcnd=` (skipped with its cost line). */
  private callLine(c: number): boolean {
    const { text, start } = this;
    if (c === 99 /* c */ && text.startsWith('calls=', start)) {
      this.pendingCalls = this.callCount(start + 6);
    } else if (c === 114 /* r */ && text.startsWith('rcalls=', start)) {
      this.pendingCalls = this.callCount(start + 7);
    } else if (
      c === 106 /* j */ &&
      (text.startsWith('jump=', start) || text.startsWith('jcnd=', start))
    ) {
      this.pending = 'jump';
      return true;
    } else return false;
    this.pending = 'calls';
    this.pendingAt = this.lineNo;
    return true;
  }

  private callCount(from: number): number {
    const { text, end } = this;
    this.at = from;
    this.skipSpace();
    const c = text.charCodeAt(this.at);
    if (c >= 48 && c <= 57) {
      const save = this.at;
      const v = this.scanNumberOrNaN();
      if (!Number.isNaN(v)) return this.huge(v);
      this.at = save;
    }
    // Rare spellings (1.5, 1e3): what Number makes of the first field.
    let k = this.at;
    while (k < end && text.charCodeAt(k) !== 32 && text.charCodeAt(k) !== 9) k++;
    const token = text.slice(this.at, k);
    const v = Number(token);
    if (!Number.isFinite(v) || token === '' || !/^\d/.test(token))
      this.failAt(`has ${JSON.stringify(token)} where a number was expected.`);
    return this.huge(v);
  }

  /** Header lines (`events:`, `positions:`, `part:`, ...) and keys of later format versions. */
  private headerLine(): void {
    const raw = this.text.slice(this.start, this.end);
    // jfi=, jfn= and keys of later format versions: nothing we show.
    if (/^[a-z]+=/.test(raw)) return;
    const m = /^([A-Za-z][\w ()]*):\s*(.*)$/.exec(raw);
    if (!m) this.failAt('is not a callgrind line.');
    const key = m[1].trim();
    const value = m[2].trim();
    const h = this.header;
    if (key === 'events') {
      const evs = value.split(/[ \t]+/).filter(Boolean);
      if (!evs.length) this.failAt('names no event type.');
      evs.forEach((e) => h.allEvents.add(e));
      if (h.eventNames === null) {
        h.weightName = evs[0];
        h.weightIndex = 0;
      } else h.weightIndex = evs.indexOf(h.weightName);
      h.eventNames = evs;
    } else if (key === 'event') {
      const e = /^(\S+?)\s*(?:=[^:]*)?(?::\s*(.*))?$/.exec(value);
      if (e && e[2]) h.longNames.set(e[1], e[2].trim());
    } else if (key === 'positions') {
      const ps = value.split(/[ \t]+/).filter(Boolean);
      h.positionCount = Math.max(1, ps.length);
      h.lineIndex = ps.indexOf('line');
      this.last = new Array<number>(h.positionCount).fill(0);
    } else if (key === 'creator') {
      h.creator = value;
    } else if (key === 'part') {
      h.parts++;
      // A new part starts from a clean context (KCachegrind does the same).
      this.object = this.fnFile = this.fnObject = this.file = 0;
      this.fnName = this.calledName = this.calledObject = this.calledFile = -1;
      this.currentFn = -1;
      this.last.fill(0);
    } else if (key === 'totals') {
      h.totalsSeen++;
      const t = value.split(/[ \t]+/)[Math.max(0, h.weightIndex)];
      const v = t ? Number(t) || 0 : 0;
      h.totalsSum += Number.isFinite(v) && v < MAX_COUNT ? v : 0;
    }
    // version, pid, cmd, thread, desc, summary and unknown keys carry nothing we show.
  }

  private skipSpace(): void {
    const { text } = this;
    while (text.charCodeAt(this.at) === 32 || text.charCodeAt(this.at) === 9) this.at++;
  }

  /**
   * The unsigned number (decimal or 0x hex) at the cursor, moving past it; NaN when the
   * characters there are not one (no digit, or something other than a blank after it).
   */
  private scanNumberOrNaN(): number {
    const { text, end } = this;
    let at = this.at;
    let v = 0;
    let digits = 0;
    if (text.charCodeAt(at) === 48 && (text.charCodeAt(at + 1) | 32) === 120 /* 0x */) {
      at += 2;
      for (;;) {
        const c = text.charCodeAt(at) | 32;
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
        if (d < 0 || at >= end) break;
        v = v * 16 + d;
        digits++;
        at++;
      }
    } else {
      for (;;) {
        const c = text.charCodeAt(at);
        if (!(c >= 48 && c <= 57) || at >= end) break;
        v = v * 10 + (c - 48);
        digits++;
        at++;
      }
    }
    const next = text.charCodeAt(at);
    this.at = at;
    if (!digits || !(at >= end || next === 32 || next === 9)) return NaN;
    return v;
  }

  /** {@link scanNumberOrNaN}, failing with the token when there is no number. */
  private scanNumber(): number {
    const from = this.at;
    const v = this.scanNumberOrNaN();
    if (!Number.isNaN(v)) return v;
    this.at = from;
    const rest = this.text.slice(from, this.end).trim();
    const token = rest.split(/[ \t]+/)[0] ?? '';
    return this.failAt(`has ${JSON.stringify(token)} where a number was expected.`);
  }

  /** A count or cost: past what a 64-bit counter holds, 0 (and counted, for a warning). */
  private huge(v: number): number {
    if (v < MAX_COUNT) return v;
    if (!this.hugeNumbers++) this.firstHugeLine = this.lineNo;
    return 0;
  }

  /** Subpositions, then costs: the current function's self cost, or a call's inclusive cost. */
  private costLine(): void {
    const h = this.header;
    if (h.eventNames === null) this.failAt('is a cost line, but no `events:` line came before it.');
    const { text, end, last } = this;
    this.at = this.start;
    for (let i = 0; i < h.positionCount; i++) {
      this.skipSpace();
      if (this.at >= end) this.failAt(`has fewer than ${h.positionCount} positions.`);
      const c = text.charCodeAt(this.at);
      if (c === 42 /* * */) {
        this.at++;
      } else if (c === 43 /* + */) {
        this.at++;
        last[i] += this.scanNumber();
      } else if (c === 45 /* - */) {
        this.at++;
        last[i] -= this.scanNumber();
      } else {
        last[i] = this.scanNumber();
      }
    }
    let cost = 0;
    if (h.weightIndex >= 0) {
      for (let k = 0; k <= h.weightIndex; k++) {
        this.skipSpace();
        if (this.at >= end) break; // missing trailing costs are 0
        const v = this.scanNumber();
        if (k === h.weightIndex) cost = this.huge(v);
      }
    }
    if (this.pending === 'jump') {
      this.pending = null;
      return;
    }
    if (this.fnName < 0) this.failAt('is a cost line outside any function (no `fn=` before it).');
    if (this.currentFn < 0) this.enterFunction();
    if (this.pending === 'calls') {
      this.pending = null;
      this.call(cost);
      return;
    }
    this.costLines++;
    const line = h.lineIndex >= 0 ? last[h.lineIndex] : 0;
    this.selfCost(cost, line > 0 && line <= MAX_POSITION ? line : 0);
  }

  /** The function of the current `fn=`, made on first use. */
  private enterFunction(): void {
    const { base, outer } = this.pool.level(this.fnName);
    this.currentFn = this.functionOf(this.fnObject, this.fnFile, base);
    this.currentOuter = outer;
    if (!outer) this.fns[this.currentFn].leveled = true;
  }

  private functionOf(object: number, file: number, name: number): number {
    // Three pool ids below 2^17 make one exact number; more names than that, a string.
    const key =
      object < 131072 && file < 131072 && name < 131072
        ? (object * 131072 + file) * 131072 + name
        : `${object},${file},${name}`;
    let fn = this.fnIndex.get(key);
    if (fn === undefined) {
      fn = this.fns.length;
      const text = this.pool.text;
      this.fns.push({
        name: text[name],
        file: text[file],
        object: text[object],
        self: 0,
        selfOuter: 0,
        firstLine: 0,
        minLine: 0,
        leveled: false,
      });
      this.fnIndex.set(key, fn);
    }
    return fn;
  }

  private call(cost: number): void {
    if (this.calledName < 0) this.failAt('ends a call, but no `cfn=` names the called function.');
    const { base, outer } = this.pool.level(this.calledName);
    const callee = this.functionOf(
      this.calledObject >= 0 ? this.calledObject : this.object,
      this.calledFile >= 0 ? this.calledFile : this.file,
      base,
    );
    if (!outer) this.fns[callee].leveled = true;
    this.edges.add(this.currentFn, this.currentOuter, callee, outer, this.pendingCalls, cost);
    this.calledObject = this.calledFile = -1;
  }

  private selfCost(cost: number, line: number): void {
    const fn = this.fns[this.currentFn];
    fn.self += cost;
    if (this.currentOuter) fn.selfOuter += cost;
    if (line > 0 && this.file === this.fnFile) {
      if (!fn.firstLine) fn.firstLine = line;
      if (!fn.minLine || line < fn.minLine) fn.minLine = line;
    }
    if (line > 0 && line < 16777216 && cost > 0) {
      let table = this.cells[this.currentFn];
      if (!table) this.cells[this.currentFn] = table = new Map();
      const key = this.file * 16777216 + line;
      table.set(key, (table.get(key) ?? 0) + cost);
    }
  }
}
