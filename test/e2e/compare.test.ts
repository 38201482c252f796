// End to end, in a real VS Code (code-server + headless Chromium): a person profiles
// examples/js/primes.js twice, runs "Heatlens: Compare with Previous Run" from the command
// palette, and sees change labels ("+12.3 ms · +40%", or "... · within noise") on primes.js's hot
// lines, a CodeLens with the change above countPrimes, a status bar item naming the
// normalisation and the verdict (a click switches the normalisation), the differential flame
// graph, and both runs in the Heatlens Runs view; Clear removes the deltas. Then, in a workspace
// of its own, test/fixtures/programs/steps.js (five loops, one line each) run twice unchanged
// shows no change beyond noise on any surface, and run once more with its SLOW LINE three times
// slower (the `heatlens.args` setting) shows that line, and only that line, as changed: in the
// labels, the gutter, the hover, the CodeLens, the status bar and the flame graph.
// Screenshots: test-output/e2e/compare-*.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
/** "+12.3 ms · +40%", "-1.20 ms · -3.1% · within noise", "+5.00 ms · not sampled before". */
const DELTA =
  /^[+-]?\d+(?:\.\d+)? (?:ns|µs|ms|s) · (?:[+-]?\d+(?:\.\d+)?%|not sampled before)(?: · within noise)?$/;
/** The status bar's verdict. */
const VERDICT = /· (?:no change beyond noise|\d+ (?:lines?|functions?) changed beyond noise)$/;

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
        / vs .*· (?:normalised by typical change|normalised by total|absolute) · /,
        'it names the normalisation',
      );
      assert.match(status, VERDICT, 'and says whether anything changed beyond noise');
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
      // The comparison's lens ("… total (1.64 s → 1.70 s) …"), not the single run's that the
      // editor may still show for a moment ("88.9% total (826 ms) · …").
      const lens = await waitFor('a CodeLens with the change above countPrimes', async () =>
        (await s.codeLenses()).find(
          (l) =>
            /\bfunction countPrimes\b/.test(l.lineText) &&
            l.text.includes(' total (') &&
            l.text.includes('→'),
        ),
      );
      process.stderr.write(`[e2e] CodeLens above countPrimes: "${lens.text}"\n`);
      assert.match(
        lens.text,
        /^(?:within noise: )?[+-]?\S+ (?:ns|µs|ms|s) · .* total \(.+ → .+\) .*self /,
      );
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
      const before = /· ([a-z ]+) · [^·]+$/.exec(status)![1];
      await s.page
        .locator('.part.statusbar .statusbar-item:has(.codicon-diff)')
        .first()
        .click({ timeout: 10_000 });
      const switched = await waitFor('the normalisation to switch', async () => {
        const t = await s.statusBarItem('diff');
        return t && !t.includes(`· ${before} ·`) ? t : undefined;
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

/** The colors of the after-line labels of the active editor, by 1-based line. */
async function labelColors(vs: VsCodeSession): Promise<Map<number, string>> {
  const pairs = await vs.page.evaluate(() => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) return [];
    const numbers = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers')).map(
      (e) => ({ top: e.getBoundingClientRect().top, n: Number((e.textContent ?? '').trim()) }),
    );
    const out: [number, string][] = [];
    for (const line of Array.from(editor.querySelectorAll('.view-lines .view-line'))) {
      const top = line.getBoundingClientRect().top;
      const n = numbers.find((x) => Math.abs(x.top - top) < 2)?.n ?? 0;
      for (const span of Array.from(
        line.querySelectorAll('span[class*="TextEditorDecorationType"]'),
      )) {
        const after = getComputedStyle(span, '::after');
        if (after.content && after.content !== 'none' && after.content !== 'normal') {
          out.push([n, after.color]);
        }
      }
    }
    return out;
  });
  return new Map(pairs);
}

/** The comparison status bar item's tooltip (what changed beyond noise), read by hovering it. */
async function statusTooltip(vs: VsCodeSession): Promise<string> {
  await vs.page
    .locator('.part.statusbar .statusbar-item:has(.codicon-diff)')
    .first()
    .hover({ timeout: 10_000 });
  return waitFor(
    'the status bar tooltip',
    async () => {
      await vs.page.waitForTimeout(500);
      const text = await vs.page.evaluate(() =>
        Array.from(document.querySelectorAll('.workbench-hover, .monaco-hover'))
          .map((e) => ((e as HTMLElement).innerText ?? '').replace(/\u00a0/g, ' '))
          .find((t) => t.includes('compared with')),
      );
      return text || undefined;
    },
    15_000,
  ).catch(() => '(no tooltip shown)');
}

/** A screenshot with the active editor group maximised (the labels follow long lines). */
async function screenshotWide(vs: VsCodeSession, step: string): Promise<void> {
  await vs.runCommand('View: Toggle Maximize Editor Group');
  await vs.page.waitForTimeout(500);
  await vs.screenshot(step);
  await vs.runCommand('View: Toggle Maximize Editor Group');
}

/** Hovers the first word of a line of the active editor and returns the Heatlens hover's text. */
async function hoverLine(vs: VsCodeSession, line1: number): Promise<string> {
  // Marks the word to hover (the editor's lines are not in line order in the DOM).
  const found = await vs.page.evaluate((n) => {
    for (const old of Array.from(document.querySelectorAll('[data-heatlens-hover]'))) {
      old.removeAttribute('data-heatlens-hover');
    }
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    const number = Array.from(
      editor?.querySelectorAll('.margin-view-overlays .line-numbers') ?? [],
    ).find((e) => Number((e.textContent ?? '').trim()) === n);
    if (!editor || !number) return false;
    const top = number.getBoundingClientRect().top;
    const line = Array.from(editor.querySelectorAll('.view-lines .view-line')).find(
      (l) => Math.abs(l.getBoundingClientRect().top - top) < 2,
    );
    const word = Array.from(line?.querySelectorAll('span span') ?? []).find((w) =>
      /\w/.test(w.textContent ?? ''),
    );
    word?.setAttribute('data-heatlens-hover', '1');
    return !!word;
  }, line1);
  assert.ok(found, `line ${line1} is on screen`);
  return waitFor(`the hover on line ${line1}`, async () => {
    await vs.page.locator('[data-heatlens-hover]').first().hover({ timeout: 5_000 });
    await vs.page.waitForTimeout(800);
    const text = await vs.page.evaluate(() =>
      Array.from(document.querySelectorAll('.monaco-hover .monaco-hover-content'))
        .map((e) => ((e as HTMLElement).innerText ?? '').replace(/\u00a0/g, ' '))
        .find((t) => t.includes('Heatlens')),
    );
    return text || undefined;
  });
}

describe(
  'Change against noise in a real VS Code: steps.js, unchanged and one line 3x slower',
  {
    skip: prepared.skip,
  },
  () => {
    let vs: VsCodeSession | undefined;
    let folder = '';
    const program = join(root, 'test', 'fixtures', 'programs', 'steps.js');
    const sourceLines = readFileSync(program, 'utf8').split('\n');
    const slowLine = sourceLines.findIndex((l) => l.trimEnd().endsWith('// SLOW LINE')) + 1;
    const setArgs = (args: string[]) =>
      writeFileSync(
        join(folder, '.vscode', 'settings.json'),
        JSON.stringify({ 'heatlens.args': args }, null, 2),
      );

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'heatlens-steps-'));
      copyFileSync(program, join(folder, 'steps.js'));
      mkdirSync(join(folder, '.vscode'));
      setArgs(['1']);
      vs = await VsCodeSession.start(prepared.env!, {
        name: 'compare-noise',
        folder,
        packaged: true,
      });
    });

    after(async () => {
      await vs?.stop();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    it('no change beyond noise between two identical runs; the 3x line alone after', async () => {
      const s = vs!;
      const focusSteps = () =>
        s.page
          .locator('.editor-group-container .tab', { hasText: 'steps.js' })
          .first()
          .click({ timeout: 10_000 });
      const compare = async (what: string) => {
        await s.runCommand('Heatlens: Compare with Previous Run');
        const status = await waitFor(`the comparison (${what}) in the status bar`, async () => {
          const t = await s.statusBarItem('diff');
          return t && VERDICT.test(t) ? t : undefined;
        });
        process.stderr.write(`[e2e] ${what}: status bar "${status}"\n`);
        const tip = await statusTooltip(s);
        process.stderr.write(`[e2e] ${what}: its tooltip ${JSON.stringify(tip)}\n`);
        await focusSteps();
        return status;
      };
      await s.guard('noise', async () => {
        await resetState(s);
        await s.openFile('steps.js');
        // Room for the labels after the long lines.
        await s.runCommand('View: Close Primary Side Bar');
        await profileActiveFile(s);
        await clearAndCheck(s);
        await profileActiveFile(s);

        // Two runs of the same program: nothing changed, and every surface says so.
        const same = await compare('same program');
        assert.match(same, /· normalised by typical change · no change beyond noise$/);
        const labels = await waitForLabels(s, 'steps.js (same program)');
        for (const l of labels) {
          assert.match(l.label, DELTA, `label on line ${l.line}`);
          assert.match(l.label, / · within noise$/, `line ${l.line} is within noise`);
        }
        assert.equal(await s.heatLineCount(), 0, 'no line is tinted red or green');
        await screenshotWide(s, 'noise-1-same-program');
        const quiet = await hoverLine(s, slowLine);
        process.stderr.write(`[e2e] hover (same program): ${JSON.stringify(quiet)}\n`);
        assert.match(quiet, /Change within noise \(z = -?\d+\.\d\)/);
        const lens = await waitFor('a CodeLens above work', async () =>
          (await s.codeLenses()).find((l) => /\bfunction work\b/.test(l.lineText)),
        );
        process.stderr.write(`[e2e] CodeLens above work (same program): "${lens.text}"\n`);
        assert.match(lens.text, /^within noise: /);
        await s.screenshot('noise-2-same-program-hover');

        // The SLOW LINE made three times slower.
        setArgs(['3']);
        // VS Code picks the settings file up from disk; give it a moment.
        await new Promise((r) => setTimeout(r, 3000));
        await clearAndCheck(s);
        await profileActiveFile(s);
        const changed = await compare('SLOW LINE 3x');
        assert.match(changed, /· 1 line changed beyond noise$/);
        const marked = await waitFor('a label on the slow line', async () => {
          const l = await s.afterLabels();
          return l.some((x) => x.line === slowLine && !/within noise/.test(x.label))
            ? l
            : undefined;
        });
        process.stderr.write(
          `[e2e] labels (3x): ${marked.map((l) => `L${l.line} "${l.label}"`).join(', ')}\n`,
        );
        for (const l of marked) {
          assert.match(l.label, DELTA, `label on line ${l.line}`);
          if (l.line === slowLine) assert.match(l.label, /^\+\S+ (?:ms|s) · \+\d+%$/);
          else assert.match(l.label, / · within noise$/, `line ${l.line} is within noise`);
        }
        assert.equal(await s.heatLineCount(), 1, 'one line tinted: the slow one');
        const colors = await labelColors(s);
        const slowColor = colors.get(slowLine)!;
        for (const [line, color] of colors) {
          if (line !== slowLine) assert.notEqual(color, slowColor, `line ${line}: muted, not red`);
        }
        await screenshotWide(s, 'noise-3-slow-line');
        const loud = await hoverLine(s, slowLine);
        process.stderr.write(`[e2e] hover (3x): ${JSON.stringify(loud)}\n`);
        assert.match(loud, /this line: before \S+ (?:ms|s) → after \S+ (?:ms|s), \+/);
        assert.match(loud, /Change beyond noise \(z = \d+\.\d\)/);
        // The function holding the line: its change is a smaller part of it, so whether it passes
        // depends on how loaded the machine was; its lens shows the change either way.
        const workLens = await waitFor('the CodeLens above work to follow', async () => {
          const l = (await s.codeLenses()).find((x) => /\bfunction work\b/.test(x.lineText));
          return l && l.text !== lens.text ? l : undefined;
        });
        process.stderr.write(`[e2e] CodeLens above work (3x): "${workLens.text}"\n`);
        assert.match(workLens.text, /^(?:within noise: )?\+\S+ (?:ms|s) · \+\d+% total \(/);
        await s.screenshot('noise-4-slow-line-hover');

        // The differential flame graph: the verdict's threshold, and only the user's code listed.
        const flame = await waitFor('the flame graph webview', () => s.findFrame('#diffInfo'));
        const noiseLine = await waitFor('the noise note of the differential view', () =>
          flame.evaluate(() => document.querySelector('#diffNoise')?.textContent || undefined),
        );
        assert.match(noiseLine, /^colored only beyond noise \(\|z\| ≥ \d\.\d\)$/);
        const lists = await flame.evaluate(() => ({
          appeared: document.querySelector('#appearedTitle')?.textContent,
          vanished: document.querySelector('#vanishedTitle')?.textContent,
          toggle: document.querySelector('#allChanges')?.textContent ?? '',
        }));
        process.stderr.write(`[e2e] flame graph lists: ${JSON.stringify(lists)}\n`);
        assert.equal(lists.appeared, 'Appeared (0)', 'no function of steps.js appeared');
        assert.equal(lists.vanished, 'Vanished (0)');
        await s.screenshot('noise-5-flame');
        if (lists.toggle) {
          assert.match(lists.toggle, /^Show \d+ more outside my code/);
          await flame.locator('#allChanges').click();
          const muted = await flame.evaluate(() =>
            Array.from(document.querySelectorAll('#appeared .change, #vanished .change')).map((e) =>
              e.classList.contains('noise'),
            ),
          );
          assert.ok(
            muted.length > 0 && muted.every(Boolean),
            'Node internals that came and went: within noise',
          );
          await s.screenshot('noise-6-flame-all');
        }
      });
    });
  },
);
