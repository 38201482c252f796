// End to end, in a real VS Code (code-server + headless Chromium): a person profiles
// examples/js/primes.js twice, runs "Heatlens: Compare with Previous Run" from the command
// palette, and sees change labels ("+12.3 ms · +40%") on primes.js's hot lines, a CodeLens with
// the change above countPrimes, a status bar item naming the normalisation (a click switches it),
// the differential flame graph, and both runs in the Heatlens Runs view; Clear removes the deltas.
// Screenshots: test-output/e2e/compare-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';
import {
  clearAndCheck,
  examplesDir,
  functionLines,
  profileActiveFile,
  resetState,
  waitForLabels,
} from './scenarios';

const prepared = prepareE2e();
const root = repoRoot();
const examples = examplesDir(root);
/** "+12.3 ms · +40%", "-1.20 ms · -3.1%", "+5.00 ms · new". */
const DELTA = /^[+-]\d+(?:\.\d+)? (?:ns|µs|ms|s) · (?:[+-]?\d+(?:\.\d+)?%|new)$/;

/** The rows of the Heatlens Runs view, as text (file rows and run rows), top to bottom. */
async function runsViewRows(vs: VsCodeSession): Promise<string[]> {
  return vs.page.evaluate(() => {
    const pane = Array.from(document.querySelectorAll('.pane')).find((p) =>
      /runs/i.test(p.querySelector('.pane-header')?.textContent ?? ''),
    );
    if (!pane) return [];
    return Array.from(pane.querySelectorAll('.pane-body .monaco-list-row'))
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((r) =>
        ((r as HTMLElement).innerText ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' '),
      );
  });
}

describe('Compare with Previous Run in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'compare',
      folder: examples,
      packaged: true,
      settings: { 'workbench.editorAssociations': { '*.cpuprofile': 'default' } },
    });
  });

  after(async () => {
    await vs?.stop();
  });

  it('two runs of primes.js: deltas on its lines, the status bar, the Runs view; Clear removes them', async () => {
    const s = vs!;
    const primes = join(examples, 'js/primes.js');
    await s.guard('compare', async () => {
      await resetState(s);
      await s.openFile('js/primes.js');
      await profileActiveFile(s);
      // Clear between the runs, so that the status bar item coming back says the second ended.
      await clearAndCheck(s);
      await profileActiveFile(s);
      await s.screenshot('1-profiled-twice');

      await s.runCommand('Heatlens: Compare with Previous Run');
      const status = await waitFor('the comparison in the status bar', () =>
        s.statusBarItem('diff'),
      );
      process.stderr.write(`[e2e] status bar: "${status}"\n`);
      assert.match(
        status,
        / vs .*· (?:normalised by total|absolute)$/,
        'it names the normalisation',
      );
      assert.equal(await s.statusBarItem('flame'), undefined, 'single-run heat is replaced');
      // The flame graph opens beside (and keeps the focus); the deltas are in primes.js.
      await s.page
        .locator('.editor-group-container .tab', { hasText: 'primes.js' })
        .first()
        .click({ timeout: 10_000 });
      const labels = await waitForLabels(s, 'js/primes.js (compared)');
      for (const l of labels) assert.match(l.label, DELTA, `label on line ${l.line}`);
      const counting = {
        first: functionLines(primes, 'isPrime').first,
        last: functionLines(primes, 'countPrimes').last,
      };
      assert.ok(
        labels.some((l) => l.line >= counting.first && l.line <= counting.last),
        `a change label inside isPrime/countPrimes (lines ${counting.first}-${counting.last})`,
      );
      const lens = await waitFor('a CodeLens with the change above countPrimes', async () =>
        (await s.codeLenses()).find(
          (l) => /\bfunction countPrimes\b/.test(l.lineText) && l.text.includes(' total ('),
        ),
      );
      process.stderr.write(`[e2e] CodeLens above countPrimes: "${lens.text}"\n`);
      assert.match(lens.text, /^[+-]\S+ (?:ns|µs|ms|s) · .* total \(.+ → .+\) · self /);
      await s.screenshot('2-deltas');

      // The differential flame graph, when the panel shows it (#diffInfo names both runs).
      const flame = await waitFor('the flame graph webview', () => s.findFrame('#diffInfo'));
      const info = await waitFor('the differential view line', () =>
        flame.evaluate(() => {
          const el = document.querySelector('#diffInfo') as HTMLElement | null;
          return el && !el.hidden ? el.innerText : undefined;
        }),
      );
      process.stderr.write(`[e2e] flame graph: "${info.replace(/\s+/g, ' ')}"\n`);
      assert.match(info, /primes\.js.*compared with.*primes\.js/s);

      // A click on the status bar item switches the normalisation.
      const before = status.endsWith('absolute') ? 'absolute' : 'normalised by total';
      await s.page
        .locator('.part.statusbar .statusbar-item:has(.codicon-diff)')
        .first()
        .click({ timeout: 10_000 });
      const switched = await waitFor('the normalisation to switch', async () => {
        const t = await s.statusBarItem('diff');
        return t && !t.endsWith(before) ? t : undefined;
      });
      process.stderr.write(`[e2e] status bar after the click: "${switched}"\n`);
      // Back in the editor (the click moved the focus to the status bar), the lens follows.
      await s.page
        .locator('.editor-group-container .tab', { hasText: 'primes.js' })
        .first()
        .click();
      const relens = await waitFor(
        'the CodeLens above countPrimes to follow the switch',
        async () =>
          (await s.codeLenses()).find(
            (l) => /\bfunction countPrimes\b/.test(l.lineText) && l.text !== lens.text,
          ),
      );
      process.stderr.write(`[e2e] CodeLens after the switch: "${relens.text}"\n`);

      // The Runs view lists both runs under primes.js.
      await s.page
        .locator('.activitybar .action-item a[aria-label^="Heatlens"]')
        .first()
        .click({ timeout: 10_000 });
      const rows = await waitFor('two runs of primes.js in the Runs view', async () => {
        const r = await runsViewRows(s);
        return r.some((t) => /primes\.js.*2 runs/.test(t)) ? r : undefined;
      });
      process.stderr.write(`[e2e] Runs view: ${rows.map((r) => `"${r}"`).join(', ')}\n`);
      const runRows = rows.filter((r) => / · v8/.test(r));
      assert.equal(runRows.length, 2, 'two run rows, each with its duration and profiler');
      for (const r of runRows) assert.match(r, /\d+(?:\.\d+)? (?:ms|s) · v8/);
      await s.screenshot('3-runs-view');

      await clearAndCheck(s);
      await waitFor(
        'Clear to hide the comparison status',
        async () => (await s.statusBarItem('diff')) === undefined,
      );
      await s.screenshot('4-cleared');
    });
  });
});
