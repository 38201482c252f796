/**
 * V8 `.cpuprofile` files (`node --cpu-prof`, the inspector's `Profiler.stop`, Chrome DevTools),
 * in both layouts:
 *
 * - modern: `{nodes: [{id, callFrame: {functionName, scriptId, url, lineNumber, columnNumber},
 *   hitCount, children: [ids], positionTicks: [{line, ticks}]}], startTime, endTime, samples,
 *   timeDeltas}`, times in microseconds, call-frame positions 0-based, tick lines 1-based;
 * - old (Node before 8, v8-profiler, DevTools before 2016): `{head: <nested tree>, startTime,
 *   endTime, samples, timestamps}`, the call-frame fields on the node itself with 1-based
 *   positions (0 = unknown), `startTime`/`endTime` in seconds, `timestamps` absolute microseconds.
 *
 * Choices, and why:
 *
 * - Self time comes from `samples` and their times, never from `hitCount` (the two can disagree
 *   by a few). Sample i lasts from its time to sample i+1's (Chrome DevTools and speedscope do
 *   the same). The last sample has no successor: it gets the mean sample interval, as in Chrome
 *   DevTools, so a profile's total matches what DevTools shows. A single sample lasts until
 *   `endTime`. The gap between `startTime` and the first sample belongs to no frame.
 * - Time never runs backwards: when samples are stamped before their predecessor (V8 writes
 *   negative deltas now and then), they are taken in time order, as Chrome DevTools does (it
 *   sorts them by time), with a warning; every sample then lasts until the next one in time, so
 *   one bad stamp neither shifts the rest of the recording nor, when every delta is negative,
 *   makes the whole recording last 0 µs.
 * - A file with more `timeDeltas` than `samples` (some Node 10 recordings have one extra):
 *   DevTools reads the entry after the last sample's as the end of that sample; so do we, with a
 *   warning. Fewer entries than samples is damage.
 * - `(root)` is not a frame: its children hang under the model's synthetic root. The other
 *   pseudo frames (`(program)`, `(idle)`, `(garbage collector)`) stay where V8 put them, under the
 *   root, marked `kind: 'pseudo'` so views can hide or label them. (speedscope instead stacks GC
 *   and `(program)` on the previous sample's stack; we keep what the profiler measured.)
 * - `positionTicks` become line weights: a node's self time is split over its lines in
 *   proportion to their ticks, so the lines of a node add up to exactly its self time.
 * - Frames are identified by name, file, line and column; V8 nodes that differ only in
 *   `scriptId` (or deopt details) merge. An unnamed function is called `(anonymous)`.
 * - `file://` URLs become paths (see fileUrl.ts); other URLs (`node:fs`) stay as written.
 *
 * Big profiles: modern files are read by a scanner that writes flat columns without building
 * the JSON object tree (cpuprofileScan.ts; cpuprofileBytes.ts for bytes); anything it does not
 * expect goes through `JSON.parse` instead (cpuprofileJson.ts, both layouts). From the columns
 * on (cpuprofileBuild.ts), the work is one pass over the nodes with typed arrays (V8 id -> index
 * -> model node), one pass over the samples, and one frame object per distinct call frame.
 *
 * This file holds the entry points; the exporter is exportCpuprofile.ts.
 */
import type { Profile } from '../core/profile';
import { buildProfile } from './cpuprofileBuild';
import { scanCpuprofileBytes } from './cpuprofileBytes';
import { REDO, fail } from './cpuprofileFail';
import { columnsFromJson, parseJson, parseJsonBytesOrFail } from './cpuprofileJson';
import { scanCpuprofile } from './cpuprofileScan';
import { keepShape } from '../util/keepShape';

/**
 * Whether a file is a V8 CPU profile: by name first (`.cpuprofile`), then by content (a JSON
 * object whose start or end holds call frames, or an old-layout `head` tree).
 */
export function isCpuprofile(name: string | undefined, text: string): boolean {
  if (name && /\.cpuprofile$/i.test(name)) return true;
  const start = text.slice(0, 4096).replace(/^\uFEFF?\s*/, '');
  if (!start.startsWith('{') || start.includes('"traceEvents"')) return false;
  // Writers order keys differently, and the node list can be megabytes long: look at both ends.
  const ends = text.length > 8192 ? start + text.slice(-4096) : text;
  const modern =
    /"callFrame"\s*:\s*\{/.test(ends) && /"(?:nodes|samples|timeDeltas)"\s*:/.test(ends);
  const old = /"head"\s*:\s*\{/.test(ends) && /"functionName"\s*:/.test(ends);
  return modern || old;
}

/**
 * Reads a V8 CPU profile (either layout) into the model. Throws {@link ProfileFormatError}
 * naming `options.sourceFile` when the text is not a readable profile.
 */
export function importCpuprofile(text: string, options: CpuprofileOptions = {}): Profile {
  const sourceFile = options.sourceFile;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) fail(sourceFile, 'is empty', REDO);
  const columns = scanCpuprofile(body) ?? columnsFromJson(parseJson(body, sourceFile), sourceFile);
  return buildProfile(columns, sourceFile, options.runtimePaths);
}

/**
 * Reads a V8 CPU profile from its UTF-8 bytes without ever holding the file as one string: for
 * files larger than V8's largest string (about 512 MB), which cannot be decoded at all. The
 * result is the one {@link importCpuprofile} gives for the decoded text: the byte scanner
 * (cpuprofileBytes.ts) fills the same columns as the text scanner, and anything it does not
 * expect goes through a byte-level JSON parse (jsonBytes.ts) and the same column reader as
 * `JSON.parse`'s output. `onProgress` gets the fraction of the bytes read.
 */
export function importCpuprofileBytes(
  bytes: Uint8Array,
  options: CpuprofileOptions & { onProgress?: (fraction: number) => void } = {},
): Profile {
  const { sourceFile, onProgress } = options;
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  let first = 0;
  while (first < body.length && /[ \t\r\n]/.test(String.fromCharCode(body[first]))) first++;
  if (first === body.length) fail(sourceFile, 'is empty', REDO);
  const columns =
    scanCpuprofileBytes(body, onProgress) ??
    columnsFromJson(parseJsonBytesOrFail(body, first, sourceFile, onProgress), sourceFile);
  return buildProfile(columns, sourceFile, options.runtimePaths);
}

/** Options of {@link importCpuprofile}. */
export interface CpuprofileOptions {
  /** The file the text came from, named in errors. */
  sourceFile?: string;
  /**
   * Folders whose scripts count as runtime, not user code: Heatlens' own helpers injected into
   * the profiled program (the TypeScript loader) must not look like the program's hot spots.
   */
  runtimePaths?: readonly string[];
}

/** The same import without the fast scanner: for tests that compare the two routes. */
export function importCpuprofileWithJsonParse(
  text: string,
  options: { sourceFile?: string } = {},
): Profile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) fail(options.sourceFile, 'is empty', REDO);
  const json = parseJson(body, options.sourceFile);
  return buildProfile(columnsFromJson(json, options.sourceFile), options.sourceFile);
}

/**
 * Reads an already-parsed modern profile object (`{nodes, startTime, endTime, samples,
 * timeDeltas}`) into the model, for formats that embed V8 CPU profiles (Chrome traces'
 * `ProfileChunk` events). `profiler` goes to `meta.profiler` (default 'v8').
 */
export function importCpuprofileObject(
  value: unknown,
  options: { sourceFile?: string; profiler?: string; warnings?: readonly string[] } = {},
): Profile {
  const { sourceFile } = options;
  return buildProfile(
    columnsFromJson(value, sourceFile),
    sourceFile,
    [],
    options.profiler,
    options.warnings,
  );
}

// A small profile read once when the module loads, its columns and model kept for good: the
// hidden classes of the objects an import makes and drops (the columns, raw and model frames,
// the profile) then outlive every import (see keepShape).
const SHAPES =
  '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2]},' +
  '{"id":2,"callFrame":{"functionName":"f","scriptId":"1","url":"file:///a.js","lineNumber":0,"columnNumber":9},"hitCount":2,"positionTicks":[{"line":1,"ticks":2}]}],' +
  '"startTime":0,"endTime":20,"samples":[2,2],"timeDeltas":[5,10]}';
const shapeColumns = scanCpuprofile(SHAPES);
if (shapeColumns) keepShape(shapeColumns);
keepShape(importCpuprofile(SHAPES));
