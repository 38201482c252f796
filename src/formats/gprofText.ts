/**
 * The tables of gprof's text output (binutils' `gprof prog gmon.out`), read line by line into
 * plain records; gprof.ts decides what they mean for the model. What gprof prints, and so what
 * is read here (binutils' hist.c and cg_print.c print it):
 *
 * - The flat profile (`Flat profile:`, or `flat profile:` with `-T`): after its two heading
 *   lines, one row per function, `%time cumulative self [calls self/call total/call] name`, the
 *   calls columns blank for a function gprof has no counts for. `Each sample counts as 0.01
 *   seconds.` gives the sampling period and the dimension. With `-l` (line by line) a row is one
 *   source line of a function, `name (file:line @ address)`.
 * - The call graph (`Call graph` and the `index % time self children called name` heading): one
 *   entry per function between separator lines. Above the entry's primary line (`[index] %time
 *   self children called name [index]`, `called` written `calls+self-calls`) are its callers,
 *   below it its callees; an arc line is `self children count/total name [index]`, or the count
 *   alone for a self-call and for calls between members of one cycle (gprof propagates no time
 *   along those), and a function without callers has `<spontaneous>` above it. A cycle's entry,
 *   `<cycle N as a whole>`, lists its members with their `self children calls` instead.
 * - Names as gprof prints them: `name`, then ` (file:line)` (`--inline-file-names`), ` <cycle N>`
 *   for a member of a cycle, and ` [index]` (` (index)` for an entry gprof did not print).
 * - `Index by function name`: each function's index and name, a static function's with its file
 *   in parentheses where the program has debug information.
 *
 * The blurbs gprof prints between the tables (without `-b`) are prose and are passed over; a
 * line inside a table that reads as none of its rows is counted, and gprof.ts warns.
 */

/** A function as gprof names it in one place. */
export interface GprofName {
  readonly name: string;
  /** From ` (file:line)`, or ` (file:line @ address)` with `-l`. */
  readonly file: string | null;
  readonly line: number | null;
  /** With `-l`: the address of the line's code, which makes the row a line, not a function. */
  readonly address: string | null;
  /** The cycle a member belongs to; 0 for none. */
  readonly cycle: number;
  /** The call graph's index; -1 where the name had none (the flat profile). */
  readonly index: number;
}

/** A row of the flat profile. */
export interface GprofFlatRow {
  readonly name: GprofName;
  /** Self time, in the file's dimension (seconds). */
  readonly self: number;
  /** Calls other than self-calls; null where gprof printed none. */
  readonly calls: number | null;
}

/** A function's primary line in the call graph. */
export interface GprofEntry {
  readonly name: GprofName;
  readonly self: number;
  /** The time of its callees outside its cycle that gprof propagated to it. */
  readonly children: number;
  /** Calls from other functions (other members of its cycle included); 0 where none printed. */
  readonly calls: number;
  /** Calls from itself. */
  readonly selfCalls: number;
}

/** One arc, caller -> callee, as a line of either's entry shows it. */
export interface GprofArc {
  readonly caller: GprofName;
  readonly callee: GprofName;
  readonly calls: number;
  /** Null for a self-call or a call inside a cycle: gprof shows its count only. */
  readonly self: number | null;
  readonly children: number | null;
}

/** A cycle's `<cycle N as a whole>` line. */
export interface GprofCycle {
  readonly cycle: number;
  readonly index: number;
  readonly self: number;
  readonly children: number;
  /** Calls into the cycle from outside it, and calls among its members. */
  readonly calls: number;
  readonly internalCalls: number;
}

/** Everything read from a gprof text file. */
export interface GprofTables {
  /** Seconds per sample (`Each sample counts as ...`), where printed. */
  samplePeriod?: number;
  /** What a sample counts: `seconds` from every gmon.out glibc writes. */
  dimension?: string;
  /** The time the call graph's heading gives (`... of 2.46 seconds`). */
  propagatedTime?: number;
  /** Null without a flat profile (`gprof -q`). */
  flat: GprofFlatRow[] | null;
  /** False without a call graph (`gprof -p`). */
  hasGraph: boolean;
  readonly entries: GprofEntry[];
  readonly arcs: GprofArc[];
  readonly cycles: GprofCycle[];
  /** From the index: the file of a static function, by graph index. */
  readonly indexFiles: Map<number, string>;
  /** Lines inside a table that read as none of its rows, and the first of them (1-based). */
  skipped: number;
  firstSkipped: number;
}

const FLAT_TITLE = /^(?:Flat|flat) profile:\s*$/;
const FLAT_HEADING = /^\s*time\s+(\S+)\s+\S+\s+calls\s+\S+\s+\S+\s+name\s*$/;
const SAMPLE = /^\s*Each sample counts as (\S+) (.+?)\.\s*$/;
const GRAPH_HEADING = /^index\s+%\s*time\s+self\s+(?:children|descendants)\s+called/;
const GRANULARITY = /^\s*granularity: .* of ([\d.]+) \S+\s*$/;
const INDEX_TITLE = /^Index by function name\s*$/;
const SEPARATOR = /^-{10,}\s*$/;
/** `-T`'s extra heading lines around `index %time ...`. */
const BSD_HEADING = /^\s+called\/total\s+(?:parents|children)\s*$/;
const SPONTANEOUS = /^\s+<spontaneous>\s*$/;

const FLAT_ROW = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(?:(\d+)\s+(\S+)\s+(\S+)\s+)?(\S.*)$/;
const PRIMARY = /^\[(\d+)\]\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(\d+)(?:\+(\d+))?)?\s+(\S.*)$/;
const ARC = /^\s+(\S+)\s+(\S+)\s+(\d+)\/(\d+)\s+(\S.*)$/;
const MEMBER = /^\s+(\S+)\s+(\S+)\s+(\d+)(?:\+(\d+))?\s+(\S.*)$/;
const COUNT_ARC = /^\s+(\d+)\s+(\S.*)$/;
const CYCLE_WHOLE = /^<cycle (\d+) as a whole>\s+\[(\d+)\]$/;

const NAME_INDEX = /\s[[(](\d+)[\])]$/;
const NAME_CYCLE = / <cycle (\d+)>$/;
const NAME_PLACE = / \(([^()]*?):(\d+)(?: @ ([0-9a-fA-F]+))?\)$/;

/** Longer times (a million seconds is 11 days; this is 30 000 years) only come from damage. */
const MAX_TIME = 1e12;

/** A time gprof printed: not negative nor beyond {@link MAX_TIME}, else null (damage). */
function time(text: string): number | null {
  const v = Number(text);
  return v >= 0 && v <= MAX_TIME ? v : null;
}

/** A count gprof printed: a whole number a counter can hold, else null (damage). */
function count(text: string | undefined): number | null {
  if (text === undefined) return 0;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : null;
}

/** Reads a name with what gprof appends to it (see {@link GprofName}). */
export function parseGprofName(text: string): GprofName {
  let s = text.trim();
  let index = -1;
  let cycle = 0;
  let file: string | null = null;
  let line: number | null = null;
  let address: string | null = null;
  let m = NAME_INDEX.exec(s);
  if (m) {
    index = Number(m[1]);
    s = s.slice(0, m.index).trimEnd();
  }
  m = NAME_CYCLE.exec(s);
  if (m) {
    cycle = Number(m[1]);
    s = s.slice(0, m.index);
  }
  m = NAME_PLACE.exec(s);
  if (m && m.index > 0) {
    file = m[1] || null;
    const n = Number(m[2]);
    line = Number.isSafeInteger(n) && n > 0 ? n : null;
    address = m[3] ?? null;
    s = s.slice(0, m.index);
  }
  if (!Number.isSafeInteger(index)) index = -1;
  if (!Number.isSafeInteger(cycle)) cycle = 0;
  return { name: s, file, line, address, cycle, index };
}

type Section = 'none' | 'flat' | 'graph' | 'index';

/** One call graph entry as its lines come: callers, the primary line, callees. */
interface EntryLines {
  readonly above: string[];
  primary: string | null;
  readonly below: string[];
  /** The line number of the first line, for warnings. */
  readonly at: number;
}

/**
 * Reads the tables of a gprof text file (see the module comment). Never throws: what does not
 * read is counted in `skipped`.
 */
export function readGprofTables(text: string): GprofTables {
  const t: GprofTables = {
    flat: null,
    hasGraph: false,
    entries: [],
    arcs: [],
    cycles: [],
    indexFiles: new Map(),
    skipped: 0,
    firstSkipped: 0,
  };
  const skip = (lineNo: number) => {
    if (t.skipped++ === 0) t.firstSkipped = lineNo;
  };
  let section: Section = 'none';
  let entry: EntryLines | null = null;
  let afterBlank = false;
  const endEntry = () => {
    if (entry) readEntry(entry, t, skip);
    entry = null;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const lineNo = i + 1;
    // A form feed starts each table gprof prints after the first.
    if (line.startsWith('\f')) {
      endEntry();
      section = 'none';
      continue;
    }
    if (!line.trim()) {
      if (section === 'flat' && t.flat?.length) section = 'none';
      afterBlank = true;
      continue;
    }
    const blank = afterBlank;
    afterBlank = false;
    let m: RegExpExecArray | null;
    if (FLAT_TITLE.test(line)) {
      endEntry();
      section = 'none';
      t.flat ??= [];
    } else if ((m = SAMPLE.exec(line))) {
      const period = time(m[1]);
      if (period !== null && period > 0) t.samplePeriod = period;
      t.dimension = m[2];
    } else if (FLAT_HEADING.test(line)) {
      endEntry();
      section = 'flat';
      t.flat ??= [];
    } else if ((m = GRANULARITY.exec(line))) {
      const total = time(m[1]);
      if (total !== null) t.propagatedTime = total;
    } else if (GRAPH_HEADING.test(line)) {
      endEntry();
      section = 'graph';
      t.hasGraph = true;
    } else if (INDEX_TITLE.test(line)) {
      endEntry();
      section = 'index';
    } else if (section === 'flat') {
      if (!readFlatRow(line, t)) skip(lineNo);
    } else if (section === 'graph') {
      if (SEPARATOR.test(line)) endEntry();
      else if (BSD_HEADING.test(line)) continue;
      else if (!isGraphLine(line)) {
        // After a blank line, gprof's explanation of the table; elsewhere, damage.
        if (blank) {
          endEntry();
          section = 'none';
        } else skip(lineNo);
      } else {
        if (!entry || (entry.primary !== null && PRIMARY.test(line))) {
          endEntry();
          entry = { above: [], primary: null, below: [], at: lineNo };
        }
        if (entry.primary === null && line.startsWith('[')) entry.primary = line;
        else (entry.primary === null ? entry.above : entry.below).push(line);
      }
    } else if (section === 'index') {
      readIndexLine(line, t);
    }
  }
  endEntry();
  return t;
}

function readFlatRow(line: string, t: GprofTables): boolean {
  const m = FLAT_ROW.exec(line);
  if (!m) return false;
  const percent = Number(m[1]);
  const self = time(m[3]);
  if (Number.isNaN(percent) || time(m[2]) === null || self === null) return false;
  const calls = m[4] === undefined ? null : count(m[4]);
  if (m[4] !== undefined && calls === null) return false;
  t.flat!.push({ name: parseGprofName(m[7]), self, calls });
  return true;
}

function isGraphLine(line: string): boolean {
  return (
    PRIMARY.test(line) ||
    ARC.test(line) ||
    MEMBER.test(line) ||
    COUNT_ARC.test(line) ||
    SPONTANEOUS.test(line)
  );
}

/** Reads one entry's lines into entries, arcs or a cycle. */
function readEntry(e: EntryLines, t: GprofTables, skip: (lineNo: number) => void): void {
  const p = e.primary === null ? null : PRIMARY.exec(e.primary);
  if (!p) {
    skip(e.at);
    return;
  }
  const self = time(p[3]);
  const children = time(p[4]);
  const calls = count(p[5]);
  const selfCalls = count(p[6]);
  if (self === null || children === null || calls === null || selfCalls === null) {
    skip(e.at);
    return;
  }
  const whole = CYCLE_WHOLE.exec(p[7].trim());
  if (whole) {
    // The members below repeat their own entries' figures: only the cycle's are new.
    const cycle = Number(whole[1]);
    const index = Number(whole[2]);
    if (Number.isSafeInteger(cycle) && Number.isSafeInteger(index))
      t.cycles.push({ cycle, index, self, children, calls, internalCalls: selfCalls });
    return;
  }
  const name = parseGprofName(p[7]);
  t.entries.push({ name, self, children, calls, selfCalls });
  for (const line of e.above) {
    const arc = readArc(line);
    if (arc === 'spontaneous') continue;
    if (arc) t.arcs.push({ ...arc, caller: arc.other, callee: name });
    else skip(e.at);
  }
  for (const line of e.below) {
    const arc = readArc(line);
    if (arc && arc !== 'spontaneous') t.arcs.push({ ...arc, caller: name, callee: arc.other });
    else skip(e.at);
  }
}

interface ArcLine {
  readonly other: GprofName;
  readonly calls: number;
  readonly self: number | null;
  readonly children: number | null;
}

function readArc(line: string): ArcLine | 'spontaneous' | null {
  if (SPONTANEOUS.test(line)) return 'spontaneous';
  let m = ARC.exec(line);
  if (m) {
    const self = time(m[1]);
    const children = time(m[2]);
    const calls = count(m[3]);
    if (self === null || children === null || calls === null) return null;
    return { other: parseGprofName(m[5]), calls, self, children };
  }
  m = COUNT_ARC.exec(line);
  if (m) {
    const calls = count(m[1]);
    return calls === null
      ? null
      : { other: parseGprofName(m[2]), calls, self: null, children: null };
  }
  return null;
}

/** `[12] name (file.c)` entries, several to a line: only static functions' files are kept. */
function readIndexLine(line: string, t: GprofTables): void {
  const starts = [...line.matchAll(/(?:^|\s)[[(](\d+)[\])] /g)];
  for (let k = 0; k < starts.length; k++) {
    const m = starts[k];
    const from = m.index + m[0].length;
    const to = k + 1 < starts.length ? starts[k + 1].index : line.length;
    const text = line.slice(from, to).trim();
    const file = / \(([^():\s]+)\)$/.exec(text);
    const index = Number(m[1]);
    if (file && Number.isSafeInteger(index)) t.indexFiles.set(index, file[1]);
  }
}
