// The Call graph view of the built webview (dist/webview.js) in headless Chromium, on the page the
// extension serves (its CSP allows WebAssembly for Graphviz, nothing more): the example service's
// cProfile run with list_accounts and its re.compile edge, selection, opening sources, thresholds,
// focus, a sampled profile, hostile names, and no CSP or script error. Screenshots go to
// test-output/webview/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ProfileBuilder, type Profile } from '../../src/core/profile';
import { importCpuprofile } from '../../src/formats/cpuprofile';
import { importPstats } from '../../src/formats/pstats';
import type { HostToWebview } from '../../src/shared/protocol';
import { encodeProfile } from '../../src/shared/wire';
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
  type Locator,
  type Page,
} from './browser';

/** More of playwright's Locator than browser.ts declares. */
type Loc = Omit<Locator, 'click'> & {
  click(options?: { modifiers?: string[] }): Promise<void>;
  press(key: string): Promise<void>;
  check(): Promise<void>;
  focus(): Promise<void>;
};
const at = (page: Page, selector: string) => page.locator(selector) as unknown as Loc;

const found = findBrowser();
const skip = 'skip' in found ? found.skip : false;
if (skip && process.env.CI) throw new Error(`CI must run the webview tests, but ${skip}`);

const HOSTILE = '"];evil[label=<img src=x onerror=alert(1)>';

function service(): Profile {
  const rel = 'examples/profiles/service.prof';
  return importPstats(new Uint8Array(readRepoFile(rel)), { sourceFile: rel });
}

function hostileProfile(): Profile {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/app/main.js', line1: 1, col1: 1, kind: 'user' });
  const evil = b.frame({
    name: HOSTILE,
    file: '/app/<b>x</b>.js',
    line1: 2,
    col1: 1,
    kind: 'user',
  });
  b.addStack([main, evil], 80);
  b.addStack([main], 20);
  return b.build({ profiler: 'v8', clock: 'cpu', unit: 'microseconds' });
}

interface Posted {
  __posted: { type: string; file?: string; line1?: number }[];
  __state: { view?: string; sandwichFrame?: number; graph?: unknown } | null;
}

/** What the graph shows: its nodes (frame, text lines, classes) and edges (ends, label). */
async function drawn(page: Page) {
  return page.evaluate(() => ({
    nodes: Array.from(document.querySelectorAll('#graphPane g.node'), (g) => ({
      frame: Number((g as SVGElement).dataset.frame),
      lines: Array.from(g.querySelectorAll('tspan'), (t) => t.textContent ?? ''),
      cls: g.getAttribute('class') ?? '',
    })),
    edges: Array.from(document.querySelectorAll('#graphPane g.edge'), (g) => ({
      from: Number((g as SVGElement).dataset.from),
      to: Number((g as SVGElement).dataset.to),
      label: g.querySelector('text')?.textContent ?? '',
    })),
    status: document.querySelector('#graphStatus')?.textContent ?? '',
  }));
}

describe('call graph view in Chromium', { skip }, () => {
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

  /** Opens the page with a profile and shows the call graph, laid out. */
  async function open(profile: Profile, theme: 'dark' | 'light' = 'dark') {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.addInitScript('window.__initialState = null;');
    await page.addInitScript(VSCODE_API_STUB);
    await page.goto(url);
    await applyTheme(page, theme);
    await page.waitForFunction(() =>
      (window as unknown as Posted).__posted.some((m) => m.type === 'ready'),
    );
    const msg: HostToWebview = { type: 'profile', profile: encodeProfile(profile) };
    await postToPage(page, msg);
    await at(page, 'vscode-button[data-view="callGraph"]').click();
    await page.waitForFunction(() =>
      /laid out in/.test(document.querySelector('#graphStatus')?.textContent ?? ''),
    );
    return { page, problems, dialogs, close: () => context.close() };
  }

  const state = (page: Page) => page.evaluate(() => (window as unknown as Posted).__state);
  const posted = (page: Page) => page.evaluate(() => (window as unknown as Posted).__posted);

  test('the service example: list_accounts and its re.compile edge with its call count', async () => {
    const profile = service();
    const o = await open(profile);
    const g = await drawn(o.page);
    const list = g.nodes.find((n) => n.lines[0] === 'list_accounts');
    assert.ok(list, 'list_accounts is drawn');
    assert.deepEqual(list.lines, ['list_accounts', 'service.py:44', '76.95%', '(1.14%)', '×1']);
    const compile = g.nodes.find(
      (n) => n.lines[0] === 'compile' && n.lines[1] === 're/__init__.py:225',
    );
    assert.ok(compile, 're.compile is drawn');
    const edge = g.edges.find((e) => e.from === list.frame && e.to === compile.frame);
    assert.equal(edge?.label, '×130, 48.17%');
    assert.equal(g.nodes.length, 45);
    assert.match(
      g.status,
      /^45 of 204 functions · 65 calls · \d+ cycles \(dashed\) · laid out in \d+ ms$/,
    );
    assert.ok(
      g.nodes.some((n) => n.cls.includes('cycle')),
      'the parser recursion is a cycle',
    );
    await o.page.screenshot({ path: join(shots, 'callgraph-service-dark.png') });

    // A click selects (the selection the table shares); Ctrl+click and Enter open the source.
    await at(o.page, `#graphPane g.node[data-frame="${list.frame}"]`).click();
    assert.equal((await state(o.page))?.sandwichFrame, list.frame);
    assert.equal(await at(o.page, '#graphPane g.node.selected').count(), 1);
    await o.page.keyboard.press('Enter');
    await at(o.page, `#graphPane g.node[data-frame="${compile.frame}"]`).click({
      modifiers: ['Control'],
    });
    const opened = (await posted(o.page)).filter((m) => m.type === 'openSource');
    assert.deepEqual(
      opened.map((m) => [m.file?.split('/').pop(), m.line1]),
      [
        ['service.py', 44],
        ['__init__.py', 225],
      ],
    );
    // The toolbar's search outlines the matches and dims the rest.
    await o.page.evaluate(() => {
      const field = document.querySelector('#search') as HTMLElement & { value: string };
      field.value = 'list_acc';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const marks = await o.page.evaluate(() => ({
      match: Array.from(
        document.querySelectorAll('#graphPane g.node.match tspan.fn'),
        (t) => t.textContent,
      ),
      dim: document.querySelectorAll('#graphPane g.node.dim').length,
    }));
    assert.deepEqual(marks, { match: ['list_accounts'], dim: 44 });
    // The table shows the same function selected.
    await at(o.page, 'vscode-button[data-view="table"]').click();
    const row = await at(o.page, '.table-row.selected .cell.name').textContent();
    assert.equal(row, 'list_accounts');
    assert.deepEqual(o.problems, [], 'no CSP or script error');
    await o.close();
  });

  test('thresholds and focus: fewer functions, then the selection with its neighbours', async () => {
    const profile = service();
    const o = await open(profile, 'light');
    await at(o.page, '#graphNodeThreshold').fill('20');
    await at(o.page, '#graphNodeThreshold').press('Enter');
    await o.page.waitForFunction(() =>
      /^1\d of 204/.test(document.querySelector('#graphStatus')?.textContent ?? ''),
    );
    const high = await drawn(o.page);
    assert.ok(high.nodes.length < 20 && high.nodes.length >= 10, String(high.nodes.length));
    assert.deepEqual((await state(o.page))?.graph, {
      nodeThreshold: 20,
      edgeThreshold: 0.1,
      focus: false,
      depth: 2,
    });
    const list = high.nodes.find((n) => n.lines[0] === 'list_accounts')!;
    await at(o.page, `#graphPane g.node[data-frame="${list.frame}"]`).click();
    await at(o.page, '#graphDepth').fill('1');
    await at(o.page, '#graphFocus').check();
    await o.page.waitForFunction(() =>
      /^\d of 204/.test(document.querySelector('#graphStatus')?.textContent ?? ''),
    );
    const near = await drawn(o.page);
    // list_accounts, its caller handle, its callees over 20%: re.compile and score.
    assert.deepEqual(near.nodes.map((n) => n.lines[0]).sort(), [
      'compile',
      'handle',
      'list_accounts',
      'score',
    ]);
    // The arrows move the selection to a neighbour (here: down, to a callee).
    await at(o.page, '#graphPane .graph-box').focus();
    await o.page.keyboard.press('ArrowDown');
    const moved = (await state(o.page))?.sandwichFrame;
    assert.ok(moved !== list.frame && near.nodes.some((n) => n.frame === moved));
    await o.page.screenshot({ path: join(shots, 'callgraph-focus-light.png') });
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('a sampled profile: the graph from its stacks, shares without call counts', async () => {
    const text = readRepoFile('test/fixtures/node/hot.cpuprofile').toString('utf8');
    const o = await open(importCpuprofile(text, { sourceFile: 'hot.cpuprofile' }));
    const g = await drawn(o.page);
    assert.ok(g.nodes.some((n) => n.lines[0] === 'checksum'));
    assert.ok(
      g.edges.length > 0 && g.edges.every((e) => /^\d+\.\d\d%$/.test(e.label)),
      JSON.stringify(g.edges.slice(0, 3)),
    );
    assert.match(g.status, /from the sampled stacks: no call counts/);
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('hostile names are text in the graph, never markup', async () => {
    const o = await open(hostileProfile());
    const g = await drawn(o.page);
    assert.deepEqual(g.nodes.map((n) => n.lines[0]).sort(), [HOSTILE, 'main'].sort());
    const injected = await o.page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      b: document.querySelectorAll('b').length,
      svgNodes: document.querySelectorAll('#graphPane g.node').length,
    }));
    assert.deepEqual(injected, { img: 0, b: 0, svgNodes: 2 });
    await o.page.screenshot({ path: join(shots, 'callgraph-hostile.png') });
    assert.deepEqual(o.dialogs, []);
    assert.deepEqual(o.problems, []);
    await o.close();
  });
});
