/**
 * The lines of an inlined function belong to it, by source position: a pure step after remapping
 * (file reading passed in), so that every surface (heat, CodeLens, hover, status bar, flame
 * graph, table, CLI, `--json`) reads one model in which a function V8 inlined has its own
 * figures.
 *
 * V8's CPU profiler does not expand inlined frames: when `countPrimes` runs optimized code with
 * `isPrime` inlined, every sample lands in `countPrimes`' node, and only its `positionTicks`
 * tell where the time went (isPrime's lines 5-7, countPrimes' 14-15). This step parses the
 * sources (functionExtents.ts) and, for every node, moves the line ticks that lie in another
 * function's code into a child node for that function: the node's self weight, its line
 * entries and its samples. A child for the same function already under the node (the calls that
 * were not inlined) takes them; otherwise one is made, with the frame the profile already has
 * for that function, or a new one at V8's position of it.
 *
 * Which function a line belongs to (`owner`): a line outside the sampled function's own lines
 * (before its start, after its end, or in another file) is certainly not its code, and goes to
 * the innermost function whose lines span it. A line inside the sampled function goes to a
 * function nested in it only when all of the line's code is in that function: a line holding
 * code of both (`items.map((x) => {`) stays with the function V8 sampled. Top-level code lines
 * stay where they are.
 *
 * Approximations, said where they happen:
 * - V8 samples carry no line, so the time order cannot say which of a node's samples ran the
 *   inlined lines: each sample of the node is split into consecutive pieces, one per function,
 *   in proportion to the node's line weights. Every aggregate (a node's self, a function's self
 *   and total, the samples' sum per node) is exact; only the time order inside a sample is not.
 * - A function inlined into a function that was itself inlined hangs directly under the node V8
 *   sampled: the profile does not say which of the two called it.
 * - TypeScript is parsed after sucrase strips its types, which keeps lines but moves columns:
 *   functions are matched to frames by line and the nearest column there.
 *
 * Nothing moves when a source cannot be read or parsed, when no function of it starts where the
 * profile says the sampled function starts (the file changed since the run), for frames that are
 * not the user's or a library's code, and in profiles without per-node line weights (only V8
 * records those: `LineTable.perNode`).
 */
import { classifyJsFrame } from '../core/frameKind';
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import { isParsableSource, sourceFunctions, type SourceFunctions } from './functionExtents';
import type { SourceMapHost } from './host';

/** How many files are read at once. */
const READ_AHEAD = 8;

/** A move of line weight from a node to the child for the function that owns the line. */
interface Move {
  /** Per-node line entry index (`lines.perNode`). */
  entry: number;
  /** Target function as `file\0index`. */
  target: string;
}

/**
 * The profile with the lines of inlined functions attributed to those functions (see the module
 * comment); the same profile object when nothing moves.
 */
export async function attributeInlined(profile: Profile, host: SourceMapHost): Promise<Profile> {
  const { lines, frames, tree } = profile;
  const per = lines.perNode;
  if (!per || profile.callGraph) return profile;
  const candidates: number[] = [];
  const files = new Set<string>();
  for (let i = 0; i < per.count; i++) {
    if (per.node[i] < 1 || !(per.self[i] > 0)) continue;
    const frame = frames[tree.frame[per.node[i]]];
    if (frame.file === null || (frame.kind !== 'user' && frame.kind !== 'library')) continue;
    const file = lines.files[per.file[i]];
    if (!isParsableSource(file) || !isParsableSource(frame.file)) continue;
    candidates.push(i);
    files.add(file);
    files.add(frame.file);
  }
  if (!candidates.length) return profile;
  const parsed = await parseAll([...files], host);

  const hostOf = new Map<number, number | undefined>();
  const hostFunction = (frameId: number): number | undefined => {
    if (hostOf.has(frameId)) return hostOf.get(frameId);
    const f = frames[frameId];
    const src = f.file === null ? undefined : parsed.get(f.file);
    const found = src ? matchFrame(src, f) : undefined;
    hostOf.set(frameId, found);
    return found;
  };

  const moves: Move[] = [];
  for (const i of candidates) {
    const frameId = tree.frame[per.node[i]];
    const frame = frames[frameId];
    const host = hostFunction(frameId);
    // The sampled function is not in its source as the profile places it: the source changed.
    if (host === undefined) continue;
    const file = lines.files[per.file[i]];
    const src = parsed.get(file);
    if (!src) continue;
    const owner = ownerOf(src, per.line1[i], file === frame.file ? host : undefined);
    if (owner >= 0 && !(file === frame.file && owner === host)) {
      moves.push({ entry: i, target: `${file}\u0000${owner}` });
    }
  }
  if (!moves.length) return profile;
  return rebuild(profile, moves, parsed);
}

async function parseAll(
  files: string[],
  host: SourceMapHost,
): Promise<Map<string, SourceFunctions>> {
  const out = new Map<string, SourceFunctions>();
  for (let s = 0; s < files.length; s += READ_AHEAD) {
    const batch = files.slice(s, s + READ_AHEAD);
    const texts = await Promise.all(batch.map((f) => host.readFile(f).catch(() => undefined)));
    batch.forEach((file, k) => {
      const text = texts[k];
      const src = text === undefined ? undefined : sourceFunctions(file, text);
      if (src) out.set(file, src);
    });
  }
  return out;
}

/** Host value for a module's top-level code (the CommonJS wrapper, an ES module). */
const TOP_LEVEL = -1;

/**
 * The function of `src` a frame stands for: the one V8 places where the frame starts (by line,
 * and by exact column in JavaScript, nearest column in TypeScript), or the top level for a frame
 * at 1:1 that no function starts at; undefined when nothing matches.
 */
function matchFrame(src: SourceFunctions, frame: Frame): number | undefined {
  if (frame.line1 === null) return undefined;
  let best: number | undefined;
  let distance = Infinity;
  src.functions.forEach((f, i) => {
    if (f.line1 !== frame.line1) return;
    const d = Math.abs(f.col1 - (frame.col1 ?? f.col1));
    if (d < distance) {
      distance = d;
      best = i;
    }
  });
  if (best !== undefined && (distance === 0 || !src.exactColumns)) return best;
  if (frame.line1 === 1 && (frame.col1 ?? 1) === 1) return TOP_LEVEL;
  return undefined;
}

/** True when function `inner` is nested (at any depth) in `outer`; everything is in the top level. */
function isInside(src: SourceFunctions, inner: number, outer: number): boolean {
  if (outer === TOP_LEVEL) return true;
  for (let p = src.functions[inner].parent; p >= 0; p = src.functions[p].parent) {
    if (p === outer) return true;
  }
  return false;
}

/**
 * The function a line belongs to (see the module comment), or -1 for "leave it": `host` is the
 * sampled function when the line is in its file, undefined when the line is in another file.
 */
function ownerOf(src: SourceFunctions, line1: number, host: number | undefined): number {
  if (line1 >= src.byLineRange.length) return -1;
  const inHost =
    host !== undefined &&
    (host === TOP_LEVEL ||
      (line1 >= src.functions[host].startLine1 && line1 <= src.functions[host].endLine1));
  if (!inHost) return src.byLineRange[line1];
  const whole = src.byWholeLine[line1];
  return whole >= 0 && whole !== host && isInside(src, whole, host!) ? whole : -1;
}

function rebuild(
  profile: Profile,
  moves: readonly Move[],
  parsed: ReadonlyMap<string, SourceFunctions>,
): Profile {
  const { frames, tree, lines } = profile;
  const b = new ProfileBuilder();
  for (const f of frames) b.frame(f);

  // The frame of each target function: one the profile has for it, else a new one.
  const existing = new Map<string, number>();
  frames.forEach((f, id) => {
    const src = f.file === null ? undefined : parsed.get(f.file);
    const fn = src && f.kind !== 'runtime' && f.kind !== 'pseudo' ? matchFrame(src, f) : undefined;
    if (fn !== undefined && fn >= 0) {
      const key = `${f.file}\u0000${fn}`;
      if (!existing.has(key)) existing.set(key, id);
    }
  });
  const targetFrame = (target: string, from: Frame): number => {
    const found = existing.get(target);
    if (found !== undefined) return found;
    const [file, index] = target.split('\u0000');
    const fn = parsed.get(file)!.functions[Number(index)];
    const kind = from.file === file ? from.kind : classifyJsFrame(fn.name, file, fn.line1 - 1);
    const id = b.frame({ name: fn.name, file, line1: fn.line1, col1: fn.col1, kind });
    existing.set(target, id);
    return id;
  };

  // Weight moved per node and target, and per line-table entry (file, line, frame).
  const per = lines.perNode!;
  const movedFrom = new Map<number, Map<string, number>>();
  const targetOfEntry = new Map<number, string>();
  const movedOfCell = new Map<string, number>();
  const cellKey = (file: number, line1: number, frame: number) => `${file}:${line1}:${frame}`;
  for (const m of moves) {
    const n = per.node[m.entry];
    let byTarget = movedFrom.get(n);
    if (!byTarget) movedFrom.set(n, (byTarget = new Map()));
    byTarget.set(m.target, (byTarget.get(m.target) ?? 0) + per.self[m.entry]);
    targetOfEntry.set(m.entry, m.target);
    const key = cellKey(per.file[m.entry], per.line1[m.entry], tree.frame[n]);
    movedOfCell.set(key, (movedOfCell.get(key) ?? 0) + per.self[m.entry]);
  }

  const nodeMap = new Int32Array(tree.size);
  // Per moved-from node: [new child node, fraction of the node's self] per target.
  const pieces = new Map<number, { child: number; fraction: number }[]>();
  const childFor = new Map<string, { child: number; frame: number }>();
  for (let n = 1; n < tree.size; n++) {
    const mapped = b.child(nodeMap[tree.parent[n]], tree.frame[n]);
    nodeMap[n] = mapped;
    const byTarget = movedFrom.get(n);
    let kept = tree.self[n];
    if (byTarget) {
      const list: { child: number; fraction: number }[] = [];
      for (const [target, w] of byTarget) {
        // Line weights split a node's self: they never exceed it, bar rounding.
        const weight = Math.min(w, kept);
        const frame = targetFrame(target, frames[tree.frame[n]]);
        const child = b.child(mapped, frame);
        childFor.set(`${n}\u0000${target}`, { child, frame });
        b.addSelf(child, weight);
        kept -= weight;
        list.push({ child, fraction: tree.self[n] > 0 ? weight / tree.self[n] : 0 });
      }
      pieces.set(n, list);
    }
    b.addSelf(mapped, kept);
  }

  const s = profile.samples;
  if (s) {
    for (let i = 0; i < s.count; i++) {
      const n = s.node[i];
      const split = pieces.get(n);
      if (!split) {
        b.addSample(nodeMap[n], s.weight[i], s.start[i]);
        continue;
      }
      // Consecutive pieces: the node's own share first, then each function's.
      let start = s.start[i];
      let own = 1;
      for (const p of split) own -= p.fraction;
      const parts = [
        { node: nodeMap[n], fraction: Math.max(0, own) },
        ...split.map((p) => ({ node: p.child, fraction: p.fraction })),
      ];
      for (const part of parts) {
        if (!(part.fraction > 0)) continue;
        const w = s.weight[i] * part.fraction;
        b.addSample(part.node, w, start);
        start += w;
      }
    }
  }

  // The line table: each (file, line, frame) keeps what did not move; moved weight goes to the
  // target functions' frames.
  for (let i = 0; i < lines.count; i++) {
    const file = lines.files[lines.file[i]];
    const moved = movedOfCell.get(cellKey(lines.file[i], lines.line1[i], lines.frame[i])) ?? 0;
    const rest = lines.self[i] - moved;
    if (rest > 1e-9 * lines.self[i]) b.addLine(file, lines.line1[i], lines.frame[i], rest);
    if (lines.external && lines.external[i] > 0) {
      b.addLineExternal(file, lines.line1[i], lines.frame[i], lines.external[i]);
    }
  }
  for (let i = 0; i < per.count; i++) {
    const file = lines.files[per.file[i]];
    const n = per.node[i];
    const target = targetOfEntry.get(i);
    if (target === undefined) {
      b.addNodeLine(nodeMap[n], file, per.line1[i], per.self[i]);
      continue;
    }
    const { child, frame } = childFor.get(`${n}\u0000${target}`)!;
    b.addLine(file, per.line1[i], frame, per.self[i]);
    b.addNodeLine(child, file, per.line1[i], per.self[i]);
  }
  return b.build({ ...profile.meta }, { treeIsApproximate: profile.treeIsApproximate });
}
