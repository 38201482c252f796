// The time cost of profiling a Node program's memory (V8's sampling heap profiler at its default
// interval of 32768 bytes, through `heatlens profile --memory`; and --memory-live), and for
// comparison the CPU profiler: the program's own time for its work (bench/nodeAllocBound.mjs
// measures itself with performance.now and prints it), as a ratio to the same program run by
// plain `node`; median of paired runs, each profiled run made just after an unprofiled one so
// that a change in the machine's load hits both alike. The program's own time leaves out what
// happens after its end (V8's full collection when sampling stops, the profile's transfer and
// import), which `bench/latency.mjs` measures for the CLI's exit.
//
// Smoke mode (bench/smoke.mjs): one run of a short workload, no warm-up.
//
// Standalone: `node bench/nodeMemOverhead.mjs [--runs N]`; or `import { run }`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSmoke, smokeOr } from './smoke.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const cli = join(root, 'dist', 'cli.js');
const program = join(root, 'bench', 'nodeAllocBound.mjs');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `args` under Node and returns the work time the program printed ("work-ms N"). */
function workMs(args) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const m = /work-ms ([\d.]+)/.exec(`${r.stdout}\n${r.stderr}`);
  if (r.status !== 0 || !m) {
    throw new Error(`${args.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  return Number(m[1]);
}

export async function run(options = {}) {
  const runs = options.runs ?? smokeOr(7, 1);
  const scale = String(smokeOr(20, 1));
  const plain = [program, scale];
  const configs = [
    {
      name: 'memory, allocated (sampling heap profiler, 32 KiB)',
      target: 1.1,
      args: [cli, 'profile', '--memory', '--json', program, '--', scale],
    },
    {
      // Fewer samples, less cost: the trade of a larger interval.
      name: 'memory, allocated, 512 KiB interval',
      target: null,
      args: [
        cli,
        'profile',
        '--memory',
        '--memory-interval',
        '524288',
        '--json',
        program,
        '--',
        scale,
      ],
    },
    {
      name: 'memory, live at the end',
      target: null,
      args: [cli, 'profile', '--memory-live', '--memory', '--json', program, '--', scale],
    },
    {
      name: 'CPU profiler (for comparison)',
      target: null,
      args: [cli, 'profile', '--json', program, '--', scale],
    },
  ];
  const times = new Map(configs.map((c) => [c.name, { own: [], base: [] }]));
  if (!isSmoke()) {
    workMs(plain);
    for (const c of configs) workMs(c.args);
  }
  for (let i = 0; i < runs; i++) {
    for (const c of configs) {
      const t = times.get(c.name);
      t.base.push(workMs(plain));
      t.own.push(workMs(c.args));
    }
  }
  const rows = configs.map((c) => {
    const { own, base } = times.get(c.name);
    const value = median(own);
    const baseline = median(base);
    return {
      name: `node ${c.name}: the program's work time / plain node`,
      value: `${value.toFixed(0)} ms`,
      baseline: `${baseline.toFixed(0)} ms`,
      ratio: Number(median(own.map((t, k) => t / base[k])).toFixed(3)),
      target: c.target,
      runs,
    };
  });
  console.log(`Node memory profiling overhead: median of ${runs} paired runs (ratio of pairs)`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(82)} ${r.ratio.toFixed(3)}x ${r.target ? `<= ${r.target}x` : ''}  ` +
        `${r.value} vs ${r.baseline}`,
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--runs');
  await run({ runs: i > 0 ? Number(process.argv[i + 1]) : undefined });
}
