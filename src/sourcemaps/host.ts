/**
 * The file reading that source-map loading and remapping are given: the only I/O of this layer,
 * passed in so that it stays pure. Its own module so that the loader and the remapper, which
 * both take it, need not import each other.
 */

/** How the remapper reads files: the extension's workspace file system, the CLI's `node:fs`. */
export interface SourceMapHost {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * Why `path` was not read, completing "<path> ...": "is not a regular file (it is a FIFO)",
   * "is outside the workspace folders". Never the file's contents. Optional.
   */
  whyNot?(path: string): string | undefined;
}
