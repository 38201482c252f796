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
 */
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

/** A frame line's parts: address, symbol (offset cut off), binary, and whether it was inlined. */
interface FrameText {
  readonly ip: string;
  readonly sym: string;
  readonly dso: string;
  readonly inlined: boolean;
}

function parseFrame(text: string): FrameText {
  let rest = text.trim();
  let ip = '';
  const m = /^([0-9a-f]+)(?:\s+|$)/.exec(rest);
  if (m && (m[0].length < rest.length || m[1].length >= 4)) {
    ip = m[1];
    rest = rest.slice(m[0].length);
  }
  let inlined = false;
  if (rest.endsWith(' (inlined)') || rest === '(inlined)') {
    inlined = true;
    rest = rest.slice(0, rest.lastIndexOf('(inlined)')).trimEnd();
  }
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
  return { ip, sym: rest.replace(/\+0x[0-9a-f]+$/, ''), dso, inlined };
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
 * nothing but a sample's frames. `frames` false: frame lines are neither cut out nor checked
 * (a census of the headers).
 */
function scanLines(
  text: string,
  visit: (kind: LineKind, line: string, header: Header | null) => void,
  frames = true,
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
      if (!frames) {
        if (prev !== 'none') prev = 'frame';
        continue;
      }
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

/** The profiles a file holds, as {@link scanSamples} finds them. */
interface Census {
  /** Events in order of first sight. */
  readonly events: string[];
  /** Threads (`pid/tid` or `tid`) in order of first sight, with the comm last seen and weight. */
  readonly threads: Map<string, { comm: string; samples: number; weight: number }>;
  readonly periods: boolean;
}

function census(text: string): Census {
  const events: string[] = [];
  const threads: Census['threads'] = new Map();
  let periods = false;
  scanLines(
    text,
    (kind, _line, h) => {
      if (!h) return;
      if (!events.includes(h.event)) events.push(h.event);
      if (h.period !== undefined) periods = true;
      const t = threads.get(h.thread) ?? { comm: h.comm, samples: 0, weight: 0 };
      t.comm = h.comm || t.comm;
      t.samples++;
      t.weight += h.period ?? 1;
      threads.set(h.thread, t);
    },
    false,
  );
  return { events, threads, periods };
}

function threadLabel(thread: string, comm: string): string {
  const who = comm ? `${comm} ${thread}` : thread ? `thread ${thread}` : 'samples';
  return who.length > 80 ? `${who.slice(0, 77)}...` : who;
}

/**
 * The profiles a perf script file holds: all threads (the default), then each thread; each
 * event of a file of several. Ids: `all` or the thread's `pid/tid`, after the event and a blank
 * when there are several events.
 */
export function perfScriptChoices(text: string): readonly ProfileChoice[] {
  const { events, threads } = census(text);
  const choices: ProfileChoice[] = [];
  for (const event of events) {
    const prefix = events.length > 1 ? `${event} ` : '';
    const on = events.length > 1 ? ` (${event})` : '';
    choices.push({ id: `${prefix}all`, label: `All threads${on}`, detail: `${threads.size}` });
    if (threads.size < 2) continue;
    for (const [thread, t] of threads) {
      choices.push({
        id: `${prefix}${thread}`,
        label: `${threadLabel(thread, t.comm)}${on}`,
        detail: `${t.samples} samples`,
      });
    }
  }
  return choices;
}

/** The event and thread a choice id names; throws for an id the file does not hold. */
function pick(c: Census, choice: string | undefined, sourceFile: string | undefined) {
  const ids = choiceIds(c);
  const id = choice ?? ids[0];
  if (!ids.includes(id)) {
    throw new ProfileFormatError(
      `${sourceFile ? `"${sourceFile}"` : 'The profile'} has no profile "${id.slice(0, 40)}": ` +
        `it holds ${listChoices(ids)}. Pick one of those.`,
      sourceFile,
    );
  }
  const space = c.events.length > 1 ? id.lastIndexOf(' ') : -1;
  const event = space >= 0 ? id.slice(0, space) : c.events[0];
  const thread = id.slice(space + 1);
  return { event, thread: thread === 'all' ? undefined : thread };
}

function choiceIds(c: Census): string[] {
  const ids: string[] = [];
  for (const e of c.events) {
    const prefix = c.events.length > 1 ? `${e} ` : '';
    ids.push(`${prefix}all`);
    for (const t of c.threads.keys()) ids.push(`${prefix}${t}`);
  }
  return ids;
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
  const c = census(text);
  if (c.events.length === 0) {
    const scan = scanLines(text, () => undefined);
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
  return readSamples(text, c, event, thread, options);
}

/** Builds the profile of one event and one thread (undefined: all threads). */
function readSamples(
  text: string,
  c: Census,
  event: string,
  thread: string | undefined,
  options: ImportOptions,
): Profile {
  const builder = new ProfileBuilder();
  const threadRoots = !thread && c.threads.size > 1;
  const clock = CLOCK_EVENT.test(event) && c.periods;
  const timed = clock && (thread !== undefined || c.threads.size === 1);
  const lookup = new FrameLookup(builder);
  let taken = false;
  /** The sample's frame lines, leaf first, and the source line after each ('' for none). */
  const lines: string[] = [];
  const srclines: string[] = [];
  let header: Header | undefined;
  let t0: number | undefined;
  let total = 0;
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  const flush = (): void => {
    if (!taken || !header) return;
    const weight = header.period ?? 1;
    if (header.frame) {
      lines.push(header.frame);
      srclines.push('');
    }
    let node = 0;
    if (threadRoots) {
      const comm = c.threads.get(header.thread)?.comm ?? header.comm;
      node = builder.child(node, builder.frame(threadFrame(header.thread, comm)));
    }
    for (let i = lines.length - 1; i >= 0; i--)
      node = builder.child(node, lookup.frame(lines[i], srclines[i]));
    builder.addSelf(node, weight);
    const where = lines.length ? lookup.line(srclines[0]) : null;
    if (where)
      builder.addLine(where.file, where.line1, lookup.frame(lines[0], srclines[0]), weight);
    if (header.time !== undefined) {
      first = Math.min(first, header.time);
      last = Math.max(last, header.time);
      if (timed) {
        t0 ??= header.time;
        builder.addSample(node, weight, Math.max(0, Math.round((header.time - t0) * 1e9)));
      }
    }
    total += weight;
    count++;
  };
  const scan = scanLines(text, (kind, line, h) => {
    if (h) {
      flush();
      header = h;
      taken = h.event === event && (thread === undefined || h.thread === thread);
      lines.length = srclines.length = 0;
    } else if (!taken) return;
    else if (kind === 'frame') {
      lines.push(line);
      srclines.push('');
    } else if (lines.length) srclines[srclines.length - 1] = line;
  });
  flush();
  warnDamage(builder, scan);
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
 * Frame lines as frame ids, and source lines as (file, line), each parsed once: a recording
 * repeats the same few thousand addresses in every sample.
 */
class FrameLookup {
  private readonly frames = new Map<string, number>();
  private readonly lines = new Map<string, { file: string; line1: number } | null>();

  constructor(private readonly builder: ProfileBuilder) {}

  frame(line: string, srcline: string): number {
    const key = srcline ? `${line}\n${srcline}` : line;
    let id = this.frames.get(key);
    if (id === undefined) {
      id = this.builder.frame(toFrame(parseFrame(line), srcline));
      this.frames.set(key, id);
    }
    return id;
  }

  line(srcline: string): { file: string; line1: number } | null {
    if (!srcline) return null;
    let where = this.lines.get(srcline);
    if (where === undefined) {
      const m = SRCLINE.exec(srcline);
      where =
        m && m[1] !== '??' && !m[1].startsWith('[') && Number(m[2]) > 0
          ? { file: m[1], line1: Number(m[2]) }
          : null;
      this.lines.set(srcline, where);
    }
    return where;
  }
}

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
