/**
 * Heatlens' call graph (src/core/functionGraph.ts, graphPrune.ts) against gprof2dot's reading of
 * the same file at the same thresholds: the same functions shown, the same total and self
 * percentages (gprof2dot prints two decimals), the same call counts on nodes and edges, and the
 * same share on edges. What the two readers do differently by design is folded or left out, and
 * said in the result:
 *
 * - pstats edges: gprof2dot labels an edge with the caller tuple's primitive calls (`cc`); the
 *   model keeps both, compared as `primitiveCalls`.
 * - valgrind's recursion levels (`fib'2`): gprof2dot draws each level as a function, Heatlens
 *   merges them into the function they repeat (total of the outermost level, self and calls
 *   summed, the calls between levels a self-call). gprof2dot's levels are folded the same way
 *   before comparing; the folded self-call has no share in gprof2dot's graph.
 *   gprof2dot leaves out the levels under its thresholds, so a folded function's self time and
 *   calls, and a folded edge's calls, are at least gprof2dot's (its total is the outermost
 *   level's, always shown).
 * - callgrind functions of one name in several files or objects (valgrind's two `(below main)`):
 *   gprof2dot keys a callgrind function by its name alone ("module and filename are not being
 *   tracked reliably", its parser says), Heatlens by object, file and name; such names are left
 *   out of the comparison.
 * - Denominators: gprof2dot divides self time by the sum of self times, and a pstats total by
 *   the whole (the larger of that sum and the largest total), a callgrind total by the sum of
 *   self costs; Heatlens divides both by the whole. The comparison takes Heatlens' times with
 *   gprof2dot's denominators (they differ where a total passes the sum of self times: cProfile's
 *   own overhead, yappi's clock).
 * - callgrind cycles of several functions: gprof2dot spreads a cycle's time over its callers by
 *   call counts (gprof's estimate); Heatlens takes the inclusive cost of the cycle's outermost
 *   calls (callgrind_annotate's figure, tested in src/formats/callgrindRecursion.test.ts). Totals
 *   of cycle members and shares of edges into them are not compared for callgrind files.
 * - yappi's pstat files swap the first two counts; Python's pstats (which gprof2dot reads them
 *   with) takes yappi's non-recursive calls for all calls: gprof2dot's count is compared with
 *   `primitiveCalls`. yappi names built-ins `('builtins', 0, 'len')`, Heatlens `builtins.len`.
 */
import { functionGraph } from '../../src/core/functionGraph';
import { stronglyConnected } from '../../src/core/graphCycles';
import { pruneGraph, type ShownGraph } from '../../src/core/graphPrune';
import type { Frame, Profile } from '../../src/core/profile';
import { parseGprof2dot, type G2dNode } from './gprof2dot';

/** What differs; empty lists when the graphs agree. */
export interface Gprof2dotComparison {
  /** Functions gprof2dot shows and Heatlens does not, and the reverse. */
  readonly onlyGprof2dot: string[];
  readonly onlyHeatlens: string[];
  /** Figures that differ, one sentence each. */
  readonly differences: string[];
  /** How much was compared. */
  readonly nodes: number;
  readonly edges: number;
  /** Names left out (one name, several functions: see the module comment). */
  readonly skipped: string[];
}

/** A function gprof2dot shows, its recursion levels folded. */
interface Folded {
  key: string;
  total: number;
  self: number;
  calls: number | null;
  /** Folded from several levels, or has levels in the file. */
  levels: boolean;
  /** How many levels were summed. */
  count: number;
}

const level = (name: string): { base: string; depth: number } => {
  const m = /^(.*)'(\d+)$/.exec(name);
  return m ? { base: m[1], depth: Number(m[2]) } : { base: name, depth: 1 };
};

function pstatsKey(n: G2dNode): string {
  const m = /^.*?:(\d+):(.*)$/.exec(n.name);
  if (!m) throw new Error(`unexpected pstats name ${n.name}`);
  return `${n.tooltip ?? ''}:${m[1]}:${m[2]}`;
}

/** Keys a frame may have in gprof2dot's graph, for each kind of file. */
function frameKeys(f: Frame, kind: 'pstats' | 'callgrind'): string[] {
  if (kind === 'pstats') {
    const keys = [`${f.file ?? '~'}:${f.line1 ?? 0}:${f.name}`];
    // yappi's built-ins: ('builtins', 0, 'len') read as `builtins.len`, ('__builtin__', 0, '<m…>').
    const dotted = f.file === null ? /^([^.<]+)\.(.+)$/.exec(f.name) : null;
    if (dotted) keys.push(`${dotted[1]}:0:${dotted[2]}`);
    if (f.file === null) keys.push(`__builtin__:0:${f.name}`);
    return keys;
  }
  // valgrind: the name; yappi: "name file:line"; pyprof2calltree: "name:line" or the name.
  return [f.name, `${f.name} ${f.file}:${f.line1}`, `${f.name}:${f.line1}`];
}

/** gprof2dot's nodes by key, levels folded (see the module comment). */
function foldNodes(nodes: readonly G2dNode[], kind: 'pstats' | 'callgrind'): Map<string, Folded> {
  const out = new Map<string, Folded>();
  const sorted = [...nodes].sort((a, b) => level(a.name).depth - level(b.name).depth);
  for (const n of sorted) {
    const key = kind === 'pstats' ? pstatsKey(n) : level(n.id).base;
    const had = out.get(key);
    if (!had) {
      out.set(key, { key, total: n.total, self: n.self, calls: n.calls, levels: false, count: 1 });
      continue;
    }
    had.self = Math.round((had.self + n.self) * 100) / 100;
    had.calls = had.calls === null || n.calls === null ? null : had.calls + n.calls;
    had.levels = true;
    had.count++;
  }
  return out;
}

/** Two printed decimals each side, and the sum of folded levels' rounding. */
const close = (ours: number, theirs: number, slack = 0.0051): boolean =>
  Math.abs(ours - theirs) <= slack;

/** valgrind's recursion levels in a callgrind file: the names that have a `name'2`. */
function levelledNames(callgrindText: string): Set<string> {
  const out = new Set<string>();
  for (const m of callgrindText.matchAll(/^c?fn=(?:\(\d+\))? ?(.+)'\d+$/gm)) out.add(m[1]);
  return out;
}

/** Functions in a cycle of several functions, in the whole graph. */
function cyclicFrames(profile: Profile): Set<number> {
  const g = functionGraph(profile);
  const index = new Map(g.nodes.map((n, i) => [n.frameId, i]));
  const from = g.links.map((l) => index.get(l.caller)!);
  const to = g.links.map((l) => index.get(l.callee)!);
  const { component, size } = stronglyConnected(g.nodes.length, from, to);
  return new Set(g.nodes.filter((_, i) => size[component[i]] > 1).map((n) => n.frameId));
}

/**
 * Compares Heatlens' graph of `profile` with gprof2dot's DOT `dot` (default thresholds). For a
 * callgrind file, `text` is the file (its recursion levels).
 */
export function compareWithGprof2dot(
  profile: Profile,
  dot: string,
  kind: 'pstats' | 'callgrind',
  text = '',
): Gprof2dotComparison {
  const levelled = kind === 'callgrind' ? levelledNames(text) : new Set<string>();
  const cyclic = kind === 'callgrind' ? cyclicFrames(profile) : new Set<number>();
  const graph = functionGraph(profile);
  const shown: ShownGraph = pruneGraph(graph);
  let sumSelf = 0;
  for (const n of graph.nodes) sumSelf += n.self;
  const totalPct = (t: number) => (t / (kind === 'pstats' ? graph.total : sumSelf)) * 100;
  const selfPct = (t: number) => (t / sumSelf) * 100;
  const yappi = profile.meta.profiler === 'yappi' && kind === 'pstats';
  // Members of cycles of several functions (see the module comment).
  const members = new Map<number, number>();
  for (const n of shown.nodes) if (n.cycle) members.set(n.cycle, (members.get(n.cycle) ?? 0) + 1);
  const inBigCycle = (n: { cycle: number }) =>
    kind === 'callgrind' && n.cycle > 0 && members.get(n.cycle)! > 1;
  const g2d = parseGprof2dot(dot);
  const folded = foldNodes(g2d.nodes, kind);
  // Frame ids by key, and the keys several frames share (left out).
  const byKey = new Map<string, number>();
  const shared = new Set<string>();
  const all = functionGraph(profile).nodes;
  for (const n of all) {
    for (const key of frameKeys(profile.frames[n.frameId], kind)) {
      if (byKey.has(key) && byKey.get(key) !== n.frameId) shared.add(key);
      else byKey.set(key, n.frameId);
    }
  }
  const keyOfFrame = new Map<number, string>();
  for (const key of folded.keys()) {
    const frame = byKey.get(key);
    if (frame !== undefined && !shared.has(key)) keyOfFrame.set(frame, key);
  }
  // Functions next to a name gprof2dot merged: its figures for them mix several functions.
  const nearShared = new Set<number>();
  const sharedFrames = new Set(
    graph.nodes
      .filter((n) => frameKeys(profile.frames[n.frameId], kind).some((k) => shared.has(k)))
      .map((n) => n.frameId),
  );
  for (const l of graph.links) {
    if (sharedFrames.has(l.caller)) nearShared.add(l.callee);
    if (sharedFrames.has(l.callee)) nearShared.add(l.caller);
  }
  const skipped = [...folded.keys()].filter((k) => shared.has(k));
  // A function in a cycle, or next to a merged name, may cross the threshold on one side only.
  const excused = (frame: number | undefined, key: string): boolean => {
    if (frame === undefined || (!cyclic.has(frame) && !nearShared.has(frame))) return false;
    skipped.push(key);
    return true;
  };
  const shownFrames = new Set(shown.nodes.map((n) => n.frameId));
  const onlyGprof2dot = [...folded.keys()].filter(
    (k) => !shared.has(k) && !shownFrames.has(byKey.get(k)!) && !excused(byKey.get(k), k),
  );
  const onlyHeatlens: string[] = [];
  const differences: string[] = [];
  let nodes = 0;
  for (const n of shown.nodes) {
    const f = profile.frames[n.frameId];
    const key = keyOfFrame.get(n.frameId);
    if (key === undefined) {
      const name = frameKeys(f, kind)[0];
      if (!frameKeys(f, kind).some((k) => shared.has(k)) && !excused(n.frameId, name))
        onlyHeatlens.push(name);
      continue;
    }
    const theirs = folded.get(key)!;
    if (levelled.has(key)) theirs.levels = true;
    nodes++;
    const say = (what: string, a: unknown, b: unknown) =>
      differences.push(`${key}: ${what} ${String(a)} here, ${String(b)} in gprof2dot`);
    if (!inBigCycle(n) && !close(totalPct(n.total), theirs.total))
      say('total', totalPct(n.total), theirs.total);
    const self = selfPct(n.self);
    const calls = (yappi ? n.primitiveCalls : n.calls) ?? 0;
    if (theirs.levels) {
      // Levels under the thresholds are missing from gprof2dot's sums; each is rounded.
      if (self < theirs.self - 0.0051 * theirs.count)
        say('self (levels summed)', self, theirs.self);
      if (calls < (theirs.calls ?? 0)) say('calls (levels summed)', calls, theirs.calls);
      continue;
    }
    if (!close(self, theirs.self)) say('self', self, theirs.self);
    if (calls !== (theirs.calls ?? 0)) say('calls', calls, theirs.calls);
  }
  const edges = compareEdges(
    {
      shown,
      keyOfFrame,
      kind,
      differences,
      inBigCycle,
      share: (w) => totalPct(w),
      levelled: (key) => levelled.has(key),
    },
    g2d.edges,
    g2d.nodes,
  );
  return { onlyGprof2dot, onlyHeatlens, differences, nodes, edges, skipped };
}

/** What the edges' comparison needs of the nodes'. */
interface EdgeContext {
  readonly shown: ShownGraph;
  readonly keyOfFrame: Map<number, string>;
  readonly kind: 'pstats' | 'callgrind';
  readonly differences: string[];
  readonly inBigCycle: (n: { cycle: number }) => boolean;
  /** An edge's weight in gprof2dot's percent. */
  readonly share: (weight: number) => number;
  /** Whether a function has recursion levels in the file. */
  readonly levelled: (key: string) => boolean;
}

/** The edges' calls and shares; returns how many were compared. */
function compareEdges(
  c: EdgeContext,
  theirEdges: ReturnType<typeof parseGprof2dot>['edges'],
  theirNodes: readonly G2dNode[],
): number {
  const { shown, keyOfFrame, kind, differences } = c;
  const keyOfId = new Map<string, string>();
  for (const n of theirNodes)
    keyOfId.set(n.id, kind === 'pstats' ? pstatsKey(n) : level(n.id).base);
  // Theirs by folded (caller, callee): calls summed, the share of the outermost level's edge.
  const theirs = new Map<string, { calls: number; share: number | null; folded: boolean }>();
  for (const e of theirEdges) {
    const [a, b] = [keyOfId.get(e.from)!, keyOfId.get(e.to)!];
    const pair = `${a} -> ${b}`;
    const folded =
      level(e.from).depth > 1 || level(e.to).depth > 1 || c.levelled(a) || c.levelled(b);
    const had = theirs.get(pair);
    if (had) {
      had.calls += e.calls ?? 0;
      had.folded = true;
    } else theirs.set(pair, { calls: e.calls ?? 0, share: e.share, folded });
  }
  let compared = 0;
  const ours = new Set<string>();
  for (const e of shown.edges) {
    const a = keyOfFrame.get(shown.nodes[e.from].frameId);
    const b = keyOfFrame.get(shown.nodes[e.to].frameId);
    if (a === undefined || b === undefined) continue;
    const pair = `${a} -> ${b}`;
    ours.add(pair);
    const t = theirs.get(pair);
    if (!t) {
      differences.push(`edge ${pair}: shown here, not in gprof2dot`);
      continue;
    }
    compared++;
    const calls = (kind === 'pstats' ? e.primitiveCalls : null) ?? e.calls ?? 0;
    if (t.folded ? calls < t.calls : calls !== t.calls)
      differences.push(`edge ${pair}: ${calls} calls here, ${t.calls} in gprof2dot`);
    const skipShare = t.folded || t.share === null || c.inBigCycle(shown.nodes[e.to]);
    if (!skipShare && !close(c.share(e.weight), t.share!))
      differences.push(`edge ${pair}: ${c.share(e.weight)}% here, ${t.share}% in gprof2dot`);
  }
  const keys = new Set(shown.nodes.map((n) => keyOfFrame.get(n.frameId)));
  for (const pair of theirs.keys()) {
    const [a, b] = pair.split(' -> ');
    if (keys.has(a) && keys.has(b) && !ours.has(pair))
      differences.push(`edge ${pair}: in gprof2dot, not shown here`);
  }
  return compared;
}
