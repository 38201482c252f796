/**
 * The `JSON.parse` route of the `.cpuprofile` importer (cpuprofile.ts), for both layouts and for
 * whatever the fast scanners (cpuprofileScan.ts, cpuprofileBytes.ts) do not expect: the parse
 * errors worded for a person, and the parsed object turned into the same columns the scanners
 * fill (cpuprofileColumns.ts).
 */
import { FrameTable, Grow } from './cpuprofileColumns';
import type { NodeColumns } from './cpuprofileColumns';
import { DAMAGED, REDO, V8_NAME, fail } from './cpuprofileFail';
import { failUnparsed } from './jsonFailure';
import { JsonBytesError, parseJsonBytes } from './jsonBytes';

interface V8CallFrame {
  functionName?: unknown;
  scriptId?: unknown;
  url?: unknown;
  lineNumber?: unknown;
  columnNumber?: unknown;
}

interface V8PositionTick {
  line: number;
  ticks: number;
}

/** A node as found in the file: modern (`callFrame`) or old (fields on the node, 1-based). */
interface V8Node extends V8CallFrame {
  id?: unknown;
  callFrame?: V8CallFrame;
  hitCount?: unknown;
  children?: unknown;
  positionTicks?: unknown;
}

/** `JSON.parse` of a profile's text, failing with a message that names the file. */
export function parseJson(text: string, sourceFile: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const trimmed = text.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
      fail(
        sourceFile,
        /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(trimmed.slice(0, 64))
          ? 'is not a text file, let alone JSON'
          : 'is not JSON (a .cpuprofile starts with "{")',
        `is it really a ${V8_NAME}?`,
      );
    }
    failUnparsed(
      err,
      trimmed.startsWith('{') && !trimmed.endsWith('}'),
      { whole: 'the profile', redo: REDO, question: `is it really a ${V8_NAME}?` },
      (what, todo) => fail(sourceFile, what, todo),
    );
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Flattens an old-layout `head` tree into a node list and child indexes. */
function flattenHead(
  head: V8Node,
  sourceFile: string | undefined,
): { nodes: V8Node[]; childIndexes: number[][] } {
  const nodes: V8Node[] = [];
  const childIndexes: number[][] = [];
  const seen = new Set<V8Node>();
  // Depth-first with explicit stacks: old profiles can be deeper than the JS call stack.
  const stack: unknown[] = [head];
  const parentOf: number[] = [-1];
  const slotOf: number[] = [0];
  while (stack.length) {
    const node = stack.pop() as V8Node;
    const parent = parentOf.pop() as number;
    const slot = slotOf.pop() as number;
    if (!node || typeof node !== 'object' || Array.isArray(node) || seen.has(node)) {
      fail(sourceFile, 'has an entry in its "head" tree that is not a node', REDO);
    }
    seen.add(node);
    const index = nodes.length;
    nodes.push(node);
    if (parent >= 0) childIndexes[parent][slot] = index;
    const kids = Array.isArray(node.children) ? (node.children as unknown[]) : [];
    childIndexes.push(new Array<number>(kids.length));
    for (let k = kids.length - 1; k >= 0; k--) {
      stack.push(kids[k]);
      parentOf.push(index);
      slotOf.push(k);
    }
  }
  return { nodes, childIndexes };
}

/** The columns of a parsed profile (the `JSON.parse` route; both layouts). */
export function columnsFromJson(json: unknown, sourceFile: string | undefined): NodeColumns {
  const notProfile = (what: string): never =>
    fail(
      sourceFile,
      `is JSON but not a ${V8_NAME}: ${what}`,
      'open a file written by node --cpu-prof or Chrome DevTools',
    );
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return notProfile(Array.isArray(json) ? 'it is a list, not an object' : 'it is not an object');
  }
  let obj = json as Record<string, unknown>;
  // The inspector's Profiler.stop answers `{profile: {...}}`; accept that wrapper too.
  if (!obj.nodes && !obj.head && obj.profile && typeof obj.profile === 'object') {
    obj = obj.profile as Record<string, unknown>;
  }
  const numbers = (key: string): Float64Array | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return notProfile(`its "${key}" is not a list`);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
        fail(sourceFile, `has an entry in "${key}" that is not a number (#${i + 1})`, DAMAGED);
      }
      out[i] = v[i];
    }
    return out;
  };

  let nodes: V8Node[];
  let childIndexes: number[][] | undefined;
  const legacy = !Array.isArray(obj.nodes);
  if (!legacy) nodes = obj.nodes as V8Node[];
  else if (obj.head && typeof obj.head === 'object' && !Array.isArray(obj.head)) {
    ({ nodes, childIndexes } = flattenHead(obj.head as V8Node, sourceFile));
  } else return notProfile('it has no "nodes" list (nor the old layout\'s "head" tree)');

  const n = nodes.length;
  const frames = new FrameTable();
  const id = new Float64Array(n);
  const frame = new Int32Array(n);
  const hitCount = new Float64Array(n);
  const childStart = new Int32Array(n);
  const childCount = new Int32Array(n);
  const childRefs = new Grow();
  const tickStart = new Int32Array(n);
  const tickLength = new Int32Array(n);
  const tickLine = new Grow();
  const tickCount = new Grow();
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    if (!node || typeof node !== 'object') {
      fail(sourceFile, `has a node (#${i + 1}) that is not an object`, REDO);
    }
    if (typeof node.id !== 'number' || !Number.isFinite(node.id)) {
      fail(sourceFile, `has a node (#${i + 1}) without a numeric id`, REDO);
    }
    id[i] = node.id;
    // Positions: modern call frames are 0-based; old-layout fields on the node are 1-based.
    const cf: V8CallFrame = node.callFrame ?? node;
    const shift = legacy && !node.callFrame ? 1 : 0;
    const line0 = numberOr(cf.lineNumber, shift - 1) - shift;
    const col0 = numberOr(cf.columnNumber, shift - 1) - shift;
    frame[i] = frames.lookup(str(cf.functionName), str(cf.url), line0, col0);
    hitCount[i] = numberOr(node.hitCount, 0);
    childStart[i] = childRefs.length;
    if (childIndexes) {
      for (const c of childIndexes[i]) childRefs.push(c);
    } else if (node.children !== undefined && node.children !== null) {
      if (!Array.isArray(node.children)) {
        fail(sourceFile, `has a node (id ${node.id}) whose children are not a list`, REDO);
      }
      for (const c of node.children) {
        if (typeof c !== 'number') {
          fail(
            sourceFile,
            `is inconsistent: node ${node.id} lists a child ${JSON.stringify(c)} that is not in the profile`,
            DAMAGED,
          );
        }
        childRefs.push(c);
      }
    }
    childCount[i] = childRefs.length - childStart[i];
    tickStart[i] = tickLine.length;
    if (Array.isArray(node.positionTicks)) {
      for (const t of node.positionTicks as V8PositionTick[]) {
        if (t && typeof t.line === 'number' && typeof t.ticks === 'number') {
          tickLine.push(t.line);
          tickCount.push(t.ticks);
        }
      }
    }
    tickLength[i] = tickLine.length - tickStart[i];
  }

  const start = typeof obj.startTime === 'number' ? obj.startTime : undefined;
  const end = typeof obj.endTime === 'number' ? obj.endTime : undefined;
  return {
    count: n,
    id,
    frame,
    frames: frames.frames,
    childStart,
    childCount,
    childRefs: childRefs.values(),
    childRefsAreIndexes: legacy,
    tickStart,
    tickLength,
    tickLine: tickLine.values(),
    tickCount: tickCount.values(),
    hitCount,
    samples: numbers('samples'),
    times: numbers(legacy ? 'timestamps' : 'timeDeltas'),
    timesAreAbsolute: legacy,
    // The old layout gives start and end in seconds.
    startTime: start === undefined || !legacy ? start : start * 1e6,
    endTime: end === undefined || !legacy ? end : end * 1e6,
  };
}

/** {@link parseJsonBytes}, failing with the messages {@link parseJson} gives for text. */
export function parseJsonBytesOrFail(
  body: Uint8Array,
  first: number,
  sourceFile: string | undefined,
  onProgress: ((fraction: number) => void) | undefined,
): unknown {
  try {
    return parseJsonBytes(body, onProgress);
  } catch (err) {
    if (!(err instanceof JsonBytesError)) throw err;
    // What the text route looks at: the start of the trimmed text, and its last character.
    const head = new TextDecoder().decode(body.subarray(first, first + 256));
    let last = body.length - 1;
    while (last > first && /[ \t\r\n]/.test(String.fromCharCode(body[last]))) last--;
    if (body[first] !== 0x7b && body[first] !== 0x5b) {
      fail(
        sourceFile,
        /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head.slice(0, 64))
          ? 'is not a text file, let alone JSON'
          : 'is not JSON (a .cpuprofile starts with "{")',
        `is it really a ${V8_NAME}?`,
      );
    }
    if (body[first] === 0x7b && body[last] !== 0x7d) {
      fail(
        sourceFile,
        'is cut short: its JSON ends before the profile does',
        `the file was probably truncated while being written or copied, so ${REDO}`,
      );
    }
    fail(
      sourceFile,
      `is not valid JSON (${err.message.slice(0, 120)})`,
      `is it really a ${V8_NAME}?`,
    );
  }
}
