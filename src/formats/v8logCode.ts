/**
 * The code entries of a preprocessed V8 log (`node --prof-process --preprocess`, see v8log.ts)
 * as frames, named as V8's tick processor names them, and the source line a tick's offset in a
 * JavaScript code object points at.
 *
 * The preprocessor writes one entry per code object: `{name, type}` with `type` `SHARED_LIB` (a
 * library's address range, named by its path), `CPP` (a C++ symbol `nm` found in one), `CODE`
 * (V8's own code: `kind` `Builtin`, `BytecodeHandler`, `RegExp`, `Handler`, ...) or `JS` (a
 * JavaScript function's code at one tier, `kind` `Unopt`, `Sparkplug`, `Maglev`, `Opt`; `func`
 * its function, `source` its script and positions). A JavaScript entry's name is
 * `<function> <script>:<line>:<column>` (1-based; the function empty when anonymous).
 */
import { classifyJsFrame } from '../core/frameKind';
import type { Frame } from '../core/profile';
import { fileUrlToPath } from '../util/fileUrl';

/** What the importer needs of one code entry. */
export interface V8CodeEntry {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly kind?: unknown;
  readonly func?: unknown;
  readonly source?: unknown;
}

/** A script of the log (`scripts[id]`): its URL or name, and its text where the log has it. */
export interface V8Script {
  readonly url?: unknown;
  readonly name?: unknown;
  readonly source?: unknown;
}

/**
 * A JavaScript entry's name as the function, file and position: the script's URL where the name
 * ends with it (paths may hold blanks), else the last blank-free `file:line:column`. Older tick
 * processor names (`LazyCompile: *fib /x.js:8:13`, `JS: ~fib ...`) lose their type and tier.
 */
export function parseJsName(
  raw: string,
  url: string | undefined,
): { name: string; file: string | null; line1: number | null; col1: number | null } {
  const text = raw.replace(/^(?:JS|LazyCompile|Function|Script|Eval): [*~^+]?/, '');
  let fn = text;
  let file: string | null = null;
  let line1: number | null = null;
  let col1: number | null = null;
  const tail = /:(\d+):(\d+)$/.exec(text);
  if (tail) {
    const before = text.slice(0, tail.index);
    let at = -1;
    if (url && before.endsWith(url)) at = before.length - url.length;
    else {
      const m = /(?:^| )(\S*)$/.exec(before);
      if (m) at = m.index + (m[0].startsWith(' ') ? 1 : 0);
    }
    if (at >= 0 && (at === 0 || before[at - 1] === ' ')) {
      fn = before.slice(0, Math.max(0, at - 1));
      file = before.slice(at) || null;
      const l = Number(tail[1]);
      const c = Number(tail[2]);
      line1 = Number.isSafeInteger(l) && l >= 1 ? l : null;
      col1 = Number.isSafeInteger(c) && c >= 1 ? c : null;
    }
  }
  return { name: fn.trim() || '(anonymous)', file: file && fileUrlToPath(file), line1, col1 };
}

/** The frame of a code entry; null for an entry the tick processor leaves out (bytecode handlers). */
export function codeFrame(entry: V8CodeEntry, scripts: readonly unknown[]): Frame | null {
  const raw = typeof entry.name === 'string' ? entry.name : '';
  const kind = typeof entry.kind === 'string' ? entry.kind : '';
  switch (entry.type) {
    case 'JS': {
      const url = scriptUrl(scripts, scriptOf(entry));
      const f = parseJsName(raw, url);
      return {
        ...f,
        kind: classifyJsFrame(f.name, f.file ?? '', f.line1 === null ? -1 : f.line1 - 1),
      };
    }
    case 'CODE':
      // The tick processor's default: bytecode handlers are not frames (the interpreted
      // function below them is), the other kinds are, named `<kind>: <name>`.
      if (kind === 'BytecodeHandler') return null;
      return native(kind ? `${kind}: ${raw}` : raw || '(code)');
    default:
      // SHARED_LIB (named by its path) and CPP.
      return native(raw || '(native code)');
  }
}

function native(name: string): Frame {
  return { name, file: null, line1: null, col1: null, kind: 'runtime' };
}

function scriptOf(entry: V8CodeEntry): number {
  const source = entry.source as { script?: unknown } | null | undefined;
  const id = typeof source === 'object' && source !== null ? source.script : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : -1;
}

function scriptAt(scripts: readonly unknown[], id: number): V8Script | undefined {
  const s = id >= 0 && id < scripts.length ? scripts[id] : undefined;
  return typeof s === 'object' && s !== null ? (s as V8Script) : undefined;
}

function scriptUrl(scripts: readonly unknown[], id: number): string | undefined {
  const s = scriptAt(scripts, id);
  const url = s?.url ?? s?.name;
  return typeof url === 'string' && url ? url : undefined;
}

/** A code object's source positions: code offsets ascending, each with its source position. */
interface Positions {
  readonly code: number[];
  readonly source: number[];
  /** The inlined function (an index into the entry's `fns`), -1 for the function itself. */
  readonly inlined: number[];
}

/**
 * Finds the source line of an offset into a JavaScript code object: its positions (V8's
 * `C<code offset>O<source offset>[I<inlined>]`) give the source offset of the last position at
 * or before the offset, and the script's text its line. Lines of a function inlined into the
 * code belong to that function's script. Cached per code entry and per script.
 */
export class V8Lines {
  private readonly positions = new Map<number, Positions | null>();
  private readonly lineStarts = new Map<number, number[] | null>();

  constructor(
    private readonly code: readonly unknown[],
    private readonly functions: readonly unknown[],
    private readonly scripts: readonly unknown[],
  ) {}

  /** The file and 1-based line of `offset` in code entry `id`, or null when unknown. */
  lineAt(id: number, offset: number): { file: string; line1: number } | null {
    const entry = this.code[id] as V8CodeEntry;
    const p = this.positionsOf(id, entry);
    if (!p || !p.code.length || !(offset >= 0)) return null;
    let lo = 0;
    let hi = p.code.length - 1;
    if (p.code[0] > offset) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (p.code[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const script = p.inlined[lo] < 0 ? scriptOf(entry) : this.inlinedScript(entry, p.inlined[lo]);
    const url = scriptUrl(this.scripts, script);
    const starts = this.startsOf(script);
    if (!url || !starts) return null;
    const pos = p.source[lo];
    let a = 0;
    let b = starts.length - 1;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (starts[mid] <= pos) a = mid;
      else b = mid - 1;
    }
    return { file: fileUrlToPath(url), line1: a + 1 };
  }

  private positionsOf(id: number, entry: V8CodeEntry): Positions | null {
    let p = this.positions.get(id);
    if (p !== undefined) return p;
    p = null;
    const source = entry?.source as { positions?: unknown } | null | undefined;
    const text = typeof source === 'object' && source !== null ? source.positions : undefined;
    if (typeof text === 'string') {
      const code: number[] = [];
      const src: number[] = [];
      const inlined: number[] = [];
      let sorted = true;
      for (const m of text.matchAll(/C(\d+)O(\d+)(?:I(\d+))?/g)) {
        const c = Number(m[1]);
        if (code.length && c < code[code.length - 1]) sorted = false;
        code.push(c);
        src.push(Number(m[2]));
        inlined.push(m[3] === undefined ? -1 : Number(m[3]));
      }
      if (sorted) p = { code, source: src, inlined };
    }
    this.positions.set(id, p);
    return p;
  }

  /** The script of inlined function `k` of an entry (`source.fns[k]`, a function index). */
  private inlinedScript(entry: V8CodeEntry, k: number): number {
    const fns = (entry.source as { fns?: unknown }).fns;
    const fn = Array.isArray(fns) ? fns[k] : undefined;
    const f = typeof fn === 'number' ? this.functions[fn] : undefined;
    const codes = typeof f === 'object' && f !== null ? (f as { codes?: unknown }).codes : null;
    if (!Array.isArray(codes)) return -1;
    for (const c of codes) {
      const e = typeof c === 'number' ? (this.code[c] as V8CodeEntry | undefined) : undefined;
      if (typeof e === 'object' && e !== null && scriptOf(e) >= 0) return scriptOf(e);
    }
    return -1;
  }

  private startsOf(script: number): number[] | null {
    let starts = this.lineStarts.get(script);
    if (starts !== undefined) return starts;
    const text = scriptAt(this.scripts, script)?.source;
    starts = null;
    if (typeof text === 'string') {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    this.lineStarts.set(script, starts);
    return starts;
  }
}
