/**
 * Remapping: a profile of generated code in, a profile of the original sources out. A pure
 * function of (profile, file reading); see loader.ts for how maps are found and sourceMap.ts for
 * the lookups.
 */
import { classifyJsFrame } from '../core/frameKind';
import {
  ProfileBuilder,
  type CallGraph,
  type Frame,
  type GraphEdge,
  type GraphFunction,
  type Profile,
} from '../core/profile';
import { SourceMapLoader } from './loader';
import { looksLikeScript } from './locate';
import type { OriginalPosition, SourceMap } from './sourceMap';
import type { SourceMapHost } from './host';

// Callers outside this folder take the host type from here, with remapProfile.
export type { SourceMapHost } from './host';

/** Options of {@link remapProfile}. */
export interface RemapOptions {
  /**
   * Maps known without reading files: generated file path -> raw source-map JSON (the runner's
   * transpiled TypeScript). They take precedence over anything found on disk.
   */
  readonly maps?: ReadonlyMap<string, string>;
}

/**
 * Rewrites a profile's frames and line table from generated code to original sources.
 *
 * - A frame with a file and a line is mapped through its script's map (function start -> the
 *   original function start); a line-table entry is mapped by its line alone, through the first
 *   mapping of that generated line (V8 line ticks know no column).
 * - Names: V8 names the function as it runs. The original name from the map's `names` replaces
 *   it only when the runtime name is empty or looks minified (`(anonymous)`, or an identifier of
 *   at most three characters, which is what minifiers hand out first), and only when the named
 *   mapping lies before the function's position on its line (the `p` of `function p(t)`), never
 *   at or after it (a parameter, the body). A real name is never overwritten by a guess.
 * - Kinds are classified again from the original path: a source under node_modules, or listed in
 *   the map's `ignoreList`, is library code even when the bundle is the user's.
 * - The tree is carried over node by node; nodes whose frames collapse onto one original frame
 *   under the same parent merge (the builder merges them). Samples follow their nodes. A call
 *   graph is carried with frame ids translated; functions that collapse onto one frame are summed
 *   (their totals can then count nested time twice: call graphs come from Python profilers, where
 *   no source maps apply, so this is a corner we accept).
 * - Files without a map, URLs (`node:`), pseudo frames and non-script files pass through untouched:
 *   no file is even read for them. When nothing maps, the same profile object comes back (with
 *   warnings added when a map was broken).
 */
export async function remapProfile(
  profile: Profile,
  host: SourceMapHost,
  options: RemapOptions = {},
): Promise<Profile> {
  const loader = new SourceMapLoader(host, options.maps);
  const work = collectPositions(profile);
  const frameTo: (Frame | undefined)[] = new Array(profile.frames.length);
  const lineTo = new Map<string, Map<number, OriginalPosition>>();
  let mappedSomething = false;

  // Scripts are looked up one at a time, each in position order (trace-mapping's memo makes
  // that fastest), while the next few are already being read: a host's reads (the editor's file
  // system) have latency, and a profile can name hundreds of library files.
  const scripts = [...work];
  const loads: (Promise<SourceMap | undefined> | undefined)[] = [];
  for (let s = 0; s < scripts.length; s++) {
    for (let k = s; k < Math.min(scripts.length, s + READ_AHEAD); k++) {
      loads[k] ??= loader.load(scripts[k][0]);
    }
    const [file, positions] = scripts[s];
    const map = await loads[s];
    loads[s] = undefined;
    if (!map) continue;
    const frameIds = positions.frameIds.sort((a, b) =>
      comparePositions(profile.frames[a], profile.frames[b]),
    );
    for (const id of frameIds) {
      const frame = profile.frames[id];
      const pos = map.originalPosition(frame.line1!, frame.col1);
      if (pos) {
        frameTo[id] = remappedFrame(frame, pos, map);
        mappedSomething = true;
      }
    }
    if (positions.lineKeys.size) {
      const keys = [...positions.lineKeys].sort((a, b) => a - b);
      const perLine = new Map<number, OriginalPosition>();
      for (const key of keys) {
        const col1 = key % COLUMN_SPAN;
        const pos = map.firstPositionOnLine((key - col1) / COLUMN_SPAN, col1 || null);
        if (pos) perLine.set(key, pos);
      }
      if (perLine.size) {
        lineTo.set(file, perLine);
        mappedSomething = true;
      }
    }
  }

  const warnings = loader.warnings;
  if (!mappedSomething) {
    if (!warnings.length) return profile;
    return Object.freeze({
      ...profile,
      meta: Object.freeze({
        ...profile.meta,
        warnings: Object.freeze([...profile.meta.warnings, ...warnings]),
      }),
    });
  }
  return rebuild(profile, frameTo, lineTo, warnings);
}

/** How many scripts' maps are read ahead of the one being looked up. */
const READ_AHEAD = 4;

interface ScriptPositions {
  frameIds: number[];
  /** Line-table positions as {@link lineKey}s. */
  lineKeys: Set<number>;
}

/** Columns below this fit in a line key (a 4 GB line is beyond any script). */
const COLUMN_SPAN = 2 ** 32;

/**
 * Where a line-table entry is looked up: its line, from the line's start, except on the line
 * where its function starts, where it is looked up from the function's column (see
 * SourceMap.firstPositionOnLine). As one number, line1 * 2^32 + col1 (0: from the start), so
 * that keys sort in position order.
 */
function lineKey(line1: number, frame: Frame, file: string): number {
  const fromCol1 =
    frame.file === file && frame.line1 === line1 && frame.col1 !== null ? frame.col1 : 0;
  return line1 * COLUMN_SPAN + fromCol1;
}

/** Frames and line-table lines grouped by the script they are in, for scripts that may have maps. */
function collectPositions(profile: Profile): Map<string, ScriptPositions> {
  const byFile = new Map<string, ScriptPositions>();
  const verdict = new Map<string, boolean>();
  const entry = (file: string): ScriptPositions | undefined => {
    let ok = verdict.get(file);
    if (ok === undefined) verdict.set(file, (ok = looksLikeScript(file)));
    if (!ok) return undefined;
    let e = byFile.get(file);
    if (!e) byFile.set(file, (e = { frameIds: [], lineKeys: new Set() }));
    return e;
  };
  profile.frames.forEach((frame, id) => {
    // Pseudo frames have no script; runtime frames (node: modules, our own injected helpers)
    // are not the user's code, so their maps are never worth reading.
    if (frame.kind === 'pseudo' || frame.kind === 'runtime') return;
    if (frame.file === null || frame.line1 === null) return;
    entry(frame.file)?.frameIds.push(id);
  });
  const { lines } = profile;
  for (let i = 0; i < lines.count; i++) {
    if (profile.frames[lines.frame[i]].kind === 'runtime') continue;
    const file = lines.files[lines.file[i]];
    entry(file)?.lineKeys.add(lineKey(lines.line1[i], profile.frames[lines.frame[i]], file));
  }
  return byFile;
}

function comparePositions(a: Frame, b: Frame): number {
  return a.line1! - b.line1! || (a.col1 ?? 0) - (b.col1 ?? 0);
}

/** Names a minifier gives, or none: these may be replaced by the map's original name. */
function isReplaceableName(name: string): boolean {
  return (
    name === '' ||
    name === '(anonymous)' ||
    name === '(anonymous function)' ||
    /^[A-Za-z_$][\w$]{0,2}$/.test(name)
  );
}

function remappedFrame(frame: Frame, pos: OriginalPosition, map: SourceMap): Frame {
  // Only a name token before the function's position can be its name: V8 places a function at
  // its parameter list, so `function p(t)` finds `p` just before it; a mapping at the position
  // itself is a parameter's (`t=>...`), and one after it belongs to the body.
  const named = pos.name !== null && frame.col1 !== null && pos.generatedCol1 < frame.col1;
  const name =
    named && pos.name !== frame.name && isReplaceableName(frame.name) ? pos.name! : frame.name;
  const kind = map.isIgnored(pos.sourceIndex)
    ? 'library'
    : classifyJsFrame(name, pos.source, pos.line1 - 1);
  return { name, file: pos.source, line1: pos.line1, col1: pos.col1, kind };
}

function rebuild(
  profile: Profile,
  frameTo: readonly (Frame | undefined)[],
  lineTo: ReadonlyMap<string, ReadonlyMap<number, OriginalPosition>>,
  warnings: readonly string[],
): Profile {
  const b = new ProfileBuilder();
  const frameMap = new Int32Array(profile.frames.length);
  profile.frames.forEach((frame, id) => {
    frameMap[id] = b.frame(frameTo[id] ?? frame);
  });

  const t = profile.tree;
  const nodeMap = new Int32Array(t.size);
  // Parents come before children (a child's id is greater than its parent's).
  for (let n = 1; n < t.size; n++) {
    const node = b.child(nodeMap[t.parent[n]], frameMap[t.frame[n]]);
    nodeMap[n] = node;
    b.addSelf(node, t.self[n]);
  }

  const s = profile.samples;
  if (s) for (let i = 0; i < s.count; i++) b.addSample(nodeMap[s.node[i]], s.weight[i], s.start[i]);

  const L = profile.lines;
  for (let i = 0; i < L.count; i++) {
    const file = L.files[L.file[i]];
    const pos = lineTo.get(file)?.get(lineKey(L.line1[i], profile.frames[L.frame[i]], file));
    // A line no mapping covers keeps its generated position: its weight is real, only unplaced.
    const toFile = pos ? pos.source : file;
    const toLine1 = pos ? pos.line1 : L.line1[i];
    b.addLine(toFile, toLine1, frameMap[L.frame[i]], L.self[i]);
    if (L.external && L.external[i] > 0)
      b.addLineExternal(toFile, toLine1, frameMap[L.frame[i]], L.external[i]);
  }
  // The same positions per node (its frame decides the lookup on the function's first line).
  const per = L.perNode;
  if (per) {
    for (let i = 0; i < per.count; i++) {
      const file = L.files[per.file[i]];
      const frame = profile.frames[t.frame[per.node[i]]];
      const pos = lineTo.get(file)?.get(lineKey(per.line1[i], frame, file));
      b.addNodeLine(
        nodeMap[per.node[i]],
        pos ? pos.source : file,
        pos ? pos.line1 : per.line1[i],
        per.self[i],
      );
    }
  }

  if (profile.callGraph) b.setCallGraph(translateCallGraph(profile.callGraph, frameMap));
  for (const w of warnings) b.warn(w);
  return b.build({ ...profile.meta }, { treeIsApproximate: profile.treeIsApproximate });
}

/** A call graph with frame ids translated; functions and edges that now coincide are summed. */
function translateCallGraph(graph: CallGraph, frameMap: Int32Array): CallGraph {
  const functions = new Map<number, GraphFunction>();
  for (const f of graph.functions) {
    const frame = frameMap[f.frame];
    const prev = functions.get(frame);
    functions.set(
      frame,
      prev
        ? {
            frame,
            calls: prev.calls + f.calls,
            primitiveCalls: prev.primitiveCalls + f.primitiveCalls,
            self: prev.self + f.self,
            total: prev.total + f.total,
          }
        : { ...f, frame },
    );
  }
  const edges = new Map<string, GraphEdge>();
  for (const e of graph.edges) {
    const caller = frameMap[e.caller];
    const callee = frameMap[e.callee];
    const key = `${caller}:${callee}`;
    const prev = edges.get(key);
    edges.set(
      key,
      prev
        ? {
            caller,
            callee,
            calls: prev.calls + e.calls,
            self: prev.self + e.self,
            total: prev.total + e.total,
          }
        : { ...e, caller, callee },
    );
  }
  return { functions: [...functions.values()], edges: [...edges.values()] };
}
