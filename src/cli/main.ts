/**
 * `heatlens`: the same pipeline as the extension, in a terminal (docs/ARCHITECTURE.md, "The CLI").
 * This file picks the command; args.ts reads its options, profile.ts and fileCommands.ts run it.
 *
 *   heatlens profile <file> [--interval <µs>] [--out <profile file>] [--json] [--limit <n>]
 *                    [--all] [--mode sampling|cprofile|yappi] [--clock cpu|wall]
 *                    [--python <path>] [--] [program args]
 *   heatlens summary <profile file> [--json] [--limit <n>] [--all] [--no-sourcemaps]
 *                    [--profile <id>]
 *   heatlens convert <profile file> --to <format> [--out <file>] [--profile <id>]
 *   heatlens report <program or profile file> --html <file> [--no-source] [profile's or
 *                   summary's options] [--] [program args]
 *
 * stdout carries only the result (the table, or one JSON object with --json: a public contract,
 * see summary.ts); everything else (the profiled program's output with --json, progress,
 * warnings about the run, errors) goes to stderr, all of it through terminal.ts. Exit codes: 0
 * success, 1 failure (including a profiled program that failed: its summary is still printed), 2
 * usage error, 129 stopped by SIGHUP, 130 cancelled by Ctrl+C (what was recorded is still
 * printed and saved).
 */
import { version } from '../../package.json';
import { ProfileFormatError } from '../formats/errors';
import { RunError } from '../runners/runError';
import { parseArgs } from './args';
import { CliError, UsageError } from './errors';
import { convertCommand, summaryCommand } from './fileCommands';
import { helpText } from './help';
import { profileCommand } from './profile';
import { reportCommand } from './report';
import { Terminal, type CliIo } from './terminal';

const HELP = helpText(version);

/**
 * Runs the CLI with `argv` (without node and the script), printing to `io`; resolves to the exit
 * code. The process's own entry is entry.ts; tests call this in-process.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const term = new Terminal(io);
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      term.printHelp(HELP, command === undefined);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v' || command === '-V') {
      term.printResult(`${version}\n`);
      return 0;
    }
    if (
      command !== 'summary' &&
      command !== 'profile' &&
      command !== 'convert' &&
      command !== 'report'
    ) {
      throw new UsageError(
        `Unknown command "${command}"; the commands are "profile", "summary", "convert" and "report".`,
      );
    }
    const options = parseArgs(command, rest);
    if (options.help) {
      term.printHelp(HELP, false);
      return 0;
    }
    if (command === 'summary') return await summaryCommand(options, term);
    if (command === 'convert') return await convertCommand(options, term);
    if (command === 'report') return await reportCommand(options, term);
    return await profileCommand(options, term);
  } catch (err) {
    if (err instanceof UsageError) {
      const stop = /[.?!]$/.test(err.message) ? '' : '.';
      term.printMessage(`heatlens: ${err.message}${stop} Run "heatlens --help" for usage.\n`);
      return 2;
    }
    if (err instanceof CliError || err instanceof ProfileFormatError || err instanceof RunError) {
      term.printMessage(`heatlens: ${err.message}\n`);
      return 1;
    }
    term.printMessage(
      `heatlens: unexpected error, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
