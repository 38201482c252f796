// Helpers shared by bench/formats.mjs and bench/pstats.mjs: the generators of large profile files
// (made from the repository's real fixtures by repeating them, or at random from a seed), the
// child-process measurement of our importers (bench/formatsMeasure.ts) and of Python's pstats,
// and number formatting. Every generator takes its target size in bytes, so a benchmark runs
// just as well on a tiny input (`scale`) as on a large one.
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
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';

export const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export { benchCache } from './smoke.mjs';
export const MiB = 1024 * 1024;
export const log = (text) => process.stderr.write(`${text}\n`);
const fixture = (rel) => join(root, rel);

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Makes the files of `dir` with `make(tmp)` unless `key` (JSON) is what made them last. */
export async function cachedDir(dir, key, make) {
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key) return;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await make(tmp);
  writeFileSync(join(tmp, 'stamp.json'), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

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

/** A deterministic pseudo-random integer source: `rand(n)` is in [0, n). */
function random(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/**
 * examples/profiles/primes.cpuprofile's nodes, samples and time deltas repeated with fresh ids
 * under one root; each copy's URLs carry one of 1024 group suffixes.
 */
export function makeCpuprofile(file, target) {
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
  const copies = Math.max(1, Math.ceil(target / perCopy));
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

/**
 * A synthetic V8 profile of random stacks, laid out as `node --cpu-prof` writes it: a random
 * tree (each node the child of the previous one or of a random earlier one, so stacks run a few
 * dozen deep), call frames drawn from a pool of functions in a few hundred scripts, some nodes
 * with position ticks, and samples at random nodes with random deltas. Half the bytes are nodes.
 */
export function makeRandomCpuprofile(file, target, seed = 7) {
  const rand = random(seed);
  const nodeCount = Math.max(8, Math.round(target / 2 / 190));
  const sampleCount = Math.max(8, Math.round(target / 2 / 11));
  const scripts = Math.max(4, Math.min(400, nodeCount >> 6));
  const functions = Math.max(16, Math.min(60000, nodeCount >> 2));
  const frameOf = (f) => ({
    functionName: f % 17 === 0 ? '' : `fn${f}_${(f * 2654435761) % 100000}`,
    scriptId: String((f % scripts) + 10),
    url: `file:///srv/app/src/module${f % scripts}/part${f % 7}.js`,
    lineNumber: (f * 37) % 4000,
    columnNumber: (f * 11) % 80,
  });
  const parent = new Int32Array(nodeCount + 1);
  const children = Array.from({ length: nodeCount + 1 }, () => []);
  for (let id = 2; id <= nodeCount; id++) {
    const p = rand(10) < 7 ? id - 1 : 1 + rand(id - 1);
    parent[id] = p;
    children[p].push(id);
  }
  const nodeText = (id) => {
    const node = {
      id,
      callFrame:
        id === 1
          ? { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }
          : frameOf(rand(functions)),
      hitCount: id === 1 ? 0 : rand(5),
    };
    if (id > 1 && rand(3) === 0) {
      node.positionTicks = [{ line: 1 + rand(4000), ticks: 1 + rand(9) }];
    }
    if (children[id].length) node.children = children[id];
    return JSON.stringify(node);
  };
  const nodes = (function* () {
    for (let id = 1; id <= nodeCount; id++) yield nodeText(id);
  })();
  const numbers = (f) =>
    (function* () {
      const piece = [];
      for (let i = 0; i < sampleCount; i++) {
        piece.push(f());
        if (piece.length === 65536) yield piece.splice(0).join(',');
      }
      if (piece.length) yield piece.join(',');
    })();
  const start = 1_000_000_000;
  writePieces(file, [
    '{"nodes":[',
    ...joined(nodes, ','),
    `],"startTime":${start},"endTime":${start + sampleCount * 100},"samples":[`,
    ...joined(
      numbers(() => 2 + rand(nodeCount - 1)),
      ',',
    ),
    '],"timeDeltas":[',
    ...joined(
      numbers(() => 50 + rand(100)),
      ',',
    ),
    ']}',
  ]);
}

/**
 * test/fixtures/callgrind/callgrind.out.hot (valgrind) with its part repeated as parts 1..n
 * (functions merge across parts, as in a real multi-part dump).
 */
export function makeCallgrind(file, target) {
  const text = readFileSync(fixture('test/fixtures/callgrind/callgrind.out.hot'), 'utf8');
  const at = text.indexOf('part: 1\n');
  const header = text.slice(0, at);
  const body = text.slice(at + 'part: 1\n'.length);
  const copies = Math.max(1, Math.ceil(target / body.length));
  writePieces(
    file,
    (function* () {
      yield header;
      for (let k = 1; k <= copies; k++) yield `part: ${k}\n${body}`;
    })(),
  );
}

/** test/fixtures/collapsed/primes.folded repeated under 1024 root frames. */
export function makeCollapsed(file, target) {
  const text = readFileSync(fixture('test/fixtures/collapsed/primes.folded'), 'utf8');
  const lines = text.split('\n').filter(Boolean);
  const copies = Math.max(1, Math.ceil(target / text.length));
  writePieces(
    file,
    (function* () {
      for (let k = 0; k < copies; k++)
        yield `${lines.map((l) => `g${k % 1024};${l}`).join('\n')}\n`;
    })(),
  );
}

/** test/fixtures/speedscope's evented profile repeated back to back in time. */
export function makeSpeedscope(file, target) {
  const base = JSON.parse(
    readFileSync(fixture('test/fixtures/speedscope/primes.cpuprofile.speedscope.json'), 'utf8'),
  );
  const p = base.profiles.find((q) => q.type === 'evented');
  const span = p.endValue - p.startValue;
  const copyEvents = (k) =>
    p.events.map((e) => JSON.stringify({ ...e, at: e.at + k * span })).join(',');
  const copies = Math.max(1, Math.ceil(target / copyEvents(1).length));
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

/** test/fixtures/pprof/cpu.pb.gz's samples repeated (`target` counts the protobuf's bytes). */
export async function makePprof(file, target) {
  const { Profile } = await import('pprof-format');
  const p = Profile.decode(gunzipSync(readFileSync(fixture('test/fixtures/pprof/cpu.pb.gz'))));
  const perSample = p.encode().length / p.sample.length;
  const copies = Math.max(1, Math.ceil(target / perSample / p.sample.length));
  // The same Sample objects repeated: encoding writes each occurrence.
  p.sample = Array.from({ length: copies }, () => p.sample).flat();
  writeFileSync(file, gzipSync(p.encode()));
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

/**
 * test/fixtures/python/cprofile.prof's functions repeated under renamed files (built-ins, `~`,
 * shared), made with Python's own marshal.
 */
export function makeRepeatedPstats(file, target, py) {
  const r = spawnSync(
    py,
    ['-c', PSTATS_SCALER, fixture('test/fixtures/python/cprofile.prof'), file, String(target)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`making the large pstats file failed:\n${r.stderr}`);
}

/** The first Python on PATH (or HEATLENS_BENCH_PYTHON): {path, version}, or undefined. */
export function python() {
  for (const candidate of [process.env.HEATLENS_BENCH_PYTHON, 'python3', 'python']) {
    if (!candidate) continue;
    const r = spawnSync(
      candidate,
      ['-c', 'import sys; print(sys.executable, sys.version.split()[0])'],
      { encoding: 'utf8' },
    );
    if (r.status === 0) {
      const [path, version] = r.stdout.trim().split(' ');
      return { path, version };
    }
  }
  return undefined;
}

const measureScript = join(root, '.bench', 'build', 'formatsMeasure.cjs');
let measureBuilt = false;

/** Bundles bench/formatsMeasure.ts (once per process). */
export async function buildMeasure() {
  if (measureBuilt) return;
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
  measureBuilt = true;
}

/**
 * One mode of bench/formatsMeasure.ts on one file in a fresh Node: {ms, cpuMs (medians; of the
 * runs after the first when `warm`), peakMB (RSS growth of the first run), detail}, or {error}.
 */
export function measure(mode, file, runs, { warm = false } = {}) {
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
  return summary(JSON.parse(r.stdout.trim().split('\n').pop()), warm);
}

function summary(out, warm) {
  const timed = (list) => (warm && list.length > 1 ? list.slice(1) : list);
  return {
    ms: median(timed(out.times)),
    cpuMs: median(timed(out.cpu)),
    peakMB: out.peakGrowthMB,
    detail: out.detail,
  };
}

const PY_PSTATS = `
import json, os, pstats, resource, sys, time
path, runs = sys.argv[1], int(sys.argv[2])
page = os.sysconf('SC_PAGE_SIZE')
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * page
wall, cpu, peak = [], [], 0
for i in range(runs):
    before = rss()
    t, c = time.perf_counter(), time.process_time()
    stats = pstats.Stats(path)
    cpu.append((time.process_time() - c) * 1000)
    wall.append((time.perf_counter() - t) * 1000)
    if i == 0:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    del stats
print(json.dumps({"times": wall, "cpu": cpu, "peakGrowthMB": peak / 1048576}))
`;

/**
 * Python's own `pstats.Stats(path)` (marshal in C plus pstats' totals, the file read included)
 * in a fresh Python: the same figures as {@link measure}.
 */
export function measurePythonPstats(py, file, runs, { warm = false } = {}) {
  const r = spawnSync(py, ['-c', PY_PSTATS, file, String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').pop() };
  return summary(JSON.parse(r.stdout.trim().split('\n').pop()), warm);
}

export const fmtS = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
export const fmtMB = (mb) => `${Math.round(mb)} MB`;
export const ratio = (a, b) => Math.round((a / b) * 100) / 100;

/**
 * The repository's own TypeScript modules named by `exports` (lines like
 * "export { x } from './src/core/y';"), bundled with esbuild and imported into this process.
 */
export async function bundleRepoExports(exports) {
  const result = await esbuild.build({
    stdin: { contents: exports.join('\n'), resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'warning',
  });
  const code = Buffer.from(result.outputFiles[0].text).toString('base64');
  return import(`data:text/javascript;base64,${code}`);
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
