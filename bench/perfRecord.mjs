// The perf script workload of bench/formats.mjs: a real `perf record -g` of
// test/fixtures/perf-script/hot.c (the fixture's program, run longer and sampled faster), its
// `perf script` text, and the CPU time of `perf report` reading the same recording (the tool
// whose figures the importer must equal). Needs gcc and perf with permission to record (root, or
// kernel.perf_event_paranoid <= 1).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { root, median } from './benchFiles.mjs';

/** Samples per second asked of perf (below the kernel's usual 100 kHz cap, above its default). */
const FREQUENCY = 10000;
/** hot.c's argument per second of its run (about: it only sizes the file). */
const WORK_PER_SECOND = 2_000_000;

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
}

/**
 * Why this machine cannot make the recording (no gcc, no perf, or perf not allowed to record),
 * or undefined when it can.
 */
export function perfMissing() {
  for (const [command, args] of [
    ['gcc', ['--version']],
    ['perf', ['record', '-q', '-o', '/dev/null', '--', 'true']],
  ]) {
    const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.error) return `${command} is not installed (${r.error.message})`;
    if (r.status !== 0) {
      const why = (r.stderr || '').trim().split('\n')[0].slice(0, 160);
      return `${command} cannot run here${why ? `: ${why}` : ''}`;
    }
  }
  return undefined;
}

/**
 * Records hot.c for about `samples` samples into `dir`: perf.data and big.perf, its
 * `perf script` text (default fields).
 */
export function makePerfRecording(dir, samples) {
  const program = join(dir, 'hot');
  run('gcc', [
    '-g',
    '-O0',
    '-fno-omit-frame-pointer',
    '-o',
    program,
    join(root, 'test/fixtures/perf-script/hot.c'),
  ]);
  const seconds = samples / FREQUENCY;
  const n = Math.max(20000, Math.round(WORK_PER_SECOND * seconds));
  const data = join(dir, 'perf.data');
  run(
    'perf',
    ['record', '-q', '-F', String(FREQUENCY), '-g', '-o', data, '--', program, String(n)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const out = openSync(join(dir, 'big.perf'), 'w');
  try {
    run('perf', ['script', '-i', data], { stdio: ['ignore', out, 'pipe'] });
  } finally {
    closeSync(out);
  }
}

// The CPU time (user + system) of a child process, from getrusage: perf report runs on
// several threads, and a loaded machine stretches wall time, not CPU time.
const CHILD_CPU = `
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print((r.ru_utime + r.ru_stime) * 1000)
`;

/**
 * `perf report` on `data` with the options of the fixtures' reference figures (self and children
 * per symbol): {cpuMs, ms} medians of `runs`, or {error}.
 */
export function measurePerfReport(py, data, runs) {
  const cpu = [];
  const wall = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(
      py,
      [
        '-c',
        CHILD_CPU,
        'perf',
        'report',
        '-i',
        data,
        '--stdio',
        '--children',
        '--sort',
        'sym',
        '-g',
        'none',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) return { error: `perf report failed: ${r.stderr.trim().slice(0, 200)}` };
    wall.push(performance.now() - t);
    cpu.push(Number(r.stdout.trim()));
  }
  return { cpuMs: median(cpu), ms: median(wall) };
}
