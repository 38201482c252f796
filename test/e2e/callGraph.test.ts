// End to end, in a real VS Code (code-server + headless Chromium, the packaged extension): the
// example service's cProfile run (examples/profiles/service.prof) opens in the profile editor, and
// its Call graph tab shows list_accounts and the edge to re.compile with its call count and share,
// laid out by Graphviz in WebAssembly inside VS Code's webview (whose page allows
// 'wasm-unsafe-eval'). Screenshots: test-output/e2e/call-graph-*.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';

const prepared = prepareE2e();

describe('the call graph in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;
  const folder = mkdtempSync(join(tmpdir(), 'hl-callgraph-e2e-'));

  before(async () => {
    copyFileSync(join(repoRoot(), 'examples/profiles/service.prof'), join(folder, 'service.prof'));
    vs = await VsCodeSession.start(prepared.env!, { name: 'call-graph', folder, packaged: true });
  });

  after(async () => {
    await vs?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('service.prof: list_accounts, and its re.compile edge with ×130 calls', async () => {
    const s = vs!;
    await s.guard('service', async () => {
      await s.openFile('service.prof', { textEditor: false });
      const frame = await waitFor('the profile panel', () =>
        s.findFrame('vscode-button[data-view="callGraph"]'),
      );
      await frame.locator('vscode-button[data-view="callGraph"]').click();
      const drawn = await waitFor('the call graph, laid out', () =>
        frame.evaluate(() => {
          const status = document.querySelector('#graphStatus')?.textContent ?? '';
          if (!/laid out in/.test(status)) return undefined;
          return {
            status,
            nodes: Array.from(document.querySelectorAll('#graphPane g.node'), (g) => ({
              frame: Number((g as SVGElement).dataset.frame),
              lines: Array.from(g.querySelectorAll('tspan'), (t) => t.textContent ?? ''),
            })),
            edges: Array.from(document.querySelectorAll('#graphPane g.edge'), (g) => ({
              from: Number((g as SVGElement).dataset.from),
              to: Number((g as SVGElement).dataset.to),
              label: g.querySelector('text')?.textContent ?? '',
            })),
          };
        }),
      );
      await s.screenshot('1-service');
      assert.match(drawn.status, /^45 of 204 functions · 65 calls/);
      const list = drawn.nodes.find((n) => n.lines[0] === 'list_accounts');
      assert.deepEqual(list?.lines, ['list_accounts', 'service.py:44', '76.95%', '(1.14%)', '×1']);
      const compile = drawn.nodes.find(
        (n) => n.lines[0] === 'compile' && n.lines[1] === 're/__init__.py:225',
      );
      assert.ok(compile, drawn.nodes.map((n) => n.lines[0]).join(', '));
      const edge = drawn.edges.find((e) => e.from === list!.frame && e.to === compile.frame);
      assert.equal(edge?.label, '×130, 48.17%');
    });
  });
});
