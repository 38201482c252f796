// Import speed (MB/s) of each profile format on a large file, against a baseline measured in the
// same run on the same machine. `npm test` runs it only in smoke mode (bench/smoke.mjs).
//
// The files are made once from the repository's real fixtures by repeating them, and cached in
// ~/.cache/heatlens-bench/large-formats (HEATLENS_BENCH_CACHE overrides; delete it to remake):
//
// - big.cpuprofile (600 MiB, more than V8's largest string, 2^29 - 24 characters: it cannot be
//   decoded at all) and fits.cpuprofile (256 MiB): examples/profiles/primes.cpuprofile's nodes,
//   samples and time deltas repeated with fresh ids under one root; each copy's URLs carry one of
//   1024 group suffixes, so the model has ~1024x the fixture's frames and nodes, as a real large
//   profile has tens of thousands.
// - big.callgrind (300 MiB): test/fixtures/callgrind/callgrind.out.hot (valgrind) with its part
//   repeated as parts 1..n (functions merge across parts, as in a real multi-part dump).
// - big.folded (300 MiB): test/fixtures/collapsed/primes.folded repeated under 1024 root frames.
// - big.speedscope.json (300 MiB): test/fixtures/speedscope/primes.cpuprofile.speedscope.json's
//   evented profile repeated back to back in time.
// - big.prof (pstats, ~128 MiB): test/fixtures/python/cprofile.prof's functions repeated under
//   renamed files (made with python3's marshal).
// - big.pb.gz (pprof, 64 MiB before gzip): test/fixtures/pprof/cpu.pb.gz's samples repeated.
//
// Figures, median of --runs (default 3) runs, each mode in a fresh `node --expose-gc
// --max-old-space-size=8192` (bench/formatsMeasure.ts), timing from the file's bytes in memory
// to the Profile (reading the file is not timed):
// - byte route: importLargeProfile with its threshold at 0 (the route files past the string
//   limit take); text route: decode + the format's text importer; detect: importProfileFile,
//   what the editor calls (it takes the byte route past the limit once large.ts is wired in).
// - baselines: bare `TextDecoder.decode` + `JSON.parse` for JSON formats (on the 600 MiB file,
//   which no string can hold, JSON.parse's speed on the 256 MiB file of the same generator);
//   bare decode + `split('\n')` for line formats; Python's own `pstats.Stats(path)` for pstats;
//   bare gunzip + pprof-format's `Profile.decode` for pprof.
// - ratio: our time over the baseline's time for the same bytes (baseline MB/s over ours).
//
// Standalone: `node bench/formats.mjs [--runs N]`; or `import { run }` from bench/run.mjs (rows
// {name, value, baseline, ratio}: MB/s).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';
import { benchCache, isSmoke } from './smoke.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const cache = benchCache();
// HEATLENS_BENCH_FORMATS_SCALE=0.01 makes every file that much smaller (to try the bench out;
// the .cpuprofile then no longer exceeds the string limit). Smoke mode (bench/smoke.mjs): files
// of a few hundred kB.
const scale = isSmoke() ? 0.0002 : Number(process.env.HEATLENS_BENCH_FORMATS_SCALE ?? 1);
const dir = join(cache, scale === 1 ? 'large-formats' : `large-formats-x${scale}`);
const MiB = 1024 * 1024;
const GENERATOR_VERSION = 1;
const MAX_STRING_LENGTH = 2 ** 29 - 24;
const log = (text) => process.stderr.write(`${text}\n`);
const fixture = (rel) => join(root, rel);

const SIZES = Object.fromEntries(
  Object.entries({
    big: 600 * MiB,
    fits: 256 * MiB,
    callgrind: 300 * MiB,
    collapsed: 300 * MiB,
    speedscope: 300 * MiB,
    pstats: 128 * MiB,
    pprofRaw: 64 * MiB,
  }).map(([k, v]) => [k, Math.round(v * scale)]),
);

/** Writes a file from pieces of text, a piece at a time (no string of the whole file). */
function writePieces(file, pieces) {
  const fd = openSync(file, 'w');
  try {
    let pending = [];
    let size = 0;
    for (const piece of pieces) {
      pending.push(piece);
      size += piece.length;
      if (size > 8 * MiB) {
        writeSync(fd, pending.join(''));
        pending = [];
        size = 0;
      }
    }
    writeSync(fd, pending.join(''));
  } finally {
    closeSync(fd);
  }
}

function* joined(items, separator) {
  let first = true;
  for (const item of items) {
    yield first ? item : separator + item;
    first = false;
  }
}

function makeCpuprofile(file, target) {
  const base = JSON.parse(readFileSync(fixture('examples/profiles/primes.cpuprofile'), 'utf8'));
  const rootNode = base.nodes[0];
  const rest = base.nodes.slice(1);
  const maxId = Math.max(...base.nodes.map((n) => n.id));
  const span = base.endTime - base.startTime;
  const copyNodes = (k) =>
    rest
      .map((n) =>
        JSON.stringify({
          ...n,
          id: n.id + k * maxId,
          callFrame: n.callFrame.url
            ? { ...n.callFrame, url: `${n.callFrame.url}?g=${k % 1024}` }
            : n.callFrame,
          ...(n.children ? { children: n.children.map((c) => c + k * maxId) } : {}),
        }),
      )
      .join(',');
  const copySamples = (k) =>
    base.samples.map((s) => (s === rootNode.id ? s : s + k * maxId)).join(',');
  const deltas = base.timeDeltas.join(',');
  const perCopy = copyNodes(1).length + copySamples(1).length + deltas.length + 3;
  const copies = Math.ceil(target / perCopy);
  const rootChildren = [];
  for (let k = 0; k < copies; k++)
    for (const c of rootNode.children) rootChildren.push(c + k * maxId);
  const range = (f) =>
    (function* () {
      for (let k = 0; k < copies; k++) yield f(k);
    })();
  writePieces(file, [
    `{"nodes":[${JSON.stringify({ ...rootNode, children: rootChildren })},`,
    ...joined(range(copyNodes), ','),
    `],"startTime":${base.startTime},"endTime":${base.startTime + copies * span},"samples":[`,
    ...joined(range(copySamples), ','),
    '],"timeDeltas":[',
    ...joined(
      range(() => deltas),
      ',',
    ),
    ']}',
  ]);
}

function makeCallgrind(file, target) {
  const text = readFileSync(fixture('test/fixtures/callgrind/callgrind.out.hot'), 'utf8');
  const at = text.indexOf('part: 1\n');
  const header = text.slice(0, at);
  const body = text.slice(at + 'part: 1\n'.length);
  const copies = Math.ceil(target / body.length);
  writePieces(
    file,
    (function* () {
      yield header;
      for (let k = 1; k <= copies; k++) yield `part: ${k}\n${body}`;
    })(),
  );
}

function makeCollapsed(file, target) {
  const text = readFileSync(fixture('test/fixtures/collapsed/primes.folded'), 'utf8');
  const lines = text.split('\n').filter(Boolean);
  const copies = Math.ceil(target / text.length);
  writePieces(
    file,
    (function* () {
      for (let k = 0; k < copies; k++)
        yield `${lines.map((l) => `g${k % 1024};${l}`).join('\n')}\n`;
    })(),
  );
}

function makeSpeedscope(file, target) {
  const base = JSON.parse(
    readFileSync(fixture('test/fixtures/speedscope/primes.cpuprofile.speedscope.json'), 'utf8'),
  );
  const p = base.profiles.find((q) => q.type === 'evented');
  const span = p.endValue - p.startValue;
  const copyEvents = (k) =>
    p.events.map((e) => JSON.stringify({ ...e, at: e.at + k * span })).join(',');
  const copies = Math.ceil(target / copyEvents(1).length);
  const head = { ...p, endValue: p.startValue + copies * span };
  delete head.events;
  const profileHead = JSON.stringify(head).slice(0, -1);
  writePieces(file, [
    `{"$schema":${JSON.stringify(base.$schema)},"shared":${JSON.stringify(base.shared)},`,
    `"profiles":[${profileHead},"events":[`,
    ...joined(
      (function* () {
        for (let k = 0; k < copies; k++) yield copyEvents(k);
      })(),
      ',',
    ),
    `]}],"name":"big","activeProfileIndex":0,"exporter":${JSON.stringify(base.exporter ?? '')}}`,
  ]);
}

const PSTATS_SCALER = `
import marshal, sys
src, out, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, 'rb') as f:
    stats = marshal.load(f)
copies = max(1, target // len(marshal.dumps(stats)) + 1)
rename = lambda key, k: (f"{key[0]}#{k}", key[1], key[2]) if key[0] != '~' else key
big = {}
for k in range(copies):
    for key, (cc, nc, tt, ct, callers) in stats.items():
        big[rename(key, k)] = (cc, nc, tt, ct, {rename(c, k): v for c, v in callers.items()})
with open(out, 'wb') as f:
    marshal.dump(big, f)
`;

function python() {
  for (const candidate of [process.env.HEATLENS_BENCH_PYTHON, 'python3', 'python']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return r.stdout.trim();
  }
  return undefined;
}

function makePstats(file, target, py) {
  const r = spawnSync(
    py,
    ['-c', PSTATS_SCALER, fixture('test/fixtures/python/cprofile.prof'), file, String(target)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`making the large pstats file failed:\n${r.stderr}`);
}

async function makePprof(file, target) {
  const { Profile } = await import('pprof-format');
  const p = Profile.decode(gunzipSync(readFileSync(fixture('test/fixtures/pprof/cpu.pb.gz'))));
  const perSample = p.encode().length / p.sample.length;
  const copies = Math.ceil(target / perSample / p.sample.length);
  // The same Sample objects repeated: encoding writes each occurrence.
  p.sample = Array.from({ length: copies }, () => p.sample).flat();
  writeFileSync(file, gzipSync(p.encode()));
}

async function makeFiles(py) {
  const key = JSON.stringify({ GENERATOR_VERSION, SIZES, python: Boolean(py) });
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key) return;
  log('Making the large format files from the fixtures (a minute or two, ~2 GB on disk)...');
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  makeCpuprofile(join(tmp, 'big.cpuprofile'), SIZES.big);
  makeCpuprofile(join(tmp, 'fits.cpuprofile'), SIZES.fits);
  makeCallgrind(join(tmp, 'big.callgrind'), SIZES.callgrind);
  makeCollapsed(join(tmp, 'big.folded'), SIZES.collapsed);
  makeSpeedscope(join(tmp, 'big.speedscope.json'), SIZES.speedscope);
  if (py) makePstats(join(tmp, 'big.prof'), SIZES.pstats, py);
  await makePprof(join(tmp, 'big.pb.gz'), SIZES.pprofRaw);
  writeFileSync(join(tmp, 'stamp.json'), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const measureScript = join(root, '.bench', 'build', 'formatsMeasure.cjs');

/** One mode on one file in a fresh Node: {ms (median), maxRssMB, detail} or {error}. */
function measure(mode, file, runs) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', measureScript, mode, file, String(runs)],
    { encoding: 'utf8', maxBuffer: 16 * MiB },
  );
  if (r.status !== 0) {
    const lines = r.stderr.trim().split('\n');
    const message =
      lines.find((l) => /Error/.test(l)) ?? lines[lines.length - 1] ?? `exit ${r.status}`;
    return { error: message.slice(0, 200) };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ms: median(out.times), times: out.times, maxRssMB: out.maxRssMB, detail: out.detail };
}

function pythonPstatsMs(py, file, runs) {
  const script = `
import pstats, sys, time
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    pstats.Stats(sys.argv[1])
    times.append((time.perf_counter() - t) * 1000)
print(sorted(times)[len(times) // 2])
`;
  const r = spawnSync(py, ['-c', script, file, String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').pop() };
  return { ms: Number(r.stdout.trim()) };
}

const round = (x) => Math.round(x * 10) / 10;

/** Runs the benchmark; returns rows {name, value, baseline, ratio} in MB/s. */
export async function run(options = {}) {
  const runs = options.runs ?? (isSmoke() ? 1 : 3);
  const py = python();
  await makeFiles(py);
  await esbuild.build({
    entryPoints: [join(root, 'bench/formatsMeasure.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: measureScript,
    logLevel: 'warning',
  });
  const file = (name) => join(dir, name);
  const size = (name) => statSync(file(name)).size;
  const rows = [];
  const lines = [];
  /** A row: ours against a baseline, both as MB/s of the same file (or of `baseBytes`). */
  const row = (
    label,
    name,
    ours,
    base,
    baseBytes = size(name),
    baseLabel = '',
    bytes = size(name),
  ) => {
    if (ours.error || base.error) {
      rows.push({
        name: `${label}: not measured (${ours.error ?? base.error})`,
        value: '-',
        baseline: '-',
      });
      lines.push(`  ${label}: ${ours.error ?? base.error}`);
      return;
    }
    const value = bytes / MiB / (ours.ms / 1000);
    const baseline = baseBytes / MiB / (base.ms / 1000);
    rows.push({
      name: `${label} (MB/s; baseline ${baseLabel})`,
      value: round(value),
      baseline: round(baseline),
      ratio: Math.round((baseline / value) * 100) / 100,
    });
    lines.push(
      `  ${label}: ${round(value)} MB/s (${(ours.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(ours.maxRssMB ?? 0)} MB` +
        `${ours.detail ? `, ${JSON.stringify(ours.detail)}` : ''}) vs ${baseLabel} ${round(baseline)} MB/s`,
    );
  };
  const mib = (name) => `${Math.round(size(name) / MiB)} MiB`;
  const go = (mode, name) => {
    log(`formats: ${mode} on ${name} (${Math.round(size(name) / MiB)} MiB)...`);
    return measure(mode, file(name), runs);
  };

  // .cpuprofile past the string limit, and one that fits (for JSON.parse and the text route).
  const bigSize = size('big.cpuprofile');
  if (scale === 1 && bigSize <= MAX_STRING_LENGTH)
    throw new Error('big.cpuprofile does not exceed the string limit');
  const json256 = go('json', 'fits.cpuprofile');
  row(
    `.cpuprofile ${mib('big.cpuprofile')}, byte route`,
    'big.cpuprofile',
    go('large', 'big.cpuprofile'),
    json256,
    size('fits.cpuprofile'),
    `JSON.parse on the ${mib('fits.cpuprofile')} file`,
  );
  row(
    `.cpuprofile ${mib('big.cpuprofile')}, importProfileFile`,
    'big.cpuprofile',
    go('detect', 'big.cpuprofile'),
    json256,
    size('fits.cpuprofile'),
    `JSON.parse on the ${mib('fits.cpuprofile')} file`,
  );
  row(
    `.cpuprofile ${mib('fits.cpuprofile')}, byte route`,
    'fits.cpuprofile',
    go('large', 'fits.cpuprofile'),
    json256,
    undefined,
    'decode + JSON.parse',
  );
  row(
    `.cpuprofile ${mib('fits.cpuprofile')}, text route`,
    'fits.cpuprofile',
    go('text-cpuprofile', 'fits.cpuprofile'),
    json256,
    undefined,
    'decode + JSON.parse',
  );

  const cgLines = go('lines', 'big.callgrind');
  row(
    `callgrind ${mib('big.callgrind')}, byte route`,
    'big.callgrind',
    go('large', 'big.callgrind'),
    cgLines,
    undefined,
    "decode + split('\\n')",
  );
  row(
    `callgrind ${mib('big.callgrind')}, text route`,
    'big.callgrind',
    go('text-callgrind', 'big.callgrind'),
    cgLines,
    undefined,
    "decode + split('\\n')",
  );

  const foldedLines = go('lines', 'big.folded');
  row(
    `collapsed ${mib('big.folded')}, byte route`,
    'big.folded',
    go('large', 'big.folded'),
    foldedLines,
    undefined,
    "decode + split('\\n')",
  );
  row(
    `collapsed ${mib('big.folded')}, text route`,
    'big.folded',
    go('text-collapsed', 'big.folded'),
    foldedLines,
    undefined,
    "decode + split('\\n')",
  );

  const ssJson = go('json', 'big.speedscope.json');
  row(
    `speedscope ${mib('big.speedscope.json')}, byte route`,
    'big.speedscope.json',
    go('large', 'big.speedscope.json'),
    ssJson,
    undefined,
    'decode + JSON.parse',
  );
  row(
    `speedscope ${mib('big.speedscope.json')}, text route`,
    'big.speedscope.json',
    go('text-speedscope', 'big.speedscope.json'),
    ssJson,
    undefined,
    'decode + JSON.parse',
  );
  row(
    `speedscope ${mib('big.speedscope.json')}, parseJsonBytes alone`,
    'big.speedscope.json',
    go('json-bytes', 'big.speedscope.json'),
    ssJson,
    undefined,
    'decode + JSON.parse',
  );

  if (py && existsSync(file('big.prof'))) {
    log('formats: pstats...');
    row(
      `pstats ${Math.round(size('big.prof') / MiB)} MiB, importPstats`,
      'big.prof',
      measure('pstats', file('big.prof'), runs),
      pythonPstatsMs(py, file('big.prof'), runs),
      undefined,
      'Python pstats.Stats',
    );
  }
  // pprof: MB/s of the decompressed protobuf (both sides gunzip it first).
  const pprofRaw = gunzipSync(readFileSync(file('big.pb.gz'))).length;
  row(
    `pprof ${Math.round(pprofRaw / MiB)} MiB (${mib('big.pb.gz')} gzip), importPprof`,
    'big.pb.gz',
    go('pprof', 'big.pb.gz'),
    go('pprof-decode', 'big.pb.gz'),
    pprofRaw,
    'gunzip + pprof-format decode',
    pprofRaw,
  );

  console.log(`Large files, median of ${runs} runs each (MB = MiB of the file's bytes):`);
  for (const l of lines) console.log(l);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--runs');
  run({ runs: i >= 0 ? Number(argv[i + 1]) : undefined }).catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
