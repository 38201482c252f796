import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionGraph } from '../core/functionGraph';
import { pruneGraph } from '../core/graphPrune';
import { ProfileBuilder, type Profile } from '../core/profile';
import { repoRoot } from '../../test/support/repoRoot';
import { dotQuote, exportDot, exportDotText, graphDot } from './exportDot';
import { exportProfile } from './exportProfile';
import { graphviz } from './exportSvg';
import { importPstats } from './pstats';

const HOSTILE = '"];evil[label=<img src=x>';

/** main calls a function with a hostile name, whose file is hostile too. */
function hostileProfile(): Profile {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/app/main.js', line1: 1, col1: 1, kind: 'user' });
  const evil = b.frame({
    name: `${HOSTILE}\\N\n\u202e&amp;`,
    file: '/app/"a"\\b\n.js',
    line1: 2,
    col1: 1,
    kind: 'user',
  });
  b.addStack([main, evil], 90);
  b.addStack([main], 10);
  return b.build({ profiler: 'v8', clock: 'cpu', unit: 'microseconds', sourceFile: 'x"\n.js' });
}

test('dotQuote: quotes, backslashes, entities, control and bidi characters, length', () => {
  assert.equal(dotQuote('plain'), '"plain"');
  assert.equal(dotQuote('a"b'), '"a\\"b"');
  assert.equal(dotQuote('a\\Nb'), '"a\\\\Nb"', "Graphviz's \\N would name the node");
  assert.equal(dotQuote('a\nb\r'), '"a\\\\x0ab\\\\x0d"', 'line breaks shown, not followed');
  assert.equal(dotQuote('x\u202ey'), '"x\\\\u202ey"');
  assert.equal(dotQuote('&lt;'), '"&amp;lt;"', 'Graphviz would read the entity');
  const long = dotQuote('x'.repeat(20000));
  assert.ok(long.length < 4100 && long.endsWith('…"'));
});

test('a hostile name stays one label: Graphviz reads the DOT as the nodes and edges written', async () => {
  const p = hostileProfile();
  const dot = exportDotText(p);
  // Every statement on its own line: no name broke a line or a string.
  for (const line of dot.split('\n').slice(1, -2)) assert.match(line, /^\t.*;$/, line);
  const viz = await graphviz();
  const layout = JSON.parse(viz.renderString(dot, { format: 'json0' })) as {
    objects: { name: string; label: string }[];
    edges: { tail: number; head: number }[];
  };
  assert.deepEqual(layout.objects.map((o) => o.name).sort(), ['f0', 'f1']);
  assert.equal(layout.edges.length, 1);
  const label = layout.objects.find((o) => o.name === 'f1')!.label;
  assert.ok(label.startsWith(`${HOSTILE}\\\\N\\\\x0a\\\\u202e&amp;amp;\\n`), label);
  // The SVG Graphviz writes has the name as text, escaped, and no element of it.
  const svg = viz.renderString(dot, { format: 'svg' });
  assert.ok(!svg.includes('<img'), 'no img element');
  assert.ok(svg.includes('&quot;];evil[label=&lt;img src=x&gt;\\N\\x0a\\u202e&amp;amp;'), svg);
  assert.ok(!/evil\[label=<|"];evil/.test(svg));
  // The comment naming the source file is escaped as well.
  assert.match(dot, /comment="Heatlens call graph of x\\"\\\\x0a\.js: /);
});

test('the service example: list_accounts, and its re.compile edge with calls and share', () => {
  const rel = 'examples/profiles/service.prof';
  const p = importPstats(new Uint8Array(readFileSync(join(repoRoot(), rel))), { sourceFile: rel });
  const dot = new TextDecoder().decode(exportDot(p));
  const id = (name: string, place: string) => {
    const m = new RegExp(`\\t(f\\d+) \\[label="${name}\\\\n${place}\\\\n`).exec(dot);
    assert.ok(m, `${name} is drawn`);
    return m[1];
  };
  const list = id('list_accounts', 'service.py:44');
  const compile = id('compile', 're/__init__.py:225');
  assert.match(dot, new RegExp(`\\t${list} -> ${compile} \\[label="×130, 48\\.17%"`));
  assert.match(dot, /label="list_accounts\\nservice\.py:44\\n76\.95%\\n\(1\.14%\)\\n×1"/);
  // Heat: list_accounts (77%) is the hottest level, filled and outlined.
  assert.match(dot, new RegExp(`\\t${list} \\[.*fillcolor="#8b1a1a"`));
  // Thresholds: fewer functions at 5%; the layout form has sizes and no labels.
  const fewer = new TextDecoder().decode(exportDot(p, { nodeThreshold: 5 }));
  assert.ok(fewer.split(' [label=').length < dot.split(' [label=').length);
  const g = pruneGraph(functionGraph(p));
  const layout = graphDot(g, p.frames, {
    nodeSize: () => ({ width: 144, height: 36 }),
    edgeLabels: false,
  });
  assert.match(layout, /\tf\d+ \[label="", width=2, height=0\.5, fixedsize=true/);
  assert.doesNotMatch(layout, /fillcolor|×130/);
});

test('SVG export: Graphviz in WebAssembly, in Node', async () => {
  const p = hostileProfile();
  const svg = new TextDecoder().decode(await exportProfile(p, 'svg'));
  assert.match(svg, /^<\?xml/);
  assert.match(svg, /<svg width="\d+pt"/);
  assert.ok(svg.includes('>main</text>'));
  assert.ok(!svg.includes('<img'));
});
