// The time to read a large pstats file (a program of thousands of functions, recorded here by
// cProfile) into a profile with importPstats, against Python's own `pstats.Stats(path)` load of
// the same file (marshal in C plus pstats' totals), each including the file read; median of 5
// after one warm-up run, both measured on the same machine in the same run.
//
// The program (10 modules, 8000 functions, each calling 4 others two levels deep from main, some
// of them themselves) is generated, then profiled with `python3 -m cProfile`; both are cached in
// ~/.cache/heatlens-bench/large-pstats (HEATLENS_BENCH_CACHE overrides; delete it to remake them),
// never committed. The importer is bundled from src/ with esbuild into .bench/build/.
//
// Standalone: `node bench/pstats.mjs [--runs N]`; or `import { run }` (rows {name, value,
// baseline, ratio, target}: milliseconds, target the ratio to stay under).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchCache, isSmoke, smokeOr } from './smoke.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const cache = benchCache();
const dir = join(cache, 'large-pstats');
const profile = join(dir, 'large.prof');

// Smoke mode (bench/smoke.mjs): 2 modules of 20 functions.
const MODULES = smokeOr(10, 2);
const PER_MODULE = smokeOr(800, 20);
const CALLEES = 4;
const GENERATOR_VERSION = 1;

function sh(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The program's modules: `registry.py`, `mod0.py`..., `main.py`. Deterministic. */
function programFiles() {
  let x = 12345;
  const rand = (n) => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  const total = MODULES * PER_MODULE;
  const files = { 'registry.py': 'F = []\n' };
  for (let m = 0; m < MODULES; m++) {
    const lines = ['from registry import F', ''];
    for (let i = 0; i < PER_MODULE; i++) {
      const id = m * PER_MODULE + i;
      const callees = Array.from({ length: CALLEES }, () => rand(total));
      if (id % 50 === 0) callees[0] = id; // some direct recursion
      lines.push(
        `def f${id}(n):`,
        '    if n <= 0:',
        '        return 1',
        `    return ${callees.map((c) => `F[${c}](n - 1)`).join(' + ')}`,
        '',
        `F.append(f${id})`,
        '',
      );
    }
    files[`mod${m}.py`] = lines.join('\n');
  }
  files['main.py'] = [
    ...Array.from({ length: MODULES }, (_, m) => `import mod${m}`),
    'from registry import F',
    '',
    'print(sum(f(2) for f in F))',
    '',
  ].join('\n');
  return files;
}

function python() {
  for (const candidate of [process.env.HEATLENS_BENCH_PYTHON, 'python3', 'python']) {
    if (!candidate) continue;
    const r = spawnSync(
      candidate,
      ['-c', 'import sys; print(sys.executable, sys.version.split()[0])'],
      {
        encoding: 'utf8',
      },
    );
    if (r.status === 0) {
      const [path, version] = r.stdout.trim().split(' ');
      return { path, version };
    }
  }
  throw new Error('No python3 or python on PATH: the pstats benchmark needs one.');
}

function makeProfile(py) {
  const key = JSON.stringify({
    GENERATOR_VERSION,
    MODULES,
    PER_MODULE,
    CALLEES,
    python: py.version,
  });
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === key && existsSync(profile))
    return;
  process.stderr.write('Generating and profiling the large pstats program (a few seconds)...\n');
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [name, text] of Object.entries(programFiles())) writeFileSync(join(tmp, name), text);
  sh(py.path, ['-m', 'cProfile', '-o', join(tmp, 'large.prof'), join(tmp, 'main.py')], {
    cwd: tmp,
  });
  writeFileSync(join(tmp, 'stamp.json'), key);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  renameSync(tmp, dir);
}

async function loadImporter() {
  const out = join(root, '.bench', 'build', 'pstats.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'src/formats/pstats.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}

const PY_TIMER = `
import json, pstats, sys, time
path, runs = sys.argv[1], int(sys.argv[2])
pstats.Stats(path)  # warm-up
times = []
for _ in range(runs):
    t = time.perf_counter()
    pstats.Stats(path)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps(times))
`;

/** Runs the benchmark; returns rows {name, value, baseline, ratio, target} (milliseconds). */
export async function run(options = {}) {
  const runs = options.runs ?? (isSmoke() ? 1 : 5);
  const py = python();
  makeProfile(py);
  const { importPstats } = await loadImporter();
  const read = () => {
    const p = importPstats(new Uint8Array(readFileSync(profile)), { sourceFile: profile });
    return p;
  };
  const warm = read();
  const ours = [];
  const theirs = [];
  // Alternate the two so that a change in the machine's load hits both alike.
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    read();
    ours.push(performance.now() - t);
    theirs.push(...JSON.parse(sh(py.path, ['-c', PY_TIMER, profile, '1'])));
  }
  const value = median(ours);
  const baseline = median(theirs);
  const size = statSync(profile).size;
  const functions = warm.callGraph?.functions.length ?? 0;
  const edges = warm.callGraph?.edges.length ?? 0;
  const rows = [
    {
      name: `pstats read: importPstats (ms; baseline: Python ${py.version} pstats.Stats)`,
      value: Math.round(value * 10) / 10,
      baseline: Math.round(baseline * 10) / 10,
      ratio: Math.round((value / baseline) * 100) / 100,
      target: 3,
    },
  ];
  console.log(
    `pstats read, ${(size / 1048576).toFixed(1)} MB, ${functions} functions, ${edges} edges, ` +
      `tree of ${warm.tree.size} nodes; median of ${runs}:`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.name}  ${r.value} ms vs ${r.baseline} ms  ratio ${r.ratio}x  target <= ${r.target}x`,
    );
  }
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
