// Reading pstats files with importPstats against Python's own `pstats.Stats(path)` (marshal in C
// plus pstats' totals) on the same file, both including the file read, each in a fresh process:
// CPU time (median of --runs after the first) and peak memory (RSS growth of the first run).
//
// The files, cached in ~/.cache/heatlens-bench/large-pstats (HEATLENS_BENCH_CACHE overrides;
// delete it to remake them), never committed:
// - real profiles of generated programs (modules of functions, each calling 4 others two levels
//   deep from main, some of them themselves), recorded with `python3 -m cProfile`: about 4 MiB
//   (16,000 functions) and 30 MiB (128,000 functions);
// - test/fixtures/python/cprofile.prof's functions repeated under renamed files to ~128 MiB
//   (about 727k functions), made with Python's marshal.
//
// Standalone: `node bench/pstats.mjs [--runs N] [--scale S]`; or `import { run }` (rows {name,
// value, baseline, ratio, target}).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MiB,
  buildMeasure,
  benchCache,
  cachedDir,
  fmtMB,
  fmtS,
  log,
  makeRepeatedPstats,
  measure,
  measurePythonPstats,
  python,
  ratio,
} from './benchFiles.mjs';
import { isSmoke } from './smoke.mjs';

const CALLEES = 4;
const GENERATOR_VERSION = 2;
/** Functions of the generated programs, and the size of the repeated file. */
const PROGRAMS = [16000, 128000];
const REPEATED_BYTES = 128 * MiB;

function sh(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** A program of `total` functions in modules of 800: `registry.py`, `mod0.py`..., `main.py`. */
function programFiles(total) {
  let x = 12345;
  const rand = (n) => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  const perModule = Math.min(800, total);
  const modules = Math.ceil(total / perModule);
  const files = { 'registry.py': 'F = []\n' };
  for (let m = 0; m < modules; m++) {
    const lines = ['from registry import F', ''];
    for (let i = 0; i < perModule; i++) {
      const id = m * perModule + i;
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
    ...Array.from({ length: modules }, (_, m) => `import mod${m}`),
    'from registry import F',
    '',
    'print(sum(f(2) for f in F))',
    '',
  ].join('\n');
  return files;
}

async function makeProfiles(dir, py, programs, repeatedBytes) {
  const key = JSON.stringify({ GENERATOR_VERSION, programs, repeatedBytes, python: py.version });
  await cachedDir(dir, key, (tmp) => {
    log('Generating and profiling the pstats programs (a minute)...');
    for (const total of programs) {
      const src = join(tmp, `program-${total}`);
      mkdirSync(src);
      for (const [name, text] of Object.entries(programFiles(total)))
        writeFileSync(join(src, name), text);
      sh(py.path, ['-m', 'cProfile', '-o', join(tmp, `program-${total}.prof`), 'main.py'], {
        cwd: src,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    }
    makeRepeatedPstats(join(tmp, 'repeated.prof'), repeatedBytes, py.path);
  });
}

/**
 * Runs the benchmark. `options.runs`: timed runs (default 5, after one more whose memory is
 * measured); `options.scale` shrinks the files (`options.smoke`: one run, tiny files). Returns
 * rows {name, value, baseline, ratio, target}.
 */
export async function run(options = {}) {
  const scale = options.scale ?? (options.smoke || isSmoke() ? 0.001 : 1);
  const runs = options.runs ?? (options.smoke || isSmoke() ? 1 : 5);
  const py = python();
  if (!py) throw new Error('No python3 or python on PATH: the pstats benchmark needs one.');
  const programs = PROGRAMS.map((n) => Math.max(20, Math.round(n * scale)));
  const repeatedBytes = Math.max(64 * 1024, Math.round(REPEATED_BYTES * scale));
  const dir = join(benchCache(), scale === 1 ? 'large-pstats' : `large-pstats-x${scale}`);
  await makeProfiles(dir, py, programs, repeatedBytes);
  await buildMeasure();
  const files = [...programs.map((n) => `program-${n}.prof`), 'repeated.prof'];
  const rows = [];
  console.log(`pstats read, importPstats vs Python ${py.version} pstats.Stats, median of ${runs}:`);
  for (const name of files) {
    const file = join(dir, name);
    const mib = statSync(file).size / MiB;
    log(`pstats: ${name} (${mib.toFixed(1)} MiB)...`);
    // One more run than timed: the first (cold) one is where memory is measured.
    const ours = measure('pstats-file', file, runs + 1, { warm: true });
    const theirs = measurePythonPstats(py.path, file, runs + 1, { warm: true });
    const label = `pstats ${mib.toFixed(mib < 10 ? 1 : 0)} MiB (${(ours.detail?.functions ?? 0).toLocaleString('en')} functions)`;
    if (ours.error || theirs.error) {
      rows.push({ name: `${label}: not measured (${ours.error ?? theirs.error})`, value: '-' });
      continue;
    }
    rows.push(
      {
        name: `${label}: CPU / pstats.Stats`,
        value: `${fmtS(ours.cpuMs)} CPU`,
        baseline: fmtS(theirs.cpuMs),
        ratio: ratio(ours.cpuMs, theirs.cpuMs),
        target: 1,
      },
      {
        name: `${label}: peak memory / pstats.Stats`,
        value: fmtMB(ours.peakMB),
        baseline: fmtMB(theirs.peakMB),
        ratio: ratio(ours.peakMB, theirs.peakMB),
        target: 2,
      },
    );
    console.log(
      `  ${name}: ours ${fmtS(ours.cpuMs)} CPU (${fmtS(ours.ms)} wall), peak +${fmtMB(ours.peakMB)}; ` +
        `pstats.Stats ${fmtS(theirs.cpuMs)} CPU (${fmtS(theirs.ms)} wall), peak +${fmtMB(theirs.peakMB)}; ` +
        `${JSON.stringify(ours.detail)}`,
    );
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const option = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  run({ runs: option('--runs'), scale: option('--scale') })
    .then((rows) => {
      for (const r of rows) {
        console.log(
          `${r.name}  ${r.ratio === undefined ? '' : `${r.ratio}x`}` +
            `${r.target ? ` (target <= ${r.target}x)` : ''}  ${r.value} vs ${r.baseline ?? '-'}`,
        );
      }
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    });
}
