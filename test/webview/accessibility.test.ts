// The flame graph panel without a mouse and with a screen reader, in headless Chromium on the page
// the extension serves: Tab into the chart, the arrows, Enter, Backspace, 0, O, the digits and ?,
// each step read back from the live region (#announcer) and checked against the profile's own
// figures; a visible focus ring on every stop of the Tab order in the dark, light and both
// high-contrast themes; and axe-core on every view (no serious or critical violation).
// Screenshots go to test-output/webview/a11y-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { diffProfiles } from '../../src/core/diff';
import { formatShare } from '../../src/core/format';
import { ProfileBuilder, type Profile } from '../../src/core/profile';
import { importCpuprofile } from '../../src/formats/cpuprofile';
import type { HostToWebview } from '../../src/shared/protocol';
import { encodeProfile } from '../../src/shared/wire';
import { encodeCompare } from '../../src/shared/wireCompare';
import { describeBox, describeFunction } from '../../webview/announce';
import type { Hit } from '../../webview/chart';
import { KEYS } from '../../webview/keyHelp';
import { firstBox, neighbour } from '../../webview/keyboard';
import { Model } from '../../webview/model';
import { DEFAULT_STATE, type UiState } from '../../webview/store';
import { mainSource } from '../../webview/views';
import { axeSource, runAxe, seriousFindings } from '../support/axe';
import { frameNamed } from '../support/frames';
import {
  THEMES,
  findBrowser,
  launch,
  openPanel,
  outputDir,
  readRepoFile,
  writePage,
  type Browser,
  type Page,
} from './browser';

const found = findBrowser();
const skip = 'skip' in found ? found.skip : false;
if (skip && process.env.CI) throw new Error(`CI must run the webview tests, but ${skip}`);

const HOSTILE = '<img src=x onerror=alert(1)>';

function hotProfile(): Profile {
  const text = readRepoFile('test/fixtures/node/hot.cpuprofile').toString('utf8');
  return importCpuprofile(text, { sourceFile: 'test/fixtures/node/hot.cpuprofile' });
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
  b.addSample(b.addStack([main, evil], 600), 600, 0);
  b.addSample(b.addStack([main], 100), 100, 600);
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
}

const profileMessage = (profile: Profile, compare?: Profile): HostToWebview => ({
  type: 'profile',
  profile: encodeProfile(profile),
  compare: compare
    ? encodeCompare(diffProfiles(compare, profile), compare, {
        beforeLabel: 'run 1',
        afterLabel: 'run 2',
      })
    : undefined,
});

/** What the live region says now. */
const said = async (page: Page): Promise<string> =>
  ((await page.locator('#announcer').textContent()) ?? '').replace(/\u00a0$/, '');

/** The element with the focus: what it is, its name, and how its focus shows. */
function focused(page: Page) {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return null;
    const cs = getComputedStyle(a);
    return {
      tag: a.tagName.toLowerCase(),
      id: a.id,
      view: a.getAttribute('data-view'),
      role: a.getAttribute('role'),
      label: a.getAttribute('aria-label') ?? (a.textContent ?? '').trim().slice(0, 40),
      inMain: !!a.closest('#mainPane'),
      outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
    };
  });
}

/** Presses Tab until the focus is on an element matching `selector` (at most 30 times). */
async function tabTo(page: Page, selector: string): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    stops.push(f ? `${f.tag}${f.id ? '#' + f.id : ''}${f.view ? `[${f.view}]` : ''}` : 'body');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return stops;
    }
  }
  throw new Error(`Tab never reached ${selector}: ${stops.join(' > ')}`);
}

const viewport = (page: Page) =>
  page.evaluate(() =>
    (
      window as unknown as { heatlensDebug: { viewport(): { x0: number; x1: number } | null } }
    ).heatlensDebug.viewport(),
  );

const posted = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __posted: { type: string; file?: string; line1?: number }[] })
        .__posted,
  );

describe('the flame graph by keyboard and screen reader, in Chromium', { skip }, () => {
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

  test('Tab into the flame graph, arrows, Enter, O, Backspace, 0: each step is read out', async () => {
    const profile = hotProfile();
    const m = new Model(profile);
    const ui: UiState = { ...DEFAULT_STATE };
    const src = mainSource(m, ui)!;
    const o = await openPanel(browser, url, profileMessage(profile));
    const p = o.page;
    const stops = await tabTo(p, '#mainPane canvas');
    // The toolbar first (tabs, search, toggles, Keys), then the zoom path, then the chart.
    assert.deepEqual(stops.slice(0, 6), [
      'vscode-button[flame]',
      'vscode-button[timeOrder]',
      'vscode-button[sandwich]',
      'vscode-button[table]',
      'vscode-button[callGraph]',
      'vscode-textfield#search',
    ]);
    assert.ok(stops.includes('vscode-button#keysHelp'), stops.join(' > '));
    const canvas = await focused(p);
    assert.equal(canvas?.role, 'application');
    assert.equal(canvas?.label, 'Flame graph');
    assert.match(
      await p.evaluate(() => document.getElementById('chartKeys')?.textContent ?? ''),
      /Arrow keys move between frames, Enter zooms/,
    );
    // Down from nothing selected: the root; then down the heaviest path to checksum.
    let sel: Hit = firstBox(src.rows)!;
    await p.keyboard.press('ArrowDown');
    assert.equal(await said(p), 'All, 100% total');
    const t = profile.tree;
    for (let i = 0; i < 40 && profile.frames[t.frame[sel.node]]?.name !== 'checksum'; i++) {
      sel = neighbour(src.rows.rows, sel, 'ArrowDown', false)!;
      await p.keyboard.press('ArrowDown');
      const frame = profile.frames[t.frame[sel.node]];
      const place = `${frame.file!.split('/').pop()} line ${frame.line1}`;
      // The tree's own figures, formatted as the tooltip and the table do.
      const expected = `${frame.name || '(anonymous)'}, ${formatShare(t.total[sel.node], t.total[0])} total, ${formatShare(t.self[sel.node], t.total[0])} self, ${place}`;
      assert.equal(await said(p), expected);
      assert.equal(expected, describeBox(m, ui, 'main', src, sel));
    }
    assert.equal(profile.frames[t.frame[sel.node]].name, 'checksum');
    await p.screenshot({ path: join(shots, 'a11y-keyboard-selected.png') });
    await p.keyboard.press('Enter');
    const checksum = describeBox(m, ui, 'main', src, sel);
    assert.equal(await said(p), `Zoomed to ${checksum}`);
    assert.deepEqual(await viewport(p), {
      x0: src.rows.rows[sel.row].start[sel.index],
      x1: src.rows.rows[sel.row].end[sel.index],
      scrollY: 0,
    });
    assert.equal((await focused(p))?.label, 'Flame graph, zoomed to checksum');
    await p.keyboard.press('o');
    const file = frameNamed(profile, 'checksum').file;
    assert.deepEqual(
      (await posted(p)).filter((x) => x.type === 'openSource'),
      [{ type: 'openSource', file, line1: 6 }],
    );
    assert.equal(await said(p), 'Opening hot.js line 6, checksum');
    // Up to the caller, zoom there, then back one step and back to everything.
    const caller = neighbour(src.rows.rows, sel, 'ArrowUp', false)!;
    await p.keyboard.press('ArrowUp');
    assert.equal(await said(p), describeBox(m, ui, 'main', src, caller));
    await p.keyboard.press('Enter');
    assert.equal(await said(p), `Zoomed to ${describeBox(m, ui, 'main', src, caller)}`);
    await p.keyboard.press('Backspace');
    assert.equal(await said(p), `Zoomed to ${checksum}`);
    await p.keyboard.press('0');
    assert.equal(await said(p), 'Zoom reset: showing everything');
    assert.deepEqual(await viewport(p), { x0: 0, x1: t.total[0], scrollY: 0 });
    await p.keyboard.press('+');
    assert.equal(await said(p), 'Zoomed in');
    const vp = (await viewport(p))!;
    assert.ok(vp.x1 - vp.x0 < t.total[0], 'narrower');
    await p.keyboard.press('-');
    assert.equal(await said(p), 'Zoomed out');
    for (let i = 0; i < 10 && (await said(p)) !== 'No frame above'; i++) {
      await p.keyboard.press('ArrowUp');
    }
    assert.equal(await said(p), 'No frame above');
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('the digits switch views (focus and name follow), ? lists every key', async () => {
    const profile = hotProfile();
    const m = new Model(profile);
    const o = await openPanel(browser, url, profileMessage(profile));
    const p = o.page;
    await tabTo(p, '#mainPane canvas');
    await p.keyboard.press('2');
    assert.equal(await said(p), 'Time order view');
    assert.equal((await focused(p))?.label, 'Time order chart');
    await p.keyboard.press('ArrowDown');
    const timed = { ...DEFAULT_STATE, view: 'timeOrder' as const };
    const time = mainSource(m, timed)!;
    assert.equal(await said(p), describeBox(m, timed, 'main', time, firstBox(time.rows)!));
    assert.match(await said(p), /, [\d.]+% of the run, from [\d.]+ m?s to [\d.]+ m?s, /);
    await p.keyboard.press('3');
    assert.equal(await said(p), 'Sandwich view');
    const callers = (await focused(p))!;
    assert.match(callers.label, /^Callers of \S/);
    await p.keyboard.press('ArrowDown');
    assert.match(await said(p), /, [\d.<]+% total, [\d.<]+% self, /);
    await p.keyboard.press('Tab');
    assert.match((await focused(p))!.label, /^Callees of \S/);
    await p.keyboard.press('ArrowDown');
    assert.match(await said(p), /, [\d.<]+% total, [\d.<]+% self, /);
    await p.screenshot({ path: join(shots, 'a11y-sandwich-keyboard.png') });
    // Enter re-centres the sandwich on the function selected, and says on which.
    await p.keyboard.press('Enter');
    assert.match(await said(p), /^Sandwich of .+ total [\d.]+ \S+ \([\d.<]+%\) · self /);
    await p.keyboard.press('4');
    assert.equal(await said(p), 'Table view');
    assert.equal((await focused(p))?.role, 'group');
    // Down from the function the sandwich showed (the table keeps it selected).
    const shown = await p.evaluate(
      () => (window as unknown as { __state: { sandwichFrame: number } }).__state.sandwichFrame,
    );
    await p.keyboard.press('ArrowDown');
    const rows = m.sortedTable(false, 'total');
    const next = rows[Math.min(rows.length - 1, rows.findIndex((r) => r.frameId === shown) + 1)];
    const f = m.functionFigures(false, next.frameId)!;
    assert.equal(await said(p), describeFunction(m, profile.frames[next.frameId], f));
    await p.keyboard.press('1');
    assert.equal(await said(p), 'Flame graph view');
    assert.equal((await focused(p))?.inMain, true);
    // No differential view without a comparison: said, and the view stays.
    await p.keyboard.press('5');
    assert.match(await said(p), /^No differential view/);
    await p.keyboard.press('?');
    const help = await p.evaluate(() => {
      const d = document.getElementById('keyHelp') as HTMLDialogElement;
      return { open: d.open, text: d.textContent ?? '', focus: document.activeElement?.className };
    });
    assert.ok(help.open, 'the help is open');
    assert.equal(help.focus, 'help-close');
    for (const line of KEYS) assert.ok(help.text.includes(line.action), line.action);
    await p.screenshot({ path: join(shots, 'a11y-help.png') });
    await p.keyboard.press('Escape');
    assert.equal(
      await p.evaluate(() => (document.getElementById('keyHelp') as HTMLDialogElement).open),
      false,
    );
    assert.equal((await focused(p))?.inMain, true, 'the focus is back on the chart');
    assert.deepEqual(o.problems, []);
    await o.close();
  });

  test('hostile names are read out as text, never made into HTML', async () => {
    const o = await openPanel(browser, url, profileMessage(hostileProfile()));
    const p = o.page;
    await tabTo(p, '#mainPane canvas');
    for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowDown');
    assert.equal(await said(p), `${HOSTILE}, 85.7% total, 85.7% self, b>.js line 2`);
    assert.equal(await p.evaluate(() => document.querySelectorAll('img, b').length), 0);
    assert.deepEqual(o.dialogs, []);
    await o.close();
  });

  for (const theme of ['dark', 'light', 'hcDark', 'hcLight'] as const) {
    test(`a visible focus ring on every stop of the Tab order (${theme})`, async () => {
      const o = await openPanel(browser, url, profileMessage(hotProfile()), { theme });
      const p = o.page;
      const ring = await p.evaluate((c) => {
        const e = document.createElement('i');
        e.style.color = c;
        document.body.append(e);
        const rgb = getComputedStyle(e).color;
        e.remove();
        return rgb;
      }, THEMES[theme].vars['--vscode-focusBorder']);
      const check = async (where: string) => {
        const f = (await focused(p))!;
        assert.match(f.outline, /^solid [12]px /, `${where}: ${JSON.stringify(f)}`);
        assert.ok(f.outline.endsWith(ring), `${where}: ${f.outline}, not ${ring}`);
      };
      // Every stop up to the chart, the zoom path included.
      const stops = await tabTo(p, '#mainPane canvas');
      await p.keyboard.press('Shift+Tab');
      for (let i = stops.length - 1; i > 0; i--) {
        await check(stops[i - 1]);
        await p.keyboard.press('Shift+Tab');
      }
      await tabTo(p, '#mainPane canvas');
      await check('the flame graph');
      await p.keyboard.press('ArrowDown');
      await p.screenshot({ path: join(shots, `a11y-focus-${theme}.png`) });
      // The table's headings sort from the keyboard.
      await p.keyboard.press('4');
      await check('the table');
      await p.keyboard.press('Shift+Tab');
      await check('a table heading');
      await p.keyboard.press('Enter');
      assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Function ▲');
      await p.keyboard.press('?');
      await check('the help');
      assert.deepEqual(o.problems, []);
      await o.close();
    });
  }

  test('axe-core: no serious or critical violation in any view, theme, nor the help', async () => {
    const axe = axeSource();
    const profile = hotProfile();
    const report: string[] = [];
    for (const theme of ['dark', 'light', 'hcDark', 'hcLight'] as const) {
      // The page's CSP forbids inline scripts: this context lets axe's in.
      const o = await openPanel(browser, url, profileMessage(profile, hotProfile()), {
        theme,
        bypassCSP: true,
      });
      const p = o.page;
      await p.addScriptTag({ content: axe });
      for (const key of ['5', '1', '2', '3', '4', '6', '?']) {
        await p.keyboard.press(key);
        await p.evaluate(() => new Promise(requestAnimationFrame));
        // The call graph is laid out by Graphviz asynchronously: check it drawn.
        if (key === '6') await p.waitForFunction(() => document.querySelector('#graphPane svg g'));
        const where = `${theme}, ${await said(p)}${key === '?' ? ', help open' : ''}`;
        const { rules, findings } = await runAxe(p);
        assert.ok(rules > 20, `axe applied ${rules} rules in ${where}`);
        for (const v of findings) report.push(`${where}: ${v.text}`);
        if (key === '4') await p.screenshot({ path: join(shots, `a11y-axe-table-${theme}.png`) });
      }
      assert.deepEqual(o.problems, []);
      await o.close();
    }
    process.stderr.write(`[a11y] axe-core findings:\n${report.join('\n') || '(none)'}\n`);
    assert.deepEqual(seriousFindings(report), []);
  });
});
