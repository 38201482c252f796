// The flame graph webview, built (dist/webview.js) and loaded in headless Chromium on the page the
// extension serves, with real profiles: the V8 profile of test/fixtures/node/hot.js, a cProfile
// call graph, and a profile whose function names are hostile HTML. Screenshots go to
// test-output/webview/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatShare, formatWeight } from '../../src/core/format';
import { ProfileBuilder, type Profile } from '../../src/core/profile';
import { importCpuprofile } from '../../src/formats/cpuprofile';
import { importPstats } from '../../src/formats/pstats';
import type { HostToWebview } from '../../src/shared/protocol';
import { encodeProfile } from '../../src/shared/wire';
import { frameIndex, frameNamed } from '../support/frames';
import { layoutFlame } from '../../webview/layout/flameLayout';
import { tableRowsFromTree } from '../../webview/layout/table';
import {
  VSCODE_API_STUB,
  applyTheme,
  findBrowser,
  launch,
  outputDir,
  postToPage,
  readRepoFile,
  writePage,
  type Browser,
  type Page,
} from './browser';

const found = findBrowser();
const skip = 'skip' in found ? found.skip : false;
if (skip && process.env.CI) throw new Error(`CI must run the webview tests, but ${skip}`);

const HOSTILE_IMG = '<img src=x onerror=alert(1)>';
const HOSTILE_SCRIPT = '</script><script>alert(2)</script>';

function hotProfile(): Profile {
  const text = readRepoFile('test/fixtures/node/hot.cpuprofile').toString('utf8');
  return importCpuprofile(text, { sourceFile: 'test/fixtures/node/hot.cpuprofile' });
}

function hostileProfile(): Profile {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/app/main.js', line1: 1, col1: 1, kind: 'user' });
  const img = b.frame({
    name: HOSTILE_IMG,
    file: '/app/<b>evil</b>.js',
    line1: 2,
    col1: 1,
    kind: 'user',
  });
  const scr = b.frame({
    name: HOSTILE_SCRIPT,
    file: '/app/main.js',
    line1: 9,
    col1: 1,
    kind: 'user',
  });
  let t = 0;
  for (const [stack, w] of [
    [[main, img], 600],
    [[main, scr], 300],
    [[main], 100],
  ] as const) {
    const n = b.addStack(stack, w);
    b.addSample(n, w, t);
    t += w;
  }
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
}

interface Opened {
  page: Page;
  dialogs: string[];
  problems: string[];
  close(): Promise<void>;
}

interface DebugView {
  heatlensDebug: {
    lastDraw(): { boxes: number; labels: number; highlighted: number; rows: number; ms: number };
    locate(name: string): { x: number; y: number; node: number } | null;
    viewport(): { x0: number; x1: number; scrollY: number } | null;
  };
  __posted: { type: string; file?: string; line1?: number }[];
  __state: unknown;
}

describe('flame graph webview in Chromium', { skip }, () => {
  let browser: Browser;
  let url: string;
  const shots = outputDir('webview');

  before(async () => {
    if ('skip' in found) return;
    browser = await launch(found);
    url = writePage(shots);
  });
  after(async () => {
    await browser?.close();
  });

  async function open(
    profile: Profile | undefined,
    options: {
      theme?: 'dark' | 'light' | 'hcDark';
      dpr?: number;
      state?: unknown;
      focus?: { frameId: number; view?: 'flame' | 'sandwich' };
    } = {},
  ): Promise<Opened> {
    const context = await browser.newContext({
      viewport: { width: 1200, height: 640 },
      deviceScaleFactor: options.dpr ?? 1,
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const problems: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.addInitScript(
      `window.__initialState = ${JSON.stringify(options.state ?? null) ?? 'null'};`,
    );
    await page.addInitScript(VSCODE_API_STUB);
    await page.goto(url);
    await applyTheme(page, options.theme ?? 'dark');
    await page.waitForFunction(() =>
      (window as unknown as DebugView).__posted.some((m) => m.type === 'ready'),
    );
    if (profile) {
      // Base64 over the test channel, ArrayBuffers in the page (see postToPage).
      const msg: HostToWebview = {
        type: 'profile',
        profile: encodeProfile(profile),
        focus: options.focus,
      };
      await postToPage(page, msg);
      await page.waitForFunction(
        () => performance.getEntriesByName('heatlens:first-paint').length > 0,
      );
    }
    return { page, dialogs, problems, close: () => context.close() };
  }

  const debug = (page: Page) => ({
    lastDraw: () => page.evaluate(() => (window as unknown as DebugView).heatlensDebug.lastDraw()),
    locate: (name: string) =>
      page.evaluate((n) => (window as unknown as DebugView).heatlensDebug.locate(n), name),
    viewport: () => page.evaluate(() => (window as unknown as DebugView).heatlensDebug.viewport()),
    posted: () => page.evaluate(() => (window as unknown as DebugView).__posted),
    state: () => page.evaluate(() => (window as unknown as DebugView).__state),
    /** Share of canvas pixels that differ from the background. */
    inked: (selector: string) =>
      page.evaluate((sel) => {
        const canvas = document.querySelector(sel) as HTMLCanvasElement;
        const ctx = canvas.getContext('2d')!;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        // The bottom-right pixel is background in every view of these small profiles.
        const b = data.length - 4;
        let inked = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] !== data[b] || data[i + 1] !== data[b + 1] || data[i + 2] !== data[b + 2])
            inked++;
        }
        return {
          share: inked / (data.length / 4),
          bg: [data[b], data[b + 1], data[b + 2]],
          width: canvas.width,
          cssWidth: canvas.clientWidth,
        };
      }, selector),
  });

  test('renders a real V8 profile: boxes, labels, no CSP or script errors', async () => {
    const o = await open(hotProfile());
    const d = debug(o.page);
    const stats = await d.lastDraw();
    assert.ok(stats.boxes >= 20, `drew ${stats.boxes} boxes`);
    assert.ok(stats.labels >= 8, `drew ${stats.labels} labels`);
    const ink = await d.inked('#mainPane canvas');
    assert.ok(ink.share > 0.05, `only ${(ink.share * 100).toFixed(1)}% of the canvas is drawn`);
    assert.deepEqual(ink.bg, [0x1f, 0x1f, 0x1f], 'background from --vscode-editor-background');
    await o.page.screenshot({ path: join(shots, 'flame-dark.png') });
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('hover shows name, file:line, self and total with shares, calls', async () => {
    const profile = hotProfile();
    const o = await open(profile);
    const d = debug(o.page);
    const at = await d.locate('checksum');
    assert.ok(at, 'checksum is drawn');
    await o.page.mouse.move(at.x, at.y);
    const text = (await o.page.locator('#tooltip').textContent()) ?? '';
    const unit = profile.meta.unit;
    const whole = profile.tree.total[0];
    const t = profile.tree;
    const fmt = (v: number) => `${formatWeight(v, unit)} (${formatShare(v, whole)})`;
    const row = tableRowsFromTree(t, profile.frames.length).find(
      (r) => r.frameId === frameIndex(profile, 'checksum'),
    )!;
    assert.match(text, /^checksum/);
    assert.ok(text.includes(`${profile.frames[row.frameId].file}:6`), text);
    assert.ok(text.includes(`Total here: ${fmt(t.total[at.node])}`), text);
    assert.ok(text.includes(`Self here: ${fmt(t.self[at.node])}`), text);
    assert.ok(text.includes(`Function total: ${fmt(row.total)} · self: ${fmt(row.self)}`), text);
    assert.ok(text.includes('Calls: not counted'), text);
    await o.page.screenshot({ path: join(shots, 'hover.png') });
    await o.close();
  });

  test('click zooms; the breadcrumb and Escape go back', async () => {
    const profile = hotProfile();
    const o = await open(profile);
    const d = debug(o.page);
    const layout = layoutFlame(profile.tree);
    const at = (await d.locate('checksum'))!;
    await o.page.mouse.click(at.x, at.y);
    const vp = (await d.viewport())!;
    assert.equal(vp.x0, layout.x[at.node]);
    assert.equal(vp.x1, layout.x[at.node] + profile.tree.total[at.node]);
    const crumbs = (await o.page.locator('#crumbs').textContent()) ?? '';
    assert.match(crumbs, /All.*main.*checksum/);
    await o.page.screenshot({ path: join(shots, 'zoomed.png') });
    // Zoom one level further (the box under checksum), then back twice.
    const main = (await d.locate('main'))!;
    await o.page.mouse.click(main.x, main.y);
    assert.equal((await d.viewport())!.x0, layout.x[main.node]);
    await o.page.keyboard.press('Escape');
    assert.equal((await d.viewport())!.x0, layout.x[at.node], 'Escape: back to checksum');
    await o.page.locator('#crumbs button.crumb').first().click();
    assert.deepEqual(await d.viewport(), { x0: 0, x1: profile.tree.total[0], scrollY: 0 });
    await o.close();
  });

  test('search highlights matches and shows their total share', async () => {
    const profile = hotProfile();
    const o = await open(profile);
    const d = debug(o.page);
    await o.page.locator('#search input').fill('checksum');
    await o.page.waitForFunction(() => document.querySelector('#searchInfo')?.textContent !== '');
    const info = (await o.page.locator('#searchInfo').textContent()) ?? '';
    const row = tableRowsFromTree(profile.tree, profile.frames.length).find(
      (r) => r.frameId === frameIndex(profile, 'checksum'),
    )!;
    const share = formatShare(row.total, profile.tree.total[0]);
    assert.ok(info.startsWith(`1 function · ${share} · `), info);
    await o.page.evaluate(() => new Promise(requestAnimationFrame));
    const stats = await d.lastDraw();
    assert.ok(stats.highlighted >= 1 && stats.highlighted < stats.boxes, JSON.stringify(stats));
    await o.page.screenshot({ path: join(shots, 'search.png') });
    await o.page.locator('#regex').click();
    await o.page.locator('#search input').fill('^(checksum|joinLetters)$');
    await o.page.waitForFunction(() =>
      /2 functions/.test(document.querySelector('#searchInfo')?.textContent ?? ''),
    );
    await o.page.locator('#search input').fill('(');
    await o.page.waitForFunction(() =>
      /Invalid regular expression/.test(document.querySelector('#searchInfo')?.textContent ?? ''),
    );
    await o.close();
  });

  test('Ctrl+click and the Open source button post openSource with the file and line', async () => {
    const profile = hotProfile();
    const o = await open(profile);
    const d = debug(o.page);
    const at = (await d.locate('joinLetters'))!;
    await o.page.keyboard.down('Control');
    await o.page.mouse.click(at.x, at.y);
    await o.page.keyboard.up('Control');
    const file = frameNamed(profile, 'joinLetters').file;
    assert.deepEqual(
      (await d.posted()).filter((m) => m.type === 'openSource'),
      [{ type: 'openSource', file, line1: 22 }],
    );
    assert.equal((await d.viewport())!.x0, 0, 'Ctrl+click does not zoom');
    // Select checksum with a click (zoom), then the toolbar button.
    const c = (await d.locate('checksum'))!;
    await o.page.mouse.click(c.x, c.y);
    await o.page.locator('#openSource').click();
    const opened = (await d.posted()).filter((m) => m.type === 'openSource');
    assert.deepEqual(opened[1], { type: 'openSource', file, line1: 6 });
    await o.close();
  });

  test('keyboard: arrows move the selection, Enter zooms', async () => {
    const profile = hotProfile();
    const o = await open(profile);
    const d = debug(o.page);
    const layout = layoutFlame(profile.tree);
    const all = (await d.locate('main'))!;
    await o.page.mouse.click(all.x, all.y); // zoom to main, selected
    await o.page.keyboard.press('ArrowDown'); // heaviest callee of main
    await o.page.keyboard.press('Enter');
    const t = profile.tree;
    const heaviest = t.children[t.childStart[all.node]];
    const vp = (await d.viewport())!;
    assert.equal(vp.x0, layout.x[heaviest]);
    assert.equal(vp.x1, layout.x[heaviest] + t.total[heaviest]);
    const tip = (await o.page.locator('#tooltip').textContent()) ?? '';
    assert.ok(tip.startsWith(profile.frames[t.frame[heaviest]].name), tip);
    await o.page.keyboard.press('ArrowUp');
    await o.page.keyboard.press('Enter');
    assert.equal((await d.viewport())!.x1 - (await d.viewport())!.x0, t.total[all.node]);
    await o.close();
  });

  test('views: time order, sandwich, table, my code only, invert', async () => {
    const profile = hotProfile();
    const checksum = frameIndex(profile, 'checksum');
    const o = await open(profile);
    const d = debug(o.page);
    await o.page.locator('vscode-button[data-view="timeOrder"]').click();
    await o.page.evaluate(() => new Promise(requestAnimationFrame));
    assert.ok((await d.lastDraw()).boxes > 10);
    assert.ok(await d.locate('checksum'));
    await o.page.screenshot({ path: join(shots, 'time-order.png') });

    await o.page.locator('#mine').click();
    await o.page.evaluate(() => new Promise(requestAnimationFrame));
    assert.equal(await d.locate('(program)'), null, 'pseudo frames hidden');
    assert.equal(await d.locate('readFileUtf8'), null, 'runtime frames hidden');
    assert.ok(await d.locate('checksum'));
    await o.page.screenshot({ path: join(shots, 'time-order-mine.png') });

    await o.page.locator('vscode-button[data-view="flame"]').click();
    await o.page.locator('#invert').click();
    await o.page.evaluate(() => new Promise(requestAnimationFrame));
    const inv = (await d.locate('checksum'))!;
    const top = await o.page.evaluate(
      () => document.querySelector('#mainPane canvas')!.getBoundingClientRect().top,
    );
    assert.ok(inv.y - top < 36, 'inverted: checksum (most self time) on the first row under "all"');
    await o.page.screenshot({ path: join(shots, 'flame-inverted-mine.png') });

    await o.page.evaluate((m) => window.postMessage(m, '*'), {
      type: 'focus',
      frameId: checksum,
      view: 'sandwich',
    } as HostToWebview);
    await o.page.waitForFunction(() =>
      /checksum/.test(document.querySelector('#sandwichTitle')?.textContent ?? ''),
    );
    await o.page.evaluate(() => new Promise(requestAnimationFrame));
    const callers = await d.inked('#sandwichPane .half:nth-of-type(2) canvas');
    assert.ok(callers.share > 0.005, 'callers drawn');
    await o.page.screenshot({ path: join(shots, 'sandwich.png') });

    await o.page.locator('vscode-button[data-view="table"]').click();
    const names = await o.page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-row .cell.name'), (e) => e.textContent),
    );
    // My code only, sorted by total: the module's top-level code, then main, then checksum.
    assert.deepEqual(names.slice(0, 3), ['(anonymous)', 'main', 'checksum']);
    await o.page.screenshot({ path: join(shots, 'table.png') });
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('the host can focus a function: zoomed to its heaviest occurrence', async () => {
    const profile = hotProfile();
    const id = frameIndex(profile, 'joinLetters');
    const o = await open(profile, { focus: { frameId: id } });
    const layout = layoutFlame(profile.tree);
    let best = -1;
    for (let i = 1; i < profile.tree.size; i++) {
      if (
        profile.tree.frame[i] === id &&
        (best < 0 || profile.tree.total[i] > profile.tree.total[best])
      )
        best = i;
    }
    assert.deepEqual(await debug(o.page).viewport(), {
      x0: layout.x[best],
      x1: layout.x[best] + profile.tree.total[best],
      scrollY: 0,
    });
    await o.close();
  });

  test('UI state survives a reload (getState/setState)', async () => {
    const profile = hotProfile();
    const first = await open(profile);
    const at = (await debug(first.page).locate('checksum'))!;
    await first.page.mouse.click(at.x, at.y);
    await first.page.locator('#search input').fill('join');
    const state = await debug(first.page).state();
    const vp = await debug(first.page).viewport();
    await first.close();
    const second = await open(profile, { state });
    assert.deepEqual(await debug(second.page).viewport(), vp);
    assert.match((await second.page.locator('#searchInfo').textContent()) ?? '', /1 function/);
    await second.close();
  });

  test('hostile function names render as text, never as HTML', async () => {
    const o = await open(hostileProfile());
    const d = debug(o.page);
    const at = await d.locate(HOSTILE_IMG);
    assert.ok(at, 'the name is drawn on the canvas under its own text');
    await o.page.mouse.move(at.x, at.y);
    const tip = (await o.page.locator('#tooltip .tt-title').textContent()) ?? '';
    assert.equal(tip, HOSTILE_IMG);
    await o.page.screenshot({ path: join(shots, 'hostile-flame.png') });
    await o.page.locator('vscode-button[data-view="table"]').click();
    const names = await o.page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-row .cell.name'), (e) => e.textContent),
    );
    assert.ok(names.includes(HOSTILE_IMG) && names.includes(HOSTILE_SCRIPT), names.join(' | '));
    await o.page.locator('.table-row').first().click();
    await o.page.locator('vscode-button[data-view="sandwich"]').click();
    await o.page.screenshot({ path: join(shots, 'hostile-table-sandwich.png') });
    const injected = await o.page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      b: document.querySelectorAll('b').length,
      inlineScripts: Array.from(document.scripts).filter((s) => !s.src).length,
    }));
    assert.deepEqual(injected, { img: 0, b: 0, inlineScripts: 0 });
    assert.deepEqual(o.dialogs, [], 'no alert ran');
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('a call-graph profile says it is approximated; table and sandwich use exact figures', async () => {
    const profile = importPstats(
      new Uint8Array(readRepoFile('test/fixtures/python/cprofile.prof')),
      {
        sourceFile: 'cprofile.prof',
      },
    );
    assert.ok(profile.treeIsApproximate && profile.callGraph);
    const o = await open(profile, { theme: 'light' });
    const banner = (await o.page.locator('#banner').textContent()) ?? '';
    assert.match(banner, /Approximated from a call graph/);
    assert.equal(await o.page.locator('vscode-button[data-view="timeOrder"][disabled]').count(), 1);
    await o.page.screenshot({ path: join(shots, 'pstats-light.png') });
    await o.page.locator('vscode-button[data-view="table"]').click();
    const top = profile.callGraph.functions.slice().sort((a, b) => b.total - a.total)[0];
    const firstRow = await o.page.evaluate(() =>
      Array.from(
        document.querySelectorAll('.table-row')[0]?.querySelectorAll('.cell') ?? [],
        (c) => c.textContent,
      ),
    );
    assert.equal(firstRow[0], formatWeight(top.total, profile.meta.unit));
    assert.equal(firstRow[4], top.calls.toLocaleString('en-US'));
    assert.equal(firstRow[5], profile.frames[top.frame].name);
    await o.page.screenshot({ path: join(shots, 'pstats-table-light.png') });
    await o.close();
  });

  test('themes: light and high contrast, at device pixel ratio 2', async () => {
    const light = await open(hotProfile(), { theme: 'light', dpr: 2 });
    const ink = await debug(light.page).inked('#mainPane canvas');
    assert.deepEqual(ink.bg, [255, 255, 255]);
    assert.equal(ink.width, ink.cssWidth * 2, 'canvas backing store at 2x');
    await light.page.screenshot({ path: join(shots, 'flame-light-2x.png') });
    await light.close();
    const hc = await open(hotProfile(), { theme: 'hcDark' });
    const hcInk = await debug(hc.page).inked('#mainPane canvas');
    assert.deepEqual(hcInk.bg, [0, 0, 0]);
    await hc.page.screenshot({ path: join(shots, 'flame-hc.png') });
    await hc.close();
  });
});
