/**
 * The call graph in Graphviz's DOT language: what `heatlens convert --to dot` writes
 * (for `dot -Tsvg`, as `gprof2dot | dot` is used), what the SVG export and the webview lay out.
 * gprof2dot's look: boxes filled by heat (src/core/heatColors.ts, by the function's total share),
 * labelled "name / place / total % / (self %) / ×calls", edges colored and thickened by the time
 * passed along them and labelled "×calls, share %"; functions in a cycle have a dashed outline.
 *
 * Names are hostile data: every string goes out quoted, with `\` and `"` escaped, control and
 * bidirectional-override characters written as visible escapes (`\x0a`), `&` as `&amp;` (Graphviz
 * reads entities in labels), and at most 4,000 characters (dot's lexer has a 16 KB buffer).
 * Node ids are `f<frame id>`, never names.
 */
import { functionGraph } from '../core/functionGraph';
import { edgeLabelText, graphPercent, nodeLabelLines } from '../core/graphLabels';
import { pruneGraph, type GraphOptions, type ShownGraph } from '../core/graphPrune';
import { HEAT_COLORS } from '../core/heatColors';
import { heatLevel } from '../core/heatLevels';
import type { Frame, Profile } from '../core/profile';

/** How to write the graph. */
export interface DotOptions {
  /** Heat colors by level (five), and the text on them; omitted: no colors (a layout only). */
  readonly colors?: { readonly fills: readonly string[]; readonly text: string };
  /**
   * Node sizes in points, measured by the caller (the webview measures its own labels): nodes get
   * that fixed size and no label. Omitted: Graphviz sizes the labels.
   */
  readonly nodeSize?: (index: number) => { readonly width: number; readonly height: number };
  /** Edge labels in the layout (default true); large graphs leave them out (faster). */
  readonly edgeLabels?: boolean;
  /** Layout settings that keep a graph of thousands of nodes within seconds. */
  readonly fast?: boolean;
  /** Said in the graph's `comment`: what the graph is of. */
  readonly title?: string;
}

/** Functions above which a layout uses the fast settings (see {@link DotOptions.fast}). */
export const FAST_ABOVE = 300;

/** Longest string written (dot cannot read quoted strings of 16 KB and more). */
const MAX_TEXT = 4000;

/** Visible form of a character that must not reach a label as itself. */
function visible(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** `text` as a DOT quoted string (see the module comment). */
export function dotQuote(text: string): string {
  let t = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
  // C0, DEL, C1, line and paragraph separators, bidirectional overrides and isolates.
  t = t.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, visible);
  t = t.replace(/[\\"]/g, '\\$&').replace(/&/g, '&amp;');
  return `"${t}"`;
}

/** Label lines joined with DOT's centred line breaks (each line escaped). */
function dotLines(lines: readonly string[]): string {
  return lines.map((l) => dotQuote(l).slice(1, -1)).join('\\n');
}

/** `key=value` attributes, values quoted. */
function attrs(list: Record<string, string | number | undefined>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(list)) {
    if (v === undefined) continue;
    out.push(typeof v === 'number' ? `${k}=${Number(v.toFixed(3))}` : `${k}=${v}`);
  }
  return `[${out.join(', ')}]`;
}

/** Pen width of an edge passing `share` of the whole (gprof2dot's: 0.5 to 4 points). */
export function edgePenWidth(share: number): number {
  return Math.max(0.5, Math.min(4, share * 4));
}

/** The DOT text of a graph to draw. */
export function graphDot(
  graph: ShownGraph,
  frames: readonly Frame[],
  options: DotOptions = {},
): string {
  const { colors, nodeSize } = options;
  const edgeLabels = options.edgeLabels ?? true;
  const heat = (w: number) => heatLevel(w, graph.total, 0, 'run');
  const out: string[] = ['digraph {'];
  if (options.title) out.push(`\tcomment=${dotQuote(options.title)};`);
  const fast = options.fast
    ? ', splines=line, mclimit=0.1, nslimit=1, nslimit1=1, remincross=false, searchsize=10'
    : '';
  out.push(
    `\tgraph [fontname=Arial, nodesep=0.125, ranksep=0.25${fast}];`,
    `\tnode [fontname=Arial, fontsize=10, height=0, shape=box, width=0${colors ? `, style=filled, fontcolor="${colors.text}"` : ''}];`,
    // A layout for the webview: its labels are monospaced, 11 px; Courier's metrics reserve room.
    nodeSize ? '\tedge [fontname=Courier, fontsize=11];' : '\tedge [fontname=Arial, fontsize=10];',
  );
  graph.nodes.forEach((node, i) => {
    const frame = frames[node.frameId];
    const size = nodeSize?.(i);
    const fill = colors?.fills[heat(node.total)];
    const tooltip = frame.file
      ? `${frame.file}${frame.line1 ? `:${frame.line1}` : ''}`
      : frame.name;
    const cycle = node.cycle ? `cycle ${node.cycle}` : undefined;
    out.push(
      `\tf${node.frameId} ${attrs({
        label: size ? '""' : `"${dotLines(nodeLabelLines(node, frame))}"`,
        width: size ? size.width / 72 : undefined,
        height: size ? size.height / 72 : undefined,
        fixedsize: size ? 'true' : undefined,
        fillcolor: fill ? `"${fill}"` : undefined,
        color: fill ? `"${fill}"` : undefined,
        style: cycle ? (colors ? '"filled,dashed"' : 'dashed') : undefined,
        penwidth: cycle ? 2 : undefined,
        tooltip: nodeSize ? undefined : dotQuote(cycle ? `${tooltip} (${cycle})` : tooltip),
      })};`,
    );
  });
  for (const e of graph.edges) {
    const from = graph.nodes[e.from].frameId;
    const to = graph.nodes[e.to].frameId;
    const color = colors?.fills[heat(e.weight)];
    const pen = edgePenWidth(e.share);
    out.push(
      `\tf${from} -> f${to} ${attrs({
        label: edgeLabels ? dotQuote(edgeLabelText(e)) : undefined,
        color: color ? `"${color}"` : undefined,
        fontcolor: color ? `"${color}"` : undefined,
        penwidth: pen,
        arrowsize: 0.5 * Math.sqrt(pen),
        tooltip: nodeSize ? undefined : dotQuote(`${graphPercent(e.share)} passed along`),
      })};`,
    );
  }
  out.push('}', '');
  return out.join('\n');
}

/** What an export says of the graph it holds. */
function exportTitle(profile: Profile, graph: ShownGraph): string {
  const of = profile.meta.sourceFile ? ` of ${profile.meta.sourceFile}` : '';
  return (
    `Heatlens call graph${of}: ${graph.nodes.length} of ${graph.functions} functions ` +
    `(node threshold ${graph.nodeThreshold}%, edge threshold ${graph.edgeThreshold}%)`
  );
}

/** The graph an export draws: gprof2dot's default thresholds. */
export function exportedGraph(profile: Profile, options: GraphOptions = {}): ShownGraph {
  return pruneGraph(functionGraph(profile), options);
}

/** The DOT text of a profile's call graph with the default thresholds, colored for a white page. */
export function exportDotText(profile: Profile, options: GraphOptions = {}): string {
  const graph = exportedGraph(profile, options);
  return graphDot(graph, profile.frames, {
    colors: { fills: HEAT_COLORS.light, text: '#ffffff' },
    title: exportTitle(profile, graph),
    // Past a few hundred functions dot's default layout takes minutes (bench/callGraph.mjs).
    fast: graph.nodes.length > FAST_ABOVE,
  });
}

/** The bytes of `heatlens convert --to dot`. */
export function exportDot(profile: Profile, options: GraphOptions = {}): Uint8Array {
  return new TextEncoder().encode(exportDotText(profile, options));
}
