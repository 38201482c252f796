/**
 * Frames from formats that do not say which runtime wrote them (speedscope JSON, collapsed
 * stacks): a frame's kind is guessed from its file and name, with the classifiers the native
 * importers use where the file is clearly JavaScript or Python.
 */
import { classifyJsFrame } from '../core/frameKind';
import type { FrameKind } from '../core/profile';
import { classifyPythonFrame } from '../core/pythonFrameKind';

const JS_FILE = /\.(?:[cm]?js|jsx|[cm]?ts|tsx|vue|svelte)$|^(?:node|internal|webpack|https?):/i;
const PYTHON_FILE = /\.py[wic]?$|^<frozen |^~$/i;
/** Profiler pseudo frames: `(program)`, `(idle)`, `(garbage collector)`, `(root)`. */
const PSEUDO_NAME = /^\(.*\)$/;
/**
 * What native profilers write for code without symbols or in the kernel: perf's `[unknown]`,
 * `[kernel.kallsyms]` and its `_[k]` suffix on kernel functions, Python's `<built-in ...>`.
 */
const RUNTIME_NAME = /^\[[^\]]*\]$|_\[k\]$|^<built-in /;

/** The runtime a profile's frames come from, as far as their files tell. */
export type FrameFlavor = 'js' | 'python' | 'unknown';

/** The flavor of a list of frame files: what most of the files that say something are. */
export function guessFlavor(files: Iterable<string | null | undefined>): FrameFlavor {
  let js = 0;
  let python = 0;
  for (const file of files) {
    if (!file) continue;
    if (PYTHON_FILE.test(file)) python++;
    else if (JS_FILE.test(file) || /^file:/i.test(file)) js++;
  }
  if (js === 0 && python === 0) return 'unknown';
  return js >= python ? 'js' : 'python';
}

/**
 * The kind of a frame of unknown origin: JavaScript and Python files go through their
 * runtime's classifier; otherwise a file means the user's code, parenthesised names without a
 * file are profiler pseudo frames, and symbol-less or kernel frames belong to the runtime. In a
 * profile of JavaScript or Python (`flavor`), a frame without a file is the runtime's, as the
 * native importers have it (V8 built-ins, Python's C functions). Anything else is taken as the
 * user's: a flame graph must not hide what it cannot place.
 */
export function guessFrameKind(
  name: string,
  file: string | null,
  line1: number | null,
  flavor: FrameFlavor = 'unknown',
): FrameKind {
  if (!file && flavor === 'js') return classifyJsFrame(name, '', -1);
  if (!file && flavor === 'python') return classifyPythonFrame(null, name);
  if (file) {
    if (PYTHON_FILE.test(file)) return classifyPythonFrame(file, name);
    if (JS_FILE.test(file) || /^file:/i.test(file))
      return classifyJsFrame(name, file, line1 === null ? -1 : line1 - 1);
    return 'user';
  }
  if (PSEUDO_NAME.test(name)) return 'pseudo';
  if (RUNTIME_NAME.test(name)) return 'runtime';
  return 'user';
}
