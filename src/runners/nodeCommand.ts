/**
 * The command line a Node run starts (see nodeRunner.ts), checked before anything runs: the
 * sampling interval (or, in memory mode, what the heap profiler records), the working directory,
 * the file, and Heatlens' helpers preloaded into the program (the TypeScript loader for .ts files,
 * the child guard otherwise, and in memory mode the one that lets V8's heap profiler name
 * CommonJS functions: inject/heapNames.ts). A problem that stops the program from running at all
 * is a {@link RunError}.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { mapDirEnv } from './generatedMaps';
import { defaultHelpersDir, defaultTransformCacheDir } from './helpers';
import { packageTypeOf } from './packageType';
import { RunError } from './runError';
import type { HeapRecording } from './runResult';
import { transformCacheEnv } from './tsTransformCache';

/** What to run. */
export interface NodeCommandOptions {
  /** The file to profile; relative paths are resolved against `cwd`. */
  file: string;
  /** Arguments for the program (after the file name). */
  args?: string[];
  /** Working directory of the program; default: this process's. */
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Sampling interval in microseconds; default 1000. */
  intervalUs?: number;
  /**
   * Record memory instead of time: V8's sampling heap profiler, every allocation over the run
   * (`record` 'allocated', the default) or what is still alive at the end ('live'), one sampled
   * allocation per `samplingInterval` bytes on average (default {@link defaultHeapIntervalBytes}).
   */
  memory?: Partial<HeapRecording>;
  /** The Node.js executable; default `node` from PATH. */
  nodePath?: string;
  /** Where the injected helpers are (dist/inject); default {@link defaultHelpersDir}. */
  helpersDir?: string;
  /**
   * Where the TypeScript loader keeps transformed files between runs (see tsTransformCache.ts);
   * default {@link defaultTransformCacheDir}.
   */
  transformCacheDir?: string;
}

/** The command, ready to spawn. */
export interface NodeCommand {
  readonly nodePath: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The profiled file, absolute. */
  readonly file: string;
  /** Where the TypeScript loader writes the source maps of what it compiled (.ts files only). */
  readonly mapDir: string | undefined;
  /** The sampling interval, whole microseconds. */
  readonly intervalUs: number;
  /** Memory mode: what the heap profiler records, checked. */
  readonly memory: HeapRecording | undefined;
  /** Things the person should know about this run, found while preparing it. */
  readonly warnings: string[];
}

/** The default sampling interval, in microseconds (Node's own default for `--cpu-prof`). */
export const defaultIntervalUs = 1000;

/** The heap profiler's default sampling interval, in bytes (V8's own, and `--heap-prof`'s). */
export const defaultHeapIntervalBytes = 32768;

/** Below this interval the profiler's cost grows and the interval is often not reached. */
const fineIntervalUs = 100;

const typeScriptFile = /\.(?:[cm]?ts|tsx)$/i;

/** The helpers the TypeScript loader needs, in dist/inject. */
const tsHelpers = ['tsRegister.js', 'tsHooks.js', 'tsCompiler.js', 'esmEntry.js', 'childGuard.js'];

/** The sampling interval asked for, checked, and a warning when it is too fine. */
function samplingInterval(requested: number, warnings: string[]): number {
  if (!Number.isFinite(requested) || requested <= 0) {
    throw new RunError(
      `The sampling interval must be a positive number of microseconds, not ${requested}.`,
    );
  }
  const intervalUs = Math.max(1, Math.round(requested));
  if (intervalUs < fineIntervalUs) {
    warnings.push(
      `A sampling interval of ${intervalUs} µs costs more and is often not reached: at ` +
        `100 µs the profiler measured +9% to +27% wall time and +27% to +40% CPU, and even ` +
        `1000 µs came out as 1300-1800 µs on a loaded machine. ${defaultIntervalUs} µs is ` +
        'usually enough.',
    );
  }
  return intervalUs;
}

/** What the heap profiler records, checked: a whole positive number of bytes. */
function heapRecording(memory: Partial<HeapRecording>): HeapRecording {
  const requested = memory.samplingInterval ?? defaultHeapIntervalBytes;
  if (!Number.isFinite(requested) || requested < 1) {
    throw new RunError(
      `The heap sampling interval must be a positive number of bytes, not ${requested}.`,
    );
  }
  return { record: memory.record ?? 'allocated', samplingInterval: Math.round(requested) };
}

async function checkFolder(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new RunError(
      `The working directory ${cwd} does not exist; check the \`heatlens.cwd\` setting.`,
    );
  }
}

async function checkFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RunError(`Cannot profile ${file}: the file does not exist.`);
    }
    throw new RunError(`Cannot profile ${file}: it cannot be read (${code ?? String(error)}).`);
  }
  if (info.isDirectory()) {
    throw new RunError(
      `Cannot profile ${file}: it is a folder. Choose a .js, .mjs, .cjs, .ts, .mts or .cts file.`,
    );
  }
}

/**
 * The preloads for `file` (`-r`, `--import`), and for TypeScript the folder its source maps are
 * written to (made here: the caller removes it) with the loader's variables set in `env`.
 */
async function preloads(
  file: string,
  options: NodeCommandOptions,
  env: Record<string, string>,
  warnings: string[],
): Promise<{ preload: string[]; mapDir: string | undefined }> {
  const helpersDir = options.helpersDir ?? defaultHelpersDir();
  // First, so that the modules the other helpers load are compiled the way it sets.
  const first = options.memory ? heapNamesPreload(helpersDir, warnings) : [];
  if (!typeScriptFile.test(file)) {
    const guard = join(helpersDir, 'childGuard.js');
    if (existsSync(guard)) return { preload: [...first, '-r', guard], mapDir: undefined };
    warnings.push(
      `Heatlens's helper ${guard} is missing: a program that forks Node children will hang ` +
        'waiting for a debugger. Reinstall the extension.',
    );
    return { preload: first, mapDir: undefined };
  }
  const missing = tsHelpers.find((name) => !existsSync(join(helpersDir, name)));
  if (missing) {
    throw new RunError(
      `Cannot run ${basename(file)}: Heatlens's TypeScript loader is missing ` +
        `(${join(helpersDir, missing)}). Reinstall the extension, or run ` +
        '`node scripts/build.mjs` in a checkout.',
    );
  }
  const preload = [...first, '-r', join(helpersDir, 'tsRegister.js')];
  // An ES module entry must start in Node's ES module loader, where the hooks apply; any
  // `--import` makes Node start it there (see inject/esmEntry.ts).
  const esm =
    /\.mts$/i.test(file) || (!/\.cts$/i.test(file) && packageTypeOf(dirname(file)) === 'module');
  if (esm) preload.push('--import', pathToFileURL(join(helpersDir, 'esmEntry.js')).href);
  const mapDir = await mkdtemp(join(tmpdir(), 'heatlens-maps-'));
  env[mapDirEnv] = mapDir;
  env[transformCacheEnv] = options.transformCacheDir ?? defaultTransformCacheDir();
  return { preload, mapDir };
}

/** The memory mode's preload (see inject/heapNames.ts), or a warning when it is missing. */
function heapNamesPreload(helpersDir: string, warnings: string[]): string[] {
  const helper = join(helpersDir, 'heapNames.js');
  if (existsSync(helper)) return ['-r', helper];
  warnings.push(
    `Heatlens's helper ${helper} is missing: on Node.js before 24 the heap profile names ` +
      'CommonJS functions without their file and line. Reinstall the extension.',
  );
  return [];
}

/** The checked command line for `options`; throws a {@link RunError} when it cannot run. */
export async function nodeCommand(options: NodeCommandOptions): Promise<NodeCommand> {
  const warnings: string[] = [];
  // Memory mode does not use the CPU profiler's interval: no warning about it either.
  const cpuInterval = options.memory ? defaultIntervalUs : options.intervalUs;
  const intervalUs = samplingInterval(cpuInterval ?? defaultIntervalUs, warnings);
  const memory = options.memory ? heapRecording(options.memory) : undefined;
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = resolve(cwd, options.file);
  await checkFolder(cwd);
  await checkFile(file);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...options.env })) {
    if (v !== undefined) env[k] = v;
  }
  const { preload, mapDir } = await preloads(file, options, env, warnings);
  const nodePath = options.nodePath || 'node';
  // The inspector's address with its secret id goes to our stderr pipe only, not to the HTTP
  // listing any local process can read (`/json/list`): nobody else learns how to attach.
  const args = [
    '--inspect-brk=127.0.0.1:0',
    '--inspect-publish-uid=stderr',
    ...preload,
    file,
    ...(options.args ?? []),
  ];
  return { nodePath, args, cwd, env, file, mapDir, intervalUs, memory, warnings };
}

/** Why `nodePath` did not start, and what to do. */
export function spawnError(
  nodePath: string,
  configured: boolean,
  error: NodeJS.ErrnoException,
): RunError {
  const setting = configured
    ? `the \`heatlens.node.path\` setting names ${nodePath}`
    : 'no `node` was found on PATH';
  if (error.code === 'ENOENT') {
    return new RunError(
      `Cannot start Node.js: ${setting}, which does not exist. Install Node.js ` +
        '(https://nodejs.org) or set `heatlens.node.path` to its executable.',
    );
  }
  if (error.code === 'EACCES') {
    return new RunError(
      `Cannot start Node.js: ${nodePath} is not executable. Set \`heatlens.node.path\` to the ` +
        'Node.js executable.',
    );
  }
  return new RunError(`Cannot start ${nodePath}: ${error.message}`);
}
