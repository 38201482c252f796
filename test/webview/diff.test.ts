// The flame graph panel's differential view, built (dist/webview.js) and loaded in headless
// Chromium, with two real V8 profiles of test/fixtures/compare/workload.js (record.sh): the `parse`
// workload before, the longer `hash` workload after. Screenshots go to test-output/webview/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  describeNoise,
  describeNormalisation,
  diffProfiles,
  formatDelta,
  type ProfileDiff,
} from '../../src/core/diff';
import { formatWeight } from '../../src/core/format';
import type { Profile } from '../../src/core/profile';
import { importCpuprofile } from '../../src/formats/cpuprofile';
import type { HostToWebview } from '../../src/shared/protocol';
import { encodeProfile } from '../../src/shared/wire';
import { encodeCompare } from '../../src/shared/wireCompare';
import { layoutFlame } from '../../webview/layout/flameLayout';
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

function run(name: string): Profile {
  const path = `test/fixtures/compare/${name}.cpuprofile`;
  return importCpuprofile(readRepoFile(path).toString('utf8'), { sourceFile: path });
}

interface DebugView {
  heatlensDebug: {
    lastDraw(): { boxes: number; labels: number; highlighted: number; rows: number; ms: number };
    locate(name: string): { x: number; y: number; node: number } | null;
    viewport(): { x0: number; x1: number; scrollY: number } | null;
  };
  __posted: { type: string; file?: string; line1?: number }[];
}

describe('differential view in Chromium', { skip }, () => {
  let browser: Browser;
  let url: string;
  const shots = outputDir('webview');
  const beforeRun = run('before');
  const afterRun = run('after');
  const diff: ProfileDiff = diffProfiles(beforeRun, afterRun);
  const labels = { beforeLabel: 'workload.js parse', afterLabel: 'workload.js hash' };

  before(async () => {
    if ('skip' in found) return;
    browser = await launch(found);
    url = writePage(shots);
  });
  after(async () => {
    await browser?.close();
  });

  async function open(
    options: { theme?: 'dark' | 'light' | 'hcDark'; compare?: boolean } = {},
  ): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 640 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The test's own pixel reads (colorAt) make Chromium suggest willReadFrequently.
      if (/willReadFrequently/.test(m.text())) return;
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.addInitScript('window.__initialState = null;');
    await page.addInitScript(VSCODE_API_STUB);
    await page.goto(url);
    await applyTheme(page, options.theme ?? 'dark');
    await page.waitForFunction(() =>
      (window as unknown as DebugView).__posted.some((m) => m.type === 'ready'),
    );
    const msg: HostToWebview = {
      type: 'profile',
      profile: encodeProfile(afterRun),
      compare: options.compare === false ? undefined : encodeCompare(diff, beforeRun, labels),
    };
    await postToPage(page, msg);
    await page.waitForFunction(
      () => performance.getEntriesByName('heatlens:first-paint').length > 0,
    );
    return { page, problems, close: () => context.close() };
  }

  const locate = (page: Page, name: string) =>
    page.evaluate((n) => (window as unknown as DebugView).heatlensDebug.locate(n), name);
  const viewport = (page: Page) =>
    page.evaluate(() => (window as unknown as DebugView).heatlensDebug.viewport());
  /** The color of the main chart near the top of a box (above its label), at CSS point (x, y). */
  const colorAt = (page: Page, x: number, y: number) =>
    page.evaluate(
      ([px, py]) => {
        const canvas = document.querySelector('#mainPane canvas') as HTMLCanvasElement;
        const r = canvas.getBoundingClientRect();
        const dpr = canvas.width / r.width;
        const d = canvas
          .getContext('2d')!
          .getImageData(Math.round((px - r.left) * dpr), Math.round((py - r.top) * dpr), 1, 1).data;
        return [d[0], d[1], d[2]];
      },
      [x, y - 7] as [number, number],
    );
  const nodeOf = (name: string, parent: string): number => {
    const t = afterRun.tree;
    for (let n = 1; n < t.size; n++) {
      if (
        afterRun.frames[t.frame[n]].name === name &&
        afterRun.frames[t.frame[t.parent[n]]].name === parent
      )
        return n;
    }
    throw new Error(`no ${parent} > ${name}`);
  };

  test('opens on the differential tab: red slower, green faster, neutral root, the sentence', async () => {
    const o = await open();
    const p = o.page;
    const tab = p.locator('vscode-button[data-view="diff"]');
    assert.equal(await tab.isVisible(), true);
    assert.equal(
      await p.evaluate(() =>
        document.querySelector('vscode-button[data-view="diff"]')!.getAttribute('aria-selected'),
      ),
      'true',
    );
    assert.equal(diff.normalisation, 'total');
    const sentence = (await p.locator('#diffNorm').textContent()) ?? '';
    assert.equal(sentence, describeNormalisation(diff));
    assert.match(
      sentence,
      /^normalised by total: before 1\.\d\d s scaled x1\.\d\d to after 1\.\d\d s$/,
    );
    assert.match(
      (await p.locator('#diffInfo').textContent()) ?? '',
      /workload\.js hash compared with workload\.js parse/,
    );
    assert.equal(
      await p.locator('#diffNoise').textContent(),
      `colored only beyond noise (|z| ≥ ${diff.critical.nodes.toFixed(1)})`,
    );
    assert.equal(
      await p.evaluate(() => document.querySelector('#diffNoise')!.getAttribute('title')),
      describeNoise(diff, 'nodes'),
    );
    // hashRecords: about 27 times its (scaled) old total; parseRecords: a fifth of it.
    const hash = (await locate(p, 'hashRecords'))!;
    const parse = (await locate(p, 'parseRecords'))!;
    assert.equal(hash.node, nodeOf('hashRecords', 'main'));
    const [hr, hg, hb] = await colorAt(p, hash.x, hash.y);
    assert.ok(hr > hg + 40 && hr > hb + 40, `hashRecords is red: ${[hr, hg, hb]}`);
    const [pr, pg, pb] = await colorAt(p, parse.x, parse.y);
    assert.ok(pg > pr + 30 && pg > pb + 20, `parseRecords is green: ${[pr, pg, pb]}`);
    // The whole run is neutral under normalisation by total (scaled before = after).
    const all = await p.evaluate(() => {
      const r = document.querySelector('#mainPane canvas')!.getBoundingClientRect();
      return { x: r.left + 40, y: r.top + 9 };
    });
    const [ar, ag, ab] = await colorAt(p, all.x, all.y);
    assert.ok(Math.abs(ar - ag) < 4 && Math.abs(ag - ab) < 4, `root is grey: ${[ar, ag, ab]}`);
    // makeRecords does the same work in both runs: within noise, grey, and its tooltip says so.
    const same = (await locate(p, 'makeRecords'))!;
    const [sr, sg, sb] = await colorAt(p, same.x, same.y);
    assert.ok(
      Math.abs(sr - sg) < 4 && Math.abs(sg - sb) < 4,
      `makeRecords is grey: ${[sr, sg, sb]}`,
    );
    await p.mouse.move(same.x, same.y);
    const tip = (await p.locator('#tooltip').textContent()) ?? '';
    assert.match(tip, /Total here: before .* · after .* · within noise/, tip);
    await p.mouse.move(0, 0);
    await p.screenshot({ path: join(shots, 'diff-dark.png') });
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('hover shows before, after and the change of the box and of its function', async () => {
    const o = await open();
    const at = (await locate(o.page, 'hashRecords'))!;
    await o.page.mouse.move(at.x, at.y);
    const text = (await o.page.locator('#tooltip').textContent()) ?? '';
    const unit = afterRun.meta.unit;
    const b = diff.beforeTotalPerNode[at.node];
    const a = afterRun.tree.total[at.node];
    assert.ok(b > 0);
    const change = formatDelta(a - b, (a - b) / b, unit);
    assert.match(change, /^\+[\d.]+ (ms|s) · \+\d+%$/);
    assert.match(text, /^hashRecords/);
    assert.ok(
      text.includes(
        `Total here: before ${formatWeight(b, unit)} · after ${formatWeight(a, unit)} · ${change}`,
      ),
      text,
    );
    const fn = diff.functions.find((f) => f.name === 'hashRecords')!;
    assert.ok(
      text.includes(
        `Function total: before ${formatWeight(fn.before!.total, unit)} · after ${formatWeight(fn.after!.total, unit)} · ${formatDelta(fn.totalDelta, fn.totalRatio, unit)}`,
      ),
      text,
    );
    assert.ok(text.includes('Before weights normalised by total'), text);
    await o.page.screenshot({ path: join(shots, 'diff-hover.png') });
    // A function sampled in this run only says so, and never "new" (code under one sample's
    // worth of time runs unseen).
    const fresh = (await locate(o.page, 'buildIndex'))!;
    await o.page.mouse.move(fresh.x, fresh.y);
    const tip = (await o.page.locator('#tooltip').textContent()) ?? '';
    assert.ok(tip.includes('Call path not sampled in the earlier run'), tip);
    assert.ok(tip.includes('Function: not sampled in the earlier run'), tip);
    assert.ok(tip.includes(' · not sampled before'), tip);
    assert.ok(!/\bnew\b/.test(tip), tip);
    await o.close();
  });

  test('the side list names what appeared and vanished; a click opens the source', async () => {
    const o = await open();
    const p = o.page;
    const names = (sel: string) =>
      p.evaluate(
        (s) => Array.from(document.querySelectorAll(`${s} .change-name`), (e) => e.textContent),
        sel,
      );
    const user = (f: ProfileDiff['appeared'][number]) => f.kind === 'user';
    const label = (f: ProfileDiff['appeared'][number]) => f.name || '(anonymous)';
    // By default, the person's code only: Node's internals that came or went are behind a button.
    assert.deepEqual(await names('#appeared'), diff.appeared.filter(user).map(label));
    assert.deepEqual(await names('#vanished'), ['legacyEscape']);
    assert.equal(await p.locator('#appearedTitle').textContent(), 'Appeared (1)');
    assert.equal(await p.locator('#vanishedTitle').textContent(), 'Vanished (1)');
    const hidden = diff.appeared.length + diff.vanished.length - 2;
    assert.equal(
      await p.locator('#allChanges').textContent(),
      `Show ${hidden} more outside my code (runtime, libraries)`,
    );
    // They are beyond noise (an extra function of 90 ms, one of 130 ms gone); the internals not.
    const muted = () =>
      p.evaluate(() =>
        Array.from(document.querySelectorAll('#appeared .change, #vanished .change')).map((e) => [
          e.querySelector('.change-name')!.textContent,
          e.classList.contains('noise'),
        ]),
      );
    assert.deepEqual(await muted(), [
      ['buildIndex', false],
      ['legacyEscape', false],
    ]);
    await p.screenshot({ path: join(shots, 'diff-lists.png') });
    await p.locator('#allChanges').click();
    const appeared = await names('#appeared');
    const vanished = await names('#vanished');
    // Then user code first, then the rest, each heaviest first.
    assert.deepEqual(appeared, [
      ...diff.appeared.filter(user).map(label),
      ...diff.appeared.filter((f) => !user(f)).map(label),
    ]);
    assert.equal(vanished[0], 'legacyEscape', 'the only user function that vanished, first');
    assert.match((await p.locator('#appearedTitle').textContent()) ?? '', /^Appeared \(\d+\)$/);
    for (const [name, noise] of await muted()) {
      if (name !== 'buildIndex' && name !== 'legacyEscape') assert.equal(noise, true, String(name));
    }
    const places = await p.evaluate(() =>
      Array.from(
        document.querySelectorAll('#appeared .change.noise .change-where'),
        (e) => e.textContent,
      ),
    );
    assert.ok(
      places.length > 0 && places.every((t) => t!.endsWith(' · within noise')),
      places.join(),
    );
    assert.equal(await p.locator('#allChanges').textContent(), 'Show only my code');
    await p.screenshot({ path: join(shots, 'diff-lists-all.png') });
    const legacy = diff.vanished.find((f) => f.name === 'legacyEscape')!;
    const row = await p.evaluate(() =>
      Array.from(document.querySelectorAll('#vanished .change')).map((e) => e.textContent),
    );
    assert.ok(
      row.some((t) =>
        t?.startsWith(
          `legacyEscape${formatDelta(-legacy.before!.total, -1, diff.unit)}workload.js:`,
        ),
      ),
      row.join(' | '),
    );
    const index = vanished.indexOf('legacyEscape');
    await p.evaluate(
      (i) => (document.querySelectorAll('#vanished .change')[i] as HTMLElement).click(),
      index,
    );
    const posted = await p.evaluate(() => (window as unknown as DebugView).__posted);
    assert.deepEqual(
      posted.filter((m) => m.type === 'openSource'),
      [{ type: 'openSource', file: legacy.file, line1: legacy.line1 }],
    );
    await o.close();
  });

  test('search, zoom and keyboard work as in the flame view', async () => {
    const o = await open();
    const p = o.page;
    const layout = layoutFlame(afterRun.tree);
    await p.locator('#search input').fill('Records');
    await p.waitForFunction(() =>
      /functions/.test(document.querySelector('#searchInfo')?.textContent ?? ''),
    );
    await p.evaluate(() => new Promise(requestAnimationFrame));
    const stats = await p.evaluate(() => (window as unknown as DebugView).heatlensDebug.lastDraw());
    assert.ok(stats.highlighted >= 3 && stats.highlighted < stats.boxes, JSON.stringify(stats));
    await p.screenshot({ path: join(shots, 'diff-search.png') });
    await p.locator('#search input').fill('');
    const at = (await locate(p, 'hashRecords'))!;
    await p.mouse.click(at.x, at.y);
    assert.deepEqual(await viewport(p), {
      x0: layout.x[at.node],
      x1: layout.x[at.node] + afterRun.tree.total[at.node],
      scrollY: 0,
    });
    assert.match((await p.locator('#crumbs').textContent()) ?? '', /All.*main.*hashRecords/);
    await p.keyboard.press('ArrowUp');
    await p.keyboard.press('Enter');
    const main = nodeOf('main', '(anonymous)');
    assert.equal((await viewport(p))!.x0, layout.x[main]);
    assert.match((await p.locator('#tooltip').textContent()) ?? '', /^main.*before .* after /);
    await p.keyboard.press('Escape');
    await p.keyboard.press('Escape');
    assert.deepEqual(await viewport(p), { x0: 0, x1: afterRun.tree.total[0], scrollY: 0 });
    // My code only keeps the colors (weights carried onto the smaller tree).
    await p.locator('#mine').click();
    await p.evaluate(() => new Promise(requestAnimationFrame));
    assert.equal(await locate(p, '(garbage collector)'), null);
    const hash = (await locate(p, 'hashRecords'))!;
    const [r, g] = await colorAt(p, hash.x, hash.y);
    assert.ok(r > g + 40, 'still red');
    // The other views are still there.
    await p.locator('vscode-button[data-view="flame"]').click();
    assert.equal(await p.locator('#diffInfo').isVisible(), false);
    assert.equal(await p.locator('#changesPane').isVisible(), false);
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('light and high-contrast themes; no differential tab without a comparison', async () => {
    const light = await open({ theme: 'light' });
    const hash = (await locate(light.page, 'hashRecords'))!;
    const [r, g, b] = await colorAt(light.page, hash.x, hash.y);
    assert.ok(r > g + 40 && r > b + 40 && g > 60, `light red: ${[r, g, b]}`);
    await light.page.screenshot({ path: join(shots, 'diff-light.png') });
    await light.close();
    const hc = await open({ theme: 'hcDark' });
    await hc.page.screenshot({ path: join(shots, 'diff-hc.png') });
    await hc.close();
    const plain = await open({ compare: false });
    assert.equal(await plain.page.locator('vscode-button[data-view="diff"]').isVisible(), false);
    assert.equal(
      await plain.page.evaluate(() =>
        document.querySelector('vscode-button[data-view="flame"]')!.getAttribute('aria-selected'),
      ),
      'true',
    );
    assert.equal(await plain.page.locator('#changesPane').isVisible(), false);
    await plain.close();
  });
});
