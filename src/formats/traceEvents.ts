/**
 * Trace Event Format files without CPU profiles: the duration events Node writes with
 * `--trace-event-categories`, Chromium with `--trace-startup` or a tracing session (Puppeteer,
 * Playwright), Perfetto's and `chrome://tracing`'s JSON export, and the Python and game-engine
 * tracers that write the same format. A JSON list of events or `{"traceEvents": [...], ...}`.
 * A trace that holds V8 CPU profiles (`Profile` / `ProfileChunk` / `CpuProfile` events) is read
 * by chromeTrace.ts instead, from its samples.
 *
 * Choices, and why:
 *
 * - Each thread (`pid` and `tid`) is one profile, a choice of the file, labelled with its
 *   `thread_name` and `process_name` metadata; the default is the thread with the most time in
 *   events (speedscope does the same, one profile per thread).
 * - Complete events (`X`: `ts` and `dur`, microseconds) and begin/end pairs (`B`/`E`) are spans.
 *   Within a thread they nest by time: a span inside another is its child, its self time is what
 *   its children leave. The spans are sorted by start (a longer span first when two start
 *   together), as the format allows events in any order.
 * - An `E` closes the innermost open `B` of its name (an `E` without a name closes the innermost
 *   one); spans opened inside it and still open are closed with it. An `E` that matches nothing
 *   is skipped, a `B` never closed ends with the thread's last event, and a span that ends after
 *   its parent is cut at its parent's end: each with one warning saying how many.
 * - Every other phase (instant, counter, async, flow, object, sample and metadata events) carries
 *   no span of a thread's time and is left out.
 * - A frame is the event's name; its category is not part of it (two events of one name are one
 *   function, as in speedscope's Sandwich). Frames have no file or line.
 * - The time between two top-level spans is idle: the profile's total is the time in spans.
 *   The spans give a time order (samples that start where each stretch of self time starts).
 * - The list format allows a missing closing bracket (a trace still being written, or cut off):
 *   the file is read up to its last whole event, with a warning.
 */
import { formatWeight } from '../core/format';
import { ProfileBuilder, type Profile } from '../core/profile';
import { listChoices, type ImportOptions, type ProfileChoice } from './choices';
import { formatFail, type FormatFail } from './errors';

const REDO = 'record the trace again';
/** CPU-profile events: such a trace is chromeTrace.ts'. */
const CPU_PROFILE = /"name"\s*:\s*"(?:ProfileChunk|Profile|CpuProfile)"/;

const fail: FormatFail = formatFail('The trace', REDO);

/**
 * Whether a file is a trace of duration events: a JSON list of events, or an object with
 * `traceEvents`, whose events include spans (`"ph": "X"`, `"B"`) and no CPU profile.
 */
export function isTraceEvents(name: string | undefined, text: string): boolean {
  const head = text.slice(0, 8192).replace(/^\uFEFF?\s*/, '');
  if (head.startsWith('{')) {
    const ends = text.length > 16384 ? head + text.slice(-8192) : text;
    if (!/"traceEvents"\s*:/.test(ends)) return false;
  } else if (!head.startsWith('[') || !/"pid"\s*:/.test(head)) return false;
  if (!/"ph"\s*:\s*"[XBE]"/.test(text)) return false;
  return !CPU_PROFILE.test(text);
}

interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: unknown;
  readonly tid: unknown;
  readonly ts: number;
  readonly dur: number;
  /** Place in the file: ties keep the file's order. */
  readonly order: number;
}

interface Thread {
  readonly key: string;
  readonly pid: unknown;
  readonly tid: unknown;
  readonly events: TraceEvent[];
  /** Time in spans, for the default choice and the label. */
  busy: number;
}

interface Parsed {
  readonly threads: Thread[];
  readonly threadNames: Map<string, string>;
  readonly processNames: Map<string, string>;
  readonly warnings: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The file's JSON. A list without its closing bracket (or cut inside an event) is closed after
 * its last whole event, with a warning.
 */
function parseTrace(text: string, sourceFile: string | undefined, warnings: string[]): unknown {
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (!body) fail(sourceFile, 'is empty');
  try {
    return JSON.parse(body);
  } catch {
    // Closed below.
  }
  const closing = body.startsWith('[') ? ']' : ']}';
  // Step back over at most a few cut-off events: each try is a whole parse.
  let end = body.length;
  for (let attempt = 0; attempt < 16 && end > 0; attempt++) {
    const cut = body.slice(0, end).replace(/[\s,]*$/, '');
    try {
      const value: unknown = JSON.parse(cut + closing);
      warnings.push(
        end === body.length
          ? 'The trace ends without its closing bracket (it may still have been being written): read as it is.'
          : 'The trace is cut off inside an event: read up to its last whole event.',
      );
      return value;
    } catch {
      end = body.lastIndexOf('}', cut.endsWith('}') ? cut.length - 2 : cut.length - 1) + 1;
    }
  }
  return fail(sourceFile, 'is not JSON a trace viewer reads (it is damaged or not a trace)');
}

function eventList(value: unknown, sourceFile: string | undefined): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.traceEvents)) return value.traceEvents;
  return fail(sourceFile, 'has no list of trace events (a "traceEvents" list, or a list)');
}

function gather(value: unknown, sourceFile: string | undefined, warnings: string[]): Parsed {
  const threads = new Map<string, Thread>();
  const threadNames = new Map<string, string>();
  const processNames = new Map<string, string>();
  const list = eventList(value, sourceFile);
  let order = 0;
  for (const e of list) {
    if (!isObject(e) || typeof e.ph !== 'string') continue;
    const key = `${String(e.pid)}:${String(e.tid)}`;
    if (e.ph === 'M') {
      const name = isObject(e.args) && typeof e.args.name === 'string' ? e.args.name : undefined;
      if (name !== undefined && e.name === 'thread_name') threadNames.set(key, name);
      if (name !== undefined && e.name === 'process_name') processNames.set(String(e.pid), name);
      continue;
    }
    if (e.ph !== 'X' && e.ph !== 'B' && e.ph !== 'E') continue;
    const ts = typeof e.ts === 'number' ? e.ts : Number(e.ts);
    if (!Number.isFinite(ts)) continue;
    const dur = typeof e.dur === 'number' && Number.isFinite(e.dur) && e.dur > 0 ? e.dur : 0;
    let thread = threads.get(key);
    if (!thread) threads.set(key, (thread = { key, pid: e.pid, tid: e.tid, events: [], busy: 0 }));
    thread.events.push({
      ph: e.ph,
      name: typeof e.name === 'string' ? e.name : '',
      pid: e.pid,
      tid: e.tid,
      ts,
      dur,
      order: order++,
    });
  }
  return { threads: [...threads.values()], threadNames, processNames, warnings };
}

/** A span of a thread: `[start, end)` in microseconds. */
interface Span {
  readonly name: string;
  readonly start: number;
  end: number;
  readonly order: number;
}

interface Tally {
  unmatchedEnds: number;
  unclosed: number;
  clamped: number;
}

/** The thread's spans: complete events, and begin/end pairs matched by name. */
function spansOf(events: readonly TraceEvent[], tally: Tally): Span[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts || a.order - b.order);
  const spans: Span[] = [];
  const open: Span[] = [];
  let last = -Infinity;
  for (const e of sorted) {
    last = Math.max(last, e.ts + e.dur);
    if (e.ph === 'X') {
      spans.push({ name: e.name, start: e.ts, end: e.ts + e.dur, order: e.order });
    } else if (e.ph === 'B') {
      const span = { name: e.name, start: e.ts, end: Infinity, order: e.order };
      open.push(span);
      spans.push(span);
    } else {
      let at = open.length - 1;
      if (e.name) while (at >= 0 && open[at].name !== e.name) at--;
      if (at < 0) {
        tally.unmatchedEnds++;
        continue;
      }
      for (let i = open.length - 1; i >= at; i--) open[i].end = e.ts;
      open.length = at;
    }
  }
  for (const span of open) {
    span.end = last;
    tally.unclosed++;
  }
  return spans;
}

/**
 * Builds one thread's profile: spans nested by time, self time where no child runs, and a
 * sample at the start of each stretch of one span's self time.
 */
function buildThread(
  thread: Thread,
  sourceFile: string | undefined,
  warnings: readonly string[],
): Profile {
  const tally: Tally = { unmatchedEnds: 0, unclosed: 0, clamped: 0 };
  const spans = spansOf(thread.events, tally).filter((s) => s.end > s.start);
  spans.sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const builder = new ProfileBuilder();
  for (const w of warnings) builder.warn(w);
  const origin = spans.length ? spans[0].start : 0;
  // The open spans, outermost first, each with its tree node and where its current stretch of
  // self time began.
  const stack: { span: Span; node: number; since: number }[] = [];
  const stretch = (node: number, from: number, to: number) => {
    if (to > from) {
      builder.addSelf(node, to - from);
      builder.addSample(node, to - from, from - origin);
    }
  };
  const closeUntil = (time: number) => {
    while (stack.length && stack[stack.length - 1].span.end <= time) {
      const top = stack.pop()!;
      stretch(top.node, top.since, top.span.end);
      if (stack.length) stack[stack.length - 1].since = top.span.end;
    }
  };
  for (const span of spans) {
    closeUntil(span.start);
    const parent = stack.length ? stack[stack.length - 1] : undefined;
    if (parent && span.end > parent.span.end) {
      span.end = parent.span.end;
      tally.clamped++;
      if (!(span.end > span.start)) continue;
    }
    if (parent) stretch(parent.node, parent.since, span.start);
    const frame = builder.frame({
      name: span.name || '(unnamed event)',
      file: null,
      line1: null,
      col1: null,
      kind: 'user',
    });
    const node = builder.child(parent ? parent.node : 0, frame);
    stack.push({ span, node, since: span.start });
  }
  closeUntil(Infinity);
  if (tally.unmatchedEnds) {
    builder.warn(
      `${tally.unmatchedEnds} end events ("E") matched no begin event and were skipped.`,
    );
  }
  if (tally.unclosed) {
    builder.warn(
      `${tally.unclosed} begin events ("B") were never ended: each ends with the thread's last event.`,
    );
  }
  if (tally.clamped) {
    builder.warn(
      `${tally.clamped} events ended after the event they started in: each is cut at its end.`,
    );
  }
  const end = spans.reduce((m, s) => Math.max(m, s.end), origin);
  return builder.build({
    profiler: 'trace-events',
    clock: 'wall',
    unit: 'microseconds',
    duration: end - origin,
    sourceFile,
  });
}

function threadLabel(p: Parsed, t: Thread): string {
  const thread = p.threadNames.get(t.key);
  const process = p.processNames.get(String(t.pid));
  const name = thread ?? `thread ${String(t.tid)}`;
  return process ? `${name} (${process})` : name;
}

/** The trace's threads, busiest first (the default). */
function threadsByTime(p: Parsed): Thread[] {
  for (const t of p.threads) {
    const tally: Tally = { unmatchedEnds: 0, unclosed: 0, clamped: 0 };
    let busy = 0;
    let reach = -Infinity;
    // Time covered by the thread's spans (nesting counted once).
    for (const s of spansOf(t.events, tally).sort((a, b) => a.start - b.start)) {
      if (s.end > reach) {
        busy += s.end - Math.max(s.start, reach);
        reach = s.end;
      }
    }
    t.busy = busy;
  }
  return p.threads
    .filter((t) => t.busy > 0)
    .sort((a, b) => b.busy - a.busy || (a.key < b.key ? -1 : 1));
}

let cache: { text: string; parsed: Parsed; threads: Thread[] } | undefined;

/** Parses once per text: choosing a thread and importing it read the same file. */
function read(text: string, sourceFile: string | undefined): { parsed: Parsed; threads: Thread[] } {
  if (cache?.text === text) return cache;
  const warnings: string[] = [];
  const parsed = gather(parseTrace(text, sourceFile, warnings), sourceFile, warnings);
  const threads = threadsByTime(parsed);
  cache = { text, parsed, threads };
  return cache;
}

/** The threads of the trace that hold spans, busiest first. */
export function traceEventsChoices(text: string, sourceFile?: string): ProfileChoice[] {
  const { parsed, threads } = read(text, sourceFile);
  return threads.map((t) => ({
    id: t.key,
    label: `${threadLabel(parsed, t)} (${formatWeight(t.busy, 'microseconds')})`,
    detail: `pid ${String(t.pid)}, tid ${String(t.tid)}, ${t.events.length} events`,
  }));
}

/** Imports one thread of a trace of duration events (`options.choice`: its `pid:tid`). */
export function importTraceEvents(text: string, options: ImportOptions = {}): Profile {
  const { sourceFile } = options;
  const { parsed, threads } = read(text, sourceFile);
  if (!threads.length) fail(sourceFile, 'holds no duration events ("X", or "B" and "E")');
  const thread =
    options.choice === undefined ? threads[0] : threads.find((t) => t.key === options.choice);
  if (!thread) {
    fail(
      sourceFile,
      `has no thread "${String(options.choice).slice(0, 40)}" with events (it holds ${threads.length}: ${listChoices(threads.map((t) => t.key))})`,
    );
  }
  return buildThread(thread, sourceFile, parsed.warnings);
}
