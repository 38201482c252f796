/**
 * Writes a profile as a Python pstats file: `marshal.dump` of
 * `{(file, line, name): (cc, nc, tt, ct, {caller_key: (nc, cc, tt, ct)})}`
 * (docs/FORMATS.md, "Python pstats"), which `python -m pstats`, `pstats.Stats` and snakeviz read,
 * and so does our own importer (pstats.ts).
 *
 * - The figures are those of exportGraph.ts: a call graph exactly as the model holds it
 *   (cc = primitive calls, nc = calls, tt = self, ct = total, per function and per edge), or the
 *   graph a sampled profile's tree implies. Fields are in cProfile's order (primitive calls
 *   first), also for profiles yappi wrote, whose own files swap them.
 * - Times are seconds: other time units are converted (a multiplication, exact to a rounding of
 *   the last bit); weights in samples, bytes or no unit are written as they are, since the
 *   format has no unit of its own.
 * - Keys: a frame without a file becomes cProfile's built-in key `('~', 0, name)` (with its line
 *   when it has one); a frame without a line gets line 0. Frames with the same key are one
 *   function (see exportGraph.ts).
 * - Counts are Python ints, times floats: pstats prints `nc/cc` from ints.
 */
import type { Profile } from '../core/profile';
import { exportGraph } from './exportGraph';
import { timeFactor } from './exportUnits';
import { MarshalOutDict, writeMarshal, type MarshalOut } from './marshalWrite';

function count(n: number): bigint {
  return BigInt(Math.max(0, Math.round(Number.isFinite(n) ? n : 0)));
}

function time(t: number, scale: number): number {
  // Python's pstats adds these up and divides by them: no NaN or negative zero on the way.
  return Number.isFinite(t) && t > 0 ? t * scale : 0;
}

/** The pstats file of `profile` (marshal bytes; see the file comment). */
export function exportPstats(profile: Profile): Uint8Array {
  const graph = exportGraph(profile);
  const scale = timeFactor(profile.meta.unit, 'seconds') ?? 1;
  // One key tuple per function, shared by identity so that marshal writes it once and refers
  // to it from every caller entry.
  const keys: MarshalOut[][] = graph.functions.map((f) => [
    f.file ?? '~',
    BigInt(f.line1 ?? 0),
    f.name,
  ]);
  const callers = graph.functions.map(() => new MarshalOutDict());
  for (const e of graph.edges) {
    callers[e.callee].entries.push([
      keys[e.caller],
      [count(e.calls), count(e.primitiveCalls), time(e.self, scale), time(e.total, scale)],
    ]);
  }
  const top = new MarshalOutDict(
    graph.functions.map((f, i) => [
      keys[i],
      [
        count(f.primitiveCalls),
        count(f.calls),
        time(f.self, scale),
        time(f.total, scale),
        callers[i],
      ],
    ]),
  );
  return writeMarshal(top);
}
