/* eslint-disable max-lines -- one format, one file: see "Over 500 lines on purpose" below. */
/**
 * Linux `perf script` text: the samples of a `perf record` as text, one block per sample. A
 * header line (`comm pid/tid [cpu] time: period event:`, each field present or not as `-F`
 * chose) and, for a recording with call chains (`-g`), one frame per line below it, leaf first,
 * each `\t<ip> <sym>+0x<off> (<dso>)` with any of the three left out; a blank line ends the
 * block. With `-F +srcline` a frame is followed by its source line (`  file.c:12`); with
 * `--inline` an inlined function is a frame of its own, `<ip> <name> (inlined)`, above the frame
 * of the function it was inlined into. Without call chains the one frame follows the header on
 * its line. `perf script --header` starts the file with `#` comments.
 *
 * Choices, and why:
 *
 * - A sample weighs its period where `-F` kept it (perf report's weighting: nanoseconds for
 *   cpu-clock and task-clock, event counts otherwise), else 1. So the figures are perf report's:
 *   a function's self is the weight of the samples it is the leaf of, its total the weight of the
 *   samples it is on the stack of, counted once however often it recurses.
 * - Frames are functions: the symbol (`+0x..` offsets cut off), and the file of its source line
 *   where `-F +srcline` gave one; the source lines go to the line table (the leaf's line only: a
 *   sample counts on one line). `[unknown]` symbols keep the name of their binary. Kernel frames
 *   (`[kernel.kallsyms]`, `[vdso]`, kernel addresses) and `[unknown]` are the runtime's, shared
 *   libraries under /lib, /usr and /opt library code, the rest the user's.
 * - Threads: every thread (pid/tid) is a choice, after the default, all of them, each under a
 *   pseudo frame `comm pid/tid` when there are several. A file of several events (`-e a,b`)
 *   offers each event (weights of different events never add up). A single thread's samples keep
 *   their time order where time and a clock period are there.
 * - Lines that are not a sample (damage, an interleaved message) are skipped and counted in one
 *   warning; a file that ends inside a line is read as far as it goes, with a warning. A file
 *   with no sample is an error that names the file.
 *
 * Over 500 lines on purpose: a format is one file (the registry's contract, docs/ARCHITECTURE.md),
 * and the header, frame and sample readers here share one line grammar.
 */
import { Float64Column, Int32Column } from '../core/growable';
import { ProfileBuilder, type Frame, type FrameKind, type Profile } from '../core/profile';
import { listChoices, type ImportOptions, type ProfileChoice } from './choices';
import { ProfileFormatError } from './errors';

const NAME = /(?:^|[\\/])perf\.script$|\.perf$/i;
/** A frame line: a tab, then (as -F chose) the address, the symbol and the binary. */
const FRAME_LINE = /^\t\s*(?:[0-9a-f]+\s|[0-9a-f]+$|\S)/;
const TIME = /^\d+\.\d+:$/;
const PID = /^\d+(?:\/\d+)?$/;
const CPU = /^\[\d+\]$/;
const DIGITS = /^\d+$/;
/** A kernel address (x86-64, arm64: the upper half). */
const KERNEL_IP = /^ffff[89a-f][0-9a-f]{11}$/;
const KERNEL_DSO = /^\[(?:kernel\.kallsyms|vdso|vsyscall|guest\.kernel\.kallsyms|kernel\..*)\]$/;
const LIBRARY_DSO = /^\/(?:usr\/|lib|opt\/)|\.so(?:\.\d+)*$/;
const SRCLINE = /^(.+):(\d+)(?: \(discriminator \d+\))?$/;
/** What perf prints as a frame's source line: `file.c:12`, `??:0`, `[kernel.kallsyms][ffff...]`. */
const SRCLINE_TEXT = /^\S+(?: \(discriminator \d+\))?$/;
/** The events whose period is a time in nanoseconds. */
const CLOCK_EVENT = /^(?:cpu-clock|task-clock)(?::|$)/;
/** The magic at the start of perf's binary `perf.data`. */
const PERF_DATA = 'PERFILE2';

/** One sample header: who, when, how heavy and which event; the frame on its line, if any. */
interface Header {
  readonly comm: string;
  readonly thread: string;
  readonly time: number | undefined;
  readonly period: number | undefined;
  readonly event: string;
  /** The frame printed on the header's line (a recording without call chains). */
  readonly frame: string;
}

/**
 * Reads a header line: comm (which may hold blanks), `pid/tid` or `tid`, `[cpu]`, `time:`,
 * period and `event:`, each where -F kept it and always in that order. Null when none of the
 * fields is there.
 */
function parseHeader(line: string): Header | null {
  const tokens = line.trim().split(/\s+/);
  const at = tokens.findIndex((t) => CPU.test(t) || TIME.test(t));
  const timeAt = tokens.findIndex((t) => TIME.test(t));
  let event = -1;
  for (let i = Math.max(at, 0); i < tokens.length; i++) {
    const t = tokens[i];
    if (t.length > 1 && t.endsWith(':') && !TIME.test(t) && !DIGITS.test(t.slice(0, -1))) {
      event = i;
      break;
    }
  }
  let period = -1;
  if (event > 0 && DIGITS.test(tokens[event - 1]) && event - 1 > at) {
    // Without a time, a lone number before the event is the thread unless another precedes it.
    const before = tokens[event - 2];
    if (at >= 0 || (before !== undefined && PID.test(before))) period = event - 1;
  }
  // comm and pid/tid come first: the thread is the last number before the first other field
  // (a comm may hold blanks and numbers); on a line of none, the first number.
  const end = [at, period, event].find((i) => i >= 0) ?? -1;
  let pid = -1;
  if (end >= 0) {
    for (let i = end - 1; i >= 0 && pid < 0; i--) if (PID.test(tokens[i])) pid = i;
  } else pid = tokens.findIndex((t) => PID.test(t));
  if (pid < 0 && at < 0 && event < 0) return null;
  const last = Math.max(pid, at, period, event, timeAt);
  return {
    comm: tokens.slice(0, pid >= 0 ? pid : Math.max(end, 0)).join(' '),
    thread: pid >= 0 ? tokens[pid] : '',
    time: timeAt >= 0 ? Number(tokens[timeAt].slice(0, -1)) : undefined,
    period: period >= 0 ? Number(tokens[period]) : undefined,
    event: event >= 0 ? tokens[event].slice(0, -1) : '',
    frame: tokens.slice(last + 1).join(' '),
  };
}

/** A frame line's parts: address, symbol (offset cut off) and binary. */
interface FrameText {
  readonly ip: string;
  readonly sym: string;
  readonly dso: string;
}

function parseFrame(text: string): FrameText {
  let rest = text.trim();
  let ip = '';
  const m = /^([0-9a-f]+)(?:\s+|$)/.exec(rest);
  if (m && (m[0].length < rest.length || m[1].length >= 4)) {
    ip = m[1];
    rest = rest.slice(m[0].length);
  }
  // An inlined function's frame says so instead of naming a binary: it is a frame like others.
  if (rest.endsWith('(inlined)')) rest = rest.slice(0, -'(inlined)'.length).trimEnd();
  let dso = '';
  if (rest.endsWith(')')) {
    // The binary is the last parenthesised group after a blank (C++ symbols hold parentheses).
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        if (i === 0 || rest[i - 1] === ' ') {
          dso = rest.slice(i + 1, -1);
          rest = rest.slice(0, i).trimEnd();
        }
        break;
      }
    }
  }
  return { ip, sym: rest.replace(/\+0x[0-9a-f]+$/, ''), dso };
}

function frameKind(f: FrameText): FrameKind {
  if (KERNEL_DSO.test(f.dso) || KERNEL_IP.test(f.ip)) return 'runtime';
  if (f.sym === '[unknown]' || f.dso === '[unknown]') return 'runtime';
  if (f.dso && LIBRARY_DSO.test(f.dso)) return 'library';
  return 'user';
}

function baseName(path: string): string {
  return path.replace(/^.*\//, '');
}

/** The frame of a parsed frame line and its source line (`file.c:12`, or empty). */
function toFrame(f: FrameText, srcline: string): Frame {
  let name = f.sym;
  if (!name || name === '[unknown]') {
    const where = f.dso && f.dso !== '[unknown]' ? baseName(f.dso) : '';
    name = where ? `[unknown] (${where})` : f.ip && !f.sym ? `0x${f.ip}` : '[unknown]';
  }
  const src = SRCLINE.exec(srcline);
  const file = src && src[1] !== '??' && !src[1].startsWith('[') ? src[1] : null;
  return { name, file, line1: null, col1: null, kind: frameKind(f) };
}

/** What kind of line a line of the file is (see {@link scanLines}). */
type LineKind = 'sample' | 'frame' | 'srcline';

/** What {@link scanLines} found besides the lines it visited. */
interface Scan {
  readonly invalid: number;
  readonly firstInvalid: number;
  readonly lines: number;
  readonly cutOff: boolean;
}

/**
 * Walks the file's lines and calls `visit` for each sample header (with its fields), frame and
 * source line; counts the lines that are none of these. Comments (`#`) and blank lines end
 * nothing but a sample's frames.
 */
function scanLines(
  text: string,
  visit: (kind: LineKind, line: string, header: Header | null) => void,
): Scan {
  let from = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let invalid = 0;
  let firstInvalid = 0;
  let prev: LineKind | 'none' = 'none';
  const n = text.length;
  while (from < n) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = n;
    const start = from;
    const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    from = to + 1;
    lineNo++;
    const c = text.charCodeAt(start);
    if (c === 9 /* \t */) {
      const line = text.slice(start, end);
      if (prev === 'none' || !FRAME_LINE.test(line)) {
        if (invalid++ === 0) firstInvalid = lineNo;
        continue;
      }
      visit((prev = 'frame'), line, null);
      continue;
    }
    const line = text.slice(start, end);
    const trimmed = line.trim();
    let header: Header | null;
    if (!trimmed) {
      prev = 'none';
    } else if (c === 35 /* # */ && prev === 'none') {
      // perf script --header's comments, and perf's own notes.
    } else if (c === 32 && prev !== 'none' && SRCLINE_TEXT.test(trimmed)) {
      visit((prev = 'srcline'), trimmed, null);
    } else if ((header = parseHeader(line))) {
      visit((prev = 'sample'), line, header);
    } else {
      prev = 'none';
      if (invalid++ === 0) firstInvalid = lineNo;
    }
  }
  return { invalid, firstInvalid, lines: lineNo, cutOff: n > 0 && text.charCodeAt(n - 1) !== 10 };
}

/**
 * Whether a file holds `perf script` text: by name first (`perf.script`, `*.perf`), then by
 * content: after any `#` comments, the first line is a sample header followed by tab-indented
 * frames, or the first lines are sample headers with a time and an event.
 */
export function isPerfScript(name: string | undefined, text: string): boolean {
  if (text.startsWith(PERF_DATA)) return true;
  if (name && NAME.test(name)) return true;
  const head = text.slice(0, 16384).replace(/^\uFEFF/, '');
  if (/^\s*[{[<]/.test(head)) return false;
  const lines = head.split('\n').map((l) => l.replace(/\r$/, ''));
  const usable = text.length > head.length + 1 ? lines.length - 1 : lines.length;
  let i = 0;
  while (i < usable && (lines[i].startsWith('#') || !lines[i].trim())) i++;
  if (i >= usable || lines[i].startsWith('\t')) return false;
  const first = parseHeader(lines[i]);
  if (!first) return false;
  if (i + 1 < usable && /^\t\s*[0-9a-f]+ \S/.test(lines[i + 1])) return true;
  // Without call chains: every sample is one line with a time and an event.
  let timed = 0;
  for (let k = i; k < usable && k < i + 10; k++) {
    if (!lines[k].trim()) continue;
    const h = parseHeader(lines[k]);
    if (!h || h.time === undefined || !h.event) return false;
    timed++;
  }
  return timed >= 2 || (timed === 1 && usable === i + 1);
}

/** The profiles a file holds: its events and threads. */
interface Census {
  /** Events in order of first sight. */
  readonly events: string[];
  /** Threads (`pid/tid` or `tid`) in order of first sight, with the comm last seen and weight. */
  readonly threads: Map<string, { comm: string; samples: number; weight: number }>;
  readonly periods: boolean;
}

function threadLabel(thread: string, comm: string): string {
  const who = comm ? `${comm} ${thread}` : thread ? `thread ${thread}` : 'samples';
  return who.length > 80 ? `${who.slice(0, 77)}...` : who;
}

/**
 * The profiles a perf script file holds: all threads (the default), then each thread when there
 * are several; each event of a file of several. Ids: `all` or the thread's `pid/tid`, after the
 * event and a blank when there are several events.
 */
export function perfScriptChoices(text: string): readonly ProfileChoice[] {
  return choicesOf(collectSamples(text).census);
}

function choicesOf({ events, threads }: Census): ProfileChoice[] {
  const choices: ProfileChoice[] = [];
  for (const event of events) {
    const prefix = events.length > 1 ? `${event} ` : '';
    const on = events.length > 1 ? ` (${event})` : '';
    const detail = `${threads.size} ${threads.size === 1 ? 'thread' : 'threads'}`;
    choices.push({ id: `${prefix}all`, label: `All threads${on}`, detail });
    if (threads.size < 2) continue;
    for (const [thread, t] of threads) {
      const label = `${threadLabel(thread, t.comm)}${on}`;
      choices.push({ id: `${prefix}${thread}`, label, detail: `${t.samples} samples` });
    }
  }
  return choices;
}

/** The event and thread a choice id names; throws for an id the file does not hold. */
function pick(c: Census, choice: string | undefined, sourceFile: string | undefined) {
  const ids = choicesOf(c).map((x) => x.id);
  const id = choice ?? ids[0];
  if (!ids.includes(id)) {
    throw new ProfileFormatError(
      `${sourceFile ? `"${sourceFile}"` : 'The profile'} has no profile "${id.slice(0, 40)}": ` +
        `it holds ${listChoices(ids)}. Pick one of those.`,
      sourceFile,
    );
  }
  const space = c.events.length > 1 ? id.lastIndexOf(' ') : -1;
  const thread = id.slice(space + 1);
  return {
    event: space >= 0 ? id.slice(0, space) : c.events[0],
    thread: thread === 'all' ? undefined : thread,
  };
}

/**
 * Reads `perf script` text (see the module comment). `options.choice`: one of
 * {@link perfScriptChoices}' ids. Throws {@link ProfileFormatError} naming `options.sourceFile`
 * for perf's binary perf.data, and for a file without samples.
 */
export function importPerfScript(text: string, options: ImportOptions = {}): Profile {
  const { sourceFile } = options;
  const file = sourceFile ? `"${sourceFile}"` : 'The profile';
  if (text.startsWith(PERF_DATA)) {
    throw new ProfileFormatError(
      `${file} is perf's binary perf.data, which only perf reads; write it out as text with ` +
        '`perf script -i <file> > out.perf` and open out.perf.',
      sourceFile,
    );
  }
  const table = collectSamples(text);
  const { census: c, scan } = table;
  if (c.events.length === 0) {
    throw new ProfileFormatError(
      `${file} holds no perf script samples: ` +
        (scan.invalid === 0
          ? 'it has no sample header'
          : `none of its ${scan.lines} lines is a sample header like \`comm 123/456 1.234567: 1001001 cpu-clock:\`, first bad line ${scan.firstInvalid}`) +
        '; write the file with `perf script -i perf.data`.',
      sourceFile,
    );
  }
  const { event, thread } = pick(c, options.choice, sourceFile);
  return buildProfile(table, event, thread, options);
}

/**
 * Every sample of a file, read in one pass: its thread, event, weight and time (NaN: none), its
 * stack as frames of {@link FrameLookup} (sample i's are `frames[stackStart[i] ..
 * stackStart[i + 1])`, leaf first) and its leaf's source line (-1: none); the census of events
 * and threads. The choice is made afterwards.
 */
function collectSamples(text: string) {
  const lookup = new FrameLookup();
  const events: string[] = [];
  const threads: Census['threads'] = new Map();
  const threadIndex = new Map<string, number>();
  const thread = new Int32Column();
  const event = new Int32Column();
  const weight = new Float64Column();
  const time = new Float64Column();
  const stackStart = new Int32Column();
  const frames = new Int32Column();
  const leafLine = new Int32Column();
  let periods = false;
  let open = false;
  /** The current sample's last frame line and its source line, not yet looked up. */
  let pending = '';
  let pendingSrc = '';
  let leafSrc: string | undefined;
  const settle = () => {
    if (!pending) return;
    frames.push(lookup.frame(pending, pendingSrc));
    if (leafSrc === undefined) leafSrc = pendingSrc;
    pending = pendingSrc = '';
  };
  const close = () => {
    settle();
    if (open) leafLine.push(lookup.line(leafSrc ?? ''));
    open = false;
  };
  const scan = scanLines(text, (kind, line, h) => {
    if (h) {
      close();
      let e = events.indexOf(h.event);
      if (e < 0) e = events.push(h.event) - 1;
      if (h.period !== undefined) periods = true;
      let t = threadIndex.get(h.thread);
      if (t === undefined) threadIndex.set(h.thread, (t = threadIndex.size));
      const seen = threads.get(h.thread) ?? { comm: h.comm, samples: 0, weight: 0 };
      seen.comm = h.comm || seen.comm;
      seen.samples++;
      seen.weight += h.period ?? 1;
      threads.set(h.thread, seen);
      thread.push(t);
      event.push(e);
      weight.push(h.period ?? 1);
      time.push(h.time ?? NaN);
      stackStart.push(frames.length);
      open = true;
      leafSrc = undefined;
      if (h.frame) pending = h.frame;
    } else if (!open) return;
    else if (kind === 'frame') {
      settle();
      pending = line;
    } else if (pending) pendingSrc = line;
  });
  close();
  stackStart.push(frames.length);
  const n = thread.length;
  return {
    census: { events, threads, periods },
    scan,
    lookup,
    threadKeys: [...threadIndex.keys()],
    count: n,
    thread: thread.data.subarray(0, n),
    event: event.data.subarray(0, n),
    weight: weight.data.subarray(0, n),
    time: time.data.subarray(0, n),
    stackStart: stackStart.data.subarray(0, n + 1),
    frames: frames.data.subarray(0, frames.length),
    leafLine: leafLine.data.subarray(0, n),
  };
}

/** Builds the profile of one event and one thread (undefined: all threads) of a file. */
function buildProfile(
  table: ReturnType<typeof collectSamples>,
  event: string,
  thread: string | undefined,
  options: ImportOptions,
): Profile {
  const { census: c, lookup } = table;
  const builder = new ProfileBuilder();
  const ids = new Int32Array(lookup.frames.length).fill(-1);
  const id = (f: number) => (ids[f] >= 0 ? ids[f] : (ids[f] = builder.frame(lookup.frames[f])));
  const threadRoots = !thread && c.threads.size > 1;
  const clock = CLOCK_EVENT.test(event) && c.periods;
  const timed = clock && (thread !== undefined || c.threads.size === 1);
  const e = c.events.indexOf(event);
  const t = thread === undefined ? -1 : table.threadKeys.indexOf(thread);
  const rootFrames = table.threadKeys.map((key) =>
    threadRoots ? builder.frame(threadFrame(key, c.threads.get(key)!.comm)) : -1,
  );
  let t0 = NaN;
  let total = 0;
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < table.count; i++) {
    if (table.event[i] !== e || (t >= 0 && table.thread[i] !== t)) continue;
    const weight = table.weight[i];
    let node = threadRoots ? builder.child(0, rootFrames[table.thread[i]]) : 0;
    const from = table.stackStart[i];
    for (let k = table.stackStart[i + 1] - 1; k >= from; k--)
      node = builder.child(node, id(table.frames[k]));
    // A sample without frames (-F without ip and sym, or cut off) keeps its weight, under a
    // pseudo frame: the root holds no weight of its own.
    if (from === table.stackStart[i + 1]) node = builder.child(node, builder.frame(NO_FRAMES));
    builder.addSelf(node, weight);
    const where = lookup.lineAt(table.leafLine[i]);
    if (where) builder.addLine(where.file, where.line1, id(table.frames[from]), weight);
    const time = table.time[i];
    if (!Number.isNaN(time)) {
      first = Math.min(first, time);
      last = Math.max(last, time);
      if (timed) {
        if (Number.isNaN(t0)) t0 = time;
        builder.addSample(node, weight, Math.max(0, Math.round((time - t0) * 1e9)));
      }
    }
    total += weight;
    count++;
  }
  warnDamage(builder, table.scan);
  const span = last > first ? Math.round((last - first) * 1e9) : undefined;
  return builder.build({
    profiler: 'perf',
    clock: clock ? 'cpu' : 'unknown',
    unit: clock ? 'nanoseconds' : c.periods ? 'none' : 'samples',
    sampleCount: count,
    duration: clock && span !== undefined ? span : total,
    sourceFile: options.sourceFile,
  });
}

/**
 * Frame lines as frames and source lines as (file, line), each parsed once and numbered: a
 * recording repeats the same few thousand addresses in every sample.
 */
class FrameLookup {
  private readonly ids = new Map<string, number>();
  readonly frames: Frame[] = [];
  private readonly lineIds = new Map<string, number>();
  private readonly lines: { file: string; line1: number }[] = [];

  /** The number of a frame line (with the source line perf printed under it, or ''). */
  frame(line: string, srcline: string): number {
    const key = srcline ? `${line}\n${srcline}` : line;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.frames.push(toFrame(parseFrame(line), srcline)) - 1;
      this.ids.set(key, id);
    }
    return id;
  }

  /** The number of a source line that names a file and a line, or -1. */
  line(srcline: string): number {
    if (!srcline) return -1;
    let id = this.lineIds.get(srcline);
    if (id === undefined) {
      const m = SRCLINE.exec(srcline);
      id =
        m && m[1] !== '??' && !m[1].startsWith('[') && Number(m[2]) > 0
          ? this.lines.push({ file: m[1], line1: Number(m[2]) }) - 1
          : -1;
      this.lineIds.set(srcline, id);
    }
    return id;
  }

  lineAt(id: number): { file: string; line1: number } | undefined {
    return id >= 0 ? this.lines[id] : undefined;
  }
}

const NO_FRAMES: Frame = {
  name: '(no frames)',
  file: null,
  line1: null,
  col1: null,
  kind: 'pseudo',
};

function threadFrame(thread: string, comm: string): Frame {
  return { name: threadLabel(thread, comm), file: null, line1: null, col1: null, kind: 'pseudo' };
}

function warnDamage(builder: ProfileBuilder, scan: Scan): void {
  if (scan.invalid > 0) {
    builder.warn(
      `Skipped ${scan.invalid} ${scan.invalid === 1 ? 'line that is' : 'lines that are'} neither a sample header nor a frame, first at line ${scan.firstInvalid}.`,
    );
  }
  if (scan.cutOff) {
    builder.warn(
      `The file ends inside line ${scan.lines} (it may be truncated): its last sample may lack frames.`,
    );
  }
}
