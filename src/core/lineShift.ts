/**
 * Where a 0-based line goes when the document is edited, so that heat stays on the code it
 * belongs to. Lines above an edit stay, lines below move by the number of lines added or removed,
 * lines inside a removed range are gone (undefined).
 */
export interface LineEdit {
  /** 0-based start of the replaced range. */
  readonly startLine0: number;
  readonly startChar0: number;
  /** 0-based end of the replaced range. */
  readonly endLine0: number;
  readonly endChar0: number;
  /** The text that replaced the range. */
  readonly text: string;
}

/** The new 0-based line of `line0` after `edit`, or undefined when its text was removed. */
export function shiftLine(line0: number, edit: LineEdit): number | undefined {
  const { startLine0: start, endLine0: end } = edit;
  if (line0 < start) return line0;
  const delta = countNewlines(edit.text) - (end - start);
  if (line0 > end) return line0 + delta;
  if (start === end) {
    // Within one line: text inserted at its very start that ends in a newline pushes the line
    // down; any other edit leaves it where it is.
    return edit.startChar0 === 0 && edit.text.endsWith('\n') ? line0 + delta : line0;
  }
  // A multi-line range: the line where it ends survives whole when the range ends at its first
  // character; the line where it starts survives when the range starts after its first
  // character; lines strictly inside are gone.
  if (line0 === end) return edit.endChar0 === 0 ? line0 + delta : undefined;
  if (line0 === start) return edit.startChar0 === 0 ? undefined : line0;
  return undefined;
}

/**
 * Applies the edits of one change event (which never overlap) to items carrying a `line0`,
 * bottom-up so that every range stays valid; items whose line was removed are dropped.
 */
export function shiftItems<T extends { line0: number }>(
  items: T[],
  edits: readonly LineEdit[],
): T[] {
  const sorted = [...edits].sort(
    (a, b) => b.startLine0 - a.startLine0 || b.startChar0 - a.startChar0,
  );
  let out = items;
  for (const edit of sorted) {
    out = out.flatMap((item) => {
      const n = shiftLine(item.line0, edit);
      return n === undefined ? [] : [n === item.line0 ? item : { ...item, line0: n }];
    });
  }
  return out;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
