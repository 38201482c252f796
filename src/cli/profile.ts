/**
 * `heatlens profile <file>`: runs the file under the profiler that runs its type (the list in
 * runners/profilers.ts, as the extension does), passes its output through, stops it on Ctrl+C
 * keeping what was recorded, then prints the summary and saves the profile with `--out`. With
 * `--memory` it records bytes instead of time: tracemalloc for Python, V8's sampling heap profiler
 * for Node.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Profile } from '../core/profile';
import { formatWeight } from '../core/format';
import { FileRefused, readFirstLineSync } from '../io/regularFile';
import type { Profiler, ProfilerSettings } from '../runners/profiler';
import { PROFILABLE_FILES, profilerFor } from '../runners/profilers';
import { describeEnd, type RunResult } from '../runners/runResult';
import { warmUpSoon } from '../shared/warmUp';
import type { Options } from './args';
import { CliError, UsageError } from './errors';
import { diskHost } from './fileCommands';
import { print } from './print';
import { stopOnSignals } from './stopSignals';
import type { Terminal } from './terminal';

/** The profile with what we know of the run added to its meta. */
function withRun(profile: Profile, result: RunResult): Profile {
  return Object.freeze({
    ...profile,
    meta: Object.freeze({
      ...profile.meta,
      intervalUs: result.intervalUs,
      command: result.command,
      warnings: Object.freeze([...result.warnings, ...profile.meta.warnings]),
    }),
  });
}

/**
 * The first line of a failed run's error, when it adds something to {@link describeEnd} (the
 * runner's own "app.js exited with code 7." does not: saying it twice reads as two failures).
 */
function errorSummary(result: RunResult): string | undefined {
  const first = result.errorText?.trim().split('\n')[0].trim().replace(/\.$/, '');
  if (!first) return undefined;
  const said =
    (result.exitCode !== null && first.endsWith(`exited with code ${result.exitCode}`)) ||
    (result.signal !== null && first.endsWith(`killed by ${result.signal}`));
  return said ? undefined : first;
}

/**
 * The file `heatlens profile` runs, checked: a regular file of a type Heatlens profiles (a FIFO
 * named app.js, or README.md, is refused before anything runs).
 */
export function profiledFile(given: string): { file: string; profiler: Profiler } {
  const file = resolve(given);
  let firstLine: string;
  try {
    firstLine = readFirstLineSync(file);
  } catch (err) {
    if (!(err instanceof FileRefused)) throw err;
    const why =
      err.reason === 'missing'
        ? 'there is no such file'
        : err.reason === 'folder'
          ? 'it is a folder, not a file'
          : err.why.replace(/^is /, 'it is ').replace(/^cannot be read: /, '');
    throw new CliError(`cannot profile "${given}": ${why}.`);
  }
  const profiler = profilerFor({ file, firstLine });
  if (!profiler) {
    throw new UsageError(`cannot profile "${given}": Heatlens profiles ${PROFILABLE_FILES}.`);
  }
  return { file, profiler };
}

/** The options only one profiler reads, from the command line. */
function settingsOf(options: Options): ProfilerSettings {
  return {
    node:
      options.mode === 'memory'
        ? {
            memory: {
              record: options.memoryLive ? 'live' : 'allocated',
              samplingInterval: options.memoryInterval,
            },
          }
        : undefined,
    python: {
      mode: options.mode ?? 'sampling',
      clock: options.clock,
      candidates: options.python ? [options.python] : undefined,
    },
  };
}

/** What a Node memory run recorded, for the end message. */
function recorded(result: RunResult): string {
  const memory = result.memory;
  if (!memory) return '';
  const what = memory.record === 'live' ? 'still live at its end' : 'allocated over the run';
  return `; the bytes ${what} (a sampled allocation per ${memory.samplingInterval} bytes)`;
}

/** Refuses the options that the file's profiler does not take. */
function checkOptions(profiler: Profiler, options: Options): void {
  const python = profiler.id === 'python';
  if (python && (options.memoryLive || options.memoryInterval !== undefined)) {
    throw new UsageError(
      '--memory-live and --memory-interval apply to Node files; for a Python file --memory ' +
        'records the bytes held at the peak and at the end in one run.',
    );
  }
  if (!python && ((options.mode && options.mode !== 'memory') || options.clock || options.python)) {
    throw new UsageError('--mode, --clock and --python apply to Python (.py) files only.');
  }
  if (!python && options.mode === 'memory' && options.interval !== undefined) {
    throw new UsageError(
      "--interval is the CPU profiler's (µs); in memory mode use --memory-interval <bytes>.",
    );
  }
  if (options.mode !== 'memory' && options.memoryInterval !== undefined) {
    throw new UsageError('--memory-interval applies with --memory.');
  }
}

/**
 * The sentence on stderr that ends a run: how it ended, after how long, and where it was saved;
 * `what` is what is made of it ("summary", "report").
 */
export function endMessage(
  given: string,
  result: RunResult,
  out?: string,
  what = 'summary',
): string {
  const error = result.outcome === 'failed' ? errorSummary(result) : undefined;
  const covers =
    result.outcome === 'failed'
      ? `the ${what} covers the run up to that point`
      : result.outcome === 'cancelled'
        ? `the ${what} covers what was recorded until then`
        : undefined;
  return (
    `heatlens: ${given} ${describeEnd(result)} after ${formatWeight(result.durationMs, 'milliseconds')}` +
    (error ? ` (${error})` : '') +
    (covers ? `; ${covers}` : '') +
    recorded(result) +
    (out ? `; profile saved to ${out}` : '') +
    '.\n'
  );
}

/** A program run to its end (or stopped), with its profile. */
export interface ProgramRun {
  /** The profile, with what is known of the run in its meta. */
  readonly profile: Profile;
  readonly result: RunResult;
  /** The bytes `--out` writes (the profile as its profiler saves it). */
  saved(): Uint8Array | string;
  /** The exit code the run gives heatlens: 0, 1 when the program failed, 129 or 130 stopped. */
  readonly exitCode: number;
}

/**
 * Runs the file `options` name under the profiler that runs its type, its output passed through
 * (to stderr with `outputToStderr`), stopped on Ctrl+C or SIGHUP keeping what was recorded.
 */
export async function runProgram(
  options: Options,
  term: Terminal,
  outputToStderr: boolean,
): Promise<ProgramRun> {
  const given = options.positionals[0];
  const { file, profiler } = profiledFile(given);
  checkOptions(profiler, options);
  const run = profiler.start({
    file,
    args: options.programArgs,
    cwd: process.cwd(),
    intervalUs: options.interval,
    // The program reads the terminal (or the pipe) heatlens was given, as it would without it.
    stdin: 'inherit',
    // With --json, stdout belongs to the JSON: the program's output goes to stderr.
    onOutput: (stream, text) => term.passProgramOutput(stream, text, outputToStderr),
    onSpawn: warmUpSoon,
    host: diskHost,
    settings: settingsOf(options),
  });
  const signals = stopOnSignals(run, (text) => term.printMessage(text));
  let result: RunResult;
  try {
    result = await run.done;
  } finally {
    signals.dispose();
    run.dispose();
  }
  const profile = withRun(await run.profile(), result);
  const exitCode =
    result.outcome === 'cancelled'
      ? signals.hungUp
        ? 129
        : 130
      : result.outcome === 'failed'
        ? 1
        : 0;
  return { profile, result, saved: () => run.saved(profile), exitCode };
}

/** `heatlens profile <file>`: resolves to the exit code. */
export async function profileCommand(options: Options, term: Terminal): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      '"heatlens profile" needs the file to run, for example: heatlens profile app.js',
    );
  }
  const given = options.positionals[0];
  const { profile, result, saved, exitCode } = await runProgram(options, term, options.json);
  if (options.out) {
    try {
      writeFileSync(options.out, saved());
    } catch (err) {
      throw new CliError(`cannot save the profile to "${options.out}": ${(err as Error).message}.`);
    }
  }
  print(term, profile, options, {
    run: {
      outcome: result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      command: result.command,
      intervalUs: result.intervalUs,
      memory: result.memory,
    },
  });
  if (!options.json || result.outcome !== 'exited')
    term.printMessage(endMessage(given, result, options.out));
  return exitCode;
}
