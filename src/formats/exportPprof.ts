/**
 * Writes a profile as pprof (gzipped protocol buffers, profile.proto): what `go tool pprof`,
 * Google Cloud Profiler, Pyroscope and our importer (pprof.ts) read.
 *
 * - One sample type, in the profile's unit: time as `cpu` or `wall` in `nanoseconds`, bytes as
 *   `space`/`bytes`, sample counts as `samples`/`count`, other weights as `weight`/`count`.
 *   pprof values are whole numbers: weights are scaled to one (nanoseconds for time, ×1000s for
 *   fractional counts; exportUnits.ts) and rounded as a running sum, so they add up to the
 *   profile's total rounded once, as the collapsed export does.
 * - One sample per call-tree node with self weight, its stack leaf first as pprof orders it; one
 *   location and one function per frame (name, file, start line). The figures are per function:
 *   the format could hold lines too, but the tree does not say which line each node's weight
 *   was on.
 * - A profile of no samples is written as one (`go tool pprof` reads it as a total of 0).
 * - A profile from a call graph (pstats, callgrind) is written as its tree, an approximation of
 *   the graph; a pprof file has no call counts.
 */
import { gzipSync } from 'node:zlib';
import {
  Function as PprofFunction,
  Line,
  Location,
  Profile as PprofProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import type { Profile } from '../core/profile';
import { ExportRangeError, MAX_EXACT, integerScale, timeFactor } from './exportUnits';

/** The sample type and the scale from the profile's weights to its whole-number values. */
export function pprofValueType(profile: Profile): { type: string; unit: string; scale: number } {
  const { unit } = profile.meta;
  const ns = timeFactor(unit, 'nanoseconds');
  // pprof names the clock by the sample type: `cpu`, or `wall` (as fgprof and Pyroscope write).
  if (ns !== null) {
    const type = profile.meta.clock === 'wall' ? 'wall' : 'cpu';
    return { type, unit: 'nanoseconds', scale: ns };
  }
  const selfs = (function* () {
    for (let i = 1; i < profile.tree.size; i++) yield profile.tree.self[i];
  })();
  const scale = integerScale(selfs);
  if (unit === 'bytes') return { type: 'space', unit: 'bytes', scale };
  if (unit === 'samples') return { type: 'samples', unit: 'count', scale };
  return { type: 'weight', unit: 'count', scale };
}

/** The pprof file of `profile`, gzipped (see the file comment). */
export function exportPprof(profile: Profile): Uint8Array {
  const { tree, frames, meta } = profile;
  const strings = new StringTable();
  const { type, unit, scale } = pprofValueType(profile);
  const functions = frames.map(
    (f, i) =>
      new PprofFunction({
        id: i + 1,
        name: strings.dedup(f.name),
        systemName: strings.dedup(f.name),
        filename: strings.dedup(f.file ?? ''),
        startLine: f.line1 ?? 0,
      }),
  );
  const locations = frames.map(
    (f, i) =>
      new Location({ id: i + 1, line: [new Line({ functionId: i + 1, line: f.line1 ?? 0 })] }),
  );
  const samples: Sample[] = [];
  let running = 0;
  let previous = 0;
  const stack: number[] = [];
  for (let node = 1; node < tree.size; node++) {
    const self = tree.self[node];
    if (!(self > 0)) continue;
    running += self * scale;
    const now = Math.round(running);
    if (now > MAX_EXACT) throw new ExportRangeError('pprof', `a value of ${now}`);
    if (now <= previous) continue;
    stack.length = 0;
    for (let n = node; n > 0; n = tree.parent[n]) stack.push(tree.frame[n] + 1);
    samples.push(new Sample({ locationId: [...stack], value: [now - previous] }));
    previous = now;
  }
  const durationNs =
    meta.duration !== undefined && timeFactor(meta.unit, 'nanoseconds') !== null
      ? Math.round(meta.duration * (timeFactor(meta.unit, 'nanoseconds') as number))
      : undefined;
  const out = new PprofProfile({
    sampleType: [new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) })],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: meta.startEpochMs !== undefined ? Math.round(meta.startEpochMs * 1e6) : undefined,
    durationNanos: durationNs !== undefined && durationNs <= MAX_EXACT ? durationNs : undefined,
    periodType:
      meta.intervalUs !== undefined
        ? new ValueType({ type: strings.dedup(type), unit: strings.dedup('nanoseconds') })
        : undefined,
    period: meta.intervalUs !== undefined ? Math.round(meta.intervalUs * 1000) : undefined,
  });
  return gzipSync(out.encode());
}
