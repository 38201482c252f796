/**
 * Text from a profile file (function names, paths, thread names, patterns) must never reach a
 * terminal as control sequences: an escape character can set the title, clear the screen or hide
 * text, and bidirectional overrides reorder what is shown. This shows them escaped instead.
 */

// C0 controls and DEL, C1 controls, bidi embeddings/overrides/isolates and marks, and the line and
// paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control or bidi character written as `\xNN` or `\uNNNN`. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
