// How long a person waits for Heatlens' answer once their program has run:
//
// (a) In a real VS Code (code-server + headless Chromium, the end-to-end tests' harness; see
//     bench/latencyMeasure.ts): from the Enter on "Heatlens: Profile Current File" to the first
//     heat decoration painted, minus the program's own run time, for short (0.2 s) JavaScript,
//     TypeScript and Python programs; warm (a later run in the same window) and cold (the first
//     command after the window opens), each split into stages. Targets: warm, heat
//     within 0.3 s of the program's end; cold, within 1 s. And the flame graph panel: from a
//     click on a CodeLens to its first painted frame on a profile of about 100k nodes (target
//     0.5 s).
// (b) The CLI: from the program's last line to the `heatlens profile` process's exit, against the
//     same program run by its plain runtime (target: at most 50 ms).
//
// The extension is measured as users get it: the minified build of `npm run package`.
// Each figure is a median; ratios are to the target (at most 1x meets it) or, for the CLI, also
// shown beside the plain runtime measured in the same run. Stage figures are printed to stderr and
// kept in the results JSON.
//
// Standalone: `node bench/latency.mjs [--runs N] [--smoke]`; bench/run.mjs imports `run()`.
// --runs N: warm runs per language (default 5; cold windows: ceil(N / 2), CLI runs: 2N).
// --smoke (or HEATLENS_BENCH_SMOKE=1): one warm and one cold run of JavaScript, one CLI run per
// language, a one-second wide program; the figures only prove the benchmark works.
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const script = join(root, '.bench', 'build', 'latency.cjs');
const log = (text) => process.stderr.write(`[latency] ${text}\n`);
const now = () => performance.timeOrigin + performance.now();

function median(values) {
  const s = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ms = (v) => (Number.isFinite(v) ? Math.round(v) : null);
const ratio = (v, target) => (Number.isFinite(v) ? Math.round((v / target) * 100) / 100 : null);

// --- (b) the CLI --------------------------------------------------------------------------------

/** The short programs of bench/latencyMeasure.ts, written by it with --write-programs. */
function writePrograms(folder) {
  const r = spawnSync(process.execPath, [script, '--write-programs', folder], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing the programs failed: ${r.stderr}`);
}

/** Runs `command` and resolves with the moment it exited (epoch ms). */
function exitTime(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('exit', (code) => {
      const at = now();
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err}`));
      else resolve(at);
    });
  });
}

/** Program's last line -> process exit, median of `runs`. */
async function afterEnd(command, args, cwd, file, runs) {
  const gaps = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(cwd, `${file}.times`), { force: true });
    const exited = await exitTime(command, args, cwd);
    const own = JSON.parse(readFileSync(join(cwd, `${file}.times`), 'utf8'));
    gaps.push(exited - own.end);
  }
  return median(gaps);
}

async function measureCli(runs) {
  const folder = mkdtempSync(join(tmpdir(), 'hl-latency-cli-'));
  try {
    writePrograms(folder);
    const cli = join(root, 'dist', 'cli.js');
    const python = 'python3';
    const plainNode = await afterEnd(process.execPath, ['short.js'], folder, 'short.js', runs);
    const plainPython = await afterEnd(python, ['short.py'], folder, 'short.py', runs);
    const rows = [];
    for (const [lang, file, plain, plainName] of [
      ['JavaScript', 'short.js', plainNode, 'node'],
      ['TypeScript', 'short.ts', plainNode, 'node (short.js)'],
      ['Python', 'short.py', plainPython, python],
    ]) {
      const args = [cli, 'profile', file, ...(file.endsWith('.py') ? ['--python', python] : [])];
      const gap = await afterEnd(process.execPath, args, folder, file, runs);
      log(`CLI ${lang}: last line -> exit ${ms(gap)} ms; plain ${plainName} ${ms(plain)} ms`);
      rows.push({
        name: `CLI ${lang}: program's end to heatlens' exit (ms, median of ${runs}; vs the 50 ms target; plain ${plainName}: ${ms(plain)} ms)`,
        value: ms(gap),
        baseline: 50,
        ratio: ratio(gap, 50),
        target: 1,
      });
    }
    return rows;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// --- (a) in VS Code -----------------------------------------------------------------------------

const stageNames = [
  'dispatch',
  'toBundle',
  'load',
  'activate',
  'spawn',
  'startup',
  'program',
  'transfer',
  'import',
  'remap',
  'show',
  'paint',
];
const flameStages = [
  'dispatch',
  'create',
  'load',
  'toPage',
  'fetch',
  'run',
  'encode',
  'deliver',
  'draw',
];
const langName = { js: 'JavaScript', ts: 'TypeScript', py: 'Python' };

function vscodeRows(result) {
  const rows = [];
  for (const lang of ['js', 'ts', 'py']) {
    for (const cold of [false, true]) {
      const samples = result.samples.filter((s) => s.lang === lang && s.cold === cold);
      if (!samples.length) continue;
      const pick = (k) => median(samples.map((s) => s[k]));
      const when = cold ? 'cold' : 'warm';
      const target = cold ? 1000 : 300;
      const stages = stageNames
        .filter((k) => cold || !['toBundle', 'load', 'activate'].includes(k))
        .map((k) => `${k} ${ms(pick(k))}`)
        .join(' · ');
      log(`${langName[lang]} ${when} (median of ${samples.length}): ${stages}`);
      rows.push(
        {
          name: `${langName[lang]}, ${when}: command to heat minus the program (ms, median of ${samples.length}; vs the ${target} ms target)`,
          value: ms(pick('latency')),
          baseline: target,
          ratio: ratio(pick('latency'), target),
          target: 1,
        },
        {
          name: `${langName[lang]}, ${when}: program's end to heat (ms; vs ${target} ms)`,
          value: ms(pick('afterEnd')),
          baseline: target,
          ratio: ratio(pick('afterEnd'), target),
          target: 1,
        },
        {
          name: `${langName[lang]}, ${when}: stages (ms)`,
          value: stages,
          baseline: null,
          ratio: null,
          target: null,
        },
      );
    }
  }
  result.flame.forEach((f, i) => {
    const what = i === 0 ? 'first opening in the window' : 'opened again';
    const stages = flameStages.map((k) => `${k} ${ms(f[k])}`).join(' · ');
    log(`flame panel, ${what}, ${f.nodes} nodes: ${stages}; total ${ms(f.total)}`);
    rows.push(
      {
        name: `flame panel, ${Math.round(f.nodes / 1000)}k nodes, ${what}: CodeLens click to first paint (ms; vs the 500 ms target)`,
        value: ms(f.total),
        baseline: 500,
        ratio: ratio(f.total, 500),
        target: 1,
      },
      {
        name: `flame panel, ${what}: stages (ms)`,
        value: stages,
        baseline: null,
        ratio: null,
        target: null,
      },
    );
  });
  return rows;
}

/**
 * The extension as users get it (`npm run package`: minified bundles): built into dist/, packaged
 * into .bench/latency/heatlens.vsix, then dist/ is built again as the development build.
 */
function packageProduction() {
  const vsix = join(root, '.bench', 'latency', 'heatlens.vsix');
  mkdirSync(dirname(vsix), { recursive: true });
  const step = (args) => {
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  };
  try {
    step(['scripts/build.mjs', '--production', '--no-tests']);
    step([
      join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '-o',
      vsix,
    ]);
  } finally {
    step(['scripts/build.mjs', '--no-tests']);
  }
  return vsix;
}

async function build() {
  await esbuild.build({
    entryPoints: [join(root, 'bench', 'latencyMeasure.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
  });
}

/** Options: `runs` (warm runs per language), `smoke` (the smallest run that exercises it all). */
export async function run(options = {}) {
  // Smoke mode (HEATLENS_BENCH_SMOKE=1, as `npm test` runs every benchmark): proves it works.
  const smoke = Boolean(options.smoke) || process.env.HEATLENS_BENCH_SMOKE === '1';
  const warm = smoke ? 1 : (options.runs ?? 5);
  const cold = smoke ? 1 : Math.ceil(warm / 2);
  await build();
  const rows = await measureCli(smoke ? 1 : warm * 2);
  const vsix = packageProduction();
  const args = [
    script,
    '--vsix',
    vsix,
    '--warm',
    String(warm),
    '--cold',
    String(cold),
    '--langs',
    smoke ? 'js' : 'js,ts,py',
    '--flame-seconds',
    smoke ? '1' : '8',
    ...(smoke ? ['--min-nodes', '0'] : []),
  ];
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench/latencyMeasure.ts failed (exit ${r.status})`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  if (result.skipped) throw new Error(`no real VS Code here: ${result.skipped}`);
  return [...vscodeRows(result), ...rows];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--runs');
  const rows = await run({
    runs: i >= 0 ? Number(argv[i + 1]) : undefined,
    smoke: argv.includes('--smoke'),
  });
  for (const row of rows) {
    console.log(
      `${row.name}: ${row.value}${row.ratio !== null ? ` (${row.ratio}x of the target)` : ''}`,
    );
  }
  writeFileSync(join(root, '.bench', 'latency.json'), `${JSON.stringify(rows, null, 2)}\n`);
}
