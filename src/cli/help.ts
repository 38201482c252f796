/**
 * The CLI's help text. The formats it names come from the format registry: the ones `summary`
 * reads and the ones `convert --to` writes, so a new row shows up here by itself.
 */
import { EXPORT_FORMATS } from '../formats/exportProfile';
import { knownFormatsSentence } from '../formats/registry';

/** Help paragraphs are indented by six spaces and wrapped before this column. */
const WIDTH = 93;
const INDENT = '      ';

/** `text` wrapped into indented lines of at most {@link WIDTH} characters (no trailing newline). */
export function paragraph(text: string): string {
  const lines: string[] = [];
  let line = '';
  // A `quoted command` stays on one line.
  for (const word of text.match(/(?:`[^`]*`|\S)+/g) ?? []) {
    if (line && INDENT.length + line.length + 1 + word.length > WIDTH) {
      lines.push(INDENT + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(INDENT + line);
  return lines.join('\n');
}

/** "speedscope (.speedscope.json), collapsed (.folded, for flamegraph.pl), ... or pstats (...)". */
function exportList(): string {
  const items = EXPORT_FORMATS.map((f) => `${f.id} ${f.help}`);
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

const CONVERT_KEEPS =
  "Every function's self and total time is kept; formats that hold only a tree get a call " +
  "graph's approximated tree, formats without columns merge functions that differ only by column. " +
  'dot and svg draw the call graph as `gprof2dot | dot` does (exact for cProfile, yappi and ' +
  'callgrind, derived from the stacks otherwise): functions of at least 0.5% of the total, ' +
  'edges of at least 0.1%.';

/** The whole help text of `heatlens --help`. */
export function helpText(version: string): string {
  return `heatlens ${version}: profile a program and see where its time (or memory) goes.

Usage:
  heatlens profile <file> [options] [--] [program args]
      Run a .js/.mjs/.cjs/.ts file under the V8 CPU profiler, or a .py file under a Python
      profiler, and summarize the profile; with --memory, bytes instead of time.
      --interval <µs>   sampling interval in microseconds (default 1000)
      --out <file>      also save the profile: a source-mapped .cpuprofile for Node (with
                        --memory a source-mapped .heapprofile); for Python what the profiler
                        wrote (pstats for cprofile/yappi, Heatlens samples JSON for sampling,
                        Heatlens memory JSON for memory)
      --mode <mode>     Python: sampling (default, Heatlens' sampler: line-level), cprofile
                        (exact call counts), yappi (threads, asyncio; needs yappi) or memory
                        (tracemalloc: bytes held per line at the run's peak)
      --memory          record memory. Python: the same as --mode memory. Node: V8's sampling
                        heap profiler, bytes per function (V8 records no lines) allocated over
                        the run, objects freed since included
      --memory-live     Node: the bytes still live at the end instead of allocated (one run
                        records one or the other, never both)
      --memory-interval <bytes>
                        Node: mean bytes between sampled allocations (default 32768)
      --clock <clock>   Python sampling and yappi: cpu (default) or wall
      --python <path>   Python interpreter (default: python3, then python)
      --json            print one JSON object instead of a table; the program's output goes
                        to stderr
      --limit <n>       how many functions and lines to list (default 50 for --json, 20 and
                        10 in the table; 0 = all)
      --all             also list Node's internals in the table (--json always lists them)
      The program's arguments follow the file (or --); heatlens options come before them
      (heatlens profile -- -file.js runs a file whose name starts with a dash). The program
      reads heatlens' standard input. Files of other types are refused.
      Ctrl+C stops the program and still prints (and saves) what was recorded; closing the
      terminal (SIGHUP) stops it too.

  heatlens summary <profile file> [--json] [--limit <n>] [--all] [--no-sourcemaps]
                   [--profile <id>]
${paragraph(`Summarize a profile file: ${knownFormatsSentence()}.`)}
      Source maps found next to the profiled scripts are applied unless --no-sourcemaps.
      --profile <id>    which profile of a file that holds several (speedscope profiles,
                        pprof sample types, trace threads); default the first

  heatlens convert <profile file> --to <format> [--out <file>] [--profile <id>]
                   [--node-threshold <%>] [--edge-threshold <%>]
${paragraph(`Write a profile file in another format: ${exportList()}. ` + CONVERT_KEEPS)}
      --out <file>      where to write (default: the input's name with the format's
                        extension, next to it; the input is never overwritten)
      --profile <id>    as for summary
      --node-threshold <%>, --edge-threshold <%>
                        dot and svg: leave out functions and edges under this share of the
                        total (gprof2dot's -n and -e; defaults 0.5 and 0.1)

  heatlens report <program or profile file> --html <file> [options] [--] [program args]
      Write one HTML file to share: the flame graph, time order, sandwich and table of the
      profile and the source of its hot files with their line heat, with its viewer inside:
      it opens offline in a browser and loads nothing. A program (a file heatlens profile
      runs) is profiled first, with profile's options; any other file is read as summary
      reads it, with --profile and --no-sourcemaps.
      --html <file>     the HTML file to write
      --no-source       leave the source files out (anyone who opens the report can read
                        them; their names and the functions' names stay in)

  heatlens --help | --version

Names and paths from profiles are printed with control characters and bidi overrides shown
escaped (\\x1b, \\u202e); --json prints them exactly.

Exit codes: 0 done, 1 failed (a failing program still gets its summary), 2 bad usage,
129 stopped because the terminal closed, 130 stopped with Ctrl+C.
`;
}
