/**
 * The words of the call graph's nodes and edges, one source for the webview's drawing and the DOT
 * and SVG exports: a node reads "name / place / total % / (self %) / ×calls" and an edge
 * "×calls, share %", as gprof2dot labels them (two decimals). Plain text: whoever puts it in DOT,
 * SVG or HTML escapes it there.
 */
import { untimedRecursion, type ShownEdge, type ShownNode } from './graphPrune';
import type { Frame } from './profile';

/** A fraction as gprof2dot prints it: "48.17%". */
export function graphPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** A count with thousands separators: "10,130". */
function count(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1);
}

/**
 * Calls as "×130", or pstats' "×360/12" when some were recursive (all calls / primitive ones,
 * as `print_callers` writes them); empty when not counted.
 */
export function graphCalls(calls: number | null, primitiveCalls: number | null): string {
  if (calls === null) return '';
  return primitiveCalls !== null && primitiveCalls !== calls
    ? `×${count(calls)}/${count(primitiveCalls)}`
    : `×${count(calls)}`;
}

/**
 * Where a function is, short: the file's last name and the line ("shapes.py:8"), with its folder
 * when the name alone says little (`re/__init__.py:225`, `lib/index.js:3`); a module id or URL as
 * recorded (`node:fs`); empty without a file.
 */
export function graphPlace(frame: Frame): string {
  const file = frame.file;
  if (!file) return '';
  const parts = file.split(/[\\/]/).filter(Boolean);
  let short = parts[parts.length - 1] ?? file;
  if (parts.length > 1 && /^(__init__|__main__|index)\.[^.]+$/.test(short)) {
    short = `${parts[parts.length - 2]}/${short}`;
  }
  return frame.line1 ? `${short}:${frame.line1}` : short;
}

/** The lines of a node's label: name, place (when known), total, (self), calls (when counted). */
export function nodeLabelLines(node: ShownNode, frame: Frame): string[] {
  const lines = [frame.name];
  const place = graphPlace(frame);
  if (place) lines.push(place);
  lines.push(graphPercent(node.totalShare), `(${graphPercent(node.selfShare)})`);
  const calls = graphCalls(node.calls, node.primitiveCalls);
  if (calls) lines.push(calls);
  return lines;
}

/**
 * An edge's label: "×130, 48.17%", the share alone when calls were not counted, the calls alone
 * for a call to itself whose time is not known (see graphPrune.ts).
 */
export function edgeLabelText(edge: ShownEdge): string {
  const calls = graphCalls(edge.calls, edge.primitiveCalls);
  if (calls && untimedRecursion(edge)) return calls;
  return calls ? `${calls}, ${graphPercent(edge.share)}` : graphPercent(edge.share);
}
