/**
 * Heatlens' own Python memory format, written by python/heatlens_profile.py in memory mode
 * (`--mode memory`): the standard library's tracemalloc, with a traceback of up to
 * `traceback_frames` frames kept per allocation.
 *
 * One JSON object, UTF-8, named `*.pymemory.json`:
 *
 *     {"format": "heatlens-python-memory", "version": 1, "traceback_frames": 32,
 *      "python": sys.version, "argv": [...],
 *      "frames": [[name, file, firstlineno], ...],
 *      "stacks": [{"frames": [frame ids, root -> leaf], "lines": [line per frame],
 *                  "peak": bytes, "peak_blocks": n, "end": bytes, "end_blocks": n,
 *                  "truncated": true (only when the traceback was cut)}, ...],
 *      "peak_bytes": n, "peak_s": seconds into the run, "end_bytes": n,
 *      "traced_peak_bytes": n, "snapshots": n,
 *      "overhead": {"snapshot_s": s, "polls": n, "poll_s": s, "tracemalloc_bytes": n},
 *      "duration_s": s, "cpu_s": s, "start_epoch_ms": ..., "exit_code": n, "warnings": [...]}
 *
 * What the figures are:
 *
 * - `end`: the bytes each stack's allocations still held when the program ended (normally, by
 *   an exception, `sys.exit`, `os._exit`, Ctrl+C or a stop through the control pipe; a run
 *   killed outright writes nothing).
 * - `peak`: the bytes each stack held in the snapshot of the run's highest traced memory. A
 *   watcher thread polls tracemalloc's traced size every millisecond and takes a snapshot when
 *   it passes the last snapshot's by a margin, or stops growing above it; the end snapshot
 *   stands in when it is higher. The watcher runs only when it holds the GIL: a peak that lasts
 *   less than the GIL switch interval (5 ms), or that rises and falls inside one C call that
 *   keeps the GIL, can be missed. `peak_bytes` is that snapshot's total; `traced_peak_bytes`
 *   is tracemalloc's own exact high-water mark, which also counts Heatlens' snapshots (so it is
 *   an upper bound of the program's peak, and the gap between the two says what a snapshot
 *   missed at most).
 * - No "allocated over the run": tracemalloc keeps live blocks only, with no cumulative count,
 *   so memory allocated and freed between two snapshots leaves no trace. The format does not
 *   carry such a figure rather than show an estimate under that name.
 * - tracemalloc does not record the thread of an allocation: every thread's allocations are
 *   counted, on their own stacks (which begin in `threading.py`), but there are no per-thread
 *   figures.
 * - tracemalloc keeps only (file, line) per frame: the helper derives each frame's function (the
 *   qualified name and first line of the innermost def, class or lambda around the line) from
 *   the source with `ast`; `["<unknown>", file, null]` when the source could not be read.
 * - The helper's own allocations (the watcher, the snapshots, writing this file) are left out,
 *   and so are its frames below the program's.
 *
 * The metrics are the file's choices (`peak`, the default, and `end`), as pprof's sample types
 * are: one profile in bytes each. A line's self bytes are the allocations whose innermost frame
 * is that line; when the innermost frame is not the user's code (the standard library,
 * site-packages), the bytes are also recorded as the `external` bytes of the deepest user
 * frame's line, as the sampler's time is (src/formats/pysamples.ts), so that
 * `x = list(range(10**7))` heats the user's line. A truncated stack (the program's stack was
 * deeper than the frames kept) begins with a pseudo-frame saying so.
 */
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import { classifyPythonFrame } from '../core/pythonFrameKind';
import type { ImportOptions, ProfileChoice } from './choices';
import { listChoices } from './choices';
import { ProfileFormatError } from './errors';

/** The `format` field of the files this module reads. */
export const pythonMemoryFormat = 'heatlens-python-memory';

/** The newest version of the format this module reads. */
export const pythonMemoryVersion = 1;

const NAME = /\.pymemory\.json$/i;
const SNIFF = /"format"\s*:\s*"heatlens-python-memory"/;
const REDO = 'record the program again with Heatlens';

const METRICS = [
  { id: 'peak', label: 'held at the peak', total: 'peak_bytes' },
  { id: 'end', label: 'held at the end', total: 'end_bytes' },
] as const;

/**
 * True for a Heatlens Python memory file: by name (`*.pymemory.json`), else by the `format`
 * field near the start of the text (the helper writes it first).
 */
export function isPythonMemory(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  const head = text.slice(0, 512);
  return head.trimStart().startsWith('{') && SNIFF.test(head);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bytesOf(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

function checked(value: unknown, sourceFile: string | undefined): Record<string, unknown> {
  const label = sourceFile ? `"${sourceFile}"` : 'The Python memory profile';
  const fail = (what: string, next = REDO): never => {
    throw new ProfileFormatError(`${label} ${what}; ${next}.`, sourceFile);
  };
  if (!isRecord(value) || value.format !== pythonMemoryFormat) {
    fail(`is not a Heatlens Python memory file (no "format": "${pythonMemoryFormat}")`);
  }
  const d = value as Record<string, unknown>;
  const version = d.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    fail('has no valid "version"');
  }
  if ((version as number) > pythonMemoryVersion) {
    fail(
      `is of version ${version}, newer than this Heatlens reads (${pythonMemoryVersion})`,
      'update the Heatlens extension',
    );
  }
  if (!Array.isArray(d.frames)) fail('has no "frames" list');
  if (!Array.isArray(d.stacks)) fail('has no "stacks" list');
  return d;
}

function plainBytes(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} bytes`;
}

/** The metrics of a Heatlens Python memory file, held at the peak (the default) first. */
export function pythonMemoryChoices(value: unknown, sourceFile?: string): ProfileChoice[] {
  const d = checked(value, sourceFile);
  return METRICS.map((m) => ({
    id: m.id,
    label: m.label,
    detail: plainBytes(bytesOf(d[m.total])),
  }));
}

/**
 * Reads one metric of a Heatlens Python memory file (`options.choice`: `peak`, the default, or
 * `end`) into a profile in bytes (profiler 'heatlens-tracemalloc'). Throws a
 * {@link ProfileFormatError} naming the file when it is not such a file, is of a newer version,
 * or the choice is not one of its metrics.
 */
export function importPythonMemoryValue(value: unknown, options: ImportOptions = {}): Profile {
  const file = options.sourceFile;
  const d = checked(value, file);
  const label = file ? `"${file}"` : 'The Python memory profile';
  const fail = (what: string): never => {
    throw new ProfileFormatError(`${label} ${what}; ${REDO}.`, file);
  };
  const metric = METRICS.find((m) => m.id === (options.choice ?? 'peak'));
  if (!metric) {
    throw new ProfileFormatError(
      `${label} has no metric "${options.choice}"; choose one of ${listChoices(
        METRICS.map((m) => `"${m.id}"`),
      )}.`,
      file,
    );
  }

  const builder = new ProfileBuilder();
  const rawFrames = d.frames as unknown[];
  const frameIds = new Int32Array(rawFrames.length);
  for (let i = 0; i < rawFrames.length; i++) {
    const f = rawFrames[i];
    if (!Array.isArray(f) || typeof f[0] !== 'string') {
      fail(`has a frame (#${i}) that is not [name, file, line]`);
    }
    const [name, path, line] = f as [string, unknown, unknown];
    const filePath = typeof path === 'string' && path !== '' ? path : null;
    const line1 = typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : null;
    const frame: Frame = {
      name,
      file: filePath,
      line1,
      col1: null,
      kind: classifyPythonFrame(filePath, name),
    };
    frameIds[i] = builder.frame(frame);
  }
  let truncatedFrame = -1;

  const stack: number[] = [];
  const rawStacks = d.stacks as unknown[];
  for (let s = 0; s < rawStacks.length; s++) {
    const entry = rawStacks[s];
    if (!isRecord(entry) || !Array.isArray(entry.frames)) {
      fail(`has a stack (#${s}) without a "frames" list`);
    }
    const e = entry as Record<string, unknown>;
    const ids = e.frames as unknown[];
    const weight = bytesOf(e[metric.id]);
    if (ids.length === 0 || weight === 0) continue;
    stack.length = 0;
    if (e.truncated === true) {
      if (truncatedFrame < 0) {
        truncatedFrame = builder.frame({
          name: '(stack cut: deeper than the frames kept)',
          file: null,
          line1: null,
          col1: null,
          kind: 'pseudo',
        });
      }
      stack.push(truncatedFrame);
    }
    for (const id of ids) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= rawFrames.length) {
        fail(`has a stack (#${s}) naming a frame (${JSON.stringify(id)}) that is not in "frames"`);
      }
      stack.push(frameIds[id as number]);
    }
    builder.addStack(stack, weight);
    const lines = Array.isArray(e.lines) ? (e.lines as unknown[]) : [];
    if (lines.length !== ids.length) continue;
    const leaf = builder.frameAt(frameIds[ids[ids.length - 1] as number]);
    const leafLine = lines[lines.length - 1];
    if (leaf.file !== null && typeof leafLine === 'number' && leafLine >= 1) {
      builder.addLine(leaf.file, leafLine, frameIds[ids[ids.length - 1] as number], weight);
    }
    if (leaf.kind === 'user') continue;
    // Bytes allocated below a user line, in code outside the user's: that line's external bytes.
    for (let k = ids.length - 2; k >= 0; k--) {
      const frame = builder.frameAt(frameIds[ids[k] as number]);
      if (frame.kind !== 'user') continue;
      const line = lines[k];
      if (frame.file !== null && typeof line === 'number' && line >= 1) {
        builder.addLineExternal(frame.file, line, frameIds[ids[k] as number], weight);
      }
      break;
    }
  }

  if (Array.isArray(d.warnings)) {
    for (const w of d.warnings) if (typeof w === 'string' && w) builder.warn(w);
  }
  const startEpochMs =
    typeof d.start_epoch_ms === 'number' && Number.isFinite(d.start_epoch_ms)
      ? d.start_epoch_ms
      : undefined;
  return builder.build({
    profiler: 'heatlens-tracemalloc',
    clock: 'unknown',
    unit: 'bytes',
    startEpochMs,
    sourceFile: file,
  });
}

/** Reads a Heatlens Python memory file from its text (see {@link importPythonMemoryValue}). */
export function importPythonMemory(text: string, options: ImportOptions = {}): Profile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const label = options.sourceFile ? `"${options.sourceFile}"` : 'The Python memory profile';
    throw new ProfileFormatError(
      `${label} is not valid JSON (${(error as Error).message}); the file may have been cut short, so ${REDO}.`,
      options.sourceFile,
    );
  }
  return importPythonMemoryValue(value, options);
}
