// The CLI as a person or a CI job runs it: `node dist/cli.js ...` (built by scripts/build.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importCpuprofile } from '../src/formats/cpuprofile';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const cli = join(root, 'dist/cli.js');

function heatlens(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonSummary {
  schemaVersion: number;
  profiler: string;
  unit: string;
  total: number;
  functions: {
    name: string;
    file: string | null;
    line: number | null;
    self: number;
    total: number;
    calls: number | null;
    kind: string;
  }[];
  lines: { file: string; line: number; self: number; external: number }[];
  warnings: string[];
}

/** Every key path README's JSON table documents: `schemaVersion`, `functions[].name`, ... */
function documentedKeys(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### JSON output'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| Key')));
  return [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]).sort();
}

/** The key paths of a JSON summary, in README's notation. */
function keyPaths(value: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    out.push(path);
    if (Array.isArray(v) && v.length && typeof v[0] === 'object' && v[0] !== null) {
      const union = new Set<string>();
      for (const item of v) for (const k of keyPaths(item, `${path}[].`)) union.add(k);
      out.push(...union);
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...keyPaths(v as Record<string, unknown>, `${path}.`));
    }
  }
  return out;
}

function checkContract(s: JsonSummary): void {
  assert.equal(s.schemaVersion, 1);
  assert.equal(s.profiler, 'v8');
  assert.equal(s.unit, 'microseconds');
  assert.ok(s.total > 0);
  assert.ok(s.functions.length > 0 && s.lines.length > 0);
  for (const f of s.functions) {
    assert.equal(typeof f.name, 'string');
    assert.ok(f.file === null || typeof f.file === 'string');
    assert.ok(f.line === null || (Number.isInteger(f.line) && f.line >= 1));
    assert.ok(f.self >= 0 && f.total >= f.self - 1e-3 && f.total <= s.total + 1e-3);
    assert.equal(f.calls, null);
  }
  for (let i = 1; i < s.functions.length; i++)
    assert.ok(s.functions[i - 1].total >= s.functions[i].total);
  for (let i = 1; i < s.lines.length; i++) assert.ok(s.lines[i - 1].self >= s.lines[i].self);
  assert.ok(Array.isArray(s.warnings));
  // `run.memory` is a memory run's.
  checkKeys(s, (k) => k.startsWith('run.memory'));
}

/**
 * Every key is documented in README, and README documents no key the JSON lacks, except those
 * `absent` says this JSON does not have (`run` is the profile command's).
 */
function checkKeys(s: object, absent: (key: string) => boolean): void {
  assert.deepEqual(
    keyPaths(s as Record<string, unknown>).sort(),
    documentedKeys().filter((k) => ('run' in s || !k.startsWith('run')) && !absent(k)),
  );
}

const hotLine = () =>
  readFileSync(join(root, 'test/fixtures/node/hot.js'), 'utf8')
    .split('\n')
    .findIndex((l) => l.trimEnd().endsWith('// HOT LINE')) + 1;

test('summary --json follows the contract and finds the hot function and line', () => {
  const r = heatlens('summary', 'test/fixtures/node/hot.cpuprofile', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as JsonSummary;
  checkContract(s);
  const user = s.functions.filter((f) => f.file?.endsWith('/test/fixtures/node/hot.js'));
  const bySelf = [...user].sort((a, b) => b.self - a.self);
  assert.equal(bySelf[0].name, 'checksum');
  assert.equal(bySelf[0].line, 6);
  assert.ok(bySelf[0].file?.startsWith('/'), 'an absolute path, not a file:// URL');
  const firstOfFile = s.lines.find((l) => l.file.endsWith('/test/fixtures/node/hot.js'));
  assert.equal(firstOfFile?.line, hotLine());
});

test('summary prints a table without --json, and reads the old layout', () => {
  const r = heatlens('summary', 'test/fixtures/node/hot.old.cpuprofile', '--limit', '5');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Total: .* of wall-clock time \(V8 CPU profiler\)/);
  assert.match(r.stdout, /Hottest functions/);
  assert.match(r.stdout, new RegExp(`test/fixtures/node/hot\\.js:${hotLine()}\\n`));
});

test('a bad profile file: exit 1 and one sentence naming the file on stderr', () => {
  for (const [file, what] of [
    ['test/fixtures/bad/garbage.cpuprofile', /not a text file/],
    ['test/fixtures/bad/truncated.cpuprofile', /cut short/],
    ['test/fixtures/missing.cpuprofile', /no such file/],
    ['test/fixtures', /folder/],
  ] as const) {
    const r = heatlens('summary', file, '--json');
    assert.equal(r.code, 1, file);
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.ok(r.stderr.includes(file), `names ${file}: ${r.stderr}`);
    assert.match(r.stderr, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('usage errors exit 2; --help and --version exit 0', () => {
  for (const args of [
    [],
    ['frobnicate'],
    ['summary'],
    ['summary', 'a', 'b'],
    ['summary', 'x', '--bogus'],
    ['profile', 'x.js', '--interval', 'soon'],
    ['summary', 'x', '--limit=-1'],
  ]) {
    const r = heatlens(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /heatlens/);
  }
  const help = heatlens('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /heatlens profile <file>/);
  const version = heatlens('--version');
  assert.equal(version.code, 0);
  assert.equal(
    version.stdout.trim(),
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
  );
});

test('profile --json runs the program, keeps stdout for the JSON, and saves --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-cli-'));
  try {
    const out = join(dir, 'hot.cpuprofile');
    const r = heatlens(
      'profile',
      'test/fixtures/node/hot.js',
      '--json',
      '--interval',
      '500',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as JsonSummary & {
      run: { outcome: string; exitCode: number; intervalUs: number };
    };
    checkContract(s);
    assert.equal(s.run.outcome, 'exited');
    assert.equal(s.run.intervalUs, 500);
    assert.match(r.stderr, /^\d+$/m, "the program's own output went to stderr");
    const user = s.functions.filter((f) => f.file?.endsWith('/test/fixtures/node/hot.js'));
    assert.equal([...user].sort((a, b) => b.self - a.self)[0].name, 'checksum');
    const saved = importCpuprofile(readFileSync(out, 'utf8'));
    assert.ok(Math.abs(saved.tree.total[0] - s.total) < 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('profile of a program that throws: the summary is printed, the exit code is 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-cli-'));
  try {
    const program = join(dir, 'throws.js');
    writeFileSync(
      program,
      'function spin(){let x=0;for(let i=0;i<3e6;i++)x+=Math.sqrt(i);return x}\nspin();\nthrow new Error("boom");\n',
    );
    const r = heatlens('profile', program, '--json');
    assert.equal(r.code, 1);
    const s = JSON.parse(r.stdout) as JsonSummary & { run: { outcome: string } };
    assert.equal(s.run.outcome, 'failed');
    assert.match(r.stderr, /boom/);
    const missing = heatlens('profile', join(dir, 'nope.js'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.js.*no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--json keeps full precision: pstats figures in seconds equal python -m pstats', () => {
  // cprofile.expected.json is what Python's pstats reads from the file (record.sh, expected.py).
  const expected = JSON.parse(
    readFileSync(join(root, 'test/fixtures/python/cprofile.expected.json'), 'utf8'),
  ) as {
    totalTime: number;
    functions: { key: [string, number, string]; self: number; total: number }[];
  };
  const r = heatlens('summary', 'test/fixtures/python/cprofile.prof', '--json', '--limit', '0');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as JsonSummary & { lineFigures: string };
  assert.equal(s.unit, 'seconds');
  // The total is pstats' total time, or the largest cumulative time when that is larger (no
  // function takes more than the run).
  const whole = Math.max(expected.totalTime, ...expected.functions.map((e) => e.total));
  assert.ok(Math.abs(s.total - whole) < 1e-12, `${s.total} vs ${whole}`);
  let small = 0;
  for (const e of expected.functions) {
    const [file, line, name] = e.key;
    // Built-ins are `~:0` in pstats, no file and no line here.
    const f = s.functions.find(
      (x) =>
        x.name === name && x.line === (line || null) && x.file === (file === '~' ? null : file),
    );
    assert.ok(f, `${name} ${file}:${line}`);
    assert.ok(Math.abs(f.self - e.self) < 1e-12, `${name} self ${f.self} vs ${e.self}`);
    assert.ok(Math.abs(f.total - e.total) < 1e-12, `${name} total ${f.total} vs ${e.total}`);
    if (e.self > 0 && e.self < 0.0005) small++;
  }
  assert.ok(small > 5, 'the fixture has sub-millisecond figures that three decimals would zero');
  // cProfile records functions: no line figures, and the table says so.
  assert.equal(s.lineFigures, 'none');
  assert.deepEqual(s.lines, []);
  const table = heatlens('summary', 'test/fixtures/python/cprofile.prof', '--limit', '0').stdout;
  assert.match(table, /^Total: 130 ms of wall-clock time \(cProfile\)\n/);
  assert.match(table, /1\.39 µs\s+<0\.1%\s+1\.39 µs\s+<0\.1%\s+1\s+Grid\s/);
  assert.doesNotMatch(table, /Hottest lines|Node's own modules/);
  assert.match(table, /No line figures: cProfile records functions, not lines\./);
});

test('a file of several profiles names each once: "cpu (nanoseconds)"', () => {
  const r = heatlens('summary', 'test/fixtures/pprof/cpu.pb.gz', '--limit', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /cpu \(cpu/);
  assert.match(r.stderr, /holds 2 profiles: cpu \(nanoseconds\), samples \(count\)/);
  assert.match(r.stdout, /^Total: .* of CPU time \(pprof\)\n/);
  assert.doesNotMatch(r.stdout, /Node's own modules/);
});

test("a TypeScript run shows none of Heatlens' own loader: one pseudo frame holds its time", () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-cli-'));
  try {
    const out = join(dir, 'main.cpuprofile');
    const r = heatlens(
      'profile',
      'examples/ts/src/main.ts',
      '--json',
      '--limit',
      '0',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as JsonSummary;
    const inject = /[\\/]dist[\\/]inject[\\/]/;
    const own = s.functions.filter((f) => f.file !== null && inject.test(f.file));
    assert.deepEqual(own, [], 'no frame of dist/inject');
    assert.deepEqual(
      s.lines.filter((l) => inject.test(l.file)),
      [],
      'no line of dist/inject',
    );
    assert.ok(!s.functions.some((f) => /^[a-z]$/.test(f.name)), 'no minified helper frame');
    const loader = s.functions.find((f) => f.name === '(Heatlens TypeScript loader)');
    assert.ok(loader, 'the loader time is one pseudo frame');
    assert.equal(loader.kind, 'pseudo');
    assert.equal(loader.file, null);
    // Nothing is lost: the functions' self figures still add up to the total.
    const selfSum = s.functions.reduce((sum, f) => sum + f.self, 0);
    assert.ok(Math.abs(selfSum - s.total) < 1e-6 * s.total, `${selfSum} vs ${s.total}`);
    // The saved profile (what other tools open) has none of them either.
    assert.doesNotMatch(readFileSync(out, 'utf8'), /dist\/inject/);
    const table = heatlens('summary', out).stdout;
    assert.doesNotMatch(table, /tsRegister|dist\/inject/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('profile --memory runs a Python file in the memory mode: bytes held per line', () => {
  const r = heatlens('profile', 'test/fixtures/pymemory/peak.py', '--memory', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as JsonSummary & { lines: { file: string; line: number }[] };
  assert.equal(s.unit, 'bytes');
  assert.equal(s.profiler, 'heatlens-tracemalloc');
  // `data = list(range(n))`: the line that holds the most at the peak (even when the watcher
  // caught the list half-built, which the warnings then say).
  assert.equal(s.lines[0].line, 7);
  assert.match(s.lines[0].file, /peak\.py$/);
  const both = heatlens('profile', 'test/fixtures/pymemory/peak.py', '--memory', '--mode', 'yappi');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /disagree/);
  // Node's options for its heap profiler are Node's.
  const live = heatlens('profile', 'test/fixtures/pymemory/peak.py', '--memory-live');
  assert.equal(live.code, 2);
  assert.match(live.stderr, /--memory-live and --memory-interval apply to Node files/);
});

test('profile --memory runs a Node file under the heap profiler: bytes per function, in --json and the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-cli-'));
  try {
    const out = join(dir, 'alloc.heapprofile');
    const program = 'test/fixtures/programs/memory/alloc.js';
    const r = heatlens('profile', program, '--memory', '--json', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as JsonSummary & {
      lineFigures: string;
      run: { intervalUs?: number; memory: { record: string; samplingInterval: number } };
    };
    assert.equal(s.unit, 'bytes');
    assert.equal(s.profiler, 'v8-heap');
    assert.equal(s.lineFigures, 'none');
    assert.deepEqual(s.run.memory, { record: 'allocated', samplingInterval: 32768 });
    // No CPU interval, and no line figures (V8 records functions): documented keys otherwise.
    checkKeys(s, (k) => k === 'run.intervalUs' || k.startsWith('lines[]'));
    // `allocate` makes 5000 arrays of 1250 small integers: 50,080,000 bytes.
    const allocate = s.functions.find((f) => f.name === 'allocate');
    assert.ok(allocate, 'allocate is listed');
    assert.equal(allocate.file, join(root, program));
    assert.equal(allocate.line, 7);
    const expected = 5000 * (1250 * 8 + 16);
    assert.ok(
      Math.abs(allocate.total - expected) <= 0.15 * expected,
      `allocate: ${allocate.total} bytes, expected ${expected} within 15%`,
    );
    // The saved .heapprofile reopens with the same figures.
    const reopened = heatlens('summary', out, '--json');
    assert.equal(reopened.code, 0, reopened.stderr);
    const again = JSON.parse(reopened.stdout) as JsonSummary;
    assert.equal(again.unit, 'bytes');
    assert.equal(again.total, s.total);
    assert.equal(again.functions.find((f) => f.name === 'allocate')?.total, allocate.total);
    // The table, in bytes, says what the run recorded.
    const table = heatlens('profile', program, '--memory-live', '--memory-interval', '16384');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Total: [\d.]+ (?:KiB|MiB|B) \(v8-heap\)/m);
    assert.match(
      table.stderr,
      /the bytes still live at its end \(a sampled allocation per 16384 bytes\)/,
    );
    // Options that do not fit.
    const interval = heatlens('profile', program, '--memory', '--interval', '500');
    assert.equal(interval.code, 2);
    assert.match(interval.stderr, /--memory-interval <bytes>/);
    const alone = heatlens('profile', program, '--memory-interval', '4096');
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--memory-interval applies with --memory/);
    const mode = heatlens('profile', program, '--mode', 'cprofile');
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /apply to Python/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
