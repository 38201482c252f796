/**
 * speedscope's own JSON format (https://www.speedscope.app/file-format-schema.json), written by
 * speedscope's Export, py-spy (`--format speedscope`), rbspy, Austin and others:
 * `{$schema, shared: {frames: [{name, file?, line?, col?}]}, profiles: [...], exporter?, name?}`.
 * A profile is `evented` (`events: [{type: 'O' | 'C', at, frame}]`) or `sampled`
 * (`samples: [[frame ids, root first]], weights: [...]`), each with a `unit`, `startValue` and
 * `endValue`. Every profile of a file is a {@link ProfileChoice}; one is imported at a time.
 *
 * Choices, and why:
 *
 * - Figures are speedscope's: in an evented profile the time between two consecutive events
 *   belongs to the frame on top of the stack (self) and to every frame on the stack (total);
 *   time with an empty stack belongs to nobody. A sampled profile adds each weight to its stack.
 * - speedscope 1.25 refuses a whole file over one bad event (a close that does not match the open
 *   frame, an event earlier than the one before, a frame left open at the end) and over one
 *   negative or NaN sample weight. We import such files instead, with a warning saying what was
 *   repaired: an out-of-order event is taken to happen when the one before it did; a close of a
 *   frame below the top closes the frames above it too; a close of a frame that is not open is
 *   ignored; frames still open at the end are closed at `endValue` (or the last event); bad
 *   weights are skipped. Well-formed files give exactly speedscope's figures.
 * - Evented profiles also yield time-ordered samples (one per interval between events with a
 *   frame open); sampled profiles yield one sample per entry, back to back, which is what
 *   speedscope's time-order view shows.
 * - Lines and columns are 1-based in the format, as in the model. `file://` URLs become paths.
 *   A frame's kind is guessed from its file and name (foreignFrame.ts).
 * - Units map one to one onto the model's; an unknown unit is read as `none` with a warning.
 */
import { formatWeight } from '../core/format';
import { ProfileBuilder, type Frame, type Profile, type WeightUnit } from '../core/profile';
import type { ImportOptions, ProfileChoice } from './choices';
import { formatFail, type FormatFail } from './errors';
import { failUnparsed } from './jsonFailure';
import { fileUrlToPath } from '../util/fileUrl';
import { guessFlavor, guessFrameKind, type FrameFlavor } from './foreignFrame';

const SCHEMA = 'speedscope.app/file-format-schema.json';
const REDO = 'export it again from speedscope, or record it again with the profiler that wrote it';

const fail: FormatFail = formatFail('The profile', REDO);

/**
 * Whether a file is speedscope JSON: by name first (`.speedscope.json`), then by content (the
 * `$schema` URL near the start, or `shared` frames beside `profiles` of a speedscope type).
 */
export function isSpeedscope(name: string | undefined, text: string): boolean {
  if (name && /\.speedscope\.json$/i.test(name)) return true;
  const head = text.slice(0, 8192).replace(/^\uFEFF?\s*/, '');
  if (!head.startsWith('{')) return false;
  if (head.includes(SCHEMA)) return true;
  // Writers order keys differently (py-spy writes `profiles` first): look at both ends.
  const ends = text.length > 16384 ? head + text.slice(-8192) : text;
  return (
    /"shared"\s*:\s*\{\s*"frames"/.test(ends) &&
    /"profiles"\s*:\s*\[/.test(ends) &&
    /"type"\s*:\s*"(?:evented|sampled)"/.test(ends)
  );
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

const UNITS: Readonly<Record<string, WeightUnit>> = {
  none: 'none',
  nanoseconds: 'nanoseconds',
  microseconds: 'microseconds',
  milliseconds: 'milliseconds',
  seconds: 'seconds',
  bytes: 'bytes',
};

/** A unit speedscope names, or undefined: only the table's own keys (not `constructor`). */
function ownUnit(name: string): WeightUnit | undefined {
  return Object.hasOwn(UNITS, name) ? UNITS[name] : undefined;
}

/** The file's profiles, checked to be a list, with the shared frame list. */
function fileParts(
  value: unknown,
  sourceFile: string | undefined,
): { profiles: unknown[]; frames: unknown[] } {
  const notSpeedscope = (what: string): never =>
    fail(
      sourceFile,
      `is not a speedscope profile: ${what}`,
      "open a file written by speedscope's Export, py-spy --format speedscope or another speedscope exporter",
    );
  if (!isObject(value)) {
    return notSpeedscope(
      Array.isArray(value) ? 'it is a JSON list, not an object' : 'it is not a JSON object',
    );
  }
  if (!Array.isArray(value.profiles)) return notSpeedscope('it has no "profiles" list');
  const shared = value.shared;
  const frames = isObject(shared) && Array.isArray(shared.frames) ? shared.frames : undefined;
  if (!frames) return notSpeedscope('it has no "shared.frames" list');
  return { profiles: value.profiles, frames };
}

function profileLabel(p: unknown, index: number): string {
  if (!isObject(p)) return `profile ${index + 1} (not readable)`;
  const name = typeof p.name === 'string' && p.name.trim() ? p.name.trim() : `profile ${index + 1}`;
  const type = typeof p.type === 'string' ? p.type : 'unknown type';
  const unit = typeof p.unit === 'string' ? ownUnit(p.unit) : undefined;
  const span = finite(p.endValue, NaN) - finite(p.startValue, NaN);
  const size = Number.isFinite(span) && unit ? `, ${formatWeight(span, unit)}` : '';
  // Names come from the file: keep them to one short line.
  const shown = name.length > 120 ? `${name.slice(0, 117)}...` : name;
  return `${shown.replace(/[\u0000-\u001f]/g, ' ')} (${type}${size})`;
}

/** Every profile of a parsed speedscope file, as choices for a picker (ids: "0", "1", ...). */
export function speedscopeChoices(value: unknown): ProfileChoice[] {
  if (!isObject(value) || !Array.isArray(value.profiles)) return [];
  return value.profiles.map((p, i) => {
    const count = isObject(p)
      ? Array.isArray(p.events)
        ? `${p.events.length} events`
        : Array.isArray(p.samples)
          ? `${p.samples.length} samples`
          : undefined
      : undefined;
    return count
      ? { id: String(i), label: profileLabel(p, i), detail: count }
      : { id: String(i), label: profileLabel(p, i) };
  });
}

function parseJson(text: string, sourceFile: string | undefined): unknown {
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (!body) fail(sourceFile, 'is empty', REDO);
  try {
    return JSON.parse(body);
  } catch (err) {
    if (!body.startsWith('{')) {
      fail(
        sourceFile,
        'is not JSON (a speedscope file starts with "{")',
        'is it really a speedscope profile?',
      );
    }
    return failUnparsed(
      err,
      !body.endsWith('}'),
      { whole: 'the profile', redo: REDO, question: 'is it really a speedscope profile?' },
      (what, todo) => fail(sourceFile, what, todo),
    );
  }
}

/** Reads speedscope JSON text; see {@link importSpeedscopeValue}. */
export function importSpeedscope(text: string, options: ImportOptions = {}): Profile {
  return importSpeedscopeValue(parseJson(text, options.sourceFile), options);
}

/**
 * Reads one profile (`options.choice`, default the first) of an already-parsed speedscope file
 * into the model. Throws {@link ProfileFormatError} naming `options.sourceFile` when the value is
 * not a speedscope file or the chosen profile is missing or of an unknown type; repairs what
 * speedscope would refuse, with a warning.
 */
export function importSpeedscopeValue(value: unknown, options: ImportOptions = {}): Profile {
  const { sourceFile } = options;
  const { profiles, frames: rawFrames } = fileParts(value, sourceFile);
  if (profiles.length === 0) fail(sourceFile, 'holds no profiles (its "profiles" list is empty)');
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
  if (!isObject(p)) fail(sourceFile, `has a profile (#${index + 1}) that is not an object`);

  const builder = new ProfileBuilder();
  let unit: WeightUnit = 'none';
  if (typeof p.unit === 'string' && ownUnit(p.unit)) unit = ownUnit(p.unit)!;
  else {
    builder.warn(
      `The profile's unit ${JSON.stringify(p.unit ?? null).slice(0, 40)} is not one speedscope knows; weights are shown without a unit.`,
    );
  }

  const flavor = guessFlavor(
    rawFrames.map((f) => (isObject(f) && typeof f.file === 'string' ? f.file : null)),
  );
  // Model frame id per file frame index, made on first use (files can list frames never used).
  const modelFrame = new Int32Array(rawFrames.length).fill(-1);
  let badFrameRefs = 0;
  const frameId = (ref: unknown): number => {
    if (typeof ref !== 'number' || !Number.isInteger(ref) || ref < 0 || ref >= rawFrames.length) {
      badFrameRefs++;
      return -1;
    }
    let id = modelFrame[ref];
    if (id < 0) id = modelFrame[ref] = builder.frame(toFrame(rawFrames[ref], ref, flavor));
    return id;
  };

  const startValue = finite(p.startValue, 0);
  const endValue = finite(p.endValue, startValue);
  const progress = options.onProgress;
  let span: number;
  if (p.type === 'evented') {
    if (!Array.isArray(p.events))
      fail(sourceFile, `has an evented profile (#${index + 1}) without an "events" list`);
    span = readEvented(p.events, startValue, endValue, frameId, builder, progress);
  } else if (p.type === 'sampled') {
    if (!Array.isArray(p.samples))
      fail(sourceFile, `has a sampled profile (#${index + 1}) without a "samples" list`);
    span = readSampled(p.samples, p.weights, frameId, builder, progress);
  } else {
    return fail(
      sourceFile,
      `has a profile (#${index + 1}) of type ${JSON.stringify(p.type ?? null).slice(0, 40)}, which is neither "evented" nor "sampled"`,
      'export it again with a current speedscope',
    );
  }
  if (badFrameRefs > 0) {
    builder.warn(
      `${badFrameRefs} ${badFrameRefs === 1 ? 'entry names a frame' : 'entries name frames'} that the file's frame list does not have; they were skipped.`,
    );
  }
  progress?.(1);
  return builder.build({
    profiler: 'speedscope',
    clock: 'unknown',
    unit,
    duration: endValue > startValue ? endValue - startValue : span,
    sourceFile,
  });
}

function toFrame(raw: unknown, index: number, flavor: FrameFlavor): Frame {
  const f = isObject(raw) ? raw : {};
  const name =
    typeof f.name === 'string' ? f.name : f.name == null ? `(frame ${index})` : String(f.name);
  const url = typeof f.file === 'string' && f.file ? f.file : null;
  const line1 =
    typeof f.line === 'number' && Number.isInteger(f.line) && f.line >= 1 ? f.line : null;
  const col1 = typeof f.col === 'number' && Number.isInteger(f.col) && f.col >= 1 ? f.col : null;
  return {
    name,
    file: url === null ? null : fileUrlToPath(url),
    line1,
    col1,
    kind: guessFrameKind(name, url, line1, flavor),
  };
}

/** How often (in entries) slow loops report progress. */
const PROGRESS_EVERY = 1 << 16;

/**
 * Replays open/close events; returns the span from the first event to the last. See the file
 * comment for how broken event lists are repaired.
 */
function readEvented(
  events: unknown[],
  startValue: number,
  endValue: number,
  frameId: (ref: unknown) => number,
  builder: ProfileBuilder,
  progress: ((fraction: number) => void) | undefined,
): number {
  const frames: number[] = []; // frame id per open frame, outermost first
  const nodes: number[] = [0]; // model node per depth; nodes[0] is the root
  let last = NaN; // time of the previous event
  let first = NaN;
  let outOfOrder = 0;
  let strayCloses = 0;
  let earlyCloses = 0;
  let badEvents = 0;
  const advance = (at: number): void => {
    // The interval since the previous event belongs to the frame on top of the stack.
    const d = at - last;
    if (frames.length > 0 && d > 0) {
      const node = nodes[nodes.length - 1];
      builder.addSelf(node, d);
      builder.addSample(node, d, last - startValue);
    }
    last = at;
  };
  for (let i = 0; i < events.length; i++) {
    if (progress && i % PROGRESS_EVERY === PROGRESS_EVERY - 1) progress(i / events.length);
    const ev = events[i];
    if (
      !isObject(ev) ||
      (ev.type !== 'O' && ev.type !== 'C') ||
      typeof ev.at !== 'number' ||
      !Number.isFinite(ev.at)
    ) {
      badEvents++;
      continue;
    }
    const f = frameId(ev.frame);
    if (f < 0) continue;
    let at = ev.at;
    if (Number.isNaN(last)) first = last = at;
    if (at < last) {
      outOfOrder++;
      at = last;
    }
    advance(at);
    if (ev.type === 'O') {
      frames.push(f);
      nodes.push(builder.child(nodes[nodes.length - 1], f));
      continue;
    }
    const depth = frames.lastIndexOf(f);
    if (depth < 0) {
      strayCloses++;
      continue;
    }
    if (depth < frames.length - 1) earlyCloses++;
    frames.length = depth;
    nodes.length = depth + 1;
  }
  const open = frames.length;
  if (open > 0) advance(Math.max(last, endValue));
  if (badEvents > 0) {
    builder.warn(
      `${badEvents} ${badEvents === 1 ? 'event is' : 'events are'} not {type: "O" or "C", at: <number>, frame: <index>} and ${badEvents === 1 ? 'was' : 'were'} skipped.`,
    );
  }
  if (outOfOrder > 0) {
    builder.warn(
      `${outOfOrder} ${outOfOrder === 1 ? 'event is' : 'events are'} earlier than the event before; each was taken to happen at the time of the one before (speedscope refuses such files).`,
    );
  }
  if (earlyCloses > 0 || strayCloses > 0) {
    builder.warn(
      `The events are unbalanced: ${earlyCloses} ${earlyCloses === 1 ? 'close' : 'closes'} of a frame below the top also closed the frames above it, and ${strayCloses} ${strayCloses === 1 ? 'close' : 'closes'} of a frame that was not open ${strayCloses === 1 ? 'was' : 'were'} ignored (speedscope refuses such files).`,
    );
  }
  if (open > 0) {
    builder.warn(
      `${open} ${open === 1 ? 'frame was' : 'frames were'} still open after the last event and ${open === 1 ? 'was' : 'were'} closed at the end of the profile (speedscope refuses such files).`,
    );
  }
  return Number.isNaN(first) ? 0 : last - first;
}

/** Adds weighted stacks; returns the sum of the weights. */
function readSampled(
  samples: unknown[],
  weights: unknown,
  frameId: (ref: unknown) => number,
  builder: ProfileBuilder,
  progress: ((fraction: number) => void) | undefined,
): number {
  const w = Array.isArray(weights) ? weights : undefined;
  if (!w) {
    builder.warn('The profile has no "weights" list: every sample counts 1.');
  } else if (w.length !== samples.length) {
    builder.warn(
      `The profile has ${samples.length} samples but ${w.length} weights; ${w.length < samples.length ? 'samples without a weight were skipped' : 'the extra weights were ignored'}.`,
    );
  }
  const count = w ? Math.min(w.length, samples.length) : samples.length;
  let t = 0;
  let badWeights = 0;
  let badStacks = 0;
  const stack: number[] = [];
  for (let i = 0; i < count; i++) {
    if (progress && i % PROGRESS_EVERY === PROGRESS_EVERY - 1) progress(i / count);
    const weight = w ? w[i] : 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      badWeights++;
      continue;
    }
    const refs = samples[i];
    if (!Array.isArray(refs)) {
      badStacks++;
      continue;
    }
    stack.length = 0;
    for (const ref of refs) {
      const f = frameId(ref);
      if (f >= 0) stack.push(f);
    }
    if (weight === 0) continue;
    const node = builder.addStack(stack, weight);
    builder.addSample(node, weight, t);
    t += weight;
  }
  if (badWeights > 0) {
    builder.warn(
      `${badWeights} ${badWeights === 1 ? 'sample has a weight' : 'samples have weights'} that ${badWeights === 1 ? 'is' : 'are'} negative or not a number; ${badWeights === 1 ? 'it was' : 'they were'} skipped (speedscope refuses such files).`,
    );
  }
  if (badStacks > 0) {
    builder.warn(
      `${badStacks} ${badStacks === 1 ? 'sample is' : 'samples are'} not a list of frame indexes and ${badStacks === 1 ? 'was' : 'were'} skipped.`,
    );
  }
  return t;
}
