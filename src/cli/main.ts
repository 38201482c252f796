/**
 * `heatlens`: the same pipeline as the extension, in a terminal (docs/ARCHITECTURE.md, "The CLI").
 *
 *   heatlens profile <file> [--interval <µs>] [--out <profile file>] [--json] [--limit <n>]
 *                    [--all] [--mode sampling|cprofile|yappi] [--clock cpu|wall]
 *                    [--python <path>] [--] [program args]
 *   heatlens summary <profile file> [--json] [--limit <n>] [--all] [--no-sourcemaps]
 *                    [--profile <id>]
 *   heatlens convert <profile file> --to <format> [--out <file>] [--profile <id>]
 *
 * stdout carries only the result (the table, or one JSON object with --json: a public contract,
 * see summary.ts); everything else (the profiled program's output with --json, progress,
 * warnings about the run, errors) goes to stderr, all of it through terminal.ts. Exit codes: 0
 * success, 1 failure (including a profiled program that failed: its summary is still printed), 2
 * usage error, 129 stopped by SIGHUP, 130 cancelled by Ctrl+C (what was recorded is still
 * printed and saved).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { version } from '../../package.json';
import { helpText } from './help';
import type { Profile } from '../core/profile';
import { formatWeight } from '../core/format';
import { formatSummaryTable, summarize, type Summary } from '../core/summary';
import { exportCpuprofile } from '../formats/exportCpuprofile';
import { importProfileFile, profileChoices } from '../formats/detect';
import {
  EXPORT_FORMATS,
  exportFileName,
  exportProfile,
  isExportFormat,
  type ExportFormat,
} from '../formats/exportProfile';
import { collapsedUnit } from '../formats/exportCollapsed';
import { listChoices } from '../formats/choices';
import { ExportEmptyError, ExportRangeError } from '../formats/exportUnits';
import { ProfileFormatError } from '../formats/errors';
import { RunError } from '../runners/runError';
import { resolvePython, type PythonProfileMode } from '../runners/pythonRunner';
import { nodeProfiler, profilerFor, pythonProfiler, type AnyProfiler } from '../runners/profiler';
import type { RunResult } from '../runners/nodeRunner';
import { readNodeRun, readPythonRun } from '../runners/readRun';
import { attributeInlined } from '../sourcemaps/inlined';
import {
  FileRefused,
  readFirstLineSync,
  readRegularFileSync,
  regularFileHost,
} from '../io/regularFile';
import { PROFILABLE_FILES } from '../runners/profilable';
import { remapProfile } from '../sourcemaps/remap';
import type { SourceMapHost } from '../sourcemaps/remap';
import { warmUpSoon } from '../shared/warmUp';
import { stopOnSignals } from './stopSignals';
import {
  passProgramOutput,
  printHelp,
  printJson,
  printMessage,
  printResult,
  sanitizeForTerminal,
} from './terminal';

const HELP = helpText(version);

/** A mistake in the command line: exit code 2. */
class UsageError extends Error {}

/** Anything else that stops the command, with the sentence to show: exit code 1. */
class CliError extends Error {}

interface Options {
  help: boolean;
  json: boolean;
  all: boolean;
  limit?: number;
  interval?: number;
  out?: string;
  to?: ExportFormat;
  profile?: string;
  mode?: PythonProfileMode;
  clock?: 'cpu' | 'wall';
  python?: string;
  sourcemaps: boolean;
  positionals: string[];
  programArgs: string[];
}

function parseCount(flag: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`${flag} needs a number.`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} takes a whole number of at least ${min}, not "${value}".`);
  }
  return n;
}

/**
 * Options may come before or after the first positional argument; for `profile`, every
 * positional after the file and everything after `--` goes to the program, except that a `--`
 * before the file ends heatlens' options (`heatlens profile -- -dash.js`, a file whose name
 * starts with a dash).
 */
function parseArgs(command: string, args: string[]): Options {
  const options: Options = {
    help: false,
    json: false,
    all: false,
    sourcemaps: true,
    positionals: [],
    programArgs: [],
  };
  const takesProgram = command === 'profile';
  // convert prints no summary.
  const summarizes = command !== 'convert';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      const rest = args.slice(i + 1);
      if (takesProgram && options.positionals.length === 0 && rest.length) {
        options.positionals.push(rest.shift()!);
      }
      options.programArgs.push(...rest);
      break;
    }
    if (takesProgram && options.positionals.length === 1 && !arg.startsWith('-')) {
      options.programArgs.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      options.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => (inline !== undefined ? inline : args[++i]);
    if ((flag === '--help' || flag === '-h') && inline === undefined) options.help = true;
    else if (flag === '--json' && inline === undefined && summarizes) options.json = true;
    else if (flag === '--all' && inline === undefined && summarizes) options.all = true;
    else if (flag === '--limit' && summarizes) options.limit = parseCount('--limit', value(), 0);
    else if (flag === '--interval' && takesProgram)
      options.interval = parseCount('--interval', value(), 1);
    else if (flag === '--out' && (takesProgram || command === 'convert')) {
      const out = value();
      if (!out) throw new UsageError('--out needs a file name.');
      options.out = out;
    } else if (flag === '--to' && command === 'convert') {
      const to = value();
      if (!to || !isExportFormat(to)) {
        throw new UsageError(`--to takes ${formatList()}, not "${to ?? ''}".`);
      }
      options.to = to;
    } else if (flag === '--profile' && !takesProgram) {
      const id = value();
      if (!id) throw new UsageError('--profile needs the id of one of the profiles in the file.');
      options.profile = id;
    } else if (flag === '--mode' && takesProgram) {
      const mode = value();
      if (mode !== 'sampling' && mode !== 'cprofile' && mode !== 'yappi')
        throw new UsageError(`--mode takes sampling, cprofile or yappi, not "${mode ?? ''}".`);
      options.mode = mode;
    } else if (flag === '--clock' && takesProgram) {
      const clock = value();
      if (clock !== 'cpu' && clock !== 'wall')
        throw new UsageError(`--clock takes cpu or wall, not "${clock ?? ''}".`);
      options.clock = clock;
    } else if (flag === '--python' && takesProgram) {
      const python = value();
      if (!python) throw new UsageError('--python needs the path of a Python interpreter.');
      options.python = python;
    } else if (flag === '--no-sourcemaps' && command === 'summary') options.sourcemaps = false;
    else {
      throw new UsageError(
        takesProgram
          ? `Unknown option ${arg} for "heatlens profile"; to pass it to the program, put it after --.`
          : `Unknown option ${arg} for "heatlens ${command}".`,
      );
    }
  }
  return options;
}

/**
 * Reads files for the source-map step: regular files only, within the size cap; a FIFO or a
 * device a profile names is refused at once (see io/regularFile.ts).
 */
const diskHost: SourceMapHost = regularFileHost();

/** A profile file's bytes; only a regular file is read (a FIFO would block, /dev/zero never end). */
function readProfileBytes(file: string): Uint8Array {
  try {
    return readRegularFileSync(file, { maxBytes: Infinity });
  } catch (err) {
    if (!(err instanceof FileRefused)) throw err;
    const why =
      err.reason === 'missing'
        ? 'there is no such file'
        : err.reason === 'folder'
          ? 'it is a folder, not a profile file'
          : err.reason === 'special'
            ? `${err.why.replace(/^is /, 'it is ')}; Heatlens reads profiles from regular files only`
            : err.why.replace(/^cannot be read: /, '');
    throw new CliError(`cannot read "${file}": ${why}.`);
  }
}

/** The summary with every string a profile brought escaped for a terminal. */
function terminalSafe(summary: Summary): Summary {
  const safe = sanitizeForTerminal;
  return {
    ...summary,
    profiler: safe(summary.profiler),
    functions: summary.functions.map((f) => ({
      ...f,
      name: safe(f.name),
      file: f.file === null ? null : safe(f.file),
    })),
    lines: summary.lines.map((l) => ({ ...l, file: safe(l.file) })),
    warnings: summary.warnings.map(safe),
  };
}

function print(profile: Profile, options: Options, extra?: Record<string, unknown>): void {
  if (options.json) {
    const summary = summarize(profile, { limit: options.limit });
    printJson({ ...summary, ...extra });
    return;
  }
  const limit = options.limit === 0 ? Infinity : options.limit;
  const summary = terminalSafe(summarize(profile, { limit: 0 }));
  printResult(
    formatSummaryTable(summary, {
      relativeTo: process.cwd(),
      all: options.all,
      maxFunctions: limit ?? 20,
      maxLines: limit ?? 10,
    }),
  );
}

/** "speedscope, collapsed, callgrind, cpuprofile or pstats". */
function formatList(): string {
  const ids = EXPORT_FORMATS.map((f) => f.id);
  return `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`;
}

/**
 * Imports a profile file, with `--profile`'s choice. When the file holds several profiles and no
 * choice was made, says on stderr which one was taken and how to pick another.
 */
function importWithChoice(file: string, bytes: Uint8Array, options: Options): Profile {
  const profile = importProfileFile(
    file,
    bytes,
    options.profile ? { choice: options.profile } : {},
  );
  if (!options.profile) {
    const choices = profileChoices(file, bytes);
    if (choices.length > 1) {
      // A label that starts with the id ("cpu (nanoseconds)" for the id "cpu") says it already.
      const list = listChoices(
        choices.map((c) =>
          sanitizeForTerminal(
            c.label === c.id || c.label.startsWith(`${c.id} `) ? c.label : `${c.id} (${c.label})`,
          ),
        ),
      );
      printMessage(
        `heatlens: "${file}" holds ${choices.length} profiles: ${list}; this is ${choices[0].id}. ` +
          'Pick another with --profile <id>.\n',
      );
    }
  }
  return profile;
}

/** True when two paths name one file (the same path, or links to one file). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false; // the output does not exist yet
  }
}

async function convertCommand(options: Options): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      options.positionals.length
        ? `"heatlens convert" takes one profile file, not ${options.positionals.length}.`
        : '"heatlens convert" needs a profile file, for example: heatlens convert app.cpuprofile --to speedscope',
    );
  }
  if (!options.to) {
    throw new UsageError(
      `"heatlens convert" needs --to with the format to write: ${formatList()}.`,
    );
  }
  const file = options.positionals[0];
  const out = options.out ?? exportFileName(file, options.to);
  if (sameFile(file, out)) {
    throw new CliError(
      `converting "${file}" to ${options.to} would overwrite it; name another file with --out.`,
    );
  }
  const profile = importWithChoice(file, readProfileBytes(file), options);
  // What the importer noticed (skipped lines, clamped times, hidden frames) holds for the file
  // written too: say it, as summary does. Warnings quote the file: escaped for the terminal.
  for (const warning of profile.meta.warnings) {
    printMessage(`heatlens: warning: ${sanitizeForTerminal(warning)}\n`);
  }
  let bytes: Uint8Array;
  try {
    bytes = exportProfile(profile, options.to);
  } catch (err) {
    if (err instanceof ExportRangeError || err instanceof ExportEmptyError) {
      throw new CliError(`"${file}" ${err.message}`);
    }
    throw err;
  }
  try {
    writeFileSync(out, bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (err as Error).message;
    throw new CliError(`cannot write "${out}": ${why}; name another file with --out.`);
  }
  const notes: string[] = [];
  if (options.to === 'collapsed') {
    const { unit } = collapsedUnit(profile);
    notes.push(`counts are ${unit}`);
  }
  if (
    profile.callGraph &&
    (options.to === 'speedscope' || options.to === 'collapsed' || options.to === 'cpuprofile')
  ) {
    notes.push('the call graph was written as its approximated tree');
  }
  printMessage(
    `heatlens: wrote ${out} (${options.to}, ${formatBytes(bytes.length)})` +
      (notes.length ? `; ${notes.join('; ')}` : '') +
      '.\n',
  );
  return 0;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

async function summaryCommand(options: Options): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      options.positionals.length
        ? `"heatlens summary" takes one profile file, not ${options.positionals.length}.`
        : '"heatlens summary" needs a profile file, for example: heatlens summary app.cpuprofile',
    );
  }
  const file = options.positionals[0];
  let profile = importWithChoice(file, readProfileBytes(file), options);
  if (options.sourcemaps) profile = await remapProfile(profile, diskHost);
  profile = await attributeInlined(profile, diskHost);
  print(profile, options);
  return 0;
}

/** What the CLI needs of a finished run, whichever runtime ran it. */
type AnyRunResult = Pick<
  RunResult,
  'outcome' | 'exitCode' | 'signal' | 'errorText' | 'durationMs' | 'command' | 'warnings'
> & { intervalUs?: number };

/** The profile with what we know of the run added to its meta. */
function withRun(profile: Profile, result: AnyRunResult): Profile {
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

function describeEnd(result: AnyRunResult): string {
  if (result.outcome === 'cancelled') return 'was cancelled';
  if (result.signal) return `was killed by ${result.signal}`;
  if (result.exitCode !== null && result.exitCode !== 0)
    return `exited with code ${result.exitCode}`;
  return result.outcome === 'failed' ? 'failed' : 'exited';
}

/**
 * The first line of a failed run's error, when it adds something to {@link describeEnd} (the
 * runner's own "app.js exited with code 7." does not: saying it twice reads as two failures).
 */
function errorSummary(result: AnyRunResult): string | undefined {
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
function profiledFile(given: string): { file: string; profiler: AnyProfiler } {
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
  const profiler = profilerFor(file, firstLine);
  if (!profiler) {
    throw new UsageError(`cannot profile "${given}": Heatlens profiles ${PROFILABLE_FILES}.`);
  }
  return { file, profiler };
}

async function profileCommand(options: Options): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      '"heatlens profile" needs the file to run, for example: heatlens profile app.js',
    );
  }
  const given = options.positionals[0];
  const { file, profiler } = profiledFile(given);
  if (profiler.id !== 'python' && (options.mode || options.clock || options.python)) {
    throw new UsageError('--mode, --clock and --python apply to Python (.py) files only.');
  }
  const run = await cliStarts[profiler.id](file, options);
  const signals = stopOnSignals(run, printMessage);
  let result: AnyRunResult;
  try {
    result = await run.done;
  } finally {
    signals.dispose();
    run.dispose();
  }
  const profile = withRun(await run.profile(), result);
  if (options.out) {
    try {
      writeFileSync(options.out, run.saved(profile));
    } catch (err) {
      throw new CliError(`cannot save the profile to "${options.out}": ${(err as Error).message}.`);
    }
  }
  print(profile, options, {
    run: {
      outcome: result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      command: result.command,
      intervalUs: result.intervalUs,
    },
  });
  const error = result.outcome === 'failed' ? errorSummary(result) : undefined;
  const covers =
    result.outcome === 'failed'
      ? 'the summary covers the run up to that point'
      : result.outcome === 'cancelled'
        ? 'the summary covers what was recorded until then'
        : undefined;
  if (!options.json || result.outcome !== 'exited') {
    printMessage(
      `heatlens: ${given} ${describeEnd(result)} after ${formatWeight(result.durationMs, 'milliseconds')}` +
        (error ? ` (${error})` : '') +
        (covers ? `; ${covers}` : '') +
        (options.out ? `; profile saved to ${options.out}` : '') +
        '.\n',
    );
  }
  if (result.outcome === 'cancelled') return signals.hungUp ? 129 : 130;
  return result.outcome === 'failed' ? 1 : 0;
}

/** A run in progress, whichever runtime: its end, Cancel, and what it leaves. */
interface CliRun {
  readonly done: Promise<AnyRunResult>;
  cancel(): void;
  dispose(): void;
  /** The profile, imported (and for Node, source-mapped). */
  profile(): Promise<Profile>;
  /** The bytes `--out` saves. */
  saved(profile: Profile): string | Uint8Array;
}

function programOutput(options: Options) {
  return (stream: 'stdout' | 'stderr', text: string) => {
    // With --json, stdout belongs to the JSON: the program's output goes to stderr.
    passProgramOutput(stream, text, options.json);
  };
}

function startNode(file: string, options: Options): CliRun {
  const run = nodeProfiler.start({
    file,
    args: options.programArgs,
    cwd: process.cwd(),
    intervalUs: options.interval,
    // The program reads the terminal (or the pipe) heatlens was given, as it would without it.
    stdin: 'inherit',
    onOutput: programOutput(options),
    onSpawn: warmUpSoon,
  });
  // Reading starts when the profile is handed over, while the process is still exiting.
  const reader = readNodeRun(run, { host: diskHost });
  return {
    done: run.done,
    cancel: () => run.cancel(),
    dispose: () => run.dispose(),
    async profile() {
      const result = await run.done;
      if (!result.profileText) {
        throw new CliError(
          `the program ${describeEnd(result)} before a profile could be taken` +
            (result.errorText ? ` (${result.errorText.trim().split('\n')[0]})` : '') +
            '; check that it runs with plain node.',
        );
      }
      return reader.profile();
    },
    saved: (profile) => exportCpuprofile(profile),
  };
}

async function startPython(file: string, options: Options): Promise<CliRun> {
  const python = await resolvePython(options.python ? [options.python] : ['python3', 'python']);
  const run = pythonProfiler.start({
    file,
    args: options.programArgs,
    cwd: process.cwd(),
    mode: options.mode ?? 'sampling',
    clock: options.clock,
    python,
    intervalUs: options.interval,
    stdin: 'inherit',
    onOutput: programOutput(options),
    onSpawn: warmUpSoon,
  });
  let raw: Uint8Array = new Uint8Array();
  return {
    done: run.done,
    cancel: () => run.cancel(),
    dispose: () => run.dispose(),
    async profile() {
      const result = await run.done;
      raw = result.profileBytes;
      if (result.profileBytes.length === 0) {
        throw new CliError(
          `the program ${describeEnd(result)} before a profile could be written` +
            (result.errorText ? ` (${result.errorText.trim().split('\n').pop()})` : '') +
            '.',
        );
      }
      return readPythonRun(result, { sourceFile: file });
    },
    // What the Python profiler wrote, as is: pstats opens in snakeviz and `python -m pstats`.
    saved: () => raw,
  };
}

/** How the CLI starts a run and reads its profile, per profiler. */
const cliStarts: Record<AnyProfiler['id'], (file: string, options: Options) => Promise<CliRun>> = {
  node: async (file, options) => startNode(file, options),
  python: startPython,
};

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      printHelp(HELP, command === undefined);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v' || command === '-V') {
      printResult(`${version}\n`);
      return 0;
    }
    if (command !== 'summary' && command !== 'profile' && command !== 'convert') {
      throw new UsageError(
        `Unknown command "${command}"; the commands are "profile", "summary" and "convert".`,
      );
    }
    const options = parseArgs(command, rest);
    if (options.help) {
      printHelp(HELP, false);
      return 0;
    }
    if (command === 'summary') return await summaryCommand(options);
    if (command === 'convert') return await convertCommand(options);
    return await profileCommand(options);
  } catch (err) {
    if (err instanceof UsageError) {
      const stop = /[.?!]$/.test(err.message) ? '' : '.';
      printMessage(`heatlens: ${err.message}${stop} Run "heatlens --help" for usage.\n`);
      return 2;
    }
    if (err instanceof CliError || err instanceof ProfileFormatError || err instanceof RunError) {
      printMessage(`heatlens: ${err.message}\n`);
      return 1;
    }
    printMessage(
      `heatlens: unexpected error, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
