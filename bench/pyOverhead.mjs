// The CPU cost of each Python profiling mode: CPU time (user + system) of a CPU-bound program
// (bench/pyCpuBound.py; bench/pyAllocBound.py, allocation-heavy, for the memory mode) run through python/heatlens_profile.py, as a ratio to the same program
// run without a profiler on the same interpreter; median of 5 runs, each profiled run paired with
// an unprofiled one made just before it, so that a change in the machine's load hits both alike.
//
// CPU time comes from the kernel's account of the child: a tiny Python wrapper runs the command
// and prints resource.getrusage(RUSAGE_CHILDREN) (the wrapper's own start-up is not counted).
// yappi runs on the interpreter that has it (/usr/bin/python3 with Debian's python3-yappi, or
// HEATLENS_BENCH_YAPPI_PYTHON), against that interpreter's own baseline.
//
// Smoke mode (bench/smoke.mjs): one run at scale 1, no warm-up.
//
// Standalone: `node bench/pyOverhead.mjs [--runs N] [--scale N]`; or `import { run }`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSmoke, smokeOr } from './smoke.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const helper = join(root, 'python', 'heatlens_profile.py');
const program = join(root, 'bench', 'pyCpuBound.py');
const allocProgram = join(root, 'bench', 'pyAllocBound.py');

const wrapper = [
  'import resource, subprocess, sys',
  'r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)',
  'u = resource.getrusage(resource.RUSAGE_CHILDREN)',
  'print(r.returncode, u.ru_utime + u.ru_stime)',
].join('\n');

function sh(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

/** The first of the candidates that runs, as its sys.executable. */
function findPython(candidates, needYappi = false) {
  for (const c of candidates) {
    if (!c) continue;
    const r = spawnSync(
      c,
      ['-c', `import sys${needYappi ? ', yappi' : ''};print(sys.executable)`],
      {
        encoding: 'utf8',
      },
    );
    if (r.status === 0) return r.stdout.trim();
  }
  return undefined;
}

/** CPU seconds of one run of `command`. */
function cpuSeconds(python, command) {
  const r = sh(python, ['-c', wrapper, ...command]);
  const [code, seconds] = r.stdout.trim().split(' ');
  if (r.status !== 0 || code !== '0') {
    throw new Error(`${command.join(' ')} failed (${code}): ${r.stderr.trim().slice(-2000)}`);
  }
  return Number(seconds);
}

// The sampler's own cost measured inside the process: time spent in its signal handler over the
// program's CPU time. Not disturbed by the machine's load the way CPU-time ratios are (it leaves
// out the kernel's signal delivery, a few microseconds per sample).
const handlerShareScript = [
  'import sys, time',
  'sys.path[:0] = [sys.argv[1], sys.argv[2]]',
  'import heatlens_profile as hp, pyCpuBound',
  'spent = [0.0, 0]',
  'make = hp.Sampler._make_handler',
  'def timed_make(self):',
  '    handler = make(self)',
  '    def timed(signum, frame):',
  '        t = time.perf_counter()',
  '        handler(signum, frame)',
  '        spent[0] += time.perf_counter() - t',
  '        spent[1] += 1',
  '    return timed',
  'hp.Sampler._make_handler = timed_make',
  'def _run(): pyCpuBound.main(int(sys.argv[4]))',
  's = hp.Sampler(sys.argv[3], 0.001, _run.__code__)',
  'c = time.process_time(); w = time.perf_counter()',
  's.start(); _run(); s.stop()',
  'c = time.process_time() - c; w = time.perf_counter() - w',
  'print(spent[0] / c, spent[1] / w, 1e6 * spent[0] / max(1, spent[1]))',
].join('\n');

function handlerShare(python, clock, scale) {
  const r = sh(python, [
    '-c',
    handlerShareScript,
    join(root, 'python'),
    join(root, 'bench'),
    clock,
    scale,
  ]);
  if (r.status !== 0) throw new Error(`handler measurement failed: ${r.stderr.trim()}`);
  const [share, rateHz, perSampleUs] = r.stdout.trim().split(' ').map(Number);
  return { share, rateHz, perSampleUs };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Measures and prints the overhead of each mode. Rows: `{name, value, baseline, ratio, target}`
 * with value and baseline in CPU seconds (medians) and target the ratio to stay under, or null;
 * plus `minRatio` (fastest run over fastest baseline run), `pairedRatio` (median of the ratios
 * of back-to-back runs) and `runs`.
 */
export async function run(options = {}) {
  const runs = options.runs ?? smokeOr(5, 1);
  const scale = String(options.scale ?? smokeOr(10, 1));
  const python = findPython([process.env.HEATLENS_BENCH_PYTHON, 'python3', 'python']);
  if (!python) throw new Error('No python3 or python on PATH: install Python 3.8 or newer.');
  const yappiPython = findPython(
    [process.env.HEATLENS_BENCH_YAPPI_PYTHON, '/usr/bin/python3', python],
    true,
  );
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-pybench-'));
  const out = join(dir, 'profile');
  const under = (py, mode, extra = [], target = program) => ({
    python: py,
    baseline: [py, target, scale],
    command: [py, helper, '--mode', mode, '--out', out, ...extra, '--', target, scale],
  });
  const configs = [
    { name: 'sampling, CPU clock', target: 1.05, ...under(python, 'sampling') },
    {
      name: 'sampling, wall clock',
      target: 1.05,
      ...under(python, 'sampling', ['--clock', 'wall']),
    },
    { name: 'cprofile', target: null, ...under(python, 'cprofile') },
    // tracemalloc costs per allocation and per frame kept: an allocation-heavy program, at two
    // traceback depths.
    {
      name: 'memory, 1 frame (alloc-heavy)',
      target: null,
      ...under(python, 'memory', ['--frames', '1'], allocProgram),
    },
    {
      name: 'memory, 32 frames (alloc-heavy)',
      target: null,
      ...under(python, 'memory', ['--frames', '32'], allocProgram),
    },
  ];
  if (yappiPython) {
    configs.push({ name: 'yappi, CPU clock', target: null, ...under(yappiPython, 'yappi') });
    configs.push({
      name: 'yappi, wall clock',
      target: null,
      ...under(yappiPython, 'yappi', ['--clock', 'wall']),
    });
  }
  // Each profiled run is paired with an unprofiled run made just before it on the same
  // interpreter: on a shared machine CPU time itself swings (a busy sibling hyperthread made the
  // same run cost 1.0 s or 1.6 s here), and back-to-back runs see the same conditions.
  const times = new Map(configs.map((c) => [c.name, { own: [], base: [] }]));
  try {
    // One warm-up round (file cache, .pyc files), not counted.
    if (!isSmoke()) {
      for (const c of configs) cpuSeconds(c.python, c.baseline);
      for (const c of configs) cpuSeconds(c.python, c.command);
    }
    for (let i = 0; i < runs; i++) {
      for (const c of configs) {
        const t = times.get(c.name);
        t.base.push(cpuSeconds(c.python, c.baseline));
        t.own.push(cpuSeconds(c.python, c.command));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = configs.map((c) => {
    const { own, base } = times.get(c.name);
    const value = median(own);
    const baseline = median(base);
    return {
      name: `python ${c.name}`,
      value,
      baseline,
      ratio: value / baseline,
      target: c.target,
      // Also: the median of the pairs' ratios, and the fastest runs' ratio.
      pairedRatio: median(own.map((t, k) => t / base[k])),
      minRatio: Math.min(...own) / Math.min(...base),
      runs,
    };
  });
  for (const clock of ['cpu', 'wall']) {
    const shares = [];
    for (let i = 0; i < runs; i++) shares.push(handlerShare(python, clock, scale));
    const share = median(shares.map((x) => x.share));
    const mid = shares.find((x) => x.share === share) ?? shares[0];
    rows.push({
      name: `python sampler handler, ${clock === 'cpu' ? 'CPU' : 'wall'} clock (in-process)`,
      value: share,
      baseline: 1,
      ratio: 1 + share,
      target: 1.05,
      rateHz: mid.rateHz,
      perSampleUs: mid.perSampleUs,
      runs,
    });
  }
  const version = sh(python, ['-c', 'import sys;print(sys.version.split()[0])']).stdout.trim();
  console.log(
    `Python profiling overhead: CPU time / unprofiled CPU time, median of ${runs} ` +
      `(${python}, Python ${version}${yappiPython ? `; yappi on ${yappiPython}` : '; no yappi'})`,
  );
  for (const r of rows) {
    const target = r.target ? `<= ${r.target.toFixed(2)}x` : '';
    if (r.rateHz !== undefined) {
      console.log(
        `  ${r.name.padEnd(48)} ${r.ratio.toFixed(3).padStart(6)}x ${target.padStart(9)}  ` +
          `${(100 * r.value).toFixed(2)}% of CPU in the handler; ${r.rateHz.toFixed(0)} Hz, ` +
          `${r.perSampleUs.toFixed(1)} µs per sample`,
      );
      continue;
    }
    console.log(
      `  ${r.name.padEnd(48)} ${r.ratio.toFixed(3).padStart(6)}x ${target.padStart(9)}  ` +
        `${r.value.toFixed(3)} s vs ${r.baseline.toFixed(3)} s; paired ${r.pairedRatio.toFixed(3)}x, fastest ${r.minRatio.toFixed(3)}x`,
    );
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const option = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  run({ runs: option('runs'), scale: option('scale') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
