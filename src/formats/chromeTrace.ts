/**
 * Chrome trace event files holding V8 CPU profiles: what Chrome DevTools' Performance panel
 * saves, `chrome://tracing` and Perfetto export as JSON, and Puppeteer's / Playwright's
 * `tracing` write with the `disabled-by-default-v8.cpu_profiler` category. The file is a JSON
 * list of events or `{traceEvents: [...], ...}`.
 *
 * A profile is one `Profile` event (`args.data.startTime`, microseconds) and the
 * `ProfileChunk` events with the same `id` in the same process (`pid`; the chunks come from
 * V8's profiler thread, so their `tid` is not the profiled thread's). Each chunk carries
 * `args.data.cpuProfile.nodes` (new nodes only, each naming its `parent`),
 * `cpuProfile.samples`, `timeDeltas`, and, on the main thread, `lines` (the 1-based line each
 * sample was executing, 0 when unknown). Older DevTools files hold a whole profile in one
 * `CpuProfile` event (`args.data.cpuProfile`); those are read too.
 *
 * Every profile of the file is a choice, labelled with its thread's name (from `thread_name`
 * metadata events). The chosen one is put back together as a `.cpuprofile` object and built by
 * the `.cpuprofile` importer, so a trace and a `.cpuprofile` of the same run give the same
 * figures (sample times as Chrome DevTools reads them, pseudo frames kept; see cpuprofile.ts).
 * Per-sample lines become the nodes' `positionTicks`, which is how a `.cpuprofile` carries line
 * heat: a node's self time is split over its lines by their sample counts.
 *
 * A trace recorded into a ring buffer can lose a profile's first chunks: nodes then name parents,
 * and samples name nodes, that the trace does not hold. That time is kept under one pseudo frame,
 * with a warning (see `gatherLost`).
 */
import { formatWeight } from '../core/format';
import type { Profile } from '../core/profile';
import type { ImportOptions, ProfileChoice } from './choices';
import { importCpuprofileObject } from './cpuprofile';
import { fileLabel, formatFail, type FormatFail } from './errors';
import { failUnparsed } from './jsonFailure';

const REDO = 'record the trace again with the "disabled-by-default-v8.cpu_profiler" category';

const fail: FormatFail = formatFail('The trace', REDO);

/**
 * Whether a file is a Chrome trace: by content (a `traceEvents` key, or a JSON list whose first
 * events have `ph` and `pid`), whatever the name (DevTools saves `Trace-<date>.json`), or by
 * name (`.trace.json`, `.trace`) when the start is JSON.
 */
export function isChromeTrace(name: string | undefined, text: string): boolean {
  const head = text.slice(0, 8192).replace(/^\uFEFF?\s*/, '');
  if (!head.startsWith('{') && !head.startsWith('[')) return false;
  if (name && /\.trace(?:\.json)?$/i.test(name)) return true;
  if (head.startsWith('{'))
    return /"traceEvents"\s*:/.test(text.length > 16384 ? head + text.slice(-8192) : text);
  return /"ph"\s*:\s*"/.test(head) && /"pid"\s*:/.test(head);
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One CPU profile of the trace, its parts gathered from the events. */
interface TraceProfile {
  /** `pid` and `id`, or for a whole-profile event its position. */
  readonly key: string;
  pid: unknown;
  tid: unknown;
  startTime: number | undefined;
  readonly chunks: Obj[];
  /** A whole profile (the older `CpuProfile` event). */
  whole?: Obj;
}

function dataOf(event: Obj): Obj | undefined {
  const args = event.args;
  return isObject(args) && isObject(args.data) ? args.data : undefined;
}

function eventsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.traceEvents)) return value.traceEvents;
  return undefined;
}

/** The profiles of a trace, in order of first appearance, and the thread names. */
function gather(events: unknown[]): { profiles: TraceProfile[]; threadNames: Map<string, string> } {
  const byKey = new Map<string, TraceProfile>();
  const profiles: TraceProfile[] = [];
  const threadNames = new Map<string, string>();
  const get = (key: string, event: Obj): TraceProfile => {
    let p = byKey.get(key);
    if (!p) {
      p = { key, pid: event.pid, tid: undefined, startTime: undefined, chunks: [] };
      byKey.set(key, p);
      profiles.push(p);
    }
    return p;
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!isObject(e)) continue;
    const name = e.name;
    if (name === 'thread_name' && e.ph === 'M') {
      const args = e.args;
      if (isObject(args) && typeof args.name === 'string') {
        threadNames.set(`${String(e.pid)}:${String(e.tid)}`, args.name);
      }
      continue;
    }
    if (name !== 'Profile' && name !== 'ProfileChunk' && name !== 'CpuProfile') continue;
    const data = dataOf(e);
    if (!data) continue;
    if (name === 'CpuProfile') {
      if (!isObject(data.cpuProfile)) continue;
      const p = get(`whole:${i}`, e);
      p.tid = e.tid;
      p.whole = data.cpuProfile;
      continue;
    }
    const p = get(`${String(e.pid)}:${String(e.id)}`, e);
    if (name === 'Profile') {
      p.tid = e.tid;
      if (typeof data.startTime === 'number') p.startTime = data.startTime;
    } else {
      p.chunks.push(data);
    }
  }
  return { profiles: profiles.filter((p) => p.whole || p.chunks.length > 0), threadNames };
}

function sampleCount(p: TraceProfile): number {
  if (p.whole) return Array.isArray(p.whole.samples) ? p.whole.samples.length : 0;
  let n = 0;
  for (const c of p.chunks) {
    const cpu = c.cpuProfile;
    if (isObject(cpu) && Array.isArray(cpu.samples)) n += cpu.samples.length;
  }
  return n;
}

/** Microseconds from the first sample to the last, as far as the deltas say. */
function spanOf(p: TraceProfile): number {
  if (p.whole) {
    const { startTime, endTime } = p.whole;
    return typeof startTime === 'number' && typeof endTime === 'number' ? endTime - startTime : 0;
  }
  let span = 0;
  let first = true;
  for (const c of p.chunks) {
    if (!Array.isArray(c.timeDeltas)) continue;
    for (const d of c.timeDeltas) {
      // The first delta is from the profile's start to the first sample: not part of the span.
      if (!first && typeof d === 'number' && d > 0) span += d;
      first = false;
    }
  }
  return span;
}

function threadLabel(p: TraceProfile, threadNames: Map<string, string>, index: number): string {
  const name = threadNames.get(`${String(p.pid)}:${String(p.tid)}`);
  const thread = name ?? (p.tid !== undefined ? `thread ${String(p.tid)}` : `profile ${index + 1}`);
  // Names come from the file: keep them to one short line.
  const shown = thread.length > 80 ? `${thread.slice(0, 77)}...` : thread;
  return shown.replace(/[\u0000-\u001f]/g, ' ');
}

/** Every CPU profile of a parsed trace, as choices for a picker (ids: "0", "1", ...). */
export function chromeTraceChoices(value: unknown): ProfileChoice[] {
  const events = eventsOf(value);
  if (!events) return [];
  const { profiles, threadNames } = gather(events);
  return profiles.map((p, i) => ({
    id: String(i),
    label: `${threadLabel(p, threadNames, i)} (${formatWeight(spanOf(p), 'microseconds')})`,
    detail: `pid ${String(p.pid)}, ${sampleCount(p)} samples`,
  }));
}

function parseJson(text: string, sourceFile: string | undefined): unknown {
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (!body) fail(sourceFile, 'is empty');
  try {
    return JSON.parse(body);
  } catch (err) {
    if (!body.startsWith('{') && !body.startsWith('[')) {
      fail(
        sourceFile,
        'is not JSON (a Chrome trace starts with "{" or "[")',
        'is it really a Chrome trace?',
      );
    }
    // A trace still being written is a list without its closing bracket, which Chrome's own
    // viewer accepts: close it and try again.
    if (body.startsWith('[') && !body.endsWith(']')) {
      try {
        return JSON.parse(`${body.replace(/,\s*$/, '')}]`);
      } catch {
        // fall through to the message below
      }
    }
    return failUnparsed(
      err,
      !body.endsWith('}') && !body.endsWith(']'),
      { whole: 'the trace', redo: REDO, question: 'is it really a Chrome trace?' },
      (what, todo) => fail(sourceFile, what, todo),
    );
  }
}

/** Reads a Chrome trace's text; see {@link importChromeTraceValue}. */
export function importChromeTrace(text: string, options: ImportOptions = {}): Profile {
  return importChromeTraceValue(parseJson(text, options.sourceFile), options);
}

/**
 * Reads one CPU profile (`options.choice`, default the first) of an already-parsed Chrome trace
 * into the model. Throws {@link ProfileFormatError} naming `options.sourceFile` when the value is
 * not a trace, holds no CPU profile, or the chosen profile is damaged.
 */
export function importChromeTraceValue(value: unknown, options: ImportOptions = {}): Profile {
  const { sourceFile } = options;
  const events = eventsOf(value);
  if (!events) {
    fail(
      sourceFile,
      'is not a Chrome trace: it is neither a list of events nor an object with "traceEvents"',
      "open a trace saved by Chrome DevTools' Performance panel or written by a tracing API",
    );
  }
  const { profiles } = gather(events);
  if (profiles.length === 0) {
    fail(
      sourceFile,
      'is a trace without CPU profiles (no "ProfileChunk" events)',
      `${REDO} (DevTools' Performance panel records it by default)`,
    );
  }
  const choice = options.choice ?? '0';
  const index = /^\d+$/.test(choice) ? Number(choice) : -1;
  if (index < 0 || index >= profiles.length) {
    fail(
      sourceFile,
      `has no profile "${choice.slice(0, 40)}" (it holds ${profiles.length}: ids 0 to ${profiles.length - 1})`,
      'pick one of the profiles it lists',
    );
  }
  const p = profiles[index];
  options.onProgress?.(0);
  const { cpuprofile, warning } = p.whole
    ? { cpuprofile: p.whole, warning: undefined }
    : assemble(p, sourceFile);
  const profile = importCpuprofileObject(cpuprofile, {
    sourceFile,
    profiler: 'chrome-trace',
    warnings: warning ? [warning] : [],
  });
  options.onProgress?.(1);
  return profile;
}

/** A modern `.cpuprofile` object from a profile's chunks, and what it says about lost parts. */
function assemble(
  p: TraceProfile,
  sourceFile: string | undefined,
): { cpuprofile: Obj; warning: string | undefined } {
  const nodes: Obj[] = [];
  const byId = new Map<unknown, Obj>();
  const samples: unknown[] = [];
  const timeDeltas: unknown[] = [];
  const lines: unknown[] = [];
  let withLines = false;
  for (const chunk of p.chunks) {
    const cpu = isObject(chunk.cpuProfile) ? chunk.cpuProfile : {};
    if (Array.isArray(cpu.nodes)) {
      for (const raw of cpu.nodes) {
        if (!isObject(raw)) fail(sourceFile, 'has a profile node that is not an object');
        if (byId.has(raw.id))
          fail(sourceFile, `has two profile nodes with the id ${String(raw.id).slice(0, 20)}`);
        const node: Obj = { id: raw.id, callFrame: raw.callFrame ?? {}, parent: raw.parent };
        byId.set(raw.id, node);
        nodes.push(node);
      }
    }
    const chunkSamples = Array.isArray(cpu.samples) ? cpu.samples : [];
    const deltas = Array.isArray(chunk.timeDeltas) ? chunk.timeDeltas : [];
    if (deltas.length !== chunkSamples.length) {
      fail(
        sourceFile,
        `is inconsistent: a profile chunk has ${chunkSamples.length} samples but ${deltas.length} time deltas`,
      );
    }
    const chunkLines =
      Array.isArray(chunk.lines) && chunk.lines.length === chunkSamples.length
        ? chunk.lines
        : undefined;
    for (let i = 0; i < chunkSamples.length; i++) {
      samples.push(chunkSamples[i]);
      timeDeltas.push(deltas[i]);
      lines.push(chunkLines ? chunkLines[i] : 0);
    }
    if (chunkLines) withLines = true;
  }
  const lost = gatherLost(nodes, byId, samples);
  if (lost) {
    nodes.push(lost.node);
    byId.set(lost.node.id, lost.node);
  }
  // Children lists from the parents (a `.cpuprofile` lists children; a trace names parents).
  const children = new Map<unknown, unknown[]>();
  for (const node of nodes) {
    if (node.parent === undefined || node.parent === null) continue;
    let list = children.get(node.parent);
    if (!list) children.set(node.parent, (list = []));
    list.push(node.id);
  }
  // Per-sample lines as position ticks per node.
  const ticks = new Map<unknown, Map<number, number>>();
  if (withLines) {
    for (let i = 0; i < samples.length; i++) {
      const line = lines[i];
      if (typeof line !== 'number' || !(line >= 1) || !Number.isInteger(line)) continue;
      let perLine = ticks.get(samples[i]);
      if (!perLine) ticks.set(samples[i], (perLine = new Map()));
      perLine.set(line, (perLine.get(line) ?? 0) + 1);
    }
  }
  const out = nodes.map((node) => {
    const kids = children.get(node.id);
    const perLine = ticks.get(node.id);
    const result: Obj = { id: node.id, callFrame: node.callFrame };
    if (kids) result.children = kids;
    if (perLine)
      result.positionTicks = [...perLine].map(([line, count]) => ({ line, ticks: count }));
    return result;
  });
  const startTime = p.startTime ?? 0;
  let endTime = startTime;
  for (const d of timeDeltas) if (typeof d === 'number' && Number.isFinite(d)) endTime += d;
  const cpuprofile = { nodes: out, startTime, endTime, samples, timeDeltas };
  return { cpuprofile, warning: lost && lostWarning(sourceFile, lost, samples.length) };
}

/** The pseudo frame that takes what a trace lost: see {@link gatherLost}. */
const LOST = '(missing from trace)';

interface Lost {
  readonly node: Obj;
  readonly orphans: number;
  readonly samples: number;
}

/**
 * Gives what the trace lost one place: a trace recorded into a ring buffer (DevTools' and
 * Perfetto's "record continuously") overwrites its oldest events, among them the first
 * ProfileChunks, so later nodes can name a parent that is not in the trace, and samples can name
 * nodes that are not in it. Chrome DevTools opens such traces (it leaves those nodes and samples
 * out of its tree); Heatlens keeps their time, under one pseudo frame {@link LOST} at the top
 * level: the orphaned nodes become its children (their own frames and figures stay true; only
 * the stack above them is unknown) and the samples of unknown nodes its self time. Rewrites
 * `nodes` and `samples` in place; undefined when nothing was lost.
 */
function gatherLost(nodes: Obj[], byId: Map<unknown, Obj>, samples: unknown[]): Lost | undefined {
  let orphans = 0;
  let unknown = 0;
  for (const node of nodes) {
    if (node.parent !== undefined && node.parent !== null && !byId.has(node.parent)) orphans++;
  }
  for (const id of samples) if (!byId.has(id)) unknown++;
  if (orphans === 0 && unknown === 0) return undefined;
  let top = 0;
  for (const node of nodes) if (typeof node.id === 'number' && node.id > top) top = node.id;
  const id = top + 1;
  for (const node of nodes) {
    if (node.parent !== undefined && node.parent !== null && !byId.has(node.parent)) {
      node.parent = id;
    }
  }
  for (let i = 0; i < samples.length; i++) if (!byId.has(samples[i])) samples[i] = id;
  const callFrame = {
    functionName: LOST,
    scriptId: '0',
    url: '',
    lineNumber: -1,
    columnNumber: -1,
  };
  return { node: { id, callFrame, parent: undefined }, orphans, samples: unknown };
}

function lostWarning(sourceFile: string | undefined, lost: Lost, sampleCount: number): string {
  const parts: string[] = [];
  if (lost.orphans) {
    parts.push(
      `${lost.orphans} profile node${lost.orphans === 1 ? ' names a parent' : 's name parents'} ` +
        'that the trace does not hold',
    );
  }
  if (lost.samples) {
    parts.push(`${lost.samples} of its ${sampleCount} samples name nodes it does not hold`);
  }
  return (
    `${fileLabel(sourceFile, 'The trace')} lost the start of its CPU profile (a trace recorded into a ring ` +
    `buffer overwrites its oldest events): ${parts.join(', and ')}. Their time is shown under ` +
    `"${LOST}", at the top level.`
  );
}
