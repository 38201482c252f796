// One measurement of bench/formats.mjs, run in a fresh Node (bundled to
// .bench/build/formatsMeasure.cjs first). Prints one JSON object on its last line of stdout:
// {times: ms per run, maxRssMB, detail}. The file is read once before timing; every run starts
// from its bytes (a fresh copy for pprof, whose importer caches by identity).
//
//   formatsMeasure.cjs <mode> <file> <runs>
//
// modes: large (importLargeProfile with the threshold at 0: the byte route), detect
// (importProfileFile, the route the editor takes), text-<format> (decode + that format's text
// importer), json (bare decode + JSON.parse), json-bytes (parseJsonBytes alone), lines (bare
// decode + split('\n')), pstats (importPstats), pprof (importPprof), pprof-decode (bare gunzip +
// pprof-format's Profile.decode).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile as PprofProfile } from 'pprof-format';
import type { Profile } from '../src/core/profile';
import { importCallgrind } from '../src/formats/callgrind';
import { importCollapsed } from '../src/formats/collapsed';
import { importCpuprofile } from '../src/formats/cpuprofile';
import { importProfileFile } from '../src/formats/detect';
import { parseJsonBytes } from '../src/formats/jsonBytes';
import { importLargeProfile } from '../src/formats/large';
import { importPprof } from '../src/formats/pprof';
import { importPstats } from '../src/formats/pstats';
import { importSpeedscope } from '../src/formats/speedscope';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Keeps results alive until measured, so the optimiser cannot drop the work. */
export let sink: unknown;

const [mode, file, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 3);
const name = basename(file);
const bytes = new Uint8Array(readFileSync(file));
const decode = () => new TextDecoder().decode(bytes);

const work: Record<string, () => unknown> = {
  large: () => importLargeProfile(name, bytes, { threshold: 0 }),
  detect: () => importProfileFile(name, bytes),
  'text-cpuprofile': () => importCpuprofile(decode(), { sourceFile: name }),
  'text-callgrind': () => importCallgrind(decode(), { sourceFile: name }),
  'text-collapsed': () => importCollapsed(decode(), { sourceFile: name }),
  'text-speedscope': () => importSpeedscope(decode(), { sourceFile: name }),
  json: () => JSON.parse(decode()),
  'json-bytes': () => parseJsonBytes(bytes),
  lines: () => decode().split('\n').length,
  pstats: () => importPstats(bytes, { sourceFile: name }),
  pprof: () => importPprof(bytes.slice(), { sourceFile: name }),
  'pprof-decode': () => PprofProfile.decode(gunzipSync(bytes)),
};

const run = work[mode];
if (!run) throw new Error(`unknown mode ${mode}`);
const times: number[] = [];
let detail: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  sink = undefined;
  gc();
  const t = performance.now();
  sink = run();
  times.push(performance.now() - t);
  const p = sink as Profile | undefined;
  if (p && typeof p === 'object' && 'tree' in p) {
    detail = {
      nodes: p.tree.size,
      frames: p.frames.length,
      samples: p.samples?.count ?? 0,
      functions: p.callGraph?.functions.length ?? 0,
    };
  }
}
sink = undefined;
console.log(JSON.stringify({ times, maxRssMB: process.resourceUsage().maxRSS / 1024, detail }));
