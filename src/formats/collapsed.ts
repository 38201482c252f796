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
import { Int32Column } from '../core/growable';
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import type { ImportOptions } from './choices';
import { formatError } from './errors';
import { fileUrlToPath } from '../util/fileUrl';
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
  const stacks = new CollapsedStacks(options.sourceFile);
  stacks.feed(text, options.onProgress);
  return stacks.finish(options.onProgress);
}

/**
 * {@link importCollapsed} over the file's text in pieces that each end at a line end (the last
 * may not): for files too large for one string, decoded by byteLines.ts's `bytePieces`.
 */
export function importCollapsedPieces(
  pieces: Iterable<string>,
  options: ImportOptions = {},
): Profile {
  const stacks = new CollapsedStacks(options.sourceFile);
  for (const piece of pieces) stacks.feed(piece);
  return stacks.finish(options.onProgress);
}

/**
 * Reads collapsed stacks one line at a time: each item is one line, with or without its `\r`.
 * Throws {@link ProfileFormatError} naming `options.sourceFile` when no line is a stack with a
 * count.
 */
export function importCollapsedLines(
  lines: Iterable<string>,
  options: ImportOptions = {},
): Profile {
  const stacks = new CollapsedStacks(options.sourceFile);
  for (const line of lines) stacks.feedLine(line);
  return stacks.finish(options.onProgress);
}

/**
 * The reader: lines are scanned where they lie in the text. Files list stacks sorted (every
 * stackcollapse script sorts them), so a line mostly repeats the frames of the line before:
 * how many it repeats is found by comparing prefixes of the two lines, and their tree nodes
 * are taken over, so that only the frames after them are cut out, looked up and walked. A frame
 * is looked up by a hash of its characters, taken while finding its end, and confirmed by
 * comparing its text; a slice is made only for a frame not seen with that hash before.
 */
class CollapsedStacks {
  private readonly builder = new ProfileBuilder();
  private readonly frameIds = new Map<string, number>();
  private lineNo = 0;
  private stacks = 0;
  private invalid = 0;
  private firstInvalid = 0;
  private inexact = 0;
  private firstInexact = 0;
  private total = 0;
  /**
   * Where the previous stack lies; where each of its frames ends in it, and the node each ends
   * at.
   */
  private previousText = '';
  private previousStart = 0;
  private readonly ends = new Int32Column();
  private readonly nodes = new Int32Column();
  /** Frames by a hash of their text: the last frame seen with each hash, its text and id. */
  private readonly recent = new Map<number, number>();
  private readonly recentName: string[] = [];
  private readonly recentId: number[] = [];

  constructor(private readonly sourceFile: string | undefined) {}

  /** Reads every line of `text` (a piece of the file that ends at a line end, or the last). */
  feed(text: string, progress?: (fraction: number) => void): void {
    const n = text.length;
    let from = 0;
    while (from < n) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = n;
      this.line(text, from, to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to);
      from = to + 1;
      if (progress && this.lineNo % 65536 === 0) progress(from / n);
    }
  }

  /** Reads one line (a trailing `\r` is ignored). */
  feedLine(line: string): void {
    this.line(line, 0, line.endsWith('\r') ? line.length - 1 : line.length);
  }

  private line(text: string, start: number, end: number): void {
    this.lineNo++;
    if (this.lineNo === 1 && text.charCodeAt(start) === 0xfeff) start++;
    // The count: plain digits after a blank take the quick way; anything else, splitLine.
    let e = end;
    while (e > start && isBlank(text.charCodeAt(e - 1))) e--;
    let d = e;
    while (d > start && text.charCodeAt(d - 1) >= 48 && text.charCodeAt(d - 1) <= 57) d--;
    let count: number;
    let stackEnd = d - 1;
    if (d < e && e - d <= 15 && d - 1 > start && isBlank(text.charCodeAt(d - 1))) {
      count = 0;
      for (let i = d; i < e; i++) count = count * 10 + text.charCodeAt(i) - 48;
      while (stackEnd > start && isBlank(text.charCodeAt(stackEnd - 1))) stackEnd--;
      if (stackEnd === start) return this.skipLine();
    } else {
      if (e === start || text.charCodeAt(start) === 35 /* # */) return;
      const line = text.slice(start, end);
      if (!line.trim()) return;
      const split = splitLine(line);
      if (!split) return this.skipLine();
      this.stacks++;
      if (split.count === 0) return;
      // Past 2^53 a double cannot hold a whole count exactly (and no recording has that many
      // samples): such lines are left out, and counted in a warning, rather than read wrong.
      if (split.inexact) {
        if (this.inexact++ === 0) this.firstInexact = this.lineNo;
        return;
      }
      this.add(split.stack, 0, split.stack.length, split.count);
      return;
    }
    if (text.charCodeAt(start) === 35 /* # */) return;
    this.stacks++;
    if (count === 0) return;
    this.add(text, start, stackEnd, count);
  }

  private skipLine(): void {
    if (this.invalid++ === 0) this.firstInvalid = this.lineNo;
  }

  /** Adds the stack `text[start .. end)` (frames split on `;`) with its count. */
  private add(text: string, start: number, end: number, count: number): void {
    const length = end - start;
    const shared = this.sharedFrames(text, start, length);
    const ends = this.ends;
    const nodes = this.nodes;
    ends.length = nodes.length = shared;
    let node = shared ? nodes.data[shared - 1] : 0;
    const at = shared ? ends.data[shared - 1] + 1 : 0;
    if (at <= length) {
      for (let from = at; ;) {
        // A scan bounded by the line (indexOf would run on into the lines after it), hashing
        // the frame's characters on the way.
        let to = from;
        let hash = 0x811c9dc5;
        let c = 0;
        while (to < length && (c = text.charCodeAt(start + to)) !== 59 /* ; */) {
          hash = Math.imul(hash ^ c, 0x01000193);
          to++;
        }
        node = this.builder.child(node, this.frameId(text, start + from, to - from, hash));
        ends.push(to);
        nodes.push(node);
        if (to === length) break;
        from = to + 1;
      }
    }
    this.previousText = text;
    this.previousStart = start;
    this.builder.addSelf(node, count);
    this.total += count;
  }

  /**
   * How many frames, from the root, the stack `text[start, start + length)` shares with the
   * previous one: the most whose text, up to where they end in the previous stack, this one
   * starts with, followed by a `;` or the end of this one. If k frames are shared, so are fewer,
   * so the count is found by halving, each probe comparing two slices (natively: comparing frame
   * by frame, or character by character, was most of this reader's time).
   */
  private sharedFrames(text: string, start: number, length: number): number {
    const previous = this.previousText;
    const from = this.previousStart;
    const ends = this.ends.data;
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const k = (low + high + 1) >> 1;
      const end = ends[k - 1];
      if (
        end <= length &&
        (end === length || text.charCodeAt(start + end) === 59) &&
        text.slice(start, start + end) === previous.slice(from, from + end)
      )
        low = k;
      else high = k - 1;
    }
    return low;
  }

  /**
   * The frame id of `text[from, from + length)`, whose characters hash to `hash`: first the
   * frame last seen with that hash, confirmed by comparing where the text lies; else by its
   * string.
   */
  private frameId(text: string, from: number, length: number, hash: number): number {
    const key = hash & 0x3fffffff;
    const entry = this.recent.get(key);
    if (entry !== undefined) {
      const name = this.recentName[entry];
      if (name.length === length && text.slice(from, from + length) === name)
        return this.recentId[entry];
    }
    const name = text.slice(from, from + length);
    let id = this.frameIds.get(name);
    if (id === undefined) {
      id = this.builder.frame(toFrame(name));
      this.frameIds.set(name, id);
    }
    if (entry === undefined) {
      this.recent.set(key, this.recentName.length);
      this.recentName.push(name);
      this.recentId.push(id);
    } else {
      this.recentName[entry] = name;
      this.recentId[entry] = id;
    }
    return id;
  }

  /** The profile, or the error for a file without stacks. */
  finish(progress?: (fraction: number) => void): Profile {
    const { sourceFile, invalid, lineNo } = this;
    if (this.stacks === 0) {
      throw formatError(
        sourceFile,
        'holds no collapsed stacks: ' +
          (lineNo === 0 || invalid === 0
            ? 'it is empty'
            : `none of its ${invalid} ${invalid === 1 ? 'line is' : 'lines are'} \`frame;frame;frame count\``),
        'open a file written by a stackcollapse script, perf script report stackcollapse or py-spy --format raw',
      );
    }
    if (invalid > 0) {
      this.builder.warn(
        `Skipped ${invalid} ${invalid === 1 ? 'line that is' : 'lines that are'} not \`stack count\` (like \`main;work 12\`), first at line ${this.firstInvalid}.`,
      );
    }
    if (this.inexact > 0) {
      this.builder.warn(
        `Skipped ${this.inexact} ${this.inexact === 1 ? 'line whose count is' : 'lines whose counts are'} above 2^53 (${MAX_EXACT_COUNT}), which cannot be read exactly, first at line ${this.firstInexact}.`,
      );
    }
    progress?.(1);
    return this.builder.build({
      profiler: 'collapsed',
      clock: 'unknown',
      unit: 'samples',
      duration: this.total,
      sourceFile,
    });
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
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
