// The HTML report in headless Chromium: made by `heatlens report` (in-process) from a real profile
// (examples/profiles/primes.cpuprofile, its source copied beside it), opened from file:// with
// every request that is not file:// aborted, it must draw the flame graph, list in its table the
// figures `heatlens summary --json` gives, show the sandwich and time order, show the hot file
// with the line labels, open a function's source in that view, and try no network at all, with no
// console error. A report of a profile with hostile names must run no script of theirs.
// Screenshots go to test-output/report/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/terminal';
import { formatShare, formatWeight } from '../../src/core/format';
import { ProfileBuilder } from '../../src/core/profile';
import type { Summary } from '../../src/core/summary';
import { readReportAssets } from '../../src/io/reportAssets';
import { reportData } from '../../src/shared/reportData';
import { reportHtml } from '../../src/shared/reportHtml';
import { primesProfileIn } from '../support/report';
import { findBrowser, launch, outputDir, type Browser, type Page } from './browser';

const found = findBrowser();
const skip = 'skip' in found ? found.skip : false;
if (skip && process.env.CI) throw new Error(`CI must run the webview tests, but ${skip}`);

const HOSTILE = '</script><img src=x onerror=alert(1)>';

/** playwright-core's request routing, which browser.ts's types leave out. */
interface Routing {
  route(
    url: string,
    handler: (
      route: { continue(): Promise<void>; abort(): Promise<void> },
      request: { url(): string },
    ) => void,
  ): Promise<void>;
  newPage(): Promise<Page & { on(event: 'request', fn: (r: { url(): string }) => void): void }>;
  close(): Promise<void>;
}

async function heatlens(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
  dialogs: string[];
  close(): Promise<void>;
}

describe('the HTML report in Chromium, offline', { skip }, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'hl-report-web-'));
  const shots = outputDir('report');
  const report = join(dir, 'primes.html');
  let summary: Summary;

  before(async () => {
    if ('skip' in found) return;
    const primes = primesProfileIn(dir);
    // From the profile's folder: a report of a profile file reads sources under the working folder.
    const was = process.cwd();
    process.chdir(dir);
    const made = await heatlens('report', primes.profile, '--html', report).finally(() =>
      process.chdir(was),
    );
    assert.equal(made.code, 0, made.stderr);
    const s = await heatlens('summary', primes.profile, '--json', '--limit', '0');
    summary = JSON.parse(s.stdout) as Summary;
    browser = await launch(found);
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report from file://, every other request aborted and recorded. */
  async function open(file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> {
    const options = { viewport: { width: 1200, height: 700 }, colorScheme };
    const context = (await browser.newContext(options)) as unknown as Routing;
    // Every request the page tries is recorded (the request event comes for aborted ones too).
    const requests: string[] = [];
    await context.route('**', (route, request) => {
      void (request.url().startsWith('file:') ? route.continue() : route.abort());
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The test's own pixel reads (inked, below) make Chromium suggest willReadFrequently.
      if (m.text().includes('willReadFrequently')) return;
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(
      () => performance.getEntriesByName('heatlens:first-paint').length > 0,
    );
    return { page, requests, problems, dialogs, close: () => context.close() };
  }

  /** Share of a canvas's pixels that differ from its bottom-right pixel (the background). */
  const inked = (page: Page, selector: string) =>
    page.evaluate((sel) => {
      const canvas = document.querySelector(sel) as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const b = data.length - 4;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== data[b] || data[i + 1] !== data[b + 1] || data[i + 2] !== data[b + 2]) n++;
      }
      return n / (data.length / 4);
    }, selector);

  test('draws every view from file:// with the network off, with the figures of summary --json', async () => {
    const o = await open(report);
    const { page } = o;
    assert.ok((await inked(page, '#mainPane canvas')) > 0.05, 'the flame graph is drawn');
    await page.screenshot({ path: join(shots, 'flame.png') });
    const unit = summary.unit;
    // The table, by total: its first row has the figure of summary's first function.
    await page.locator('vscode-button[data-view="table"]').click();
    const firstTotal = await page.locator('.table-row .cell.num').first().textContent();
    assert.equal(firstTotal, formatWeight(summary.functions[0].total, unit));
    // By self: the hottest function, with summary's self and total.
    const hottest = [...summary.functions].sort((a, b) => b.self - a.self)[0];
    assert.equal(hottest.name, 'isPrime');
    await page.locator('.table-head .cell.sortable:nth-child(3)').click();
    const row = await page.evaluate(() =>
      Array.from(document.querySelector('.table-row')!.querySelectorAll('.cell'), (c) =>
        (c.textContent ?? '').trim(),
      ),
    );
    assert.deepEqual(row.slice(0, 4), [
      formatWeight(hottest.total, unit),
      formatShare(hottest.total, summary.total),
      formatWeight(hottest.self, unit),
      formatShare(hottest.self, summary.total),
    ]);
    assert.equal(row[5], 'isPrime');
    await page.screenshot({ path: join(shots, 'table.png') });
    // The sandwich of the selected function, and the time order.
    await page.locator('.table-row').first().click();
    await page.locator('vscode-button[data-view="sandwich"]').click();
    await page.evaluate(() => new Promise(requestAnimationFrame));
    const halves = await page.evaluate(
      () => document.querySelectorAll('#sandwichPane canvas').length,
    );
    assert.equal(halves, 2);
    assert.ok((await inked(page, '#sandwichPane .chart-box canvas')) > 0.01, 'callers drawn');
    await page.screenshot({ path: join(shots, 'sandwich.png') });
    await page.locator('vscode-button[data-view="timeOrder"]').click();
    await page.evaluate(() => new Promise(requestAnimationFrame));
    assert.ok((await inked(page, '#mainPane canvas')) > 0.05, 'the time order is drawn');
    await page.screenshot({ path: join(shots, 'time-order.png') });
    // The call graph, drawn when the report was written, shown as an image of its own data.
    await page.locator('#reportGraphTab').click();
    await page.waitForFunction(() => {
      const img = document.querySelector('#reportGraph img') as HTMLImageElement | null;
      return img?.complete && img.naturalWidth > 0;
    });
    const drawing = await page.evaluate(() => {
      const img = document.querySelector('#reportGraph img') as HTMLImageElement;
      return { src: img.src, alt: img.alt, width: img.naturalWidth };
    });
    assert.match(drawing.src, /^blob:/);
    assert.match(drawing.alt, /^Call graph of /);
    assert.ok(drawing.width > 50, `the drawing is ${drawing.width} px wide`);
    await page.screenshot({ path: join(shots, 'call-graph.png') });
    assert.deepEqual(o.problems, []);
    assert.deepEqual(
      o.requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:')),
      [],
      'no request but the file itself and its own drawing',
    );
    assert.deepEqual(
      o.requests.filter((u) => !u.startsWith('blob:')),
      [pathToFileURL(report).href],
    );
    await o.close();
  });

  test('the hot file with its line labels; Open source shows a function there', async () => {
    const o = await open(report);
    const { page } = o;
    await page.locator('#reportSourcesTab').click();
    const line = summary.lines[0];
    assert.ok(line.file.endsWith('/js/primes.js') && line.line === 7, JSON.stringify(line));
    const seventh = await page.evaluate(() => {
      const row = document.querySelectorAll('#sourceView .src-line')[6];
      return { cls: row.className, text: Array.from(row.children, (c) => c.textContent) };
    });
    assert.deepEqual(seventh.text, [
      '',
      '7',
      `${formatWeight(line.self, summary.unit)} · ${formatShare(line.self, summary.total)}`,
      '    if (n % d === 0) return false;',
    ]);
    // 73.6% of the run: the hottest level, and the line the view opened on.
    assert.match(seventh.cls, /\bheat-5\b/);
    assert.match(seventh.cls, /\btarget\b/);
    await page.screenshot({ path: join(shots, 'sources.png') });
    // The panel's arrow keys (which would move its hidden selection and keep the page still) stay
    // out of the source view: the arrows scroll it.
    const sized = page as unknown as {
      setViewportSize(s: { width: number; height: number }): Promise<void>;
    };
    await sized.setViewportSize({ width: 1200, height: 300 });
    await page.locator('#sourceView').click();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    // (Scrolling by key is animated: wait for it.)
    await page.waitForFunction(() => document.getElementById('sourceView')!.scrollTop > 0);
    await sized.setViewportSize({ width: 1200, height: 700 });
    // From the table: countPrimes, opened in the report's source view at its line.
    await page.locator('#reportProfileTab').click();
    await page.locator('vscode-button[data-view="table"]').click();
    await page.locator('#search input').fill('countPrimes');
    await page.locator('.table-row').first().click();
    await page.locator('#openSource').click();
    const shown = await page.evaluate(() => ({
      sources: !document.getElementById('sources')!.hidden,
      app: !document.getElementById('app')!.hidden,
      target: document.querySelector('#sourceView .src-line.target .ln')?.textContent,
    }));
    assert.deepEqual(shown, { sources: true, app: false, target: '12' });
    assert.deepEqual(o.problems, []);
    assert.deepEqual(o.dialogs, []);
    await o.close();
  });

  test("follows the browser's dark preference with VS Code's dark colors", async () => {
    const o = await open(report, 'dark');
    const seen = await o.page.evaluate(() => {
      const canvas = document.querySelector('#mainPane canvas') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      return { body: document.body.className, bg: Array.from(data.slice(-4, -1)) };
    });
    assert.deepEqual(seen, { body: 'heatlens-report vscode-dark', bg: [0x1f, 0x1f, 0x1f] });
    await o.page.screenshot({ path: join(shots, 'flame-dark.png') });
    await o.page.locator('#reportSourcesTab').click();
    await o.page.screenshot({ path: join(shots, 'sources-dark.png') });
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('hostile names and sources stay text: no element, no alert, no request', async () => {
    const b = new ProfileBuilder();
    const file = join(dir, 'evil.js');
    writeFileSync(file, `// ${HOSTILE}\nrun();\n`);
    const main = b.frame({ name: 'main', file, line1: 1, col1: 1, kind: 'user' });
    const bad = b.frame({ name: HOSTILE, file, line1: 2, col1: 1, kind: 'user' });
    const n = b.addStack([main, bad], 900);
    b.addSample(n, 900, 0);
    b.addLine(file, 2, bad, 900);
    const profile = b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
    const html = reportHtml(
      reportData(profile, {
        title: HOSTILE,
        sources: [{ file, text: readFileSync(file, 'utf8'), weight: 900, line1: [2], self: [900] }],
        leftOut: [{ file: `/gone/${HOSTILE}`, why: 'does not exist' }],
      }),
      readReportAssets(),
    );
    const hostile = join(dir, 'hostile.html');
    writeFileSync(hostile, html);
    const o = await open(hostile);
    const { page } = o;
    await page.locator('vscode-button[data-view="table"]').click();
    const names = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-row .cell.name'), (e) => e.textContent),
    );
    assert.ok(names.includes(HOSTILE), names.join(' | '));
    await page.locator('#reportSourcesTab').click();
    const seen = await page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      scripts: document.scripts.length,
      title: document.title,
      firstLine: document.querySelector('#sourceView .src-line .code')?.textContent,
      leftOut: document.querySelector('.source-left-out li')?.textContent,
    }));
    assert.deepEqual(seen, {
      img: 0,
      scripts: 2,
      title: `Heatlens report: ${HOSTILE}`,
      firstLine: `// ${HOSTILE}`,
      leftOut: `/gone/${HOSTILE}: does not exist`,
    });
    await page.screenshot({ path: join(shots, 'hostile.png') });
    assert.deepEqual(o.dialogs, [], 'no alert ran');
    assert.deepEqual(o.problems, []);
    assert.deepEqual(o.requests, [pathToFileURL(hostile).href]);
    await o.close();
  });
});
