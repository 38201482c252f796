/**
 * Position bases, in one place. Inside the model lines and columns are 1-based; every format and
 * API at the edges has its own base. Convert here, nowhere else, so a reader never has to guess.
 *
 * - V8 `callFrame.lineNumber` / `columnNumber`: 0-based (-1 for pseudo frames).
 * - V8 `positionTicks[].line`: 1-based.
 * - Source maps through trace-mapping: 1-based lines, 0-based columns.
 * - VS Code `Position`: 0-based lines and characters.
 * - pstats, callgrind: 1-based lines.
 */

/**
 * A V8 call frame's 0-based line or column to 1-based, or null for pseudo frames (-1) and for
 * anything that is not a whole number (a damaged file's `0.5`).
 */
export function v8ToOneBased(zeroBased: number | undefined): number | null {
  return Number.isInteger(zeroBased) && (zeroBased as number) >= 0
    ? (zeroBased as number) + 1
    : null;
}

/** A 1-based line or column to V8's 0-based convention (-1 when unknown). */
export function oneBasedToV8(oneBased: number | null): number {
  return oneBased !== null && oneBased >= 1 ? oneBased - 1 : -1;
}

/** A 1-based column to trace-mapping's 0-based column. */
export function col1ToMapCol0(col1: number | null): number {
  return col1 !== null && col1 >= 1 ? col1 - 1 : 0;
}

/** A trace-mapping 0-based column to 1-based. */
export function mapCol0ToCol1(col0: number): number {
  return col0 + 1;
}

/** A 1-based line to a VS Code 0-based line number. */
export function line1ToEditorLine0(line1: number): number {
  return Math.max(0, line1 - 1);
}

/** A VS Code 0-based line number to 1-based. */
export function editorLine0ToLine1(line0: number): number {
  return line0 + 1;
}
