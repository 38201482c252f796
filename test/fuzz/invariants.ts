/**
 * What every imported profile must satisfy, whatever the file held: the model's invariants
 * (profile.ts) plus "the analyses and the flame graph layout run on it without throwing and give
 * finite figures". The fuzz and hostile-file tests call {@link checkProfileInvariants} on every
 * profile an importer returns; a violation is a bug in the importer (or the model), never in the
 * file.
 */
import { callersAndCallees } from '../../src/core/callers';
import { functionStats } from '../../src/core/functionStats';
import { filesInProfile, hotLines, lineHeatForFile } from '../../src/core/lineHeat';
import { profileTotal, type CallTree, type Profile } from '../../src/core/profile';
import { formatSummaryTable, summarize } from '../../src/core/summary';
import { layoutFlame } from '../../webview/layout/flameLayout';
import { searchTree } from '../../webview/layout/search';
import { tableRowsFromGraph, tableRowsFromTree } from '../../webview/layout/table';
import { timeOrder } from '../../webview/layout/timeOrder';
import { invertTree, myCodeOnly, sandwichFromTree } from '../../webview/layout/transforms';

/** A broken model invariant: the message says which and where. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

function fail(what: string): never {
  throw new InvariantError(what);
}

const UNITS = new Set([
  'microseconds',
  'nanoseconds',
  'milliseconds',
  'seconds',
  'samples',
  'bytes',
  'none',
]);
const KINDS = new Set(['user', 'library', 'runtime', 'pseudo']);

function weight(v: number, what: string): void {
  if (!Number.isFinite(v) || v < 0) fail(`${what} is ${v}, not a finite weight >= 0`);
}

function finite(v: number, what: string): void {
  if (!Number.isFinite(v)) fail(`${what} is ${v}, not finite`);
}

/** Relative closeness, for sums that float addition reorders. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Checks a {@link CallTree} (the profile's or a derived one) whose frames are `0..frameCount`. */
export function checkTreeInvariants(tree: CallTree, frameCount: number, label = 'tree'): void {
  const n = tree.size;
  if (!Number.isInteger(n) || n < 1) fail(`${label}.size is ${n}; the root must exist`);
  for (const key of ['parent', 'frame', 'self', 'total', 'depth', 'childStart', 'childCount']) {
    const a = (tree as unknown as Record<string, ArrayLike<number>>)[key];
    if (a.length !== n) fail(`${label}.${key} has ${a.length} entries for ${n} nodes`);
  }
  if (tree.children.length !== n - 1) fail(`${label}.children has ${tree.children.length}`);
  if (tree.parent[0] !== -1 || tree.frame[0] !== -1 || tree.depth[0] !== 0)
    fail(`${label} node 0 is not the synthetic root`);
  const childTotal = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    weight(tree.self[i], `${label}.self[${i}]`);
    weight(tree.total[i], `${label}.total[${i}]`);
    if (!close(tree.total[i], tree.self[i] + childTotal[i]))
      fail(
        `${label}.total[${i}] = ${tree.total[i]} but self + children = ${tree.self[i] + childTotal[i]}`,
      );
    if (i === 0) break;
    const p = tree.parent[i];
    if (!(p >= 0 && p < i)) fail(`${label}.parent[${i}] = ${p} does not precede its child`);
    const f = tree.frame[i];
    if (!(f >= 0 && f < frameCount))
      fail(`${label}.frame[${i}] = ${f} is not among ${frameCount} frames`);
    if (tree.depth[i] !== tree.depth[p] + 1) fail(`${label}.depth[${i}] is not its parent's + 1`);
    childTotal[p] += tree.total[i];
  }
  const seen = new Uint8Array(n);
  let listed = 0;
  for (let p = 0; p < n; p++) {
    const s = tree.childStart[p];
    const c = tree.childCount[p];
    if (s < 0 || c < 0 || s + c > n - 1) fail(`${label} children of ${p} out of range`);
    for (let k = s; k < s + c; k++) {
      const child = tree.children[k];
      if (tree.parent[child] !== p || seen[child]) fail(`${label} child list of ${p} is wrong`);
      seen[child] = 1;
      if (k > s && tree.total[tree.children[k - 1]] < tree.total[child])
        fail(`${label} children of ${p} are not heaviest first`);
    }
    listed += c;
  }
  if (listed !== n - 1) fail(`${label} lists ${listed} children for ${n - 1} non-root nodes`);
}

/**
 * Throws an {@link InvariantError} when `profile` breaks a model invariant, and runs every
 * analysis and webview layout on it (any exception they throw propagates: that is a crash too).
 */
export function checkProfileInvariants(profile: Profile): void {
  const { meta, frames, tree, samples, lines, callGraph } = profile;
  if (typeof meta.profiler !== 'string') fail('meta.profiler is not a string');
  if (!UNITS.has(meta.unit)) fail(`meta.unit ${meta.unit} is unknown`);
  if (!Array.isArray(meta.warnings) || meta.warnings.some((w) => typeof w !== 'string'))
    fail('meta.warnings is not a list of strings');
  if (meta.duration !== undefined) weight(meta.duration, 'meta.duration');
  if (meta.intervalUs !== undefined) weight(meta.intervalUs, 'meta.intervalUs');
  frames.forEach((f, i) => {
    if (typeof f.name !== 'string') fail(`frames[${i}].name is not a string`);
    if (f.file !== null && typeof f.file !== 'string') fail(`frames[${i}].file is not a string`);
    for (const key of ['line1', 'col1'] as const) {
      const v = f[key];
      if (v !== null && !(Number.isInteger(v) && v >= 1))
        fail(`frames[${i}].${key} is ${v}, not a 1-based integer or null`);
    }
    if (!KINDS.has(f.kind)) fail(`frames[${i}].kind is ${f.kind}`);
  });
  checkTreeInvariants(tree, frames.length);

  if (samples) {
    if (samples.node.length !== samples.count || samples.weight.length !== samples.count)
      fail('samples columns disagree with samples.count');
    for (let i = 0; i < samples.count; i++) {
      if (!(samples.node[i] >= 0 && samples.node[i] < tree.size))
        fail(`samples.node[${i}] = ${samples.node[i]} is not a node`);
      weight(samples.weight[i], `samples.weight[${i}]`);
      finite(samples.start[i], `samples.start[${i}]`);
    }
  }

  if (lines.file.length !== lines.count || lines.self.length !== lines.count)
    fail('line table columns disagree with lines.count');
  for (let c = 0; c < lines.count; c++) {
    if (!(lines.file[c] >= 0 && lines.file[c] < lines.files.length))
      fail(`lines.file[${c}] is not among the line table's files`);
    if (!(lines.line1[c] >= 1)) fail(`lines.line1[${c}] = ${lines.line1[c]}`);
    if (!(lines.frame[c] >= 0 && lines.frame[c] < frames.length))
      fail(`lines.frame[${c}] = ${lines.frame[c]} is not a frame`);
    weight(lines.self[c], `lines.self[${c}]`);
  }

  if (callGraph) {
    callGraph.functions.forEach((f, i) => {
      if (!(f.frame >= 0 && f.frame < frames.length)) fail(`callGraph.functions[${i}].frame`);
      for (const key of ['calls', 'primitiveCalls', 'self', 'total'] as const)
        finite(f[key], `callGraph.functions[${i}].${key}`);
    });
    callGraph.edges.forEach((e, i) => {
      if (!(e.caller >= 0 && e.caller < frames.length)) fail(`callGraph.edges[${i}].caller`);
      if (!(e.callee >= 0 && e.callee < frames.length)) fail(`callGraph.edges[${i}].callee`);
      for (const key of ['calls', 'self', 'total'] as const)
        finite(e[key], `callGraph.edges[${i}].${key}`);
    });
  }

  // The analyses and views: none may throw, and their figures stay finite.
  finite(profileTotal(profile), 'profileTotal');
  const stats = functionStats(profile);
  for (const s of stats) {
    finite(s.self, `functionStats self of ${s.frameId}`);
    finite(s.total, `functionStats total of ${s.frameId}`);
  }
  for (const h of hotLines(profile)) weight(h.self, `hotLines ${h.file}:${h.line1}`);
  const files = filesInProfile(profile);
  if (files.length) lineHeatForFile(profile, files[0]);
  for (const s of stats.slice(0, 3)) callersAndCallees(profile, s.frameId);
  const summary = summarize(profile);
  JSON.stringify(summary);
  formatSummaryTable(summary);

  layoutFlame(tree);
  searchTree(tree, frames, (name) => name.includes('a'));
  if (callGraph) tableRowsFromGraph(callGraph, frames);
  else tableRowsFromTree(tree, frames.length);
  // The time-order chart and the inverted tree have work budgets (bounded on any input, the
  // 100 000-deep hostile files included), so both always run.
  if (samples) timeOrder(tree, samples);
  checkTreeInvariants(myCodeOnly(tree, frames).tree, frames.length, 'myCodeOnly');
  checkTreeInvariants(invertTree(tree).tree, frames.length, 'invertTree');
  if (tree.size > 1) {
    const s = sandwichFromTree(tree, tree.frame[1]);
    checkTreeInvariants(s.callers, frames.length, 'sandwich callers');
    checkTreeInvariants(s.callees, frames.length, 'sandwich callees');
  }
}
