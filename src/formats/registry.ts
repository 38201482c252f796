/**
 * Every profile format Heatlens reads (and, where it does, writes), one row each, in detection
 * order. Detection (detect.ts), its "not a profile format" message, export (exportProfile.ts:
 * formats, endings, default names), the profile editor's file patterns (package.json, checked
 * by test/formatRegistry.test.ts), the CLI's `--to` and help text and the fuzz run all read this
 * table: adding a format is its importer's file plus one row here.
 *
 * Order matters: rows that read bytes (binary formats, and formats whose sniff must not decode
 * text) come first and are tried before the text is decoded; between them and the text rows,
 * detect.ts decompresses any other gzip file and sends text too large for one string to
 * large.ts. Among the text rows, specific sniffs come before loose ones (collapsed stacks last).
 */
import type { GraphOptions } from '../core/graphPrune';
import type { Profile } from '../core/profile';
import { importCallgrind, isCallgrind } from './callgrind';
import type { ImportOptions, ProfileChoice } from './choices';
import { chromeTraceChoices, importChromeTraceValue, isChromeTrace } from './chromeTrace';
import { importCollapsed, isCollapsed } from './collapsed';
import { importCpuprofile, isCpuprofile } from './cpuprofile';
import { exportCallgrind } from './exportCallgrind';
import { exportCpuprofile } from './exportCpuprofile';
import { exportCollapsed } from './exportCollapsed';
import { exportPprof } from './exportPprof';
import { exportDot } from './exportDot';
import { exportPstats } from './exportPstats';
import { exportSpeedscope } from './exportSpeedscope';
import { exportSvg } from './exportSvg';
import { importGprof, isGprof } from './gprof';
import { importHeapProfileValue, isHeapProfile } from './heapProfile';
import { deserializeProfile, isHeatlensRun } from './heatlensRun';
import { importPerfScript, isPerfScript, perfScriptChoices } from './perfScript';
import { importPprof, isPprof, pprofChoices } from './pprof';
import { importPstats, isPstats } from './pstats';
import { importPythonMemoryValue, isPythonMemory, pythonMemoryChoices } from './pymemory';
import { importPythonSamples, isPythonSamples } from './pysamples';
import { importSpeedscopeValue, isSpeedscope, speedscopeChoices } from './speedscope';
import { importTraceEvents, isTraceEvents, traceEventsChoices } from './traceEvents';
import { importV8Log, isV8Log } from './v8log';

/** A file as an importer gets it: the name (for messages and `meta.sourceFile`) and its bytes. */
export interface ProfileInput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A text file: its decoded text too, and its JSON parsed once for choosing and importing. */
export interface TextInput extends ProfileInput {
  readonly text: string;
  /** `JSON.parse` of the text, cached per file; throws a ProfileFormatError naming the file. */
  json(): unknown;
}

/** How Heatlens writes a format. */
export interface ExportSpec {
  /** For the Export picker. */
  readonly label: string;
  /** The file-name ending of an export, also what a save dialog filters on. */
  readonly extension: string;
  /**
   * When set, the default export name is `<prefix><stem>` instead of `<stem><extension>`
   * (`callgrind.out.<stem>`, the name KCachegrind's file dialog looks for); an input named
   * `<prefix><stem>` has the stem `<stem>`.
   */
  readonly prefix?: string;
  /** The CLI help's words after the id: "(.folded, for flamegraph.pl)". */
  readonly help: string;
  /** Place in the Export picker and the CLI's lists, the most used first. */
  readonly rank: number;
  /** The file's bytes. Pure: the caller writes them. */
  write(profile: Profile): Uint8Array;
}

/**
 * How Heatlens writes a drawing of the profile (a format it does not read back): the writer may
 * be asynchronous (Graphviz's WebAssembly is instantiated asynchronously).
 */
export interface DrawingSpec extends Omit<ExportSpec, 'write'> {
  /** The file's bytes, with the graph's thresholds (gprof2dot's by default). Pure. */
  write(profile: Profile, options?: GraphOptions): Uint8Array | Promise<Uint8Array>;
}

/**
 * A format Heatlens writes but does not read: a drawing of the call graph, not a profile. Not a
 * row of {@link PROFILE_FORMATS} (nothing detects or imports it); listed with the exports.
 */
export interface DrawingFormat {
  /** Stable: the `--to` value. */
  readonly id: string;
  readonly export: DrawingSpec;
}

interface FormatBase {
  /** Stable: `--to` values, fuzz folders (test/fixtures/fuzz/<id>), messages. */
  readonly id: string;
  /**
   * How the "not a profile format" message and the CLI help name the format; omitted: not named
   * there (Heatlens' own stored runs).
   */
  readonly label?: string;
  /** Place in those lists, the most used first (detection order is not what a person wants). */
  readonly rank?: number;
  /**
   * File-name globs (`*` for any run of characters, matched case-sensitively as VS Code does)
   * that say the file is of this format: the profile editor opens them by default, the Open
   * Profile command offers them, and the endings of `*.<ending>` globs are stripped (in any case)
   * from an input's name to name its exports.
   */
  readonly patterns: readonly string[];
  /** More name endings of this format, stripped to name exports but not claimed by the editor. */
  readonly endings?: readonly string[];
  readonly export?: ExportSpec;
}

/** A format read from its bytes, before any text is decoded. */
export interface BinaryFormat extends FormatBase {
  readonly reads: 'bytes';
  /** By name first (`name` may be undefined), then by content. */
  detect(name: string | undefined, bytes: Uint8Array): boolean;
  import(input: ProfileInput, options: ImportOptions): Profile;
  /** The profiles a file of several holds, the default first. */
  choices?(input: ProfileInput): readonly ProfileChoice[];
}

/** A format read from text (UTF-8, or UTF-16 with a byte-order mark). */
export interface TextFormat extends FormatBase {
  readonly reads: 'text';
  /** By name first (`name` may be undefined), then by content. */
  detect(name: string | undefined, text: string): boolean;
  import(input: TextInput, options: ImportOptions): Profile;
  /** The profiles a file of several holds, the default first. */
  choices?(input: TextInput): readonly ProfileChoice[];
}

/** One row of {@link PROFILE_FORMATS}. */
export type ProfileFormat = BinaryFormat | TextFormat;

const encoder = new TextEncoder();
const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** The formats, in detection order (see the module comment). */
export const PROFILE_FORMATS = Object.freeze([
  {
    id: 'heatlens-run',
    patterns: ['*.heatlens.json'],
    reads: 'bytes',
    detect: isHeatlensRun,
    import: (input) => deserializeProfile(input.bytes, input.name),
  },
  {
    id: 'pprof',
    label: 'pprof',
    rank: 4,
    patterns: ['*.pprof', '*.pb.gz'],
    reads: 'bytes',
    detect: isPprof,
    import: (input, options) => importPprof(input.bytes, options),
    choices: (input) => pprofChoices(input.bytes, input.name),
    export: {
      label: 'pprof (go tool pprof, Pyroscope)',
      extension: '.pb.gz',
      help: '(.pb.gz, for go tool pprof; time, bytes or counts)',
      rank: 6,
      write: exportPprof,
    },
  },
  {
    id: 'pstats',
    label: 'Python pstats (cProfile, yappi)',
    rank: 5,
    patterns: ['*.prof', '*.pstats', '*.pstat'],
    reads: 'bytes',
    detect: isPstats,
    import: (input, options) => importPstats(input.bytes, options),
    export: {
      label: 'Python pstats (python -m pstats, snakeviz)',
      extension: '.prof',
      help: '(.prof, for python -m pstats and snakeviz)',
      rank: 5,
      write: exportPstats,
    },
  },
  {
    // Before cpuprofile: a heap profile's `head` tree looks like an old-layout CPU profile.
    id: 'heapprofile',
    label: 'V8 heap profile (`node --heap-prof`, Chrome DevTools)',
    rank: 9,
    patterns: ['*.heapprofile'],
    reads: 'text',
    detect: isHeapProfile,
    import: (input, options) => importHeapProfileValue(input.json(), options),
  },
  {
    id: 'cpuprofile',
    label: 'V8 .cpuprofile (`node --cpu-prof`, Chrome DevTools)',
    rank: 1,
    patterns: ['*.cpuprofile'],
    reads: 'text',
    detect: isCpuprofile,
    import: (input, options) => importCpuprofile(input.text, options),
    export: {
      label: 'V8 CPU profile (Chrome DevTools)',
      extension: '.cpuprofile',
      help: '(.cpuprofile, for Chrome DevTools)',
      rank: 4,
      write: (profile) => utf8(exportCpuprofile(profile)),
    },
  },
  {
    id: 'speedscope',
    label: 'speedscope JSON',
    rank: 3,
    patterns: ['*.speedscope.json'],
    reads: 'text',
    detect: isSpeedscope,
    import: (input, options) => importSpeedscopeValue(input.json(), options),
    choices: (input) => speedscopeChoices(input.json()),
    export: {
      label: 'speedscope JSON',
      extension: '.speedscope.json',
      help: '(.speedscope.json)',
      rank: 1,
      write: (profile) => utf8(exportSpeedscope(profile)),
    },
  },
  {
    // Before chrome-trace, which reads traces that hold CPU profiles; this row takes the others.
    id: 'trace-events',
    label: 'Trace Event Format (duration events: Node, Chromium, Perfetto JSON)',
    rank: 10,
    // Node's `--trace-event-categories` and Chromium's `--trace-startup` files.
    patterns: ['node_trace.*.log', 'chrometrace.log'],
    reads: 'text',
    detect: isTraceEvents,
    import: (input, options) => importTraceEvents(input.text, options),
    choices: (input) => traceEventsChoices(input.text, input.name),
  },
  {
    id: 'chrome-trace',
    label: 'Chrome trace',
    rank: 2,
    // DevTools' Performance panel saves `Trace-<date>.json`.
    patterns: ['Trace-*.json'],
    reads: 'text',
    detect: isChromeTrace,
    import: (input, options) => importChromeTraceValue(input.json(), options),
    choices: (input) => chromeTraceChoices(input.json()),
  },
  {
    id: 'pysamples',
    label: 'Heatlens Python samples',
    rank: 11,
    patterns: ['*.pysamples.json'],
    reads: 'text',
    detect: isPythonSamples,
    import: (input, options) => importPythonSamples(input.text, options),
  },
  {
    id: 'pymemory',
    label: 'Heatlens Python memory (tracemalloc)',
    rank: 12,
    patterns: ['*.pymemory.json'],
    reads: 'text',
    detect: isPythonMemory,
    import: (input, options) => importPythonMemoryValue(input.json(), options),
    choices: (input) => pythonMemoryChoices(input.json(), input.name),
  },
  {
    id: 'v8-log',
    label: 'V8 tick log (`node --prof`, through `node --prof-process --preprocess`)',
    rank: 14,
    // `node --prof` names its logs `isolate-<address>-<pid>-v8.log`; Heatlens reads the JSON
    // `node --prof-process --preprocess` makes of them (the CLI and the editor run it on a log).
    patterns: ['isolate-*.log', '*.v8log.json'],
    reads: 'text',
    detect: isV8Log,
    import: (input, options) => importV8Log(input, options),
  },
  {
    id: 'callgrind',
    label: 'callgrind (valgrind, yappi, pyprof2calltree)',
    rank: 6,
    patterns: ['callgrind.out*', '*.callgrind'],
    reads: 'text',
    detect: isCallgrind,
    import: (input, options) => importCallgrind(input.text, options),
    export: {
      label: 'callgrind (KCachegrind)',
      // Callgrind files are conventionally named `callgrind.out.<name>`; `.callgrind` is what
      // a save dialog can filter on, and our importer and KCachegrind read both.
      extension: '.callgrind',
      prefix: 'callgrind.out.',
      help: '(callgrind.out.<name>, for KCachegrind)',
      rank: 3,
      write: (profile) => utf8(exportCallgrind(profile)),
    },
  },
  {
    id: 'gprof',
    label: 'gprof text output (`gprof prog gmon.out`)',
    rank: 13,
    // gprof writes to stdout: these are the names people give it.
    patterns: ['*.gprof', '*.gprof.txt', 'gprof.txt'],
    reads: 'text',
    detect: isGprof,
    import: (input, options) => importGprof(input.text, options),
  },
  {
    id: 'perf-script',
    label: 'Linux perf script text (`perf script`)',
    rank: 7,
    // perf script writes to stdout: these are the names people give it.
    patterns: ['*.perf', 'perf.script'],
    reads: 'text',
    detect: isPerfScript,
    import: (input, options) => importPerfScript(input.text, options),
    choices: (input) => perfScriptChoices(input.text),
  },
  {
    // The loosest sniff: last.
    id: 'collapsed',
    label: 'collapsed stacks (`a;b;c 12`)',
    rank: 8,
    patterns: ['*.folded', '*.collapsed'],
    endings: ['.stacks'],
    reads: 'text',
    detect: isCollapsed,
    import: (input, options) => importCollapsed(input.text, options),
    export: {
      label: 'Collapsed stacks (flamegraph.pl)',
      extension: '.folded',
      help: '(.folded, for flamegraph.pl)',
      rank: 2,
      write: (profile) => utf8(exportCollapsed(profile)),
    },
  },
] as const satisfies readonly ProfileFormat[]);

/** The drawings Heatlens writes: the call graph for Graphviz, and drawn by it. */
export const DRAWING_FORMATS = Object.freeze([
  {
    id: 'dot',
    export: {
      label: 'Call graph for Graphviz (DOT, as gprof2dot writes)',
      extension: '.dot',
      help: '(.dot: the call graph, for Graphviz as gprof2dot)',
      rank: 7,
      write: exportDot,
    },
  },
  {
    id: 'svg',
    export: {
      label: 'Call graph image (SVG, laid out by Graphviz)',
      extension: '.svg',
      help: '(.svg: the call graph drawn by Graphviz)',
      rank: 8,
      write: exportSvg,
    },
  },
] as const satisfies readonly DrawingFormat[]);

/** {@link PROFILE_FORMATS} typed as rows (the table's own type keeps each row's literal id). */
export const FORMAT_ROWS: readonly ProfileFormat[] = PROFILE_FORMATS;

/** The id of a row of {@link PROFILE_FORMATS}. */
export type FormatId = (typeof PROFILE_FORMATS)[number]['id'];

/** The id of a profile format Heatlens writes (and reads back). */
export type ProfileExportFormat = Extract<
  (typeof PROFILE_FORMATS)[number],
  { export: object }
>['id'];

/** The id of a drawing Heatlens writes. */
export type DrawingExportFormat = (typeof DRAWING_FORMATS)[number]['id'];

/** The id of a format Heatlens writes: a profile format or a drawing. */
export type ExportFormat = ProfileExportFormat | DrawingExportFormat;

/**
 * File-name globs that profiles share with other files (`cpu.out`, `trace.json`): the "Heatlens
 * Profile (any file)" editor offers them without claiming them. Of these, `.json` and `.txt` are
 * also stripped to name exports (`trace.json` -> `trace.speedscope.json`).
 */
export const ANY_FILE_PATTERNS: readonly string[] = Object.freeze([
  '*.txt',
  '*.json',
  '*.gz',
  '*.out',
]);

const GENERIC_ENDINGS = ['.json', '.txt'];

/** The row of `id`. */
export function formatById(id: string): ProfileFormat | undefined {
  return FORMAT_ROWS.find((f) => f.id === id);
}

/** The rows a person is told about when a file is of none of them, as one phrase. */
export function knownFormatsSentence(): string {
  const labels = FORMAT_ROWS.filter((f) => f.label)
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity))
    .map((f) => f.label!);
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A file-name glob (`*` only, the whole name, case-sensitive) as a regular expression. */
export function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
}

const NAME_PATTERNS = FORMAT_ROWS.flatMap((f) => f.patterns).map(globRegExp);

/** Whether a file's base name says it is a profile (a row's pattern matches it). */
export function isProfileFileName(baseName: string): boolean {
  return NAME_PATTERNS.some((re) => re.test(baseName));
}

/**
 * Every name ending of a format Heatlens reads (`*.<ending>` patterns, `endings`, and `.json`
 * and `.txt`), longest first, as one regular expression anchored at the end.
 */
export function profileEndings(): RegExp {
  const endings = new Set<string>(GENERIC_ENDINGS);
  for (const f of FORMAT_ROWS) {
    for (const p of f.patterns) if (/^\*\.[^*]+$/.test(p)) endings.add(p.slice(1).toLowerCase());
    for (const e of f.endings ?? []) endings.add(e.toLowerCase());
  }
  const sorted = [...endings].sort((a, b) => b.length - a.length || a.localeCompare(b));
  return new RegExp(`(?:${sorted.map(escapeRegExp).join('|')})$`, 'i');
}
