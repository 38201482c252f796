/**
 * V8 tick logs (`node --prof` writes `isolate-<address>-<pid>-v8.log`), read as the JSON that
 * `node --prof-process --preprocess isolate.log` makes of them (docs/FORMATS.md, "V8 --prof
 * logs"). The raw log is a list of events whose meaning depends on the V8 that wrote it, and its
 * C++ symbols come from `nm` on the binaries of the machine that ran it: Node's own tick
 * processor reads it. This importer is pure; the CLI and the extension run the person's Node on a
 * raw log first (src/runners/v8LogPreprocess.ts) and hand the JSON here.
 *
 * The JSON: `code` (one entry per code object, see v8logCode.ts), `functions` (a JavaScript
 * function's code objects), `ticks` (each `{tm, vm, s}`: the time in microseconds, the VM state,
 * and the stack as pairs of code entry index and offset into it, the program counter first, -1
 * and the address for an address no code entry holds) and `scripts` (URL and source text).
 *
 * Choices, and why:
 *
 * - Figures are the tick processor's (`node --prof-process isolate.log`): each tick weighs one
 *   (unit `samples`), its stack is its code entries named as the tick processor names them,
 *   bytecode handlers left out (its default: the interpreted function below is the frame), an
 *   address of no code entry is `(unaccounted)` at the top of a stack and left out below it, so a
 *   function's self ticks are the flat profile's and the bottom-up profile's first level. A
 *   function is one frame whatever tier ran it (the tick processor lists `~fib`, `^fib` and
 *   `*fib` apart; Heatlens adds them up, as V8's CPU profiler does).
 * - Frames: JavaScript functions get their file, line and column from the entry's name;
 *   builtins are `Builtin: <name>` (and `RegExp: ...`, `Handler: ...`), C++ symbols and
 *   libraries as `nm` and the log name them, all the runtime's.
 * - Lines: a tick whose top frame is JavaScript counts on the source line its offset points at
 *   (the code's source positions and the script's text), in the function's file or, for a
 *   function inlined there, in that function's; per node too, so that the inlined-function step
 *   (src/sourcemaps/inlined.ts) can give inlined functions their own time, as for a .cpuprofile.
 * - Ticks keep their order (samples one tick apart); a tick with no frame left counts at the
 *   root (in the total, no function's).
 * - Entries, ticks and pairs that are not what the preprocessor writes are skipped and counted
 *   in one warning; a file without ticks is an error naming the file.
 */
import { ProfileBuilder, type Profile } from '../core/profile';
import type { ImportOptions } from './choices';
import { formatFail, type FormatFail } from './errors';
import { codeFrame, V8Lines, type V8CodeEntry } from './v8logCode';

const NAME = /(?:^|[\\/])isolate-[^\\/]*\.log$|\.v8log\.json$/i;
/** The first event of a raw log: `v8-version,...` (or a log cut before it). */
const RAW_LOG = /^(?:v8-version|shared-library|code-creation|profiler|tick),/;
/** The preprocessor's first key and the start of its first entry (or an empty list). */
const JSON_HEAD =
  /^\s*\{\s*"code"\s*:\s*\[\s*(?:\{\s*"name"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*"type"\s*:\s*"(?:SHARED_LIB|CPP|CODE|JS)"|\]\s*,\s*"functions")/;

const fail: FormatFail = formatFail(
  'The V8 log',
  'preprocess the log again with `node --prof-process --preprocess isolate.log > isolate.v8log.json`',
);

/** Whether the text is a raw `node --prof` log (not the preprocessor's JSON). */
export function isRawV8Log(text: string): boolean {
  return RAW_LOG.test(text.slice(0, 64).replace(/^\uFEFF/, ''));
}

/**
 * Whether a file is a V8 tick log: by name (`isolate-*.log`, `*.v8log.json`), then by content:
 * a raw log's first event, or the preprocessor's JSON (`{"code": [{"name": ..., "type": ...`).
 */
export function isV8Log(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  if (isRawV8Log(text)) return true;
  return JSON_HEAD.test(text.slice(0, 4096).replace(/^\uFEFF/, ''));
}

interface Tick {
  readonly tm?: unknown;
  readonly vm?: unknown;
  readonly s?: unknown;
}

/** The parts of the preprocessor's JSON, each an array (empty where missing or damaged). */
function partsOf(value: unknown, file: string | undefined) {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(file, 'is not the JSON `node --prof-process --preprocess` writes (not an object)');
  const v = value as Record<string, unknown>;
  const list = (key: string): readonly unknown[] => (Array.isArray(v[key]) ? v[key] : []);
  if (!Array.isArray(v.code) || !Array.isArray(v.ticks))
    fail(file, 'is not the JSON `node --prof-process --preprocess` writes (no code or ticks)');
  return {
    code: list('code'),
    functions: list('functions'),
    ticks: list('ticks'),
    scripts: list('scripts'),
  };
}

/**
 * Reads a preprocessed V8 log (see the module comment). `input.text` that is a raw log (the
 * caller did not preprocess it) is an error saying how; so is JSON of another shape.
 */
export function importV8Log(
  input: { readonly text: string; json(): unknown },
  options: ImportOptions = {},
): Profile {
  const file = options.sourceFile;
  if (isRawV8Log(input.text)) {
    fail(
      file,
      'is a raw V8 log, which Node.js reads with the V8 that wrote it',
      'open it with the Heatlens CLI or editor, which run `node --prof-process --preprocess` ' +
        'on it, or run that yourself (`node --prof-process --preprocess isolate.log > ' +
        'isolate.v8log.json`) and open isolate.v8log.json',
    );
  }
  const { code, functions, ticks, scripts } = partsOf(input.json(), file);
  const builder = new ProfileBuilder();
  const lines = new V8Lines(code, functions, scripts);
  // Per code entry: its frame id, -2 for an entry left out, undefined until first seen.
  const frameOfCode: (number | undefined)[] = new Array(code.length);
  let unaccounted = -1;
  let damaged = 0;
  let inOrder = true;
  let lastTm = -Infinity;
  const frameOf = (id: number): number => {
    let f = frameOfCode[id];
    if (f === undefined) {
      const entry = code[id];
      const frame =
        typeof entry === 'object' && entry !== null
          ? codeFrame(entry as V8CodeEntry, scripts)
          : null;
      f = frame ? builder.frame(frame) : -2;
      frameOfCode[id] = f;
    }
    return f;
  };
  const stack: number[] = [];
  let count = 0;
  const nodes: number[] = [];
  for (const t of ticks as Tick[]) {
    const s = typeof t === 'object' && t !== null ? t.s : undefined;
    if (!Array.isArray(s) || s.length % 2 !== 0) {
      damaged++;
      continue;
    }
    stack.length = 0;
    let line: { file: string; line1: number } | null = null;
    for (let i = 0; i < s.length; i += 2) {
      const id = s[i];
      const offset = s[i + 1];
      if (!Number.isSafeInteger(id) || id < -1 || id >= code.length || typeof offset !== 'number') {
        damaged++;
        continue;
      }
      if (id === -1) {
        if (i === 0) {
          if (unaccounted < 0) unaccounted = builder.frame(UNACCOUNTED);
          stack.push(unaccounted);
        }
        continue;
      }
      const f = frameOf(id);
      if (f < 0) continue;
      if (stack.length === 0 && (code[id] as V8CodeEntry).type === 'JS')
        line = lines.lineAt(id, offset);
      stack.push(f);
    }
    stack.reverse();
    const node = builder.nodeFor(stack);
    builder.addSelf(node, 1);
    if (line && stack.length) {
      const leaf = stack[stack.length - 1];
      builder.addLine(line.file, line.line1, leaf, 1);
      builder.addNodeLine(node, line.file, line.line1, 1);
    }
    nodes.push(node);
    const tm = typeof t.tm === 'number' ? t.tm : NaN;
    if (!(tm >= lastTm)) inOrder = false;
    lastTm = tm;
    count++;
  }
  if (count === 0) fail(file, 'holds no ticks: the program ended before V8 sampled it');
  // Ticks one apart, in the log's order (which is time order: a tick is logged when taken).
  builder.reserveSamples(nodes.length);
  nodes.forEach((node, i) => builder.addSample(node, 1, i));
  const warnings: string[] = [];
  const label = file ? `"${file}"` : 'The V8 log';
  if (damaged) {
    warnings.push(
      `${label}: ${damaged} ticks or stack entries are not what the preprocessor writes; ` +
        'they were skipped. The file may be damaged.',
    );
  }
  if (!inOrder)
    warnings.push(`${label}: its ticks are not in time order; they are kept as listed.`);
  return builder.build({
    profiler: 'v8-log',
    // V8's sampler thread ticks on wall-clock time, whatever the thread is doing.
    clock: 'wall',
    unit: 'samples',
    sampleCount: count,
    sourceFile: file,
    warnings,
  });
}

const UNACCOUNTED = {
  name: '(unaccounted)',
  file: null,
  line1: null,
  col1: null,
  kind: 'pseudo',
} as const;
