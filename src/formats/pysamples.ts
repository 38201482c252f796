/**
 * Heatlens' own Python sample format, written by python/heatlens_profile.py in sampling mode.
 *
 * One JSON object, UTF-8:
 *
 *     {"format": "heatlens-python-samples", "version": 1,
 *      "clock": "cpu" | "wall", "interval_us": 1000, "python": sys.version, "argv": [...],
 *      "frames": [[name, file, firstlineno], ...],
 *      "stacks": [{"frames": [frame ids, root -> leaf], "lines": [current line per frame],
 *                  "thread": "MainThread", "weight": seconds, "count": samples}, ...],
 *      "duration_s": wall seconds, "cpu_s": CPU seconds, "start_epoch_ms": ...,
 *      "exit_code": n, "warnings": ["..."]}
 *
 * `name` is the code object's qualified name (`Class.method` from Python 3.11, the bare name
 * before). Stacks of threads other than the main thread begin with a pseudo-frame
 * `["thread: <name>", null, null]` (line 0). A line of 0 means unknown. Stacks are aggregated
 * (one entry per distinct thread, frames and lines), so there is no time order: the profile has
 * a tree and line weights but no samples. Weights are the time each thread really spent between
 * two of its samples, on the recorded clock (the thread's own CPU time, or wall time).
 *
 * Self time belongs to the leaf's current line, and only there: a sample counts once in the
 * lines' self figures, which never add up to more than the run. When the leaf is not the user's
 * code (the standard library, site-packages), the time is also recorded on the current line of
 * the deepest user frame, the call site in the user's own code, as that line's `external` time
 * (time below it in code outside the user's): that is the line a person can change, and without
 * it a line such as `re.compile(...)` would stay cold while it costs a third of the run. The
 * two figures are kept apart, so nothing is counted twice in either.
 */
import { ProfileBuilder, type Frame, type FrameKind, type Profile } from '../core/profile';
import { classifyPythonFrame } from '../core/pythonFrameKind';
import { formatFail, type FormatFail } from './errors';

/** The `format` field of the files this module reads. */
export const pythonSamplesFormat = 'heatlens-python-samples';

/** The newest version of the format this module reads. */
export const pythonSamplesVersion = 1;

/** Options of {@link importPythonSamples}. */
export interface PythonSamplesOptions {
  /** The file the text came from, for meta and error messages. */
  readonly sourceFile?: string;
}

const NAME = /\.pysamples\.json$/i;
const SNIFF = /"format"\s*:\s*"heatlens-python-samples"/;

/**
 * True for a Heatlens Python samples file: by name (`*.pysamples.json`), else by the `format`
 * field near the start of the text (the helper writes it first).
 */
export function isPythonSamples(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  const head = text.slice(0, 512);
  return head.trimStart().startsWith('{') && SNIFF.test(head);
}

const REDO = 'profile the program again with Heatlens';

const fail: FormatFail = formatFail('The Python samples profile', REDO);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function threadFrameKind(file: string | null, name: string): FrameKind {
  // The helper's thread pseudo-frames have no file; anything else goes to the Python classifier.
  if (file === null && name.startsWith('thread: ')) return 'pseudo';
  return classifyPythonFrame(file, name);
}

/**
 * Reads a Heatlens Python samples file into a profile (unit seconds, profiler
 * 'heatlens-sampler', the clock the file names). Throws a {@link ProfileFormatError} naming the
 * file when the text is not such a file, or is of a newer version.
 */
export function importPythonSamples(text: string, options: PythonSamplesOptions = {}): Profile {
  const file = options.sourceFile;
  const d = readDocument(text, file);
  const builder = new ProfileBuilder();
  const frames = addFrames(builder, d.frames as unknown[], file);
  const sampleCount = addStacks(builder, frames, d.stacks as unknown[], file);
  if (Array.isArray(d.warnings)) {
    for (const w of d.warnings) if (typeof w === 'string' && w) builder.warn(w);
  }
  const clock = d.clock === 'cpu' || d.clock === 'wall' ? d.clock : 'unknown';
  const intervalUs =
    typeof d.interval_us === 'number' && d.interval_us > 0 && Number.isFinite(d.interval_us)
      ? d.interval_us
      : undefined;
  const duration =
    typeof d.duration_s === 'number' && Number.isFinite(d.duration_s) && d.duration_s >= 0
      ? d.duration_s
      : undefined;
  const startEpochMs =
    typeof d.start_epoch_ms === 'number' && Number.isFinite(d.start_epoch_ms)
      ? d.start_epoch_ms
      : undefined;
  return builder.build({
    profiler: 'heatlens-sampler',
    clock,
    unit: 'seconds',
    intervalUs,
    sampleCount: sampleCount > 0 ? sampleCount : undefined,
    duration,
    startEpochMs,
    sourceFile: file,
  });
}

/** The file's JSON object, checked: the format, a version this module reads, the two lists. */
function readDocument(text: string, file: string | undefined): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    fail(
      file,
      `is not valid JSON (${(error as Error).message})`,
      'the file may have been cut short, so ' + REDO,
    );
  }
  if (!isRecord(doc) || doc.format !== pythonSamplesFormat) {
    fail(file, `is not a Heatlens Python samples file (no "format": "${pythonSamplesFormat}")`);
  }
  const d = doc as Record<string, unknown>;
  const version = d.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    fail(file, 'has no valid "version"');
  }
  if ((version as number) > pythonSamplesVersion) {
    fail(
      file,
      `is of version ${version}, newer than this Heatlens reads (${pythonSamplesVersion})`,
      'update the Heatlens extension',
    );
  }
  if (!Array.isArray(d.frames)) fail(file, 'has no "frames" list');
  if (!Array.isArray(d.stacks)) fail(file, 'has no "stacks" list');
  return d;
}

/** The file's frames as the model's: their ids and files, by the file's frame index. */
interface FileFrames {
  readonly ids: Int32Array;
  readonly files: readonly (string | null)[];
}

/** Adds the `frames` list's frames to the builder. */
function addFrames(
  builder: ProfileBuilder,
  rawFrames: unknown[],
  file: string | undefined,
): FileFrames {
  const frameIds = new Int32Array(rawFrames.length);
  const frameFiles: (string | null)[] = new Array(rawFrames.length);
  for (let i = 0; i < rawFrames.length; i++) {
    const f = rawFrames[i];
    if (!Array.isArray(f) || typeof f[0] !== 'string') {
      fail(file, `has a frame (#${i}) that is not [name, file, line]`);
    }
    const [name, path, line] = f as [string, unknown, unknown];
    const filePath = typeof path === 'string' && path !== '' ? path : null;
    const line1 = typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : null;
    const frame: Frame = {
      name,
      file: filePath,
      line1,
      col1: null,
      kind: threadFrameKind(filePath, name),
    };
    frameIds[i] = builder.frame(frame);
    frameFiles[i] = filePath;
  }
  return { ids: frameIds, files: frameFiles };
}

/**
 * Adds the `stacks` list: each stack's weight to the tree, to its leaf's current line, and to the
 * call site in the user's code as external time (see the module comment). Returns how many
 * samples the stacks aggregate.
 */
function addStacks(
  builder: ProfileBuilder,
  { ids: frameIds, files: frameFiles }: FileFrames,
  rawStacks: unknown[],
  file: string | undefined,
): number {
  const stack: number[] = [];
  // How many samples the stacks aggregate: the figures' sampling error (core/significance.ts).
  let sampleCount = 0;
  for (let s = 0; s < rawStacks.length; s++) {
    const entry = rawStacks[s];
    if (!isRecord(entry) || !Array.isArray(entry.frames)) {
      fail(file, `has a stack (#${s}) without a "frames" list`);
    }
    const e = entry as Record<string, unknown>;
    const ids = e.frames as unknown[];
    if (ids.length === 0) continue;
    const weight = typeof e.weight === 'number' && Number.isFinite(e.weight) ? e.weight : 0;
    if (typeof e.count === 'number' && e.count > 0 && Number.isFinite(e.count)) {
      sampleCount += e.count;
    }
    stack.length = 0;
    for (const id of ids) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= frameIds.length) {
        fail(
          file,
          `has a stack (#${s}) naming a frame (${JSON.stringify(id)}) that is not in "frames"`,
        );
      }
      stack.push(frameIds[id as number]);
    }
    builder.addStack(stack, weight);
    const leaf = ids[ids.length - 1] as number;
    const lines = Array.isArray(e.lines) ? (e.lines as unknown[]) : [];
    const leafLine = lines.length === ids.length ? lines[lines.length - 1] : undefined;
    const leafFile = frameFiles[leaf];
    if (leafFile !== null && typeof leafLine === 'number' && leafLine >= 1) {
      builder.addLine(leafFile, leafLine, frameIds[leaf], weight);
    }
    if (lines.length === ids.length && builder.frameAt(frameIds[leaf]).kind !== 'user') {
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
  }
  return sampleCount;
}
