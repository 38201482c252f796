// Benchmark of the flame graph webview in headless Debian Chromium (playwright-core), on the page
// the extension serves (src/shared/flameHtml.ts) with the built bundle (dist/webview.js):
//
// - first paint after the profile arrives: from the host's postMessage (structured clone
//   included) to the first frame drawn and flushed (a 1-pixel read-back forces the raster), for
//   synthetic merged graphs of 100k and 1M nodes;
// - the frame time of a zoom/pan sequence (median and 95th percentile), each frame drawn and
//   flushed the same way;
// - the same for a time-ordered chart of about 3M intervals.
//
// Baselines: for first paint, speedscope (its npm package, 1.25.0, installed on first run into
// .bench/speedscope and served from 127.0.0.1) opening the same merged graph in its own JSON
// format, timed from the moment its fetch of the profile ends to its first frame of the left-heavy
// view (flushed with gl.finish); the ratio is ours / speedscope's (target at most 0.5). Note that
// speedscope's time includes parsing its file, which our extension host does before posting. When
// speedscope cannot be installed, the baseline is delivering the same message alone
// (postMessage + structured clone), the floor any viewer pays to receive the profile.
//
// Smoke mode (bench/smoke.mjs): graphs of 2k and 5k nodes and a short time order, and no
// speedscope (installing it needs the registry): the baseline is message delivery alone.
//
// `node bench/flame.mjs` prints the rows; bench/run.mjs imports `run()`.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleRepoExports, rng } from './benchFiles.mjs';
import { isSmoke, smokeOr } from './smoke.mjs';

const root = new URL('..', import.meta.url).pathname;
const CHROMIUM = process.env.HEATLENS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The repo's own TypeScript (wire format, page, tree freezing), bundled for this process. */
async function loadRepoCode() {
  return bundleRepoExports([
    "export { encodeProfile } from './src/shared/wire';",
    "export { flameHtml } from './src/shared/flameHtml';",
    "export { freezeTree } from './src/core/callTree';",
    "export { timeOrder } from './webview/layout/timeOrder';",
  ]);
}

/**
 * Frames as in a large real profile: a few thousand functions over a few hundred files, user code,
 * libraries and the runtime.
 */
function makeFrames(count, rand) {
  const frames = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const kind = r < 0.45 ? 'user' : r < 0.85 ? 'library' : r < 0.97 ? 'runtime' : 'pseudo';
    const fileNo = Math.floor(rand() * 400);
    const file =
      kind === 'user'
        ? `/home/dev/app/src/module${fileNo}.ts`
        : kind === 'library'
          ? `/home/dev/app/node_modules/pkg${fileNo % 60}/lib/file${fileNo}.js`
          : kind === 'runtime'
            ? `node:internal/mod${fileNo % 30}`
            : null;
    frames.push({
      name: kind === 'pseudo' ? `(pseudo ${i})` : `function${i}_${kind}`,
      file,
      line1: file ? 1 + Math.floor(rand() * 2000) : null,
      col1: file ? 1 : null,
      kind,
    });
  }
  return frames;
}

/**
 * A merged call tree of `size` nodes grown by a random walk of the stack (down into a new callee
 * or back up a few levels), depth around 25 and under 64: deep, wide and irregular like a real
 * server profile. Self weights are heavy-tailed (microseconds), many of them zero.
 */
function makeTree(code, size, frameCount, rand) {
  const parent = new Int32Array(size);
  const frame = new Int32Array(size);
  const self = new Float64Array(size);
  const depth = new Int32Array(size);
  parent[0] = -1;
  frame[0] = -1;
  let cur = 0;
  for (let i = 1; i < size; i++) {
    // Down into a new callee, more often near the top: depth hovers around 25, with branches at
    // every depth; back up a geometric number of levels otherwise.
    if (rand() >= (depth[cur] < 25 ? 0.8 : 0.45) || depth[cur] >= 63) {
      let up = 1 + Math.floor(-Math.log(1 - rand()) * 2);
      while (up-- > 0 && cur > 0) cur = parent[cur];
    }
    parent[i] = cur;
    // Zipf-like: a few hot functions, a long tail.
    frame[i] = Math.floor(frameCount * rand() ** 3);
    depth[i] = depth[cur] + 1;
    // Heavy-tailed (Pareto) self times: a few hot nodes, as in real profiles.
    self[i] = rand() < 0.6 ? 0 : 100 * Math.min(1e4, (1 - rand()) ** -1.5);
    cur = i;
  }
  return code.freezeTree(parent, frame, self);
}

/**
 * Samples walking a tree: each sample goes up 0-3 levels, then down 0-4 levels into random
 * callees; about 0.8 new intervals per sample in the time-ordered chart (the rest merge).
 */
function makeSamples(tree, count, rand) {
  const node = new Int32Array(count);
  const weight = new Float64Array(count).fill(1000);
  const start = new Float64Array(count);
  let cur = 0;
  for (let i = 0; i < count; i++) {
    let up = Math.floor(rand() * 4);
    while (up-- > 0 && cur > 0) cur = tree.parent[cur];
    let down = Math.floor(rand() * 5);
    while (down-- > 0 && tree.childCount[cur] > 0) {
      cur = tree.children[tree.childStart[cur] + Math.floor(rand() * tree.childCount[cur])];
    }
    if (cur === 0 && tree.childCount[0] > 0) cur = tree.children[tree.childStart[0]];
    node[i] = cur;
    start[i] = i * 1000;
  }
  return { count, node, weight, start };
}

function profileOf(frames, tree, samples) {
  const empty = {
    files: [],
    count: 0,
    file: new Int32Array(0),
    line1: new Int32Array(0),
    frame: new Int32Array(0),
    self: new Float64Array(0),
  };
  return {
    meta: { profiler: 'synthetic', clock: 'wall', unit: 'microseconds', warnings: [] },
    frames,
    tree,
    samples,
    lines: empty,
    treeIsApproximate: false,
  };
}

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

const SPEEDSCOPE_VERSION = '1.25.0';

/** speedscope's built app folder, installing the npm package into .bench/ on first use. */
function ensureSpeedscope() {
  const dir = join(root, '.bench', 'speedscope');
  const release = join(dir, 'node_modules', 'speedscope', 'dist', 'release');
  if (existsSync(join(release, 'index.html'))) return release;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"heatlens-bench-speedscope","private":true}\n');
  const r = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', `speedscope@${SPEEDSCOPE_VERSION}`],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0 || !existsSync(join(release, 'index.html'))) {
    process.stderr.write('[flame bench] speedscope could not be installed: no peer baseline\n');
    return null;
  }
  return release;
}

const MIME = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * A static server on loopback: speedscope's files (when installed), its profile
 * (`/profile.json`), and the message for our page (`/bench/message.json` plus the raw bytes of
 * each typed array at `/bench/bytes/<section>.<field>`, so that hundreds of megabytes never cross
 * the DevTools protocol).
 */
async function serve(release) {
  let profile = '';
  let skeleton = '{}';
  let bytes = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/profile.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(profile);
      return;
    }
    // The panel page is a file: page (origin "null"): let it read these.
    const cors = { 'access-control-allow-origin': '*' };
    if (path === '/bench/message.json') {
      res.writeHead(200, { 'content-type': 'application/json', ...cors });
      res.end(skeleton);
      return;
    }
    if (path.startsWith('/bench/bytes/') && bytes.has(path.slice(13))) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...cors });
      res.end(bytes.get(path.slice(13)));
      return;
    }
    const file = release && normalize(join(release, path === '/' ? 'index.html' : path));
    if (!file || !file.startsWith(release) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    setProfile(text) {
      profile = text;
    },
    /** Serves a binary wire message: typed arrays as raw bytes, the rest as JSON. */
    setMessage(message) {
      bytes = new Map();
      const copy = { ...message, profile: { ...message.profile } };
      for (const section of ['tree', 'samples']) {
        const part = message.profile[section];
        if (!part) continue;
        copy.profile[section] = { ...part };
        for (const [k, v] of Object.entries(part)) {
          if (v instanceof ArrayBuffer) {
            bytes.set(`${section}.${k}`, Buffer.from(v));
            copy.profile[section][k] = null;
          }
        }
      }
      skeleton = JSON.stringify(copy);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The merged graph as a speedscope "sampled" profile: one sample per node with self time. */
function toSpeedscope(frames, tree) {
  const samples = [];
  const weights = [];
  const stack = [];
  for (let i = 1; i < tree.size; i++) {
    if (!(tree.self[i] > 0)) continue;
    stack.length = 0;
    for (let n = i; n > 0; n = tree.parent[n]) stack.push(tree.frame[n]);
    samples.push(stack.reverse().slice());
    weights.push(tree.self[i]);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: {
      frames: frames.map((f) => ({
        name: f.name,
        file: f.file ?? undefined,
        line: f.line1 ?? undefined,
      })),
    },
    profiles: [
      {
        type: 'sampled',
        name: 'bench',
        unit: 'microseconds',
        startValue: 0,
        endValue: total,
        samples,
        weights,
      },
    ],
  });
}

/** speedscope's first paint of the left-heavy view after its profile fetch ends (ms). */
async function measureSpeedscope(browser, server, shot) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  // Watch for the view to mount (its three canvases), then two frames, then flush the GL canvas.
  await page.addInitScript(() => {
    window.__painted = new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error('speedscope did not paint within 120 s')), 120_000);
      const tick = () => {
        if (document.querySelectorAll('canvas').length >= 3) {
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              const gl = document.querySelector('canvas').getContext('webgl');
              gl?.finish();
              resolve(performance.now());
            }),
          );
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  });
  const url = `${server.base}/profile.json`;
  await page.goto(`${server.base}/#profileURL=${encodeURIComponent(url)}&view=left-heavy`);
  const result = await page.evaluate(async (u) => {
    const painted = await window.__painted;
    const entry = performance.getEntriesByName(u)[0];
    return { painted, arrived: entry ? entry.responseEnd : NaN };
  }, url);
  if (shot) await page.screenshot({ path: shot });
  await context.close();
  return result.painted - result.arrived;
}

const STUB = `
  window.__posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => undefined,
    setState: () => {},
  });
`;

/** Opens the panel page, delivers `message`, and measures first paint and a zoom/pan sequence. */
async function measure(browser, url, server, options) {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 800 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[flame bench] page error: ${e.message}\n`));
  page.setDefaultTimeout(120_000);
  await page.addInitScript(STUB);
  await page.goto(url);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  // The message with its typed arrays as ArrayBuffers, as VS Code delivers it to a webview,
  // fetched from the loopback server (the page's CSP is bypassed for this fetch only).
  await page.evaluate(async (base) => {
    const m = await (await fetch(`${base}/bench/message.json`)).json();
    for (const section of ['tree', 'samples']) {
      const part = m.profile[section];
      if (!part) continue;
      for (const k of Object.keys(part)) {
        if (part[k] === null) {
          part[k] = await (await fetch(`${base}/bench/bytes/${section}.${k}`)).arrayBuffer();
        }
      }
    }
    window.__message = m;
  }, server.base);
  // Baseline: the same message delivered to a listener that does nothing.
  const baseline = await page.evaluate(async () => {
    const times = [];
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port2.onmessage = () => {
          times.push(performance.now() - t0);
          channel.port1.close();
          resolve();
        };
        channel.port1.postMessage(window.__message);
      });
    }
    return times.sort((a, b) => a - b)[1];
  });
  const firstPaint = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const canvas = () => document.querySelector('#mainPane canvas');
        setTimeout(() => reject(new Error('no first paint within 60 s')), 60_000);
        const t0 = performance.now();
        window.heatlensDebug.onPaint = () => {
          window.heatlensDebug.onPaint = undefined;
          canvas().getContext('2d').getImageData(0, 0, 1, 1);
          resolve(performance.now() - t0);
        };
        window.postMessage(window.__message, '*');
      }),
  );
  let switchPaint = null;
  if (options.view === 'timeOrder') {
    // The chart is built when the view is first shown: measure that as its first paint.
    switchPaint = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          setTimeout(() => reject(new Error('no time-order paint within 60 s')), 60_000);
          const t0 = performance.now();
          window.heatlensDebug.onPaint = () => {
            window.heatlensDebug.onPaint = undefined;
            document.querySelector('#mainPane canvas').getContext('2d').getImageData(0, 0, 1, 1);
            resolve(performance.now() - t0);
          };
          document.querySelector('vscode-button[data-view="timeOrder"]').click();
        }),
    );
  }
  if (options.shot) await page.screenshot({ path: options.shot });
  const frames = await page.evaluate(() => {
    const dbg = window.heatlensDebug;
    const ctx = document.querySelector('#mainPane canvas').getContext('2d');
    const vp = dbg.viewport();
    const full = [vp.x0, vp.x1];
    // The sequence runs three times; each frame keeps its fastest run, which filters out the
    // other processes of a shared machine without hiding a slow frame (it is slow every time).
    const REPEATS = 3;
    let times = [];
    let js = [];
    const boxes = [];
    let step = 0;
    const best = [];
    const bestJs = [];
    const frame = (x0, x1, y) => {
      const t0 = performance.now();
      const stats = dbg.drawAt(x0, x1, y);
      ctx.getImageData(0, 0, 1, 1);
      const t = performance.now() - t0;
      best[step] = Math.min(best[step] ?? Infinity, t);
      bestJs[step] = Math.min(bestJs[step] ?? Infinity, stats.ms);
      boxes.push(stats.boxes);
      step++;
    };
    for (let rep = 0; rep < REPEATS; rep++) {
      step = 0;
      sequence();
    }
    times = best;
    js = bestJs;
    return { times, js, maxBoxes: Math.max(...boxes) };
    function sequence() {
      // Zoom in 40 steps towards a point a third of the way in, pan, scroll, zoom back out.
      let [a, b] = full;
      const focus = a + (b - a) / 3;
      for (let k = 0; k < 40; k++) {
        a = focus - (focus - a) * 0.85;
        b = focus + (b - focus) * 0.85;
        frame(a, b, 0);
      }
      for (let k = 0; k < 20; k++) {
        const d = (b - a) * 0.05;
        a += d;
        b += d;
        frame(a, b, k * 9);
      }
      for (let k = 0; k < 40; k++) {
        const mid = (a + b) / 2;
        a = mid - (mid - a) / 0.85;
        b = mid + (b - mid) / 0.85;
        frame(a, b, 0);
      }
      frame(full[0], full[1], 0);
    }
  });
  await context.close();
  const sorted = frames.times.slice().sort((x, y) => x - y);
  const sortedJs = frames.js.slice().sort((x, y) => x - y);
  return {
    firstPaint,
    switchPaint,
    baseline,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    jsMedian: quantile(sortedJs, 0.5),
    jsP95: quantile(sortedJs, 0.95),
    maxBoxes: frames.maxBoxes,
  };
}

const round = (v) => (v === null || Number.isNaN(v) ? null : Math.round(v * 10) / 10);

/** Runs the benchmark; returns rows {name, value, baseline, ratio, target} (milliseconds). */
export async function run() {
  if (!existsSync(join(root, 'dist', 'webview.js'))) {
    throw new Error('dist/webview.js is missing: run `node scripts/build.mjs` first');
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const code = await loadRepoCode();
  const dir = join(root, '.bench', 'flame');
  mkdirSync(dir, { recursive: true });
  const page = join(dir, 'panel.html');
  writeFileSync(
    page,
    code.flameHtml({
      cspSource: 'file:',
      nonce: 'YmVuY2gtbm9uY2U',
      scriptUri: pathToFileURL(join(root, 'dist', 'webview.js')).href,
      styleUri: pathToFileURL(join(root, 'dist', 'webview.css')).href,
    }),
  );
  const url = pathToFileURL(page).href;
  const req = createRequire(join(root, 'package.json'));
  const { chromium } = req('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const rows = [];
  const release = isSmoke() ? null : ensureSpeedscope();
  const server = await serve(release);
  try {
    const rand = rng(42);
    const frames = makeFrames(smokeOr(20000, 500), rand);
    for (const size of smokeOr([100_000, 1_000_000], [2_000, 5_000])) {
      const tree = makeTree(code, size, frames.length, rand);
      server.setMessage({
        type: 'profile',
        profile: code.encodeProfile(profileOf(frames, tree), { binary: true }),
      });
      const m = await measure(browser, url, server, { shot: join(dir, `heatlens-${size}.png`) });
      const label = `flame ${size / 1000}k nodes`;
      let peer = null;
      if (release) {
        server.setProfile(toSpeedscope(frames, tree));
        peer = await measureSpeedscope(browser, server, join(dir, `speedscope-${size}.png`)).catch(
          (e) => {
            process.stderr.write(`[flame bench] speedscope failed: ${e.message}\n`);
            return null;
          },
        );
        server.setProfile('');
      }
      const baseline = peer ?? m.baseline;
      rows.push(
        {
          name: `${label}: first paint after the profile arrives (ms; baseline: ${peer !== null ? `speedscope ${SPEEDSCOPE_VERSION}` : 'message delivery alone'})`,
          value: round(m.firstPaint),
          baseline: round(baseline),
          ratio: Math.round((m.firstPaint / baseline) * 100) / 100,
          target: peer !== null ? 0.5 : 500,
        },
        {
          name: `${label}: zoom/pan frame median (ms)`,
          value: round(m.median),
          baseline: null,
          ratio: null,
          target: 16,
        },
        {
          name: `${label}: zoom/pan frame p95 (ms)`,
          value: round(m.p95),
          baseline: null,
          ratio: null,
          target: 16,
        },
      );
      process.stderr.write(`[flame bench] ${label}: ${JSON.stringify(m)}\n`);
    }
    // Time order: about 3M intervals from samples walking a 200k-node tree.
    const tree = makeTree(code, smokeOr(200_000, 2_000), frames.length, rand);
    const samples = makeSamples(tree, smokeOr(3_800_000, 10_000), rand);
    const chart = code.timeOrder(tree, samples);
    const intervals = chart.rows.reduce((n, r) => n + r.node.length, 0);
    server.setMessage({
      type: 'profile',
      profile: code.encodeProfile(profileOf(frames, tree, samples), { binary: true }),
    });
    const m = await measure(browser, url, server, {
      view: 'timeOrder',
      shot: join(dir, 'heatlens-time-order.png'),
    });
    const label = `time order ${(intervals / 1e6).toFixed(2)}M intervals`;
    rows.push(
      {
        name: `${label}: first paint after switching to the view (ms, chart built then)`,
        value: round(m.switchPaint),
        baseline: null,
        ratio: null,
        target: 500,
      },
      {
        name: `${label}: zoom/pan frame median (ms)`,
        value: round(m.median),
        baseline: null,
        ratio: null,
        target: 33,
      },
      {
        name: `${label}: zoom/pan frame p95 (ms)`,
        value: round(m.p95),
        baseline: null,
        ratio: null,
        target: 33,
      },
    );
    process.stderr.write(`[flame bench] ${label}: ${JSON.stringify(m)}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(100)} ${String(r.value).padStart(8)}  baseline ${String(r.baseline).padStart(7)}  ratio ${String(r.ratio).padStart(6)}  target ${r.target}`,
    );
  }
}
