/**
 * V8 sampling heap profiles (`.heapprofile`): what `node --heap-prof`, Chrome DevTools' "Allocation
 * sampling" and the inspector's `HeapProfiler.stopSampling` write. A JSON object with a call tree
 * under `head` (each node a `callFrame`, its `selfSize` in bytes, `id` and `children`) and the
 * samples V8 kept (`size`, `nodeId`, `ordinal`: the allocation's order).
 *
 * Choices, and why:
 *
 * - The weight is `selfSize`, in bytes, as DevTools' Allocation sampling view sums it: V8 scales
 *   each sampled allocation to the bytes it stands for, and `selfSize` is the sum over the node's
 *   samples. A node's total is its subtree's sum.
 * - What the bytes mean depends on how the profile was recorded: objects still alive when
 *   sampling stopped (the default), or everything allocated over the run when the recorder asked
 *   V8 to keep the objects the garbage collector freed (`includeObjectsCollectedByMajorGC` /
 *   `MinorGC`). The file does not say which, so neither does Heatlens.
 * - V8 attributes allocations to functions, not lines: a frame's position is the function's
 *   start, so there are no line figures, and heat marks each function's definition line.
 * - Samples have an order but no time: the profile holds the tree only (no time order view).
 * - Frames are classified as V8 CPU profile frames are (core/frameKind.ts): `(V8 API)`,
 *   `(GC)` and other parenthesised names without a script are pseudo frames.
 */
import { classifyJsFrame } from '../core/frameKind';
import { v8ToOneBased } from '../core/positions';
import { ProfileBuilder, type Profile } from '../core/profile';
import type { ImportOptions } from './choices';
import { formatError } from './errors';
import { fileUrlToPath } from '../util/fileUrl';

const NAME = /\.heapprofile$/i;
const REDO = 're-record it (node --heap-prof) or save it again from Chrome DevTools';

function fail(sourceFile: string | undefined, what: string): never {
  throw formatError(
    sourceFile,
    `is not a readable V8 heap profile (.heapprofile): it ${what}`,
    `the file may be damaged, so ${REDO}`,
    'The V8 heap profile',
  );
}

/**
 * Whether a file is a V8 heap profile: by name first (`.heapprofile`), then by content (a JSON
 * object whose `head` node has a `selfSize`, and no CPU profile's timing keys).
 */
export function isHeapProfile(name: string | undefined, text: string): boolean {
  if (name && NAME.test(name)) return true;
  const start = text.slice(0, 4096).replace(/^\uFEFF?\s*/, '');
  if (!start.startsWith('{') || start.includes('"traceEvents"')) return false;
  const ends = text.length > 8192 ? start + text.slice(-4096) : text;
  return (
    /"head"\s*:\s*\{/.test(ends) &&
    /"selfSize"\s*:/.test(ends) &&
    /"callFrame"\s*:\s*\{/.test(ends) &&
    !/"(?:timeDeltas|startTime|endTime|timestamps)"\s*:/.test(ends)
  );
}

interface RawNode {
  callFrame?: {
    functionName?: unknown;
    url?: unknown;
    lineNumber?: unknown;
    columnNumber?: unknown;
  };
  selfSize?: unknown;
  id?: unknown;
  children?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Options of the heap profile import. */
export interface HeapProfileOptions extends ImportOptions {
  /**
   * Folders whose scripts count as runtime, not user code (Heatlens' helpers injected into a
   * profiled program), as for a `.cpuprofile` (cpuprofile.ts).
   */
  runtimePaths?: readonly string[];
}

/** Imports a parsed `.heapprofile`. */
export function importHeapProfileValue(value: unknown, options: HeapProfileOptions = {}): Profile {
  const { sourceFile, runtimePaths = [] } = options;
  if (!isObject(value)) fail(sourceFile, 'is not a JSON object');
  const head = value.head;
  if (!isObject(head)) fail(sourceFile, 'has no "head" node (the call tree)');
  const builder = new ProfileBuilder();
  const seen = new Set<unknown>();
  // Depth first without recursion: a tree can be thousands of frames deep.
  const stack: { node: RawNode; parent: number; depth: number }[] = [
    { node: head as RawNode, parent: -1, depth: 0 },
  ];
  let nodes = 0;
  let bytes = 0;
  while (stack.length) {
    const { node, parent, depth } = stack.pop()!;
    nodes++;
    const frame = node.callFrame;
    if (!isObject(frame)) fail(sourceFile, `has a node without a "callFrame" (node #${nodes})`);
    const size = node.selfSize ?? 0;
    if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
      fail(sourceFile, `has a node whose "selfSize" is not a size in bytes (node #${nodes})`);
    }
    if (node.id !== undefined) {
      if (seen.has(node.id)) fail(sourceFile, `lists node ${String(node.id)} twice`);
      seen.add(node.id);
    }
    const name = typeof frame.functionName === 'string' ? frame.functionName : '';
    const url = typeof frame.url === 'string' ? frame.url : '';
    const line0 = typeof frame.lineNumber === 'number' ? frame.lineNumber : -1;
    const col0 = typeof frame.columnNumber === 'number' ? frame.columnNumber : -1;
    let id: number;
    if (depth === 0 && name === '(root)' && !url) {
      id = 0;
    } else {
      const file = url ? fileUrlToPath(url) : null;
      const frameId = builder.frame({
        // V8 leaves anonymous functions (and a module's top level) without a name.
        name: name || '(anonymous)',
        file,
        line1: v8ToOneBased(line0),
        col1: v8ToOneBased(col0),
        kind:
          file !== null && runtimePaths.some((dir) => file.startsWith(dir))
            ? 'runtime'
            : classifyJsFrame(name, url, line0),
      });
      id = builder.child(parent < 0 ? 0 : parent, frameId);
    }
    if (size > 0) {
      builder.addSelf(id, size);
      bytes += size;
    }
    const children = node.children ?? [];
    if (!Array.isArray(children)) fail(sourceFile, `has a node whose "children" is not a list`);
    for (let i = children.length - 1; i >= 0; i--) {
      const child: unknown = children[i];
      if (!isObject(child))
        fail(sourceFile, `has a child that is not a node (under node #${nodes})`);
      stack.push({ node: child as RawNode, parent: id, depth: depth + 1 });
    }
  }
  const samples = Array.isArray(value.samples) ? value.samples.length : undefined;
  if (!(bytes > 0)) builder.warn('The heap profile holds no sampled allocations.');
  return builder.build({
    profiler: 'v8-heap',
    clock: 'unknown',
    unit: 'bytes',
    sampleCount: samples,
    sourceFile,
  });
}

/** Imports a `.heapprofile` from its text. */
export function importHeapProfile(text: string, options: HeapProfileOptions = {}): Profile {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    fail(options.sourceFile, 'is not valid JSON');
  }
  return importHeapProfileValue(value, options);
}
