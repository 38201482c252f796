// `npm run bench`: figures for the two costs that grow with the user's project, each as a ratio to
// a baseline measured in the same run. `npm test` runs it only in smoke mode (bench/smoke.mjs).
//
// (a) A large .cpuprofile (>= 100 MB), recorded here by profiling a real workload: TypeScript's
//     own compiler type-checking about a thousand JavaScript files of node_modules, sampled every
//     50 µs. Figures: building the model (importCpuprofile) against a bare JSON.parse of the same
//     text, median of several alternating runs; and the peak RSS growth of reading + building, in
//     a fresh child process, as a multiple of the file size.
// (b) Source maps: a bundle of TypeScript, ESLint, typescript-eslint, Prettier and Sucrase built
//     by esbuild with a ~25 MB map (bench/bundleWorkload.mjs), profiled while it runs. Figures:
//     resolving every unique frame of that profile through our loader and wrapper (finding the
//     map from the script's comment, reading, parsing, validating, looking up) against bare
//     trace-mapping (read the map, `new TraceMap`, `originalPositionFor` on the same positions,
//     same order); and the whole remapProfile (which also rebuilds the profile) for information.
//
// Workloads are made once and cached in ~/.cache/heatlens-bench (HEATLENS_BENCH_CACHE overrides;
// delete it to remake them). Results: a table on stdout and JSON in .bench/ (git-ignored).
// Then every other bench/*.mjs that exports `run()` (rows {name, value, baseline, ratio,
// target}) adds its rows. Options: --runs N (timing runs per figure; default 5 for (a), 7 for
// (b), the module's own otherwise), --only a|b|<module name>, --smoke (bench/smoke.mjs: every
// benchmark once on a tiny input, failing on any error; `npm test` runs it so).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchCache, isSmoke } from './smoke.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const argv = process.argv.slice(2);
// Before anything reads it: the benchmarks imported below honour the same switch.
if (argv.includes('--smoke')) process.env.HEATLENS_BENCH_SMOKE = '1';
const smoke = isSmoke();
const cache = benchCache();
const outDir = join(root, '.bench');
const option = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runsOption = smoke ? 1 : option('runs') ? Number(option('runs')) : undefined;
const only = option('only');

const MB = 1024 * 1024;
const log = (text) => process.stderr.write(`${text}\n`);

function packageVersion(name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * MB,
    ...options,
  });
  if (r.error) throw r.error;
  return r;
}

/** Runs one measurement of bench/measure.ts in a fresh Node and returns its JSON result. */
function measure(...args) {
  const r = run(process.execPath, [
    '--expose-gc',
    '--max-old-space-size=8192',
    measureScript,
    ...args,
  ]);
  if (r.status !== 0) throw new Error(`measure ${args.join(' ')} failed:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** A cached workload is reused only while what made it is unchanged. */
function stamp(parts) {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function cached(dir, key, make) {
  const stampFile = join(dir, 'stamp.json');
  if (existsSync(stampFile) && JSON.parse(readFileSync(stampFile, 'utf8')).key === key) return;
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  make(tmp);
  writeFileSync(join(tmp, 'stamp.json'), JSON.stringify({ key, made: new Date().toISOString() }));
  // Paths inside the workload (the profile's URLs, the map's sources) must name the final folder.
  renameSync(tmp, dir);
}

function jsFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) jsFiles(p, out);
    else if (p.endsWith('.js')) out.push(p);
  }
  return out;
}

// --- the workloads --------------------------------------------------------------------------

const bigDir = join(cache, 'big-profile');
const bigProfile = join(bigDir, 'tsc.cpuprofile');

function makeBigProfile() {
  const all = ['eslint/lib', '@typescript-eslint', 'undici/lib'].flatMap((d) =>
    jsFiles(join(root, 'node_modules', d)),
  );
  // Smoke mode: two files, a profile of a few MB.
  const inputs = smoke ? all.slice(0, 2) : all;
  const tsc = join(root, 'node_modules/typescript/lib/tsc.js');
  const tscArgs = [
    '--noEmit',
    '--allowJs',
    '--checkJs',
    '--skipLibCheck',
    '--target',
    'es2022',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
  ];
  const key = stamp({
    typescript: packageVersion('typescript'),
    node: process.version,
    inputs: inputs.length,
    tscArgs,
  });
  cached(bigDir, key, (dir) => {
    log(
      `Recording the large profile (tsc type-checking ${inputs.length} files at a 50 µs interval; a few minutes)...`,
    );
    // The stamp's folder is renamed after recording; the profile holds no paths of it.
    const r = run(
      process.execPath,
      [
        '--cpu-prof',
        '--cpu-prof-interval',
        '50',
        '--cpu-prof-dir',
        dir,
        '--cpu-prof-name',
        'tsc.cpuprofile',
        '--max-old-space-size=4096',
        tsc,
        ...tscArgs,
        ...inputs,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (!existsSync(join(dir, 'tsc.cpuprofile')))
      throw new Error(`tsc under --cpu-prof wrote no profile (exit ${r.status})`);
  });
  return bigProfile;
}

const mapDir = join(cache, 'sourcemap-bundle');
const bundle = join(mapDir, 'bundle.mjs');
const bundleProfile = join(mapDir, 'bundle.cpuprofile');

/** How many files the bundled workload works on (bundleWorkload.mjs; one in smoke mode). */
const workloadFiles = smoke ? 1 : 60;

async function makeBundle() {
  const workload = join(root, 'bench/bundleWorkload.mjs');
  const versions = [
    'typescript',
    'eslint',
    '@typescript-eslint/parser',
    'prettier',
    'sucrase',
    'esbuild',
  ].map((p) => `${p}@${packageVersion(p)}`);
  const key = stamp({
    versions,
    node: process.version,
    workload: readFileSync(workload, 'utf8'),
    dir: mapDir,
    files: workloadFiles,
  });
  if (
    existsSync(join(mapDir, 'stamp.json')) &&
    JSON.parse(readFileSync(join(mapDir, 'stamp.json'), 'utf8')).key === key
  ) {
    return;
  }
  log('Bundling the source-map workload with esbuild and profiling it (about a minute)...');
  // Built in place (the map's sources are relative to its own folder, and the profile's URLs
  // name the bundle), so the folder is cleared first rather than built aside and renamed.
  rmSync(mapDir, { recursive: true, force: true });
  mkdirSync(mapDir, { recursive: true });
  await esbuild.build({
    entryPoints: [workload],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    outfile: bundle,
    logLevel: 'error',
    // ESLint's optional TypeScript-config loader; never reached by the workload.
    external: ['jiti', 'jiti/package.json'],
    // CommonJS packages inside an ES module bundle still ask for require and __filename.
    banner: {
      js: [
        "import { createRequire as __heatlensCreateRequire } from 'node:module';",
        'const require = __heatlensCreateRequire(import.meta.url);',
        'const __filename = new URL(import.meta.url).pathname;',
        "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      ].join('\n'),
    },
  });
  const r = run(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-interval',
      '100',
      '--cpu-prof-dir',
      mapDir,
      '--cpu-prof-name',
      'bundle.cpuprofile',
      bundle,
      root,
      String(workloadFiles),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (r.status !== 0 || !existsSync(bundleProfile))
    throw new Error(`the bundled workload failed (exit ${r.status})`);
  writeFileSync(
    join(mapDir, 'stamp.json'),
    JSON.stringify({ key, made: new Date().toISOString() }),
  );
}

// --- measuring ------------------------------------------------------------------------------

/** bench/*.mjs modules other than this one that export a `run` function, by name. */
function peerBenchmarks() {
  return readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
    .filter((f) =>
      /^export (async )?function run\(/m.test(readFileSync(join(root, 'bench', f), 'utf8')),
    )
    .map((f) => f.slice(0, -'.mjs'.length))
    .sort();
}

const measureScript = join(outDir, 'build', 'measure.cjs');

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMB = (bytes) => `${(bytes / MB).toFixed(1)} MB`;
const fmtX = (x) => `${x.toFixed(2)}x`;

async function main() {
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, 'bench/measure.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: measureScript,
    logLevel: 'warning',
  });

  const cores = availableParallelism?.() ?? cpus().length;
  const loadBefore = loadavg()[0];
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores,
    loadAverageBefore: loadBefore,
  };
  const rows = [];

  if (!only || only === 'a') {
    const file = makeBigProfile();
    const size = statSync(file).size;
    log(`(a) measuring ${fmtMB(size)}...`);
    const time = measure('model-time', file, String(runsOption ?? 5));
    const mem = { import: [], parse: [] };
    for (let i = 0; i < (smoke ? 1 : 3); i++) {
      mem.import.push(measure('model-memory', file, 'import'));
      mem.parse.push(measure('model-memory', file, 'parse'));
    }
    const peakImport = median(mem.import.map((m) => m.peakDelta));
    const peakParse = median(mem.parse.map((m) => m.peakDelta));
    const a = {
      file,
      bytes: size,
      nodes: mem.import[0].nodes,
      samples: mem.import[0].samples,
      runs: time.runs,
      readMs: time.readMs,
      parseMs: time.parseMs,
      importMs: time.importMs,
      importOverParse: time.importMs / time.parseMs,
      withReadOverParseWithRead: (time.readMs + time.importMs) / (time.readMs + time.parseMs),
      peakRssImport: peakImport,
      peakRssParse: peakParse,
      peakImportOverSize: peakImport / size,
      peakParseOverSize: peakParse / size,
      raw: { time, mem },
    };
    results.a = a;
    rows.push(
      [
        `(a) ${fmtMB(size)} .cpuprofile: ${a.nodes.toLocaleString('en')} nodes, ${a.samples.toLocaleString('en')} samples`,
      ],
      [
        `    build the model / JSON.parse (median of ${a.runs})`,
        fmtX(a.importOverParse),
        '<= 1.5x',
        `${fmtMs(a.importMs)} vs ${fmtMs(a.parseMs)}`,
      ],
      [
        '    same, reading the file included on both sides',
        fmtX(a.withReadOverParseWithRead),
        '',
        `read ${fmtMs(a.readMs)}`,
      ],
      [
        '    peak RSS growth of read + build / file size',
        fmtX(a.peakImportOverSize),
        '<= 3x',
        `${fmtMB(peakImport)}; read + JSON.parse alone ${fmtX(a.peakParseOverSize)}`,
      ],
    );
  }

  if (!only || only === 'b') {
    await makeBundle();
    const mapBytes = statSync(`${bundle}.map`).size;
    log(`(b) measuring a ${fmtMB(mapBytes)} map...`);
    const sm = measure('sourcemap', bundle, bundleProfile, String(runsOption ?? 7));
    const b = {
      bundle,
      bundleBytes: statSync(bundle).size,
      mapBytes,
      uniqueFrames: sm.uniqueFrames,
      mapped: sm.mapped,
      disagreeWithBare: sm.disagree,
      runs: sm.runs,
      bareMs: sm.bareMs,
      resolverMs: sm.resolverMs,
      remapMs: sm.remapMs,
      resolverOverBare: sm.resolverMs / sm.bareMs,
      remapOverBare: sm.remapMs / sm.bareMs,
      raw: sm,
    };
    results.b = b;
    rows.push(
      [
        `(b) ${fmtMB(mapBytes)} map of a ${fmtMB(b.bundleBytes)} bundle; ${b.uniqueFrames.toLocaleString('en')} unique frames, ${b.mapped.resolver.toLocaleString('en')} mapped, ${b.disagreeWithBare} answers differ from bare trace-mapping`,
      ],
      [
        `    our resolution / bare trace-mapping (median of ${b.runs})`,
        fmtX(b.resolverOverBare),
        '<= 1.2x',
        `${fmtMs(b.resolverMs)} vs ${fmtMs(b.bareMs)}`,
      ],
      [
        '    whole remapProfile (rebuilds the profile) / bare',
        fmtX(b.remapOverBare),
        '',
        fmtMs(b.remapMs),
      ],
    );
  }

  // Other benchmarks in bench/ export `run(options)` returning rows {name, value, baseline,
  // ratio, target}; each runs after ours, and one that cannot run here is reported, not fatal
  // (in smoke mode it is: a benchmark that no longer runs must fail `npm test`).
  results.others = {};
  const failed = [];
  for (const name of peerBenchmarks()) {
    if (only && only !== name) continue;
    log(`${name}: measuring...`);
    try {
      const mod = await import(pathToFileURL(join(root, 'bench', `${name}.mjs`)).href);
      const peerRows = await mod.run({
        ...(runsOption ? { runs: runsOption } : {}),
        ...(smoke ? { smoke: true } : {}),
      });
      if (!Array.isArray(peerRows) || peerRows.length === 0)
        throw new Error('its run() returned no rows');
      results.others[name] = peerRows;
      rows.push([`${name}`]);
      for (const r of peerRows) {
        rows.push([
          `    ${r.name}`,
          typeof r.ratio === 'number' ? fmtX(r.ratio) : '',
          typeof r.target === 'number' ? `<= ${r.target}x` : '',
          r.baseline === null || r.baseline === undefined
            ? `${r.value}`
            : `${r.value} vs ${r.baseline}`,
        ]);
      }
    } catch (e) {
      results.others[name] = { error: e instanceof Error ? e.message : String(e) };
      rows.push([`${name}: not measured (${results.others[name].error.split('\n')[0]})`]);
      failed.push(name);
      if (smoke) log(`${name} failed:\n${e instanceof Error ? e.stack : e}`);
    }
  }

  results.loadAverageAfter = loadavg()[0];
  const stampName = results.date.replace(/[:.]/g, '-');
  // A smoke run's figures mean nothing: they never replace a real run's results.
  if (smoke) {
    results.smoke = true;
    results.failed = failed;
    writeFileSync(join(outDir, 'smoke.json'), `${JSON.stringify(results, null, 2)}\n`);
  } else {
    writeFileSync(
      join(outDir, `results-${stampName}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  }

  const widths = [
    Math.max(62, ...rows.filter((r) => r.length > 1).map((r) => r[0].length + 2)),
    8,
    9,
  ];
  console.log(`Heatlens benchmark, ${results.date}, Node ${process.version}, ${cores} cores`);
  console.log(
    [
      'figure'.padEnd(widths[0]),
      'ratio'.padStart(widths[1]),
      'target'.padStart(widths[2]),
      '  detail',
    ].join(''),
  );
  for (const r of rows) {
    if (r.length === 1) console.log(r[0]);
    else
      console.log(
        [
          r[0].padEnd(widths[0]),
          r[1].padStart(widths[1]),
          r[2].padStart(widths[2]),
          `  ${r[3]}`,
        ].join(''),
      );
  }
  const busy = Math.max(loadBefore, results.loadAverageAfter) > cores;
  if (busy) {
    console.log(
      `Note: the load average (${loadBefore.toFixed(1)} before, ${results.loadAverageAfter.toFixed(1)} after) exceeded ${cores} cores: times are noisy; ratios less so.`,
    );
  }
  if (smoke) {
    console.log('Smoke run (tiny inputs, one run each): the figures above mean nothing.');
    if (failed.length) {
      console.log(`FAILED: ${failed.join(', ')} (see the errors above)`);
      process.exitCode = 1;
    }
    return;
  }
  console.log(`Results: ${join('.bench', `results-${stampName}.json`)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
