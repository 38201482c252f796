// Every format's real fixtures through one check (test/support/formatConformance.ts): detection
// by content alone and by each of the row's name patterns, the reference tool's figures, and an
// export round trip where Heatlens writes the format. One line per fixture.
import { test } from 'node:test';
import {
  callgrindAnnotate,
  checkFormatConformance as check,
  devtoolsFigures,
  gprofTables,
  perfReport,
  pprofTop,
  pstatsFigures,
  speedscopeTable,
  speedscopeTraceTable,
  tickProcessorFigures,
  yappiCallgrind,
} from './support/formatConformance';

const SPEEDSCOPE = 'test/fixtures/speedscope';
// V8's perf map names carry the position, which becomes the frame's file and line.
const perfName = (f: {
  name: string;
  file: string | null;
  line1: number | null;
  col1: number | null;
}) => (f.col1 !== null ? `${f.name} ${f.file}:${f.line1}:${f.col1}` : f.name);

test('cpuprofile: Node 10 recording, Chrome DevTools figures', () =>
  check(
    'test/fixtures/node/node10.cpuprofile',
    'cpuprofile',
    devtoolsFigures('test/fixtures/node/node10.devtools.json', 'node10.cpuprofile'),
  ));
test('cpuprofile: samples stamped out of order, Chrome DevTools figures', () =>
  check(
    'test/fixtures/node/backwards.cpuprofile',
    'cpuprofile',
    devtoolsFigures('test/fixtures/node/node10.devtools.json', 'backwards.cpuprofile'),
  ));
test('heapprofile: live objects (node --heap-prof), Chrome DevTools figures', () =>
  check(
    'test/fixtures/heapprofile/live.heapprofile',
    'heapprofile',
    devtoolsFigures('test/fixtures/heapprofile/devtools.json', 'live.heapprofile'),
  ));
test('heapprofile: every allocation (inspector), Chrome DevTools figures', () =>
  check(
    'test/fixtures/heapprofile/all.heapprofile',
    'heapprofile',
    devtoolsFigures('test/fixtures/heapprofile/devtools.json', 'all.heapprofile'),
  ));
test('speedscope: evented export', () =>
  check(
    `${SPEEDSCOPE}/primes.cpuprofile.speedscope.json`,
    'speedscope',
    speedscopeTable(`${SPEEDSCOPE}/primes.cpuprofile.expected.json`, 'microseconds'),
  ));
test('speedscope: sampled', () =>
  check(
    `${SPEEDSCOPE}/primes.sampled.speedscope.json`,
    'speedscope',
    speedscopeTable(`${SPEEDSCOPE}/primes.sampled.expected.json`, 'none'),
  ));
test("collapsed: perf stacks, speedscope's figures", () =>
  check(
    'test/fixtures/collapsed/primes.folded',
    'collapsed',
    speedscopeTable('test/fixtures/collapsed/primes.expected.json', 'none', perfName),
  ));
test('pprof: Go CPU profile, go tool pprof -top', () =>
  check(
    'test/fixtures/pprof/cpu.pb.gz',
    'pprof',
    pprofTop('test/fixtures/pprof/expected.json', 'cpu.pb.gz', 'cpu'),
  ));
test('pprof: Go heap profile, go tool pprof -top', () =>
  check(
    'test/fixtures/pprof/heap.pb.gz',
    'pprof',
    pprofTop('test/fixtures/pprof/expected.json', 'heap.pb.gz', 'inuse_space'),
  ));
test("pstats: cProfile, Python's pstats", () =>
  check(
    'test/fixtures/python/cprofile.prof',
    'pstats',
    pstatsFigures('test/fixtures/python/cprofile.expected.json'),
  ));
test("pstats: yappi, Python's pstats", () =>
  check(
    'test/fixtures/python/yappi.pstat',
    'pstats',
    pstatsFigures('test/fixtures/python/yappi.expected.json'),
  ));
test('callgrind: valgrind, callgrind_annotate', () =>
  check(
    'test/fixtures/callgrind/callgrind.out.hot',
    'callgrind',
    callgrindAnnotate('test/fixtures/callgrind/callgrind.out.hot.expected.json'),
  ));
test("callgrind: yappi, yappi's pstat export", () =>
  check(
    'test/fixtures/callgrind/callgrind.out.yappi',
    'callgrind',
    yappiCallgrind('test/fixtures/callgrind/callgrind.out.yappi.expected.json'),
  ));
for (const name of ['node_trace.1.log', 'chromium.trace.json']) {
  test(`trace-events: ${name}, speedscope's figures`, () => {
    const dir = 'test/fixtures/trace-events';
    const { reference, choice } = speedscopeTraceTable(`${dir}/${name}.expected.json`);
    check(`${dir}/${name}`, 'trace-events', reference, { choice });
  });
}
const PERF = 'test/fixtures/perf-script';
test('perf-script: default fields and --header, perf report', () =>
  check(`${PERF}/hot.perf`, 'perf-script', perfReport(`${PERF}/hot.report.txt`)));
test('perf-script: -F without the period, perf report', () =>
  check(`${PERF}/hot.fields.perf`, 'perf-script', perfReport(`${PERF}/hot.report.txt`, 'samples')));
test('perf-script: -F tid,ip,sym, perf report', () =>
  check(`${PERF}/hot.brief.perf`, 'perf-script', perfReport(`${PERF}/hot.report.txt`, 'samples')));
test('perf-script: three threads, perf report', () =>
  check(`${PERF}/threads.perf`, 'perf-script', perfReport(`${PERF}/threads.report.txt`)));
// No tool but Heatlens reads these (a trace's figures are its .cpuprofile's, checked in
// chromeTrace.test.ts; Heatlens writes the Python samples): detection only.
test('chrome-trace: Chromium trace', () =>
  check('test/fixtures/chrome-trace/primes.trace.json', 'chrome-trace', undefined));
test('pysamples: Heatlens Python sampler', () =>
  check('test/fixtures/pysamples/hot-cpu.pysamples.json', 'pysamples', undefined));
test('pymemory: Heatlens Python memory (tracemalloc)', () =>
  check('test/fixtures/pymemory/peak.pymemory.json', 'pymemory', undefined));
// gprof: every layout of one run against the tables of gprof's default output.
const GPROF = 'test/fixtures/gprof';
const gprofCalls = gprofTables(`${GPROF}/calls.gprof`);
for (const layout of ['', '.brief', '.graph', '.bsd', '.files'])
  test(`gprof: calls${layout}.gprof, gprof's flat profile and call graph`, () =>
    check(`${GPROF}/calls${layout}.gprof`, 'gprof', gprofCalls));
test("gprof: -p (flat profile only), gprof's self times", () =>
  check(
    `${GPROF}/calls.flat.gprof`,
    'gprof',
    gprofTables(`${GPROF}/calls.gprof`, { totals: false }),
  ));
test("gprof: -l (line by line), gprof's self times", () =>
  check(
    `${GPROF}/calls.lines.gprof`,
    'gprof',
    gprofTables(`${GPROF}/calls.gprof`, { totals: false, slack: 0.02 }),
  ));
test("gprof: C++ names, a cycle of three, gprof's tables", () =>
  check(`${GPROF}/names.gprof`, 'gprof', gprofTables(`${GPROF}/names.gprof`)));
const V8LOG = 'test/fixtures/v8-log';
for (const run of ['work', 'work-node24'])
  test(`v8-log: ${run}.v8log.json, node --prof-process's flat profile`, () =>
    check(
      `${V8LOG}/${run}.v8log.json`,
      'v8-log',
      tickProcessorFigures(`${V8LOG}/${run}.prof.txt`),
    ));
