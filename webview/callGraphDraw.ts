/**
 * Draws a laid-out call graph (src/shared/graphLayout.ts) as SVG elements: boxes filled by heat
 * (src/core/heatColors.ts, the gutter's colors), each with its label's lines, edges as Graphviz's
 * curves with an arrowhead and "×calls, share %", functions in a cycle outlined dashed. Every
 * name is set as text (textContent), never as markup.
 */
import { formatWeight } from '../src/core/format';
import { edgeLabelText, graphCalls, graphPercent, nodeLabelLines } from '../src/core/graphLabels';
import type { ShownGraph } from '../src/core/graphPrune';
import { HEAT_COLORS } from '../src/core/heatColors';
import { heatLevel } from '../src/core/heatLevels';
import type { Frame, WeightUnit } from '../src/core/profile';
import { edgePenWidth } from '../src/formats/exportDot';
import type { GraphLayout } from '../src/shared/graphLayout';
import type { ThemeKind } from './theme';

const SVG = 'http://www.w3.org/2000/svg';

/** Label metrics, in points (the SVG's units): font size, line height, padding. */
export const GRAPH_FONT_SIZE = 11;
export const GRAPH_LINE = 14;
export const GRAPH_PAD_X = 8;
export const GRAPH_PAD_Y = 5;

/** An SVG element with attributes. */
export function svgEl(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A `<title>` (the hover text) set as text. */
function title(text: string): SVGElement {
  const t = svgEl('title');
  t.textContent = text;
  return t;
}

/** The heat colors of a theme, and the text drawn on them. */
export function heatTones(kind: ThemeKind): { fills: readonly string[]; text: string } {
  return kind === 'light' || kind === 'hcLight'
    ? { fills: HEAT_COLORS.light, text: '#ffffff' }
    : { fills: HEAT_COLORS.dark, text: '#1b1b1b' };
}

/** What a node's hover says: its place, figures with their weights, calls, its cycle. */
export function nodeTitle(
  graph: ShownGraph,
  index: number,
  frame: Frame,
  unit: WeightUnit,
): string {
  const n = graph.nodes[index];
  const lines = [frame.name];
  if (frame.file) lines.push(`${frame.file}${frame.line1 ? `:${frame.line1}` : ''}`);
  lines.push(
    `Total: ${formatWeight(n.total, unit)} (${graphPercent(n.totalShare)})`,
    `Self: ${formatWeight(n.self, unit)} (${graphPercent(n.selfShare)})`,
  );
  if (n.calls !== null) {
    lines.push(
      n.primitiveCalls !== null && n.primitiveCalls !== n.calls
        ? `Calls: ${n.calls.toLocaleString('en-US')} (${n.primitiveCalls.toLocaleString('en-US')} not recursive)`
        : `Calls: ${n.calls.toLocaleString('en-US')}`,
    );
  }
  if (n.cycle) lines.push(`In cycle ${n.cycle} (recursion)`);
  lines.push('Click selects · Ctrl/Cmd+click or Enter opens the source');
  return lines.join('\n');
}

/** One node: its box, label lines and hover text, as a focusable group. */
function drawNode(
  graph: ShownGraph,
  i: number,
  layout: GraphLayout,
  frames: readonly Frame[],
  tones: { fills: readonly string[]; text: string },
  unit: WeightUnit,
): SVGElement {
  const n = graph.nodes[i];
  const box = layout.nodes[i];
  const frame = frames[n.frameId];
  const fill = tones.fills[heatLevel(n.total, graph.total, 0, 'run')];
  const lines = nodeLabelLines(n, frame);
  // The name a screen reader says holds the text the box shows (WCAG's label in name), then
  // what the figures are.
  const g = svgEl('g', {
    class: n.cycle ? 'node cycle' : 'node',
    'data-frame': n.frameId,
    tabindex: -1,
    role: 'button',
    'aria-label': `${lines.join(' ')}: total ${graphPercent(n.totalShare)}, self ${graphPercent(n.selfShare)}${n.calls !== null ? `, ${graphCalls(n.calls, n.primitiveCalls)} calls` : ''}`,
  });
  g.append(title(nodeTitle(graph, i, frame, unit)));
  const x = box.x - box.width / 2;
  const y = box.y - box.height / 2;
  g.append(svgEl('rect', { x, y, width: box.width, height: box.height, rx: 3, fill }));
  const text = svgEl('text', { x: box.x, y: y + GRAPH_PAD_Y, fill: tones.text });
  lines.forEach((line, k) => {
    const span = svgEl('tspan', { x: box.x, dy: k === 0 ? GRAPH_LINE - 3 : GRAPH_LINE });
    if (k === 0) span.setAttribute('class', 'fn');
    span.textContent = line;
    // A space between lines: the text read from the box is then its words, as its name says
    // them (each line starts at its own position, so the space is not seen).
    if (k > 0) text.append(' ');
    text.append(span);
  });
  g.append(text);
  return g;
}

/** An SVG path through Graphviz's control points (cubic Béziers, or a polyline). */
function pathData(points: readonly number[]): string {
  if (points.length < 4) return '';
  const pairs: string[] = [];
  for (let i = 0; i < points.length; i += 2) pairs.push(`${points[i]},${points[i + 1]}`);
  const cubic = (pairs.length - 1) % 3 === 0 && pairs.length > 2;
  return cubic ? `M${pairs[0]} C${pairs.slice(1).join(' ')}` : `M${pairs.join(' L')}`;
}

/** An arrowhead from the curve's end to the tip. */
function arrow(points: readonly number[], tip: readonly [number, number], pen: number): string {
  const ex = points[points.length - 2];
  const ey = points[points.length - 1];
  let dx = tip[0] - ex;
  let dy = tip[1] - ey;
  const len = Math.hypot(dx, dy) || 1;
  dx /= len;
  dy /= len;
  const half = Math.max(3, len * 0.4, pen);
  return `${tip[0]},${tip[1]} ${ex - dy * half},${ey + dx * half} ${ex + dy * half},${ey - dx * half}`;
}

/** One edge: its curve, arrowhead, label and hover text. */
function drawEdge(
  graph: ShownGraph,
  j: number,
  layout: GraphLayout,
  frames: readonly Frame[],
  tones: { fills: readonly string[] },
): SVGElement {
  const e = graph.edges[j];
  const laid = layout.edges[j];
  const from = frames[graph.nodes[e.from].frameId];
  const to = frames[graph.nodes[e.to].frameId];
  const color = tones.fills[heatLevel(e.weight, graph.total, 0, 'run')];
  const pen = edgePenWidth(e.share);
  const g = svgEl('g', {
    class: e.inCycle ? 'edge cycle' : 'edge',
    'data-from': graph.nodes[e.from].frameId,
    'data-to': graph.nodes[e.to].frameId,
  });
  const label = edgeLabelText(e);
  g.append(title(`${from.name} → ${to.name}: ${label}`));
  g.append(svgEl('path', { d: pathData(laid.points), stroke: color, 'stroke-width': pen }));
  if (laid.tip)
    g.append(svgEl('polygon', { points: arrow(laid.points, laid.tip, pen), fill: color }));
  // Graphviz's label box touches the curve: a few points of air.
  const text = svgEl('text', { x: laid.label[0] + 4, y: laid.label[1], class: 'edge-label' });
  text.textContent = label;
  g.append(text);
  return g;
}

/** The whole graph as one `<g>` (edges under nodes). */
export function drawGraph(
  graph: ShownGraph,
  layout: GraphLayout,
  frames: readonly Frame[],
  kind: ThemeKind,
  unit: WeightUnit,
): SVGElement {
  const tones = heatTones(kind);
  const root = svgEl('g', { class: 'graph' });
  const edges = svgEl('g', { class: 'edges' });
  for (let j = 0; j < graph.edges.length; j++)
    edges.append(drawEdge(graph, j, layout, frames, tones));
  const nodes = svgEl('g', { class: 'nodes' });
  for (let i = 0; i < graph.nodes.length; i++)
    nodes.append(drawNode(graph, i, layout, frames, tones, unit));
  root.append(edges, nodes);
  return root;
}
