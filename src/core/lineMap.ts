/**
 * Where the lines of one version of a source file went in another: the line mapping that lets two
 * runs be compared line by line after an edit that added or removed lines above the hot code.
 *
 * A Myers line diff over the lines that differ (the common prefix and suffix are stripped first,
 * so a typical edit costs little). Lines equal on both sides and kept by the diff map to their new
 * number; changed and deleted lines map to null. The diff is bounded: past {@link MAX_LINES}
 * lines in the changed middle, or past {@link MAX_EDITS} edits, only the unchanged prefix and
 * suffix map and the whole middle maps to null (a rewrite that large has no useful line mapping).
 * Pure.
 */

/** Past this many lines (before + after) in the changed middle, no diff is run. */
export const MAX_LINES = 20_000;
/** Past this many inserted plus deleted lines, the diff gives up (memory grows with its square). */
export const MAX_EDITS = 2_000;

/** Lines of a text: LF or CRLF (a mix too) end a line, so the two compare equal. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * The 1-based line of `afterText` that each 1-based line of `beforeText` became, or null when the
 * line was changed or deleted. Lines past the end of `beforeText` (a profile that names them ran a
 * longer version) move with the end of the file.
 */
export function mapLines(
  beforeText: string,
  afterText: string,
): (beforeLine1: number) => number | null {
  const a = splitLines(beforeText);
  const b = splitLines(afterText);
  const n = a.length;
  const m = b.length;
  // to[i] is the 0-based after line of before line i, or -1.
  const to = new Int32Array(n).fill(-1);
  let pre = 0;
  while (pre < n && pre < m && a[pre] === b[pre]) {
    to[pre] = pre;
    pre++;
  }
  let suf = 0;
  while (suf < n - pre && suf < m - pre && a[n - 1 - suf] === b[m - 1 - suf]) {
    to[n - 1 - suf] = m - 1 - suf;
    suf++;
  }
  const midA = n - pre - suf;
  const midB = m - pre - suf;
  if (midA > 0 && midB > 0 && midA + midB <= MAX_LINES) {
    // Intern the middle lines so the diff compares numbers.
    const ids = new Map<string, number>();
    const intern = (s: string): number => {
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = ids.size));
      return id;
    };
    const ia = Int32Array.from(a.slice(pre, n - suf), intern);
    const ib = Int32Array.from(b.slice(pre, m - suf), intern);
    const matches = myers(ia, ib, MAX_EDITS);
    if (matches) for (const [x, y] of matches) to[pre + x] = pre + y;
  }
  return (line1) => {
    if (!Number.isInteger(line1) || line1 < 1) return null;
    if (line1 > n) return line1 + (m - n);
    const t = to[line1 - 1];
    return t < 0 ? null : t + 1;
  };
}

/**
 * The matched (before, after) index pairs of a shortest edit script of `a` into `b` (Myers 1986,
 * the greedy forward algorithm with a saved frontier per step for the walk back), or null when it
 * needs more than `maxEdits` edits.
 */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): [number, number][] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] is v over k in [-d-1, d+1] before step d (index k + d + 1).
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])
          ? v[off + k + 1]
          : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return walkBack(trace, n, m);
    }
  }
  return null;
}

function walkBack(trace: Int32Array[], n: number, m: number): [number, number][] {
  const out: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const at = (k: number): number => v[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      out.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  return out;
}
