/**
 * Everything the CLI writes to a terminal goes through here. Names and paths come from profile
 * files, which are hostile: a function named `\x1b]0;pwned\x07` would set the terminal's title,
 * `\x1b[2J` clear the screen, `\x1b[8m` hide what follows, U+202E reverse it. So every string
 * Heatlens prints is shown with its control characters and bidirectional overrides escaped (as
 * `\x1b`, `\u202e`), the way `cat -v` makes them visible. The profiled program's own output is
 * the one exception: it is the person's program talking, and it passes through untouched.
 *
 * Lint forbids `process.stdout`, `process.stderr` and `console` elsewhere in src/cli, so a new
 * message cannot skip this module.
 */

/**
 * Characters a terminal acts on instead of showing: C0 and C1 controls, DEL, and the Unicode
 * format characters that reorder or isolate text (bidi marks, embeddings, overrides, isolates)
 * or break lines.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
const UNSAFE_BUT_NEWLINE =
  /[\0-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A name, path or other single value made safe to print: every control character (newlines and
 * tabs too: a value must not start a line of its own) and every bidirectional or line-breaking
 * format character is shown escaped. Use it for anything a file or a program handed over.
 */
export function sanitizeForTerminal(value: string): string {
  return value.replace(UNSAFE, escapeOne);
}

/**
 * A whole message made safe to print: as {@link sanitizeForTerminal}, but its line breaks are
 * kept. The second line of defence for text built from values that were already sanitised.
 */
export function sanitizeMessage(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeOne);
}

/** Where a text goes: a stream, or in tests a collector. */
export interface TextOut {
  write(text: string): unknown;
}

/** The CLI's two outputs. */
export interface CliIo {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
}

// Writes to a terminal that went away (SIGHUP: EIO) or a closed pipe (`| head`: EPIPE) must not
// crash the CLI while it still has a program to stop and a profile to save.
let quietOnWriteErrors = false;

/** This process's stdout and stderr, with their write errors ignored (see above). */
export function processIo(): CliIo {
  if (!quietOnWriteErrors) {
    quietOnWriteErrors = true;
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
  }
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Everything the CLI prints, through the escaping above. */
export class Terminal {
  constructor(private readonly io: CliIo) {}

  /** The command's result (the table, the help, the version) on stdout. */
  printResult(text: string): void {
    this.io.stdout.write(sanitizeMessage(text));
  }

  /**
   * One JSON document on stdout. JSON.stringify escapes every C0 control character, so nothing in
   * it can act on a terminal's state (the JSON is for programs, and stays exact).
   */
  printJson(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** A message for the person (progress, warnings, errors) on stderr. */
  printMessage(text: string): void {
    this.io.stderr.write(sanitizeMessage(text));
  }

  /** The help on stdout (asked for) or stderr (shown after a mistake). */
  printHelp(text: string, toStderr: boolean): void {
    (toStderr ? this.io.stderr : this.io.stdout).write(text);
  }

  /**
   * The profiled program's own output, untouched (it is the person's program talking, and what
   * it writes is what it would write without Heatlens). With `toStderr` stdout's output goes to
   * stderr, so that stdout holds only the JSON.
   */
  passProgramOutput(stream: 'stdout' | 'stderr', text: string, toStderr: boolean): void {
    (toStderr || stream === 'stderr' ? this.io.stderr : this.io.stdout).write(text);
  }
}
