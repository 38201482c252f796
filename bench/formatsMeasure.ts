// One measurement of bench/formats.mjs, run in a fresh Node (bundled to
// .bench/build/formatsMeasure.cjs first). Prints one JSON object on its last line of stdout:
// {times: wall ms per run, cpu: CPU ms per run (user + system, every thread of the process, GC
// included), peakGrowthMB, maxRssMB, detail}. The file is read once before timing; every run
// starts from its bytes (a fresh copy for pprof, whose importer caches by identity).
// `peakGrowthMB` is the peak RSS of the first (cold) run less the RSS before it, the file's bytes
// already in memory: what the work itself needs.
//
//   formatsMeasure.cjs <mode> <file> <runs>
//
// modes: large (importLargeProfile with the threshold at 0: the byte route), detect
// (importProfileFile, the route the editor takes), text-<format> (decode + that format's text
// importer), json (bare decode + JSON.parse), json-bytes (parseJsonBytes alone), lines (bare
// decode + split('\n')), callgrind-min (a minimal callgrind reader: decode, split into lines,
// split cost lines into fields, self cost per `fn=` name), collapsed-count (split and count:
// decode, split into lines, count per stack in a Map), perf-script-count (the same for perf
// script: decode, split into lines, each sample's frames joined into a stack, count per stack,
// as stackcollapse-perf.pl does), pstats (importPstats), pstats-file
// (reading the file and importPstats, measured like Python's pstats.Stats(path)), pprof
// (importPprof), pprof-decode (bare gunzip + pprof-format's Profile.decode).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile as PprofProfile } from 'pprof-format';
import type { Profile } from '../src/core/profile';
import { importCallgrind } from '../src/formats/callgrind';
import { importCollapsed } from '../src/formats/collapsed';
import { importCpuprofile } from '../src/formats/cpuprofile';
import { importPerfScript } from '../src/formats/perfScript';
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
const read = () => new Uint8Array(readFileSync(file));
// pstats-file reads the file inside the timed work, as Python's pstats.Stats(path) does.
const bytes = mode === 'pstats-file' ? new Uint8Array(0) : read();
const decode = () => new TextDecoder().decode(bytes);

/**
 * The baseline for callgrind: what a short script reading callgrind would do. Self cost per
 * function name as written (no name compression, no positions, no calls, no files), the first
 * event only (parseInt stops at the blank after it); the cost line after `calls=` is an
 * inclusive cost and is skipped.
 */
function callgrindMinimal(): Map<string, number> {
  const self = new Map<string, number>();
  let fn = '';
  let cost = 0;
  let skip = false;
  for (const line of decode().split('\n')) {
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      if (skip) skip = false;
      else cost += parseInt(line.slice(line.indexOf(' ') + 1), 10);
    } else if (line.startsWith('fn=')) {
      self.set(fn, (self.get(fn) ?? 0) + cost);
      fn = line.slice(3);
      cost = 0;
    } else if (line.startsWith('calls=')) skip = true;
  }
  self.set(fn, (self.get(fn) ?? 0) + cost);
  return self;
}

/** The baseline for collapsed stacks: count per distinct stack, as a flame graph script does. */
function collapsedCount(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of decode().split('\n')) {
    const gap = line.lastIndexOf(' ');
    if (gap <= 0) continue;
    const stack = line.slice(0, gap);
    counts.set(stack, (counts.get(stack) ?? 0) + Number(line.slice(gap + 1)));
  }
  return counts;
}

/**
 * The baseline for perf script: each sample's stack (the symbols of its frame lines, the text
 * between the address and the offset) joined and counted per stack, as stackcollapse-perf.pl
 * does; the period is not read (a bare split, not an importer).
 */
function perfScriptCount(): Map<string, number> {
  const counts = new Map<string, number>();
  let stack: string[] = [];
  const flush = () => {
    if (stack.length === 0) return;
    const key = stack.reverse().join(';');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    stack = [];
  };
  for (const line of decode().split('\n')) {
    if (line.charCodeAt(0) === 9) {
      const t = line.trimStart();
      const space = t.indexOf(' ');
      const plus = t.indexOf('+', space);
      stack.push(t.slice(space + 1, plus > 0 ? plus : t.indexOf(' (', space)));
    } else if (line === '') flush();
  }
  flush();
  return counts;
}

const work: Record<string, () => unknown> = {
  large: () => importLargeProfile(name, bytes, { threshold: 0 }),
  detect: () => importProfileFile(name, bytes),
  'text-cpuprofile': () => importCpuprofile(decode(), { sourceFile: name }),
  'text-callgrind': () => importCallgrind(decode(), { sourceFile: name }),
  'text-collapsed': () => importCollapsed(decode(), { sourceFile: name }),
  'text-speedscope': () => importSpeedscope(decode(), { sourceFile: name }),
  'text-perf-script': () => importPerfScript(decode(), { sourceFile: name }),
  json: () => JSON.parse(decode()),
  'json-bytes': () => parseJsonBytes(bytes),
  lines: () => decode().split('\n').length,
  'callgrind-min': callgrindMinimal,
  'collapsed-count': collapsedCount,
  'perf-script-count': perfScriptCount,
  pstats: () => importPstats(bytes, { sourceFile: name }),
  'pstats-file': () => importPstats(read(), { sourceFile: name }),
  pprof: () => importPprof(bytes.slice(), { sourceFile: name }),
  'pprof-decode': () => PprofProfile.decode(gunzipSync(bytes)),
};

const run = work[mode];
if (!run) throw new Error(`unknown mode ${mode}`);
const times: number[] = [];
const cpu: number[] = [];
let peakGrowthMB = 0;
let detail: Record<string, number> = {};
for (let i = 0; i < runs; i++) {
  sink = undefined;
  gc();
  const rssBefore = process.memoryUsage().rss;
  const c = process.cpuUsage();
  const t = performance.now();
  sink = run();
  times.push(performance.now() - t);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  if (i === 0) peakGrowthMB = (process.resourceUsage().maxRSS * 1024 - rssBefore) / 1048576;
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
console.log(
  JSON.stringify({
    times,
    cpu,
    peakGrowthMB,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    detail,
  }),
);
