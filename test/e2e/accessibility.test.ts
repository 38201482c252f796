// End to end, in a real VS Code (code-server + headless Chromium), with the keyboard alone: a
// saved profile opens in Heatlens' profile editor, Tab reaches the flame graph, the arrows move
// from frame to frame and each frame is read from the panel's live region (and agrees with the
// tooltip's figures), Enter zooms, O opens the function's source at its line in the editor; and
// axe-core, run inside the webview's own frame in VS Code's theme, finds no serious or critical
// violation in the flame graph, the table, the sandwich and the keyboard help.
// Screenshots: test-output/e2e/a11y-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeSource, runAxe, seriousFindings } from '../support/axe';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';
import type { Frame } from './playwright';
import { examplesDir } from './scenarios';

const prepared = prepareE2e();
const root = repoRoot();

/** The element with the focus in the webview, when the webview has the focus. */
const focused = (frame: Frame) =>
  frame.evaluate(() => {
    const a = document.activeElement;
    if (!document.hasFocus() || !a || a === document.body) return null;
    return {
      tag: a.tagName.toLowerCase(),
      id: a.id,
      role: a.getAttribute('role'),
      label: a.getAttribute('aria-label') ?? '',
      chart: a.matches('#mainPane canvas'),
      help: a.matches('#keyHelp button'),
    };
  });

/** Presses a key, and waits until the live region says something else than before. */
async function press(s: VsCodeSession, frame: Frame, key: string): Promise<string> {
  const before = await frame.evaluate(
    () => document.getElementById('announcer')?.textContent ?? '',
  );
  await s.page.keyboard.press(key);
  return waitFor(`the live region to answer ${key}`, async () => {
    const now = await frame.evaluate(() => document.getElementById('announcer')?.textContent ?? '');
    return now !== before ? now.replace(/\u00a0$/, '') : undefined;
  });
}

describe('the flame graph by keyboard alone in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'a11y',
      folder: examplesDir(root),
      packaged: true,
      // Heatlens' profile editor rather than VS Code's own profile table.
      settings: { 'workbench.editorAssociations': { '*.cpuprofile': 'heatlens.profile' } },
    });
  });

  after(async () => {
    await vs?.stop();
  });

  it('Tab into the chart, arrows read out each frame, Enter zooms, O opens the source', async () => {
    const s = vs!;
    await s.guard('a11y-keyboard', async () => {
      await s.openFile('profiles/primes.cpuprofile', { textEditor: false });
      const frame = await waitFor('the flame graph webview', () => s.findFrame('#announcer'));
      await waitFor('the flame graph drawn', () =>
        frame.evaluate(() => performance.getEntriesByName('heatlens:first-paint').length > 0),
      );
      // Tab until the chart has the focus (from wherever VS Code left it).
      const stops: string[] = [];
      for (let i = 0; i < 40 && !(await focused(frame))?.chart; i++) {
        await s.page.keyboard.press('Tab');
        const f = await focused(frame);
        stops.push(f ? `${f.tag}${f.id ? '#' + f.id : ''}` : '(outside the webview)');
      }
      process.stderr.write(`[e2e] Tab stops: ${stops.join(' > ')}\n`);
      const chart = await focused(frame);
      assert.ok(chart?.chart, `Tab reached the flame graph: ${stops.join(' > ')}`);
      assert.equal(chart.role, 'application');
      assert.equal(chart.label, 'Flame graph');
      assert.equal(await press(s, frame, 'ArrowDown'), 'All, 100% total');
      // Down the heaviest path to the first named function of primes.js, each step with the
      // tooltip's figures.
      let text = '';
      const inPrimes = /^(?!\(anonymous\))(.+?), [\d.<]+% total, .* primes\.js line (\d+)$/;
      for (let i = 0; i < 30 && !inPrimes.test(text); i++) {
        text = await press(s, frame, 'ArrowDown');
        const m = /^(.+), ([\d.<]+%) total, ([\d.<]+%) self, (.+)$/.exec(text);
        assert.ok(m, `"${text}" names a frame, its total and self shares, its place`);
        const tip = (await frame.locator('#tooltip').innerText()).replace(/\u00a0/g, ' ');
        assert.ok(tip.startsWith(m[1]), `the tooltip is about ${m[1]}: ${tip}`);
        assert.match(tip, new RegExp(`Total here: .* \\(${m[2].replace('.', '\\.')}\\)`));
        assert.match(tip, new RegExp(`Self here: .* \\(${m[3].replace('.', '\\.')}\\)`));
      }
      process.stderr.write(`[e2e] read out: "${text}"\n`);
      const [, name, line] = inPrimes.exec(text)!;
      await s.screenshot('1-selected');
      assert.equal(await press(s, frame, 'Enter'), `Zoomed to ${text}`);
      assert.equal(await frame.locator('#crumbs .crumb.current').textContent(), name);
      assert.equal((await focused(frame))?.label, `Flame graph, zoomed to ${name}`);
      assert.equal(await press(s, frame, 'o'), `Opening primes.js line ${line}, ${name}`);
      await waitFor(`primes.js open at line ${line}`, () =>
        s.page.evaluate((want) => {
          const tab = document.querySelector('.editor-group-container.active .tab.active');
          const cursor = Array.from(document.querySelectorAll('.statusbar-item'))
            .map((e) => e.textContent ?? '')
            .find((t) => /^Ln \d+, Col \d+/.test(t));
          return (
            ((tab?.getAttribute('aria-label') ?? '').startsWith('primes.js') &&
              cursor?.startsWith(`Ln ${want},`)) ||
            undefined
          );
        }, line),
      );
      await s.screenshot('2-source-opened');
    });
  });

  it('axe-core in the webview: no serious or critical violation in any view or the help', async () => {
    const s = vs!;
    await s.guard('a11y-axe', async () => {
      await s.openFile('profiles/primes.cpuprofile', { textEditor: false });
      const frame = await waitFor('the flame graph webview', () => s.findFrame('#announcer'));
      // The webview's CSP takes no inline script; evaluate puts axe into its page as DevTools would.
      await frame.evaluate(`${axeSource()};\ntrue`);
      for (let i = 0; i < 40 && !(await focused(frame))?.chart; i++) {
        await s.page.keyboard.press('Tab');
      }
      const report: string[] = [];
      for (const key of ['1', '4', '3', '?']) {
        const where = key === '?' ? 'the help' : await press(s, frame, key);
        if (key === '?') {
          await s.page.keyboard.press('?');
          await waitFor('the help', async () => (await focused(frame))?.help);
        }
        const { rules, findings } = await runAxe(frame);
        assert.ok(rules > 20, `axe applied ${rules} rules in ${where}`);
        for (const v of findings) report.push(`${where}: ${v.text}`);
        await s.screenshot(`3-axe-${key === '?' ? 'help' : key}`);
      }
      await s.page.keyboard.press('Escape');
      process.stderr.write(`[e2e] axe-core findings:\n${report.join('\n') || '(none)'}\n`);
      assert.deepEqual(seriousFindings(report), []);
    });
  });
});
