/**
 * Collapsed ("folded") stacks, the input of Brendan Gregg's flamegraph.pl: one line per distinct
 * stack, `root;caller;leaf <count>`. Written by `perf script report stackcollapse`,
 * stackcollapse-*.pl, py-spy (`--format raw`), async-profiler (`-o collapsed`), rbspy, dtrace
 * scripts and many more.
 *
 * Choices, and why:
 *
 * - The count is the weight, in samples. speedscope reads only whole counts; we also take decimal
 *   ones (some converters write them) but never negative or non-numbers. A line that is not
 *   `stack count` is skipped and counted, and one warning names how many and where the first was:
 *   a damaged line must not cost the rest of a long recording.
 * - Blank lines and `#` comments are ignored; CRLF line ends and a leading byte-order mark are
 *   accepted (the caller decodes UTF-16).
 * - Frames are names, split on `;`, kept verbatim (perf's `[unknown]`, kernel `_[k]` suffixes,
 *   included), except py-spy's convention `name (file:line)`, which becomes a frame with a file
 *   and a 1-based line, and V8's perf map names `JS:*name file:line:col`, which keep their name
 *   and get the file and position. A frame's kind is guessed from its file
 *   and name (foreignFrame.ts).
 * - The file has no time order: no samples, only the tree; lines repeat stacks freely and merge.
 */
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import type { ImportOptions } from './choices';
import { ProfileFormatError } from './errors';
import { fileUrlToPath } from './fileUrl';
import { guessFrameKind } from './foreignFrame';

const NAME = /\.(?:folded|collapsed|stacks)$/i;
/** Names of other formats: never sniffed as collapsed stacks. */
const OTHER_FORMAT = /\.(?:json|cpuprofile|prof|pstats|pb|gz|pprof|heatlens|svg|html?)$/i;
const COUNT = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/**
 * V8's perf map names (`node --perf-basic-prof`, seen through perf): `JS:*name /file.js:12:21`,
 * the tier mark (`*` optimized, `~` interpreted, `^` baseline) kept in the name so that each
 * tier stays the frame speedscope shows; the file and position become the frame's.
 */
const V8_PERF_FRAME =
  /^((?:JS|LazyCompile|Function|Script):[*~^+]?\S*) (\/\S+|[a-zA-Z]:\\\S+|file:\/\/\S+):(\d+):(\d+)$/;
/** py-spy's frame: `function (file:line)`. */
const PY_SPY_FRAME = /^(.*) \(([^()]*?):(\d+)\)$/;

/**
 * Whether a file holds collapsed stacks: by name first (`.folded`, `.collapsed`, `.stacks`), then,
 * for `.txt` and names of no known format, by content: most of the first lines (comments and
 * blank lines aside; two in three) are `stack count` and at least one stack has more than one frame.
 */
export function isCollapsed(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  if (name && OTHER_FORMAT.test(name)) return false;
  const head = text.slice(0, 16384).replace(/^\uFEFF/, '');
  if (/^\s*[{[<]/.test(head) || head.includes('\u0000')) return false;
  let seen = 0;
  let good = 0;
  let nested = false;
  const lines = head.split('\n');
  // The last line of the slice may be cut off: leave it out unless it is the whole text.
  const usable = text.length > head.length + 1 ? lines.length - 1 : lines.length;
  for (let i = 0; i < usable && seen < 20; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) continue;
    seen++;
    const split = splitLine(line);
    if (split) {
      good++;
      if (split.stack.includes(';')) nested = true;
    }
  }
  return seen > 0 && nested && good >= (2 / 3) * seen;
}

/** Reads collapsed stacks from text; see {@link importCollapsedLines}. */
export function importCollapsed(text: string, options: ImportOptions = {}): Profile {
  const progress = options.onProgress;
  function* lines(): Iterable<string> {
    let from = 0;
    let n = 0;
    while (from <= text.length) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      yield text.slice(from, to);
      from = to + 1;
      if (progress && ++n % 65536 === 0) progress(from / text.length);
    }
  }
  return importCollapsedLines(lines(), options);
}

/**
 * Reads collapsed stacks one line at a time (a huge file can be streamed through it): each item
 * is one line, with or without its `\r`. Throws {@link ProfileFormatError} naming
 * `options.sourceFile` when no line is a stack with a count.
 */
export function importCollapsedLines(
  lines: Iterable<string>,
  options: ImportOptions = {},
): Profile {
  const { sourceFile } = options;
  const builder = new ProfileBuilder();
  const frameIds = new Map<string, number>();
  const frameId = (text: string): number => {
    let id = frameIds.get(text);
    if (id === undefined) {
      id = builder.frame(toFrame(text));
      frameIds.set(text, id);
    }
    return id;
  };
  let lineNo = 0;
  let stacks = 0;
  let invalid = 0;
  let firstInvalid = 0;
  let inexact = 0;
  let firstInexact = 0;
  let total = 0;
  for (const raw of lines) {
    lineNo++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (!line.trim() || line.startsWith('#')) continue;
    const split = splitLine(line);
    if (!split) {
      if (invalid++ === 0) firstInvalid = lineNo;
      continue;
    }
    stacks++;
    const count = split.count;
    if (count === 0) continue;
    // Past 2^53 a double cannot hold a whole count exactly (and no recording has that many
    // samples): such lines are left out, and counted in a warning, rather than read wrong.
    if (split.inexact) {
      if (inexact++ === 0) firstInexact = lineNo;
      continue;
    }
    // Walk the stack without building an array of strings per line.
    const s = split.stack;
    let node = 0;
    let from = 0;
    for (;;) {
      const to = s.indexOf(';', from);
      const part = to < 0 ? s.slice(from) : s.slice(from, to);
      node = builder.child(node, frameId(part));
      if (to < 0) break;
      from = to + 1;
    }
    builder.addSelf(node, count);
    total += count;
  }
  if (stacks === 0) {
    throw new ProfileFormatError(
      `${sourceFile ? `"${sourceFile}"` : 'The profile'} holds no collapsed stacks: ` +
        (lineNo === 0 || invalid === 0
          ? 'it is empty'
          : `none of its ${invalid} ${invalid === 1 ? 'line is' : 'lines are'} \`frame;frame;frame count\``) +
        '; open a file written by a stackcollapse script, perf script report stackcollapse or py-spy --format raw.',
      sourceFile,
    );
  }
  if (invalid > 0) {
    builder.warn(
      `Skipped ${invalid} ${invalid === 1 ? 'line that is' : 'lines that are'} not \`stack count\` (like \`main;work 12\`), first at line ${firstInvalid}.`,
    );
  }
  if (inexact > 0) {
    builder.warn(
      `Skipped ${inexact} ${inexact === 1 ? 'line whose count is' : 'lines whose counts are'} above 2^53 (${MAX_EXACT_COUNT}), which cannot be read exactly, first at line ${firstInexact}.`,
    );
  }
  options.onProgress?.(1);
  return builder.build({
    profiler: 'collapsed',
    clock: 'unknown',
    unit: 'samples',
    duration: total,
    sourceFile,
  });
}

/** The largest count read: 2^53, the last whole number a double holds exactly with all below. */
const MAX_EXACT_COUNT = 2 ** 53;

/** A line's stack and count (the last blank-separated field), or null when it is not one. */
function splitLine(line: string): { stack: string; count: number; inexact: boolean } | null {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  const gap = Math.max(line.lastIndexOf(' ', end - 1), line.lastIndexOf('\t', end - 1));
  if (gap <= 0) return null;
  const field = line.slice(gap + 1, end);
  if (!COUNT.test(field)) return null;
  const count = Number(field);
  if (!Number.isFinite(count)) return null;
  // 2^53 + 1 reads as 2^53: only the text tells them apart.
  const inexact =
    count > MAX_EXACT_COUNT ||
    (count === MAX_EXACT_COUNT && field.replace(/^0+/, '') !== String(MAX_EXACT_COUNT));
  let stackEnd = gap;
  while (stackEnd > 0 && (line[stackEnd - 1] === ' ' || line[stackEnd - 1] === '\t')) stackEnd--;
  if (stackEnd === 0) return null;
  return { stack: line.slice(0, stackEnd), count, inexact };
}

function toFrame(text: string): Frame {
  const v8 = V8_PERF_FRAME.exec(text);
  if (v8) {
    const file = fileUrlToPath(v8[2]);
    const line1 = Number(v8[3]) >= 1 ? Number(v8[3]) : null;
    const col1 = Number(v8[4]) >= 1 ? Number(v8[4]) : null;
    return { name: v8[1], file, line1, col1, kind: guessFrameKind(v8[1], file, line1) };
  }
  const py = PY_SPY_FRAME.exec(text);
  if (py && py[2]) {
    const name = py[1];
    const file = fileUrlToPath(py[2]);
    const line1 = Number(py[3]) >= 1 ? Number(py[3]) : null;
    return { name, file, line1, col1: null, kind: guessFrameKind(name, py[2], line1) };
  }
  return {
    name: text,
    file: null,
    line1: null,
    col1: null,
    kind: guessFrameKind(text, null, null),
  };
}
