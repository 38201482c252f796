/**
 * The command line of `heatlens <command>`: its options, checked (a mistake is a UsageError, exit
 * code 2), and the program's own arguments for `heatlens profile`.
 */
import { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '../formats/exportProfile';
import type { PythonProfileMode } from '../runners/pythonRunner';
import { UsageError } from './errors';

/** The options of one command, as given. */
export interface Options {
  help: boolean;
  json: boolean;
  all: boolean;
  limit?: number;
  interval?: number;
  out?: string;
  /** `heatlens report`: the HTML file to write. */
  html?: string;
  /** `heatlens report`: put the hot source files in the report (`--no-source` says no). */
  source: boolean;
  to?: ExportFormat;
  /** convert --to dot/svg: gprof2dot's -n and -e, in percent. */
  nodeThreshold?: number;
  edgeThreshold?: number;
  profile?: string;
  mode?: PythonProfileMode;
  clock?: 'cpu' | 'wall';
  python?: string;
  /** Node memory mode: what is still alive at the end (`--memory-live`) instead of allocated. */
  memoryLive?: boolean;
  /** Node memory mode: the heap profiler's sampling interval in bytes (`--memory-interval`). */
  memoryInterval?: number;
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

function parsePercent(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || !(n >= 0 && n <= 100)) {
    throw new UsageError(`${flag} takes a percentage from 0 to 100, not "${value ?? ''}".`);
  }
  return n;
}

/**
 * Options may come before or after the first positional argument; for `profile` (and `report`
 * of a program), every positional after the file and everything after `--` goes to the program,
 * except that a `--` before the file ends heatlens' options (`heatlens profile -- -dash.js`, a
 * file whose name starts with a dash).
 */
export function parseArgs(command: string, args: string[]): Options {
  const options: Options = {
    help: false,
    json: false,
    all: false,
    sourcemaps: true,
    source: true,
    positionals: [],
    programArgs: [],
  };
  // `report` runs a program too when it is given one (report.ts decides).
  const takesProgram = command === 'profile' || command === 'report';
  const readsFile = command !== 'profile';
  // convert and report print no summary.
  const summarizes = command === 'profile' || command === 'summary';
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
    else if (flag === '--out' && (command === 'profile' || command === 'convert')) {
      const out = value();
      if (!out) throw new UsageError('--out needs a file name.');
      options.out = out;
    } else if (flag === '--html' && command === 'report') {
      const html = value();
      if (!html) throw new UsageError('--html needs the name of the HTML file to write.');
      options.html = html;
    } else if (flag === '--no-source' && inline === undefined && command === 'report') {
      options.source = false;
    } else if (flag === '--to' && command === 'convert') {
      const to = value();
      if (!to || !isExportFormat(to)) {
        throw new UsageError(`--to takes ${formatList()}, not "${to ?? ''}".`);
      }
      options.to = to;
    } else if (flag === '--node-threshold' && command === 'convert') {
      options.nodeThreshold = parsePercent(flag, value());
    } else if (flag === '--edge-threshold' && command === 'convert') {
      options.edgeThreshold = parsePercent(flag, value());
    } else if (flag === '--profile' && readsFile) {
      const id = value();
      if (!id) throw new UsageError('--profile needs the id of one of the profiles in the file.');
      options.profile = id;
    } else if (flag === '--mode' && takesProgram) {
      const mode = value();
      if (mode !== 'sampling' && mode !== 'cprofile' && mode !== 'yappi' && mode !== 'memory')
        throw new UsageError(
          `--mode takes sampling, cprofile, yappi or memory, not "${mode ?? ''}".`,
        );
      if (options.mode && options.mode !== mode)
        throw new UsageError(`--mode ${mode} and --mode ${options.mode} (or --memory) disagree.`);
      options.mode = mode;
    } else if (
      (flag === '--memory' || flag === '--memory-live') &&
      inline === undefined &&
      takesProgram
    ) {
      if (options.mode && options.mode !== 'memory')
        throw new UsageError(`${flag} and --mode ${options.mode} disagree.`);
      options.mode = 'memory';
      if (flag === '--memory-live') options.memoryLive = true;
    } else if (flag === '--memory-interval' && takesProgram) {
      options.memoryInterval = parseCount('--memory-interval', value(), 1);
    } else if (flag === '--clock' && takesProgram) {
      const clock = value();
      if (clock !== 'cpu' && clock !== 'wall')
        throw new UsageError(`--clock takes cpu or wall, not "${clock ?? ''}".`);
      options.clock = clock;
    } else if (flag === '--python' && takesProgram) {
      const python = value();
      if (!python) throw new UsageError('--python needs the path of a Python interpreter.');
      options.python = python;
    } else if (flag === '--no-sourcemaps' && (command === 'summary' || command === 'report'))
      options.sourcemaps = false;
    else {
      throw new UsageError(
        takesProgram
          ? `Unknown option ${arg} for "heatlens ${command}"; to pass it to the program, put it after --.`
          : `Unknown option ${arg} for "heatlens ${command}".`,
      );
    }
  }
  return options;
}

/** "speedscope, collapsed, callgrind, cpuprofile, pstats or pprof". */
export function formatList(): string {
  const ids = EXPORT_FORMATS.map((f) => f.id);
  return `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`;
}
