/**
 * Which scripts may have a source map, and where a script says its map is. Pure string code.
 */

const SCRIPT_EXTENSIONS = new Set(['js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'jsx', 'tsx']);

/** True for an absolute local path: `/x`, `C:\x`, `C:/x` or `\\server\share\x`. */
export function isAbsoluteLocalPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]/.test(path);
}

/**
 * True when `file` could be a script with a source map: an absolute local path (importers turn
 * `file://` URLs into paths; `node:`, `http:` and other URLs are never asked about) whose name
 * ends in a JavaScript or TypeScript extension, or has no extension at all (a `bin` script).
 * Everything else (`.json`, `.wasm`, `.node`, ...) passes through without a single read.
 */
export function looksLikeScript(file: string): boolean {
  if (!isAbsoluteLocalPath(file)) return false;
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const base = file.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  // A leading dot is a hidden file's name, not an extension.
  if (dot <= 0) return base.length > 0;
  return SCRIPT_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}

const MARKER = 'sourceMappingURL=';

/**
 * The URL of the last `//# sourceMappingURL=` (or the older `//@ sourceMappingURL=`) comment of a
 * script, or undefined. Only a comment that starts its own line counts (after optional blanks),
 * and the URL must be all that follows it on the line: bundles such as TypeScript's own contain
 * the marker inside string literals, and those must not be taken for the script's comment.
 */
export function findSourceMappingUrl(text: string): string | undefined {
  let at = text.length;
  while (at > 0) {
    const found = text.lastIndexOf(MARKER, at - 1);
    if (found < 0) return undefined;
    at = found;
    const url = urlAt(text, found);
    if (url !== undefined) return url;
  }
  return undefined;
}

function urlAt(text: string, marker: number): string | undefined {
  // Expect `//# ` or `//@ ` (blanks between the sigil and the marker are allowed).
  let i = marker - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (i < 2 || (text[i] !== '#' && text[i] !== '@') || text[i - 1] !== '/' || text[i - 2] !== '/') {
    return undefined;
  }
  let lineStart = i - 3;
  while (lineStart >= 0 && (text[lineStart] === ' ' || text[lineStart] === '\t')) lineStart--;
  if (lineStart >= 0 && text[lineStart] !== '\n' && text[lineStart] !== '\r') return undefined;
  const start = marker + MARKER.length;
  let end = start;
  while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
  let rest = end;
  while (rest < text.length && (text[rest] === ' ' || text[rest] === '\t')) rest++;
  if (rest < text.length && text[rest] !== '\n' && text[rest] !== '\r') return undefined;
  return end > start ? text.slice(start, end) : undefined;
}

/** Space, tab, line breaks, form feed, vertical tab: what ends a URL in a comment. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
