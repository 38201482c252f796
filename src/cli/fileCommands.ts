/**
 * The commands that read a profile file: `heatlens summary` (its table or JSON, remapped through
 * source maps) and `heatlens convert` (written in another format).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Profile } from '../core/profile';
import { importProfileFile, profileChoices } from '../formats/detect';
import { exportedGraph } from '../formats/exportDot';
import { EXPORT_FORMATS, exportFileName, exportProfile } from '../formats/exportProfile';
import { collapsedUnit } from '../formats/exportCollapsed';
import { listChoices } from '../formats/choices';
import { ExportEmptyError, ExportRangeError } from '../formats/exportUnits';
import { isRawV8Log } from '../formats/v8log';
import {
  FileRefused,
  readFirstLineSync,
  readRegularFileSync,
  regularFileHost,
} from '../io/regularFile';
import { preprocessV8Log, V8LogError } from '../runners/v8LogPreprocess';
import { attributeInlined } from '../sourcemaps/inlined';
import { remapProfile, type SourceMapHost } from '../sourcemaps/remap';
import { formatList, type Options } from './args';
import { CliError, UsageError } from './errors';
import { print } from './print';
import { sanitizeForTerminal, type Terminal } from './terminal';

/**
 * Reads files for the source-map step: regular files only, within the size cap; a FIFO or a
 * device a profile names is refused at once (see io/regularFile.ts).
 */
export const diskHost: SourceMapHost = regularFileHost();

/** A profile file's bytes; only a regular file is read (a FIFO would block, /dev/zero never end). */
export function readProfileBytes(file: string): Uint8Array {
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

/**
 * A profile file's bytes to import: the file's own, or for a raw V8 tick log (`node --prof`'s
 * isolate-*.log) the JSON that Node's tick processor makes of it, run with the Node running this
 * CLI (its warnings, such as a log from another V8, go to stderr).
 */
export async function readProfileInput(file: string, term: Terminal): Promise<Uint8Array> {
  let first = '';
  try {
    first = readFirstLineSync(file);
  } catch {
    // readProfileBytes says why.
  }
  if (!isRawV8Log(first)) return readProfileBytes(file);
  let log;
  try {
    log = await preprocessV8Log(file, { nodePath: process.execPath });
  } catch (err) {
    if (err instanceof V8LogError) throw new CliError(err.message);
    throw err;
  }
  try {
    for (const w of log.warnings) term.printMessage(`heatlens: ${sanitizeForTerminal(w)}\n`);
    return readProfileBytes(log.file);
  } finally {
    await log.dispose();
  }
}

/**
 * Imports a profile file, with `--profile`'s choice. When the file holds several profiles and no
 * choice was made, says on stderr which one was taken and how to pick another.
 */
export function importWithChoice(
  term: Terminal,
  file: string,
  bytes: Uint8Array,
  options: Options,
): Profile {
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
      term.printMessage(
        `heatlens: "${file}" holds ${choices.length} profiles: ${list}; this is ${choices[0].id}. ` +
          'Pick another with --profile <id>.\n',
      );
    }
  }
  return profile;
}

/** True when two paths name one file (the same path, or links to one file). */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false; // the output does not exist yet
  }
}

/** `heatlens convert <profile file> --to <format>`: resolves to the exit code. */
export async function convertCommand(options: Options, term: Terminal): Promise<number> {
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
  const drawing = EXPORT_FORMATS.find((f) => f.id === options.to)?.kind === 'drawing';
  if (!drawing && (options.nodeThreshold !== undefined || options.edgeThreshold !== undefined)) {
    throw new UsageError('--node-threshold and --edge-threshold go with --to dot or --to svg.');
  }
  const graphOptions = {
    nodeThreshold: options.nodeThreshold,
    edgeThreshold: options.edgeThreshold,
  };
  const file = options.positionals[0];
  const out = options.out ?? exportFileName(file, options.to);
  if (sameFile(file, out)) {
    throw new CliError(
      `converting "${file}" to ${options.to} would overwrite it; name another file with --out.`,
    );
  }
  const profile = importWithChoice(term, file, await readProfileInput(file, term), options);
  // What the importer noticed (skipped lines, clamped times, hidden frames) holds for the file
  // written too: say it, as summary does. Warnings quote the file: escaped for the terminal.
  for (const warning of profile.meta.warnings) {
    term.printMessage(`heatlens: warning: ${sanitizeForTerminal(warning)}\n`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await exportProfile(profile, options.to, graphOptions);
  } catch (err) {
    if (err instanceof ExportRangeError || err instanceof ExportEmptyError) {
      throw new CliError(`"${file}" ${err.message}`);
    }
    throw err;
  }
  writeResult(out, bytes, '--out');
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
  if (drawing) {
    const g = exportedGraph(profile, graphOptions);
    notes.push(
      `${g.nodes.length} of ${g.functions} functions drawn (at least ${g.nodeThreshold}% of the ` +
        `total; edges of at least ${g.edgeThreshold}%)`,
    );
  }
  term.printMessage(
    `heatlens: wrote ${out} (${options.to}, ${formatBytes(bytes.length)})` +
      (notes.length ? `; ${notes.join('; ')}` : '') +
      '.\n',
  );
  return 0;
}

/** Writes a command's output file; a failure is a CliError saying to name another with `flag`. */
export function writeResult(out: string, data: Uint8Array | string, flag: string): void {
  try {
    writeFileSync(out, data);
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
    throw new CliError(`cannot write "${out}": ${why}; name another file with ${flag}.`);
  }
}

/** "812 bytes", "12.3 KB", "4.1 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

/** `heatlens summary <profile file>`: resolves to the exit code. */
export async function summaryCommand(options: Options, term: Terminal): Promise<number> {
  if (options.positionals.length !== 1) {
    throw new UsageError(
      options.positionals.length
        ? `"heatlens summary" takes one profile file, not ${options.positionals.length}.`
        : '"heatlens summary" needs a profile file, for example: heatlens summary app.cpuprofile',
    );
  }
  print(term, await readProfileFile(options.positionals[0], options, term), options);
  return 0;
}

/**
 * A profile file as `summary` shows it: imported (with `--profile`'s choice), mapped through the
 * source maps next to the scripts it names (unless `--no-sourcemaps`), inlined functions' lines
 * given to them.
 */
export async function readProfileFile(
  file: string,
  options: Options,
  term: Terminal,
): Promise<Profile> {
  let profile = importWithChoice(term, file, await readProfileInput(file, term), options);
  if (options.sourcemaps) profile = await remapProfile(profile, diskHost);
  return attributeInlined(profile, diskHost);
}
