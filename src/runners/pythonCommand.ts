/**
 * What a Python run starts (see pythonRunner.ts), checked before anything runs: the mode, the
 * sampling interval, the working directory, the file, Heatlens' helper script and the
 * interpreter. A problem that stops the program from running at all is a {@link RunError}.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { defaultCandidates, findPython, installHint, resolvePython } from './findPython';
import { RunError } from './runError';

/** How Python is profiled: our sampler, cProfile, or yappi. */
/** `memory`: the bytes held at the run's peak and at its end, per line (tracemalloc). */
export type PythonProfileMode = 'sampling' | 'cprofile' | 'yappi' | 'memory';

/** What to run. */
export interface PythonCommandOptions {
  /** The .py file to profile; relative paths are resolved against `cwd`. */
  file: string;
  /** Arguments for the program (after the file name). */
  args?: string[];
  /** Working directory of the program; default: this process's. */
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  mode: PythonProfileMode;
  /**
   * The interpreter (a path or a command on PATH): the Python extension's selection or the
   * `heatlens.python.path` setting. Default: the first of `python3`, `python` that is Python 3.8+.
   */
  python?: string;
  /**
   * Interpreters to try in order when `python` is not given (the first that is Python 3.8+ runs
   * the program); default `python3`, `python`.
   */
  candidates?: string[];
  /** Default: 'cpu' for sampling and yappi, 'wall' for cprofile (its own timer). */
  clock?: 'cpu' | 'wall';
  /** Sampling interval in microseconds (sampling mode); default 1000. */
  intervalUs?: number;
  /** The folder holding heatlens_profile.py; default {@link defaultPythonHelpersDir}. */
  helpersDir?: string;
}

/** The helper script's file name. */
export const pythonHelperName = 'heatlens_profile.py';

/** The default sampling interval, in microseconds. */
export const defaultPythonIntervalUs = 1000;

/**
 * The folder holding heatlens_profile.py: `python/` in the folder of the nearest package.json
 * above this code, which is the repository root for the sources and built tests, and the
 * extension's root for the bundle (dist/extension.js).
 */
export function defaultPythonHelpersDir(): string {
  for (let dir = __dirname; ;) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'python');
      if (existsSync(join(candidate, pythonHelperName))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dirname(__dirname), 'python');
}

/** The run, checked. */
export interface PythonCommand {
  readonly mode: PythonProfileMode;
  readonly clock: 'cpu' | 'wall';
  readonly intervalUs: number;
  /** The working directory and the file, absolute; the file's base name. */
  readonly cwd: string;
  readonly file: string;
  readonly name: string;
  /** heatlens_profile.py. */
  readonly helper: string;
  /** The interpreter's `sys.executable`. */
  readonly python: string;
}

/** The checked run for `options`; throws a {@link RunError} when it cannot run. */
export async function pythonCommand(options: PythonCommandOptions): Promise<PythonCommand> {
  const mode = options.mode;
  if (mode !== 'sampling' && mode !== 'cprofile' && mode !== 'yappi' && mode !== 'memory') {
    throw new RunError(
      `Unknown Python profiling mode "${String(mode)}": use sampling, cprofile, yappi or memory.`,
    );
  }
  const clock = options.clock ?? (mode === 'cprofile' ? 'wall' : 'cpu');
  const intervalUs = options.intervalUs ?? defaultPythonIntervalUs;
  if (!Number.isFinite(intervalUs) || intervalUs <= 0) {
    throw new RunError(
      `The sampling interval must be a positive number of microseconds, not ${intervalUs}.`,
    );
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = resolve(cwd, options.file);
  const name = basename(file);
  const cwdInfo = await stat(cwd).catch(() => undefined);
  if (!cwdInfo?.isDirectory()) {
    throw new RunError(
      `The working directory ${cwd} does not exist; check the \`heatlens.cwd\` setting.`,
    );
  }
  const fileInfo = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (fileInfo instanceof Error) {
    const code = fileInfo.code;
    throw new RunError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `Cannot profile ${file}: the file does not exist.`
        : `Cannot profile ${file}: it cannot be read (${code ?? fileInfo.message}).`,
    );
  }
  if (fileInfo.isDirectory()) {
    throw new RunError(`Cannot profile ${file}: it is a folder. Choose a .py file.`);
  }
  const helper = join(options.helpersDir ?? defaultPythonHelpersDir(), pythonHelperName);
  if (!existsSync(helper)) {
    throw new RunError(
      `Heatlens's Python helper ${helper} is missing. Reinstall the extension (in a checkout, ` +
        'it is python/heatlens_profile.py).',
    );
  }
  let python: string;
  if (options.python) {
    const found = await findPython([options.python]);
    if (!found.executable) {
      throw new RunError(
        `Cannot use the Python interpreter ${found.tried[0]}. Check the interpreter selected ` +
          `in the Python extension or the \`heatlens.python.path\` setting. ${installHint}`,
      );
    }
    python = found.executable;
  } else {
    python = await resolvePython(options.candidates ?? defaultCandidates);
  }

  return { mode, clock, intervalUs, file, name, cwd, helper, python };
}
