/**
 * `heatlens report <program or profile file> --html <file>`: one self-contained HTML page (the
 * flame graph panel's viewer, the profile and the hot source files inlined, no network; see
 * src/shared/reportHtml.ts) to send to someone without VS Code. A program (a file `heatlens
 * profile` runs) is profiled first, as `heatlens profile` does; any other file is read as a
 * profile, as `heatlens summary` does. The report holds the source of the hot files: stderr says
 * which, and `--no-source` leaves them out.
 *
 * A profile file may come from anyone, and the report is made to be sent on: a profile naming
 * `~/.ssh/id_rsa` as a hot file must not put the key in it. So for a profile file only files
 * under the working folder are read (as the extension reads only the workspace's); a program
 * heatlens runs here may put any of its files in.
 */
import { realpath } from 'node:fs/promises';
import { basename, relative, resolve, isAbsolute } from 'node:path';
import type { Profile } from '../core/profile';
import { insideFolders } from '../io/insideFolders';
import { FileRefused, readFirstLineSync } from '../io/regularFile';
import { readReportAssets } from '../io/reportAssets';
import {
  readReportSources,
  type ReportSourceOptions,
  type ReportSources,
} from '../io/reportSources';
import { profilerFor } from '../runners/profilers';
import { callGraphDrawing } from '../formats/exportSvg';
import { reportData } from '../shared/reportData';
import { ReportAssetError, reportHtml } from '../shared/reportHtml';
import type { Options } from './args';
import { CliError, UsageError } from './errors';
import { formatBytes, readProfileFile, sameFile, writeResult } from './fileCommands';
import { endMessage, runProgram } from './profile';
import { sanitizeForTerminal, type Terminal } from './terminal';

/** How many left-out files stderr names one by one. */
const NAMED_LEFT_OUT = 10;

/** True when `given` is a file `heatlens profile` runs (a missing file is not: it is read later). */
function isProgram(given: string): boolean {
  let firstLine: string;
  try {
    firstLine = readFirstLineSync(given);
  } catch (err) {
    if (err instanceof FileRefused) return false;
    throw err;
  }
  return profilerFor({ file: resolve(given), firstLine }) !== undefined;
}

/** A path as the person would type it: relative to the working folder when inside it. */
function shown(file: string): string {
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  return sanitizeForTerminal(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file);
}

/** The lines on stderr after writing: what the report holds, the warning, what was left out. */
function describe(out: string, bytes: number, read: ReportSources | undefined): string {
  const head = `heatlens: wrote ${sanitizeForTerminal(out)} (${formatBytes(bytes)})`;
  if (!read) return `${head}, without sources (--no-source).\n`;
  const { sources, leftOut } = read;
  let text = sources.length
    ? `${head} with the source of ${sources.length} hot ${sources.length === 1 ? 'file' : 'files'}: ` +
      `${sources.map((s) => shown(s.file)).join(', ')}.\n` +
      'heatlens: warning: anyone who opens the report can read that source; ' +
      '--no-source leaves it out.\n'
    : `${head}; it holds no source file.\n`;
  if (leftOut.length) {
    text += `heatlens: not in the report (${leftOut.length} ${leftOut.length === 1 ? 'file' : 'files'}):\n`;
    for (const l of leftOut.slice(0, NAMED_LEFT_OUT)) {
      text += `  ${shown(l.file)} ${sanitizeForTerminal(l.why)}\n`;
    }
    if (leftOut.length > NAMED_LEFT_OUT) {
      text += `  and ${leftOut.length - NAMED_LEFT_OUT} more\n`;
    }
  }
  return text;
}

/** What a report of a profile file may read: files under the working folder (see above). */
async function underWorkingFolder(): Promise<ReportSourceOptions> {
  const cwd = process.cwd();
  const root = await realpath(cwd).catch(() => cwd);
  return {
    allow: (file) => insideFolders(file, [root]),
    deniedWhy:
      'is outside the working folder, the only one a report of a profile file reads (run heatlens report from a folder that holds it)',
  };
}

/** `heatlens report`: resolves to the exit code. */
export async function reportCommand(options: Options, term: Terminal): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      '"heatlens report" needs one program or profile file, for example: heatlens report app.cpuprofile --html report.html',
    );
  }
  const given = options.positionals[0];
  const program = isProgram(given);
  if (!program && options.programArgs.length) {
    throw new UsageError(
      `"heatlens report" takes one profile file; "${given}" is not a program Heatlens runs, so it takes no program arguments.`,
    );
  }
  const out = options.html;
  if (!out) {
    throw new UsageError(
      `"heatlens report" needs --html with the file to write, for example: heatlens report ${given} --html report.html`,
    );
  }
  if (sameFile(given, out)) {
    throw new CliError(`the report would overwrite "${given}"; name another file with --html.`);
  }
  // The viewer first: a missing build fails before a program runs for minutes.
  let assets;
  try {
    assets = readReportAssets();
  } catch (err) {
    if (err instanceof ReportAssetError)
      throw new CliError(`cannot write a report: ${err.message}.`);
    throw err;
  }
  let profile: Profile;
  let exitCode = 0;
  if (program) {
    const run = await runProgram(options, term, false);
    profile = run.profile;
    exitCode = run.exitCode;
    term.printMessage(endMessage(given, run.result, undefined, 'report'));
  } else {
    profile = await readProfileFile(given, options, term);
    for (const warning of profile.meta.warnings) {
      term.printMessage(`heatlens: warning: ${sanitizeForTerminal(warning)}\n`);
    }
  }
  const read = options.source
    ? await readReportSources(profile, program ? {} : await underWorkingFolder())
    : undefined;
  const html = reportHtml(
    reportData(profile, {
      title: basename(given),
      sources: read?.sources,
      leftOut: read?.leftOut ?? [],
      callGraphSvg: await callGraphDrawing(profile),
    }),
    assets,
  );
  const bytes = new TextEncoder().encode(html);
  writeResult(out, bytes, '--html');
  term.printMessage(describe(out, bytes.length, read));
  return exitCode;
}
