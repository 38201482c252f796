// Import cost of each text profile format on a large file, as ratios against a reference reader
// measured in the same run on the same bytes. `npm test` runs it only in smoke mode
// (bench/smoke.mjs).
//
// The files are made once (bench/benchFiles.mjs) and cached in
// ~/.cache/heatlens-bench/large-formats (HEATLENS_BENCH_CACHE overrides; delete it to remake):
//
// - random-*.cpuprofile (32 and 160 MiB): synthetic V8 profiles of random stacks (a random tree,
//   frames from a pool of 60k functions, random samples), the hard case for the importer;
// - fits.cpuprofile (256 MiB) and big.cpuprofile (600 MiB, more than V8's longest string,
//   2^29 - 24 characters, so it cannot be decoded at all): examples/profiles/primes.cpuprofile
//   repeated with fresh ids, 1024 groups of URLs;
// - big.callgrind (300 MiB): test/fixtures/callgrind/callgrind.out.hot (valgrind) with its part
//   repeated as parts 1..n;
// - big.folded (300 MiB): test/fixtures/collapsed/primes.folded repeated under 1024 root frames;
// - big.speedscope.json (300 MiB): the speedscope fixture's evented profile repeated in time;
// - big.pb.gz (pprof, 64 MiB before gzip): test/fixtures/pprof/cpu.pb.gz's samples repeated.
// - perf-script/big.perf: `perf script` of a real `perf record -F 10000 -g` of
//   test/fixtures/perf-script/hot.c (200 000 samples, about 70 MiB; bench/perfRecord.mjs), with
//   its perf.data, in a folder of its own (it needs gcc and perf, and is made in seconds).
//
// Each figure is measured in a fresh `node --expose-gc --max-old-space-size=8192`
// (bench/formatsMeasure.ts) from the file's bytes in memory to the Profile: CPU time (user +
// system of every thread, GC included: a loaded machine stretches wall time, not CPU time),
// median of --runs (default 3); memory is the peak RSS growth of the first run. Ratios are ours
// over the reference's:
// - .cpuprofile: bare `TextDecoder.decode` + `JSON.parse` (for the 600 MiB file, which no string
//   holds, per byte of the 256 MiB file of the same generator);
// - callgrind: a minimal line parser (decode, split into lines, split cost lines into fields,
//   self cost per `fn=` name; formatsMeasure.ts), and memory against the file's size;
// - collapsed stacks: split and count (decode, split into lines, a count per stack in a Map);
// - speedscope: decode + JSON.parse; pprof: gunzip + pprof-format's `Profile.decode`;
// - perf script: `perf report --stdio --children --sort sym -g none` on the same recording's
//   perf.data (the tool whose figures ours equal; CPU time of the process from getrusage), and
//   a bare split into stacks counted per stack (formatsMeasure.ts's perf-script-count).
// The text route is decode + the format's text importer; the byte route is importLargeProfile
// with its threshold at 0 (the route files past the string limit take).
//
// Standalone: `node bench/formats.mjs [--runs N] [--scale S] [--only perf-script]` (S = 0.01
// makes every file 1% of its size; the 600 MiB file then fits in a string; --only measures one
// group of rows and makes only its files); or `import { run }` from bench/run.mjs (rows {name,
// value, baseline, ratio, target}).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import {
  MiB,
  buildMeasure,
  benchCache,
  cachedDir,
  fmtMB,
  fmtS,
  log,
  makeCallgrind,
  makeCollapsed,
  makeCpuprofile,
  makePprof,
  makeRandomCpuprofile,
  makeSpeedscope,
  measure,
  python,
  ratio,
} from './benchFiles.mjs';
import { makePerfRecording, measurePerfReport, perfMissing } from './perfRecord.mjs';
import { isSmoke } from './smoke.mjs';

const GENERATOR_VERSION = 2;
const MAX_STRING_LENGTH = 2 ** 29 - 24;

const SIZES = {
  randomSmall: 32 * MiB,
  random: 160 * MiB,
  big: 600 * MiB,
  fits: 256 * MiB,
  callgrind: 300 * MiB,
  collapsed: 300 * MiB,
  speedscope: 300 * MiB,
  pprofRaw: 64 * MiB,
};
/** perf script's size is counted in samples (about 350 bytes each with hot.c's stacks). */
const PERF_SAMPLES = 200_000;

async function makeFiles(dir, sizes) {
  const key = JSON.stringify({ GENERATOR_VERSION, sizes });
  await cachedDir(dir, key, async (tmp) => {
    log('Making the large format files (a few minutes, ~2 GB on disk)...');
    makeRandomCpuprofile(join(tmp, 'random-small.cpuprofile'), sizes.randomSmall);
    makeRandomCpuprofile(join(tmp, 'random.cpuprofile'), sizes.random);
    makeCpuprofile(join(tmp, 'big.cpuprofile'), sizes.big);
    makeCpuprofile(join(tmp, 'fits.cpuprofile'), sizes.fits);
    makeCallgrind(join(tmp, 'big.callgrind'), sizes.callgrind);
    makeCollapsed(join(tmp, 'big.folded'), sizes.collapsed);
    makeSpeedscope(join(tmp, 'big.speedscope.json'), sizes.speedscope);
    await makePprof(join(tmp, 'big.pb.gz'), sizes.pprofRaw);
  });
}

/**
 * Runs the benchmark. `options.runs`: runs per figure (default 3); `options.scale`: the fraction
 * of the full sizes (default 1; `options.smoke` means one run at 0.001). Returns rows {name,
 * value, baseline, ratio, target}.
 */
export async function run(options = {}) {
  const scale = options.scale ?? (options.smoke || isSmoke() ? 0.001 : 1);
  const runs = options.runs ?? (options.smoke || isSmoke() ? 1 : 3);
  const sizes = Object.fromEntries(
    Object.entries(SIZES).map(([k, v]) => [k, Math.max(4096, Math.round(v * scale))]),
  );
  const suffix = scale === 1 ? '' : `-x${scale}`;
  const dir = join(benchCache(), `large-formats${suffix}`);
  const only = options.only;
  if (!only) await makeFiles(dir, sizes);
  await buildMeasure();
  const file = (name) => join(dir, name);
  const size = (name) => statSync(file(name)).size;
  const mib = (name) => `${Math.round(size(name) / MiB)} MiB`;
  const rows = [];
  const lines = [];
  const go = (mode, name, path = file(name)) => {
    log(`formats: ${mode} on ${name} (${Math.round(statSync(path).size / MiB)} MiB)...`);
    const m = measure(mode, path, runs);
    if (!m.error) {
      lines.push(
        `  ${mode} ${name}: ${fmtS(m.cpuMs)} CPU, ${fmtS(m.ms)} wall, peak RSS growth ` +
          `${fmtMB(m.peakMB)}${m.detail && Object.keys(m.detail).length ? ` ${JSON.stringify(m.detail)}` : ''}`,
      );
    }
    return m;
  };
  /**
   * A CPU row: our CPU time over the baseline's, per byte when the two read different files
   * (`bytes` ours, `baseBytes` the baseline's).
   */
  const cpuRow = (label, ours, base, target, bytes = 1, baseBytes = 1) => {
    if (ours.error || base.error) {
      rows.push({ name: `${label}: not measured (${ours.error ?? base.error})`, value: '-' });
      return;
    }
    rows.push({
      name: label,
      value: `${fmtS(ours.cpuMs)} CPU`,
      baseline: `${fmtS((base.cpuMs * bytes) / baseBytes)}`,
      ratio: ratio(ours.cpuMs / bytes, base.cpuMs / baseBytes),
      target,
    });
  };
  /** A memory row: the peak RSS growth of our import over the file's size. */
  const memoryRow = (label, ours, bytes, target, base) => {
    if (ours.error) return;
    rows.push({
      name: label,
      value: fmtMB(ours.peakMB),
      baseline: `${fmtMB(bytes / MiB)} file${base && !base.error ? ` (reference reader ${fmtMB(base.peakMB)})` : ''}`,
      ratio: ratio(ours.peakMB, bytes / MiB),
      target,
    });
  };

  if (!only || only === 'perf-script') {
    const perfDir = join(benchCache(), `perf-script${suffix}`);
    const samples = Math.max(100, Math.round(PERF_SAMPLES * scale));
    const missing = perfMissing();
    if (missing) {
      // A machine without gcc or perf (or without permission to record) still benchmarks the
      // other formats; the rows it cannot make are named, not failed.
      log(`perf script rows skipped: ${missing}`);
      lines.push(`perf script: skipped (${missing})`);
    } else {
      await cachedDir(perfDir, JSON.stringify({ samples }), (tmp) => {
        log(`Recording hot.c with perf (${samples} samples)...`);
        makePerfRecording(tmp, samples);
      });
      perfScriptRows(perfDir, runs, go, cpuRow);
    }
  }
  if (only) {
    console.log(`Median of ${runs} runs each:`);
    for (const l of lines) console.log(l);
    return rows;
  }

  // .cpuprofile of random stacks: the text route against JSON.parse of the same text.
  for (const name of ['random-small.cpuprofile', 'random.cpuprofile']) {
    cpuRow(
      `.cpuprofile ${mib(name)}, random stacks: CPU / JSON.parse`,
      go('text-cpuprofile', name),
      go('json', name),
      1.5,
    );
  }
  // .cpuprofile made of a real profile repeated: text route, and the byte route past the limit.
  const json256 = go('json', 'fits.cpuprofile');
  cpuRow(
    `.cpuprofile ${mib('fits.cpuprofile')}, real profile repeated: CPU / JSON.parse`,
    go('text-cpuprofile', 'fits.cpuprofile'),
    json256,
    1.5,
  );
  if (scale === 1 && size('big.cpuprofile') <= MAX_STRING_LENGTH)
    throw new Error('big.cpuprofile does not exceed the string limit');
  cpuRow(
    `.cpuprofile ${mib('big.cpuprofile')}, byte route: CPU / JSON.parse (per byte, 256 MiB)`,
    go('large', 'big.cpuprofile'),
    json256,
    1.5,
    size('big.cpuprofile'),
    size('fits.cpuprofile'),
  );

  // callgrind: both routes against a minimal line parser; memory against the file size.
  const cgMin = go('callgrind-min', 'big.callgrind');
  const cgText = go('text-callgrind', 'big.callgrind');
  const cgBytes = go('large', 'big.callgrind');
  cpuRow(
    `callgrind ${mib('big.callgrind')}, text route: CPU / minimal line parser`,
    cgText,
    cgMin,
    1.3,
  );
  cpuRow(
    `callgrind ${mib('big.callgrind')}, byte route: CPU / minimal line parser`,
    cgBytes,
    cgMin,
    1.3,
  );
  memoryRow(
    `callgrind ${mib('big.callgrind')}, text route: peak memory / file size`,
    cgText,
    size('big.callgrind'),
    1.5,
    cgMin,
  );
  memoryRow(
    `callgrind ${mib('big.callgrind')}, byte route: peak memory / file size`,
    cgBytes,
    size('big.callgrind'),
    1.5,
  );

  // Collapsed stacks against split and count.
  const count = go('collapsed-count', 'big.folded');
  cpuRow(
    `collapsed ${mib('big.folded')}, text route: CPU / split and count`,
    go('text-collapsed', 'big.folded'),
    count,
    1.5,
  );
  cpuRow(
    `collapsed ${mib('big.folded')}, byte route: CPU / split and count`,
    go('large', 'big.folded'),
    count,
    1.5,
  );

  // For information: speedscope and pprof against their parsers.
  const ssJson = go('json', 'big.speedscope.json');
  cpuRow(
    `speedscope ${mib('big.speedscope.json')}, text route: CPU / JSON.parse`,
    go('text-speedscope', 'big.speedscope.json'),
    ssJson,
  );
  cpuRow(
    `speedscope ${mib('big.speedscope.json')}, byte route: CPU / JSON.parse`,
    go('large', 'big.speedscope.json'),
    ssJson,
  );
  if (existsSync(file('big.pb.gz'))) {
    const raw = gunzipSync(readFileSync(file('big.pb.gz'))).length;
    cpuRow(
      `pprof ${Math.round(raw / MiB)} MiB (${mib('big.pb.gz')} gzip): CPU / gunzip + decode`,
      go('pprof', 'big.pb.gz'),
      go('pprof-decode', 'big.pb.gz'),
    );
  }

  console.log(`Large files, median of ${runs} runs each:`);
  for (const l of lines) console.log(l);
  return rows;
}

/** perf script against perf report on the same recording, and against a bare split and count. */
function perfScriptRows(dir, runs, go, cpuRow) {
  const text = join(dir, 'big.perf');
  const mib = `${Math.round(statSync(text).size / MiB)} MiB`;
  const ours = go('text-perf-script', 'big.perf', text);
  const py = python();
  const report = py
    ? measurePerfReport(py.path, join(dir, 'perf.data'), runs)
    : { error: 'no Python to time perf report' };
  if (isSmoke() && report.error) throw new Error(report.error);
  // For information: perf report reads perf's binary records, this the text perf script made
  // of them (which perf script itself takes time to write).
  cpuRow(`perf script ${mib}, text route: CPU / perf report on its perf.data`, ours, report);
  cpuRow(
    `perf script ${mib}, text route: CPU / split into stacks and count`,
    ours,
    go('perf-script-count', 'big.perf', text),
    1.5,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const option = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  run({ runs: option('--runs'), scale: option('--scale'), only })
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
