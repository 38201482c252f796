/** How a format's reader words a JSON failure (see {@link failUnparsed}). */
export interface JsonFailureWords {
  /** What the whole file is, for "its JSON ends before ___ does": 'the profile'. */
  readonly whole: string;
  /** How to get an intact file again. */
  readonly redo: string;
  /** The doubt to leave the person with when the text is simply not valid JSON. */
  readonly question: string;
}

/**
 * Throws, through `fail`, the error for JSON text that did not parse (`err` is the parser's):
 * cut short when `cutShort` (the text ends before its outermost value does), else the parser's
 * own words, without echoing unreadable characters back at the person.
 */
export function failUnparsed(
  err: unknown,
  cutShort: boolean,
  words: JsonFailureWords,
  fail: (what: string, todo: string) => never,
): never {
  if (cutShort) {
    fail(
      `is cut short: its JSON ends before ${words.whole} does`,
      `the file was probably truncated while being written or copied, so ${words.redo}`,
    );
  }
  const detail = (err instanceof Error ? err.message : String(err))
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 120);
  return fail(`is not valid JSON (${detail})`, words.question);
}
