/**
 * Files that hold several profiles (speedscope's `profiles[]`, pprof's sample types, the threads
 * of a Chrome trace) offer them as choices; the caller picks one by id, or takes the default.
 */

/** One profile of a file that holds several. */
export interface ProfileChoice {
  /** Stable: the index as a string for speedscope and traces, the sample type name for pprof. */
  readonly id: string;
  /** For a picker: "main thread (evented, 1.2 s)", "cpu (nanoseconds)". */
  readonly label: string;
  readonly detail?: string;
}

/** Options every importer of files with choices takes. */
export interface ImportOptions {
  /** The file name, for messages and `meta.sourceFile`. */
  sourceFile?: string;
  /**
   * A {@link ProfileChoice.id}; default: the first choice (pprof: the type named by
   * `default_sample_type`, else the last sample type).
   */
  choice?: string;
  /** 0..1, called now and then by slow importers. */
  onProgress?: (fraction: number) => void;
}

/** How many choices a message lists before "and N more". */
const LISTED = 10;

/**
 * A list of choices for a one-line message: the first ten joined with ", ", then "and N more"
 * (a file can hold thousands of sample types or threads).
 */
export function listChoices(items: readonly string[]): string {
  if (items.length <= LISTED) return items.join(', ');
  return `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}
