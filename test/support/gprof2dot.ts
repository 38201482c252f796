/**
 * Reads gprof2dot's DOT output (`gprof2dot -f pstats|callgrind FILE`): its nodes with the figures
 * of their labels (total %, self %, calls) and its edges with theirs (share %, calls), for the
 * comparison of Heatlens' call graph with gprof2dot's (test/callGraphGprof2dot.test.ts).
 *
 * gprof2dot labels a node "[module\n]name\ntotal%\n(self%)\ncalls×" and an edge "share%\ncalls×"
 * (a self-call in a callgrind file has no share: "calls×"). Node ids are numbers (pstats) or the
 * function's name (callgrind), quoted where DOT needs it.
 */

/** A node of gprof2dot's graph. */
export interface G2dNode {
  readonly id: string;
  /** The function's name as gprof2dot writes it ("re:225:compile" for pstats). */
  readonly name: string;
  /** The object's name (callgrind's `ob=`), when gprof2dot shows it. */
  readonly module: string | null;
  /** pstats: the file (gprof2dot's tooltip). */
  readonly tooltip: string | null;
  /** Percent, as printed (two decimals). */
  readonly total: number;
  readonly self: number;
  readonly calls: number | null;
}

/** An edge of gprof2dot's graph. */
export interface G2dEdge {
  readonly from: string;
  readonly to: string;
  /** Percent, as printed; null when gprof2dot prints none (a callgrind self-call). */
  readonly share: number | null;
  readonly calls: number | null;
}

const ID = String.raw`"(?:[^"\\]|\\.)*"|[A-Za-z0-9_.]+`;
const NODE = new RegExp(String.raw`^\s*(${ID})\s*\[(.*)\];\s*$`);
const EDGE = new RegExp(String.raw`^\s*(${ID})\s*->\s*(${ID})\s*\[(.*)\];\s*$`);
const ATTR = new RegExp(String.raw`([A-Za-z_]+)=(${ID}|#[0-9a-f]+)`, 'g');

/** A DOT id or value without its quotes and escapes. */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => c);
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTR)) {
    // Labels keep DOT's `\n` (two characters) as line breaks: split them before unquoting.
    out.set(m[1], m[2].startsWith('"') ? m[2].slice(1, -1) : m[2]);
  }
  return out;
}

const percent = (s: string | undefined): number | null => {
  const m = s ? /^\(?(-?[\d.]+)%\)?$/.exec(s) : null;
  return m ? Number(m[1]) : null;
};
const count = (s: string | undefined): number | null => {
  const m = s ? /^(\d+)×$/.exec(s) : null;
  return m ? Number(m[1]) : null;
};

/** The nodes and edges of gprof2dot's DOT text. */
export function parseGprof2dot(text: string): { nodes: G2dNode[]; edges: G2dEdge[] } {
  const nodes: G2dNode[] = [];
  const edges: G2dEdge[] = [];
  for (const line of text.split('\n')) {
    const edge = EDGE.exec(line);
    if (edge) {
      const lines = (attributes(edge[3]).get('label') ?? '').split('\\n');
      const calls = count(lines[lines.length - 1]);
      edges.push({
        from: unquote(edge[1]),
        to: unquote(edge[2]),
        share: lines.length > 1 ? percent(lines[0]) : null,
        calls,
      });
      continue;
    }
    const node = NODE.exec(line);
    if (!node || ['graph', 'node', 'edge'].includes(node[1])) continue;
    const a = attributes(node[2]);
    const label = a.get('label');
    if (label === undefined) continue;
    const lines = label.split('\\n').map((l) => l.replace(/\\(.)/g, (_, c: string) => c));
    const calls = count(lines[lines.length - 1]);
    const figures = calls === null ? lines : lines.slice(0, -1);
    const self = percent(figures[figures.length - 1]);
    const total = percent(figures[figures.length - 2]);
    if (self === null || total === null) throw new Error(`unexpected gprof2dot label: ${label}`);
    const names = figures.slice(0, -2);
    nodes.push({
      id: unquote(node[1]),
      name: names[names.length - 1],
      module: names.length > 1 ? names[0] : null,
      tooltip: a.has('tooltip') ? unquote(`"${a.get('tooltip')}"`) : null,
      total,
      self,
      calls,
    });
  }
  return { nodes, edges };
}
