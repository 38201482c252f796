import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionGraph } from '../core/functionGraph';
import { pruneGraph } from '../core/graphPrune';
import { importPstats } from '../formats/pstats';
import { repoRoot } from '../../test/support/repoRoot';
import { layoutGraph } from './graphLayout';

test('layout of the service example: every box inside the drawing, edges from box to box', async () => {
  const rel = 'examples/profiles/service.prof';
  const p = importPstats(new Uint8Array(readFileSync(join(repoRoot(), rel))), { sourceFile: rel });
  const graph = pruneGraph(functionGraph(p));
  const layout = await layoutGraph(graph, p.frames, () => ({ width: 120, height: 60 }));
  assert.equal(layout.fast, false);
  assert.equal(layout.nodes.length, graph.nodes.length);
  assert.equal(layout.edges.length, graph.edges.length);
  assert.ok(layout.width > 120 && layout.height > 60);
  for (const n of layout.nodes) {
    // Sizes cross to Graphviz in inches, to three decimals.
    assert.ok(Math.abs(n.width - 120) < 0.1 && Math.abs(n.height - 60) < 0.1);
    assert.ok(n.x - 60 >= -1 && n.x + 60 <= layout.width + 1, `x ${n.x}`);
    assert.ok(n.y - 30 >= -1 && n.y + 30 <= layout.height + 1, `y ${n.y}`);
  }
  // Each edge starts at its caller's box and its arrow ends at its callee's (y grows downward).
  graph.edges.forEach((e, j) => {
    const { points, tip } = layout.edges[j];
    const from = layout.nodes[e.from];
    const to = layout.nodes[e.to];
    const near = (x: number, y: number, b: typeof from) =>
      Math.abs(x - b.x) <= b.width / 2 + 2 && Math.abs(y - b.y) <= b.height / 2 + 2;
    assert.ok(near(points[0], points[1], from), `edge ${j} starts at its caller`);
    if (e.from !== e.to) assert.ok(tip && near(tip[0], tip[1], to), `edge ${j} ends at its callee`);
  });
  // The graph runs top-down: the outermost function above list_accounts.
  const list = graph.nodes.findIndex((n) => p.frames[n.frameId].name === 'list_accounts');
  assert.ok(layout.nodes[0].y < layout.nodes[list].y);
});
