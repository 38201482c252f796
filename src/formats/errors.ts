/**
 * A profile file that cannot be read as the format it claims to be. The message is a sentence
 * for a person: it names the file, says what is wrong, and what to do next.
 */
export class ProfileFormatError extends Error {
  /** The file the profile came from, when known. */
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'ProfileFormatError';
    this.file = file;
  }
}

/** How an importer's messages name the file: in quotes, or `unnamed` when it has no name. */
export function fileLabel(file: string | undefined, unnamed = 'The profile'): string {
  return file ? `"${file}"` : unnamed;
}

/**
 * The error for a file an importer cannot read, in the one shape every importer's message has:
 * `<file> <what is wrong>; <what to do>.` (no second full stop when `todo` ends a sentence).
 */
export function formatError(
  file: string | undefined,
  what: string,
  todo: string,
  unnamed?: string,
): ProfileFormatError {
  const end = /[.?!]$/.test(todo) ? '' : '.';
  return new ProfileFormatError(`${fileLabel(file, unnamed)} ${what}; ${todo}${end}`, file);
}

/** An importer's `fail`: throws {@link formatError}; `todo` defaults to the importer's advice. */
export type FormatFail = (file: string | undefined, what: string, todo?: string) => never;

/**
 * The `fail` of one importer, which names a file without a name `unnamed` ('The trace') and
 * gives `redo` as the advice when a call gives none. Declare the result with its type
 * (`const fail: FormatFail = formatFail(...)`) so that the compiler knows calls do not return.
 */
export function formatFail(unnamed: string, redo: string): FormatFail {
  return (file, what, todo = redo) => {
    throw formatError(file, what, todo, unnamed);
  };
}
