/**
 * Which function of one run is which function of the other (diff.ts), and what a function that
 * only one run sampled as itself weighed in the other. Pure.
 *
 * Frame ids are local to a profile, so nothing here matches by id. Functions match by (name,
 * file), the definition line breaking ties only (an edit between the runs moves functions down
 * the file, and that must not make them look new).
 *
 * A function can have a frame in one run and none in the other although it ran in both: V8
 * inlines a small hot function into its caller when it optimises the caller, and whether it did
 * differs from run to run (primes.js's isPrime is its own frame in one run and part of
 * countPrimes in the next). Its time is then sampled on its own lines, in the caller's frame. So
 * the lines a run attributes to the function's frame are its lines, and the other run's weight
 * on those lines, in whatever frame, is the function's weight in that run: it moves from the
 * hosts' self weight to the function (self and total alike: what it called was inlined too, or
 * is a frame of its own that the host's total keeps), and the function is marked as inlined
 * there instead of "appeared" or "vanished".
 */
import type { FunctionStat } from './functionStats';
import { profileTotal, type Profile } from './profile';

/** A function's weights in one run, in that run's unit (unscaled). */
export interface SideWeights {
  readonly self: number;
  readonly total: number;
}

/** One function of either run, matched. */
export interface MatchedFunction {
  readonly before?: FunctionStat;
  readonly after?: FunctionStat;
  /** Weights per side (adjusted for inlining), undefined where the run did not sample it. */
  readonly beforeWeights?: SideWeights;
  readonly afterWeights?: SideWeights;
  /** The runs in which some of the function ran inlined into other functions' frames. */
  readonly inlined: 'before' | 'after' | 'both' | null;
}

/** Past this many candidate pairs in one (name, file) group, match by line order instead. */
const MAX_PAIRS = 250_000;

/**
 * Pairs the functions of two runs. Within a (name, file) group a single function on each side is
 * the same function wherever it moved; several (anonymous functions of one file, say) pair by the
 * nearest definition line, then column, closest pairs first.
 */
export function matchFunctions(
  before: readonly FunctionStat[],
  after: readonly FunctionStat[],
): {
  pairs: [FunctionStat | undefined, FunctionStat | undefined][];
  beforeToAfterFrame: Map<number, number>;
} {
  const key = (s: FunctionStat): string => `${s.frame.name}\u0000${s.frame.file ?? ''}`;
  const groups = new Map<string, { b: FunctionStat[]; a: FunctionStat[] }>();
  const group = (k: string) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { b: [], a: [] }));
    return g;
  };
  for (const s of before) group(key(s)).b.push(s);
  for (const s of after) group(key(s)).a.push(s);
  const pairs: [FunctionStat | undefined, FunctionStat | undefined][] = [];
  const beforeToAfterFrame = new Map<number, number>();
  const pair = (b: FunctionStat | undefined, a: FunctionStat | undefined): void => {
    pairs.push([b, a]);
    if (a && b) beforeToAfterFrame.set(b.frameId, a.frameId);
  };
  for (const { b, a } of groups.values()) {
    if (b.length === 1 && a.length === 1) {
      pair(b[0], a[0]);
      continue;
    }
    const line = (s: FunctionStat): number => s.frame.line1 ?? 0;
    const col = (s: FunctionStat): number => s.frame.col1 ?? 0;
    const usedB = new Uint8Array(b.length);
    const usedA = new Uint8Array(a.length);
    if (b.length * a.length <= MAX_PAIRS) {
      const candidates: [number, number, number, number][] = [];
      for (let i = 0; i < b.length; i++) {
        for (let j = 0; j < a.length; j++) {
          candidates.push([
            Math.abs(line(b[i]) - line(a[j])),
            Math.abs(col(b[i]) - col(a[j])),
            i,
            j,
          ]);
        }
      }
      candidates.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3]);
      for (const [, , i, j] of candidates) {
        if (usedB[i] || usedA[j]) continue;
        usedB[i] = usedA[j] = 1;
        pair(b[i], a[j]);
      }
    } else {
      // Thousands of same-named functions in one file: pair them in line order.
      const byLine = (x: FunctionStat, y: FunctionStat) => line(x) - line(y) || col(x) - col(y);
      const sb = [...b.keys()].sort((x, y) => byLine(b[x], b[y]));
      const sa = [...a.keys()].sort((x, y) => byLine(a[x], a[y]));
      for (let k = 0; k < Math.min(sb.length, sa.length); k++) {
        usedB[sb[k]] = usedA[sa[k]] = 1;
        pair(b[sb[k]], a[sa[k]]);
      }
    }
    for (let i = 0; i < b.length; i++) if (!usedB[i]) pair(b[i], undefined);
    for (let j = 0; j < a.length; j++) if (!usedA[j]) pair(undefined, a[j]);
  }
  return { pairs, beforeToAfterFrame };
}

/** Maps a before line to the after run's numbering (null: the line did not survive the edit). */
export type LineMapper = (file: string, line1: number) => number | null;

/** The lines (after numbering) a matched function's own frame has weight on, in either run. */
interface Claim {
  readonly pair: number;
  /** Definition line, after numbering (the function's header: nothing of it was inlined). */
  readonly def: number;
}

/**
 * The pairs with each run's weights, every function's lines given to it by source position in
 * both runs (see the module comment): a line a function's own frame has weight on, in either
 * run, belongs to that function, unless a function defined further down (nested in it) claims
 * it too. A host frame's weight on a line that belongs to another function moves to that one.
 */
export function reconcileInlined(
  pairs: readonly [FunctionStat | undefined, FunctionStat | undefined][],
  before: Profile,
  after: Profile,
  mapBeforeLine: LineMapper,
): MatchedFunction[] {
  const same: LineMapper = (_file, line1) => line1;
  const sides = [
    { profile: before, map: mapBeforeLine, of: (p: (typeof pairs)[number]) => p[0] },
    { profile: after, map: same, of: (p: (typeof pairs)[number]) => p[1] },
  ];
  // Which pair each frame of each run is, and where each pair is defined (after numbering).
  const pairOf = sides.map(({ profile }) => new Int32Array(profile.frames.length).fill(-1));
  const def = new Float64Array(pairs.length).fill(NaN);
  pairs.forEach((p, k) => {
    sides.forEach((side, s) => {
      const stat = side.of(p);
      if (!stat) return;
      pairOf[s][stat.frameId] = k;
      const line1 = stat.frame.file !== null ? stat.frame.line1 : null;
      const mapped = line1 !== null ? side.map(stat.frame.file!, line1) : null;
      if (mapped !== null && (s === 1 || Number.isNaN(def[k]))) def[k] = mapped;
    });
  });
  const cells = sides.map((side, s) => lineCells(side.profile, side.map, pairOf[s]));
  // Claims: file -> line -> the pairs whose own frame has weight there, in either run.
  const claims = new Map<string, Map<number, Claim[]>>();
  for (const list of cells) {
    for (const c of list) {
      if (c.pair < 0 || Number.isNaN(def[c.pair])) continue;
      let byLine = claims.get(c.file);
      if (!byLine) claims.set(c.file, (byLine = new Map()));
      let claimed = byLine.get(c.line1);
      if (!claimed) byLine.set(c.line1, (claimed = []));
      if (!claimed.some((x) => x.pair === c.pair)) claimed.push({ pair: c.pair, def: def[c.pair] });
    }
  }
  const weights = sides.map((side) =>
    pairs.map((p) => {
      const stat = side.of(p);
      return stat ? { self: stat.self, total: stat.total, moved: 0 } : undefined;
    }),
  );
  cells.forEach((list, s) => {
    const w = weights[s];
    for (const c of list) {
      const owner = ownerOf(c, claims.get(c.file)?.get(c.line1), def);
      if (owner < 0 || owner === c.pair) continue;
      const from = c.pair >= 0 ? w[c.pair] : undefined;
      // Never more than the host has: its self weight stays >= 0.
      const take = from ? Math.min(c.self, from.self) : 0;
      if (!(take > 0)) continue;
      from!.self -= take;
      const to = (w[owner] ??= { self: 0, total: 0, moved: 0 });
      to.self += take;
      to.total += take;
      to.moved += take;
    }
  });
  const totals = sides.map((side) => profileTotal(side.profile));
  return pairs.map(([b, a], k) => {
    const [wb, wa] = [weights[0][k], weights[1][k]];
    const side = (w: typeof wb, s: number): SideWeights | undefined =>
      w ? { self: w.self, total: Math.min(w.total, totals[s]) } : undefined;
    const inB = !!wb && wb.moved > 0;
    const inA = !!wa && wa.moved > 0;
    return {
      before: b,
      after: a,
      beforeWeights: side(wb, 0),
      afterWeights: side(wa, 1),
      inlined: inB && inA ? 'both' : inB ? 'before' : inA ? 'after' : null,
    };
  });
}

/**
 * The pair a cell's weight belongs to: among the functions that claim its line and are defined
 * above it, the innermost (defined furthest down); the cell's own function keeps it when it is
 * that one or when nothing else claims the line.
 */
function ownerOf(cell: LineCell, claimed: readonly Claim[] | undefined, def: Float64Array): number {
  if (!claimed) return cell.pair;
  const own = cell.pair >= 0 && cell.file === cell.frameFile ? def[cell.pair] : NaN;
  let owner = cell.pair;
  let best = own <= cell.line1 ? own : -Infinity;
  for (const c of claimed) {
    if (c.pair === cell.pair || !(c.def < cell.line1) || !(c.def > best)) continue;
    owner = c.pair;
    best = c.def;
  }
  return owner;
}

interface LineCell {
  readonly file: string;
  readonly line1: number;
  /** The matched function of the cell's frame (-1 when none). */
  readonly pair: number;
  /** The file of the cell's frame (the cell's file when the frame's own code ran there). */
  readonly frameFile: string | null;
  readonly self: number;
}

/** A run's line table cells, lines mapped to the after numbering. */
function lineCells(profile: Profile, mapLine: LineMapper, pairOf: Int32Array): LineCell[] {
  const out: LineCell[] = [];
  const { lines, frames } = profile;
  for (let c = 0; c < lines.count; c++) {
    if (!(lines.self[c] > 0)) continue;
    const file = lines.files[lines.file[c]];
    const line1 = mapLine(file, lines.line1[c]);
    if (line1 === null) continue;
    const frame = lines.frame[c];
    out.push({
      file,
      line1,
      pair: frame >= 0 && frame < pairOf.length ? pairOf[frame] : -1,
      frameFile: frames[frame]?.file ?? null,
      self: lines.self[c],
    });
  }
  return out;
}
