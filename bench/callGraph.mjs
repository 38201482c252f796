// Layout time of the call graph view: the repository's own path from a profile's call
// graph to positions (src/core/functionGraph.ts, graphPrune.ts, src/formats/exportDot.ts,
// src/shared/graphLayout.ts: DOT text, Graphviz's `dot` in WebAssembly from @viz-js/viz, its JSON
// read back), in Node, at 100, 1,000 and 5,000 shown functions, and the view's own case at 5,000
// functions over the thresholds, which it caps at MAX_SHOWN (the heaviest 1,000) with a notice.
//
// The graphs are synthetic call graphs of a deterministic profiler's shape (seeded): each function
// called from one earlier function, a third of them from a second one, one in fifty calling an
// earlier function back (cycles), labels as long as real ones. Past FAST_ABOVE (300) functions
// the layout uses dot's fast settings without edge labels (graphLayout.ts): at 1,000 functions
// dot's defaults with edge labels took 88 s on this machine, the fast settings about 1 s.
//
// Figures: milliseconds, median of --runs (default 3; 1 for 5,000 functions); no baseline (nothing
// else lays out the same graph in the same process); targets: 500 ms at 100 functions, 2,000 ms at
// 1,000 and for the view's capped 5,000, 60,000 ms for the 5,000 that an export lays out whole.
// Smoke mode (bench/smoke.mjs): 20, 60 and 120 functions, one run.
//
// Standalone: `node bench/callGraph.mjs [--runs N]`; bench/run.mjs imports `run()`.
import { pathToFileURL } from 'node:url';
import { bundleRepoExports, rng } from './benchFiles.mjs';
import { isSmoke, smokeOr } from './smoke.mjs';

/** The repository's TypeScript (and @viz-js/viz), bundled for this process. */
async function loadRepoCode() {
  return bundleRepoExports([
    "export { ProfileBuilder } from './src/core/profile';",
    "export { functionGraph } from './src/core/functionGraph';",
    "export { pruneGraph } from './src/core/graphPrune';",
    "export { nodeLabelLines } from './src/core/graphLabels';",
    "export { layoutGraph, MAX_SHOWN } from './src/shared/graphLayout';",
  ]);
}

/** A profile with a call graph of `n` functions (see the header), heaviest first. */
function makeProfile(code, n, seed) {
  const rand = rng(seed);
  const b = new code.ProfileBuilder();
  const frames = [];
  for (let i = 0; i < n; i++) {
    frames.push(
      b.frame({
        name: `handler_${i.toString(36)}_${['parse', 'render', 'load', 'compute'][i % 4]}`,
        file: `/srv/app/module${i % 97}/part${i % 13}.py`,
        line1: 1 + ((i * 37) % 900),
        col1: null,
        kind: 'user',
      }),
    );
  }
  const functions = [];
  const edges = [];
  const seen = new Set();
  const edge = (caller, callee, total) => {
    const key = caller * n + callee;
    if (seen.has(key)) return;
    seen.add(key);
    const calls = 1 + Math.floor(rand() * 5000);
    edges.push({ caller, callee, calls, primitiveCalls: calls, self: total / 4, total });
  };
  for (let i = 0; i < n; i++) {
    // Totals fall with the index, so that every function passes a zero threshold in order.
    const total = 1e6 / (1 + i);
    functions.push({
      frame: frames[i],
      calls: 1 + i,
      primitiveCalls: 1 + i,
      self: total / 3,
      total,
    });
    if (i === 0) continue;
    // A caller among the recent ones (depth), sometimes a second anywhere before (joins).
    const near = Math.max(0, i - 1 - Math.floor(rand() * Math.min(i, 40)));
    edge(frames[near], frames[i], total * 0.8);
    if (rand() < 0.33) edge(frames[Math.floor(rand() * i)], frames[i], total * 0.2);
    if (rand() < 0.02) edge(frames[i], frames[Math.floor(rand() * i)], total * 0.05);
  }
  b.setCallGraph({ functions, edges });
  return b.build({ profiler: 'cprofile', clock: 'wall', unit: 'seconds' });
}

/** Box sizes as the webview measures them, estimated at 6.6 points a character. */
function sizer(code, graph, profile) {
  return (i) => {
    const n = graph.nodes[i];
    const lines = code.nodeLabelLines(n, profile.frames[n.frameId]);
    const chars = Math.max(...lines.map((l) => l.length));
    return { width: Math.ceil(chars * 6.6 + 16), height: lines.length * 14 + 10 };
  };
}

/** Median milliseconds of `runs` layouts of `n` functions (capped at `cap`). */
async function measure(code, n, runs, cap) {
  const profile = makeProfile(code, n, 42 + n);
  const times = [];
  let last;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const graph = code.pruneGraph(code.functionGraph(profile), {
      nodeThreshold: 0,
      edgeThreshold: 0,
      maxNodes: cap,
    });
    last = {
      graph,
      layout: await code.layoutGraph(graph, profile.frames, sizer(code, graph, profile)),
    };
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    ms: times[times.length >> 1],
    nodes: last.graph.nodes.length,
    edges: last.graph.edges.length,
    fast: last.layout.fast,
    capped: last.graph.capped,
  };
}

const round = (v) => Math.round(v);

/** Runs the benchmark; returns rows {name, value, baseline, ratio, target} (milliseconds). */
export async function run(options = {}) {
  const code = await loadRepoCode();
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--runs');
  const runs = isSmoke() ? 1 : (options.runs ?? (i >= 0 ? Number(argv[i + 1]) : 3));
  const sizes = smokeOr([100, 1000, 5000], [20, 60, 120]);
  const targets = [500, 2000, 60000];
  const rows = [];
  for (const [k, n] of sizes.entries()) {
    const m = await measure(code, n, n >= 5000 ? 1 : runs, Infinity);
    process.stderr.write(`[callGraph bench] ${n} functions: ${JSON.stringify(m)}\n`);
    rows.push({
      name: `call graph layout, ${n.toLocaleString('en-US')} functions shown (${m.edges} calls${m.fast ? ', fast settings' : ''}; ms)`,
      value: round(m.ms),
      baseline: null,
      ratio: null,
      target: targets[k],
    });
  }
  const many = sizes[sizes.length - 1];
  const cap = isSmoke() ? 50 : code.MAX_SHOWN;
  const view = await measure(code, many, isSmoke() ? 1 : runs, cap);
  process.stderr.write(`[callGraph bench] view of ${many}: ${JSON.stringify(view)}\n`);
  rows.push({
    name: `call graph view, ${many.toLocaleString('en-US')} functions over the thresholds: capped to the ${view.nodes.toLocaleString('en-US')} heaviest (ms to the layout)`,
    value: round(view.ms),
    baseline: null,
    ratio: null,
    target: 2000,
  });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  for (const r of rows)
    console.log(`${r.name.padEnd(110)} ${String(r.value).padStart(8)}  target ${r.target}`);
}
