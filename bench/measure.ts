// One benchmark measurement, run in a child process by bench/run.mjs (bundled to
// .bench/build/measure.cjs first). Prints one JSON object on its last line of stdout.
//
//   measure.cjs model-time <profile> <runs>       JSON.parse vs importCpuprofile, alternating
//   measure.cjs model-memory <profile> <import|parse>   peak RSS of reading + building, one shot
//   measure.cjs sourcemap <bundle> <profile> <runs>     bare trace-mapping vs our resolution
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Profile } from '../src/core/profile';
import { importCpuprofile } from '../src/formats/cpuprofile';
import { SourceMapLoader } from '../src/sourcemaps/loader';
import { remapProfile, type SourceMapHost } from '../src/sourcemaps/remap';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function now(): number {
  return performance.now();
}

/** Keeps results alive until measured, so the optimiser cannot drop the work. */
export let sink: unknown;

function modelTime(file: string, runs: number) {
  const read: number[] = [];
  const parse: number[] = [];
  const build: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    let t = now();
    const text = readFileSync(file, 'utf8');
    read.push(now() - t);
    // Alternate which goes first, so neither always runs on a warmer (or fuller) heap.
    const order = i % 2 ? ['build', 'parse'] : ['parse', 'build'];
    for (const what of order) {
      sink = undefined;
      gc();
      t = now();
      sink = what === 'parse' ? JSON.parse(text) : importCpuprofile(text, { sourceFile: file });
      (what === 'parse' ? parse : build).push(now() - t);
    }
    sink = undefined;
  }
  return {
    runs,
    readMs: median(read),
    parseMs: median(parse),
    importMs: median(build),
    all: { read, parse, build },
  };
}

function modelMemory(file: string, mode: string) {
  gc();
  const before = process.memoryUsage().rss;
  const text = readFileSync(file, 'utf8');
  const result: unknown =
    mode === 'parse' ? JSON.parse(text) : importCpuprofile(text, { sourceFile: file });
  const peak = process.resourceUsage().maxRSS * 1024;
  gc();
  const retained = process.memoryUsage().rss - before;
  sink = result;
  const profile = result as Profile;
  return {
    mode,
    rssBefore: before,
    peakDelta: peak - before,
    retainedDelta: retained,
    nodes: mode === 'import' ? profile.tree.size : undefined,
    samples: mode === 'import' ? profile.samples?.count : undefined,
  };
}

const diskHost: SourceMapHost = {
  async readFile(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

async function sourcemap(bundle: string, profileFile: string, runs: number) {
  const profile = importCpuprofile(readFileSync(profileFile, 'utf8'));
  // Every unique frame of the bundle, in position order (both sides look up the same list).
  const positions = profile.frames
    .filter((f) => f.file === bundle && f.line1 !== null)
    .map((f) => ({ line1: f.line1!, col1: f.col1 }))
    .sort((a, b) => a.line1 - b.line1 || (a.col1 ?? 0) - (b.col1 ?? 0));
  const mapFile = `${bundle}.map`;
  const mapUrl = pathToFileURL(mapFile).href;

  const bare = async () => {
    const m = new TraceMap(await readFile(mapFile, 'utf8'), mapUrl);
    let found = 0;
    for (const p of positions) {
      if (originalPositionFor(m, { line: p.line1, column: (p.col1 ?? 1) - 1 }).source !== null)
        found++;
    }
    return found;
  };
  const resolver = async () => {
    const map = await new SourceMapLoader(diskHost).load(bundle);
    let found = 0;
    for (const p of positions) if (map?.originalPosition(p.line1, p.col1)) found++;
    return found;
  };
  const remap = async () => {
    const out = await remapProfile(profile, diskHost);
    return out.frames.filter((f) => f.file !== bundle).length;
  };

  // Outside the timing: do both sides give the same answers? (Ours also answers where bare
  // trace-mapping finds nothing before the column, from the first mapping after it.)
  const check = new TraceMap(await readFile(mapFile, 'utf8'), mapUrl);
  const ours = await new SourceMapLoader(diskHost).load(bundle);
  let disagree = 0;
  for (const p of positions) {
    const b = originalPositionFor(check, { line: p.line1, column: (p.col1 ?? 1) - 1 });
    const o = ours?.originalPosition(p.line1, p.col1);
    if (
      b.source !== null &&
      (!o ||
        o.line1 !== b.line ||
        o.col1 !== b.column + 1 ||
        pathToFileURL(o.source).href !== b.source)
    ) {
      disagree++;
    }
  }

  const times: Record<'bare' | 'resolver' | 'remap', number[]> = {
    bare: [],
    resolver: [],
    remap: [],
  };
  const found: Record<string, number> = {};
  const kinds = ['bare', 'resolver', 'remap'] as const;
  for (let i = 0; i < runs; i++) {
    // Rotate the order each run.
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(i + k) % kinds.length];
      gc();
      const t = now();
      const n = await (kind === 'bare' ? bare() : kind === 'resolver' ? resolver() : remap());
      times[kind].push(now() - t);
      found[kind] = n;
    }
  }
  return {
    runs,
    uniqueFrames: positions.length,
    mapped: found,
    disagree,
    bareMs: median(times.bare),
    resolverMs: median(times.resolver),
    remapMs: median(times.remap),
    all: times,
  };
}

async function main(): Promise<void> {
  const [task, ...args] = process.argv.slice(2);
  let result: unknown;
  if (task === 'model-time') result = modelTime(args[0], Number(args[1] ?? 5));
  else if (task === 'model-memory') result = modelMemory(args[0], args[1] ?? 'import');
  else if (task === 'sourcemap') result = await sourcemap(args[0], args[1], Number(args[2] ?? 7));
  else throw new Error(`unknown task ${task}`);
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
