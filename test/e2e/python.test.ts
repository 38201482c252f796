// End to end, Python: the accounts service of the examples workspace profiled in each mode from
// the command palette of a real VS Code. The interpreter is Debian's /usr/bin/python3, where
// python3-yappi is installed (set through heatlens.python.path, as a person would).
// Screenshots: test-output/e2e/python-*.png.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';
import {
  assertLensHasTimings,
  clearAndCheck,
  examplesDir,
  labelPattern,
  profileActiveFile,
  resetState,
  shareOf,
  waitForLabels,
} from './scenarios';

const prepared = prepareE2e();
const examples = examplesDir(repoRoot());
const service = join(examples, 'python/service.py');
const python = '/usr/bin/python3';
const yappi =
  existsSync(python) && spawnSync(python, ['-c', 'import yappi'], { stdio: 'ignore' }).status === 0;

/** 1-based first and last line of a top-level `def name(` (up to the next top-level line). */
function defLines(name: string): { first: number; last: number } {
  const lines = readFileSync(service, 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith(`def ${name}(`));
  assert.ok(first >= 0, `service.py has no def ${name}`);
  let last = first + 1;
  while (last < lines.length && (lines[last] === '' || /^\s/.test(lines[last]))) last++;
  return { first: first + 1, last };
}

describe('Profile Current File on Python in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'python',
      folder: examples,
      packaged: true,
      settings: { 'heatlens.python.path': python },
    });
  });

  after(async () => {
    await vs?.stop();
  });

  /**
   * "Heatlens: Choose Python Profiler", typing `typed` (a word of the entry's description, as a
   * person who knows what they want but not the profiler's name would) and picking `label`.
   */
  async function chooseMode(typed: string, label: string): Promise<void> {
    const s = vs!;
    await s.runCommand('Heatlens: Choose Python Profiler');
    await s.page.waitForSelector('.quick-input-widget .quick-input-box input', {
      state: 'visible',
    });
    // Focus the pick's input as a person would by clicking it (keys could reach the editor).
    await s.page
      .locator('.quick-input-widget .quick-input-box input')
      .first()
      .click({ timeout: 10_000 });
    await s.page.keyboard.insertText(typed);
    await waitFor(`"${label}" focused in the quick pick after typing "${typed}"`, () =>
      s.page.evaluate((want) => {
        const row = document.querySelector('.quick-input-widget .monaco-list-row.focused');
        return (row?.querySelector('.label-name')?.textContent ?? '').trim() === want || undefined;
      }, label),
    );
    await s.page.keyboard.press('Enter');
  }

  /** Ctrl+G to the def, so that its lines (and their decorations) are in the DOM. */
  async function revealDef(name: string): Promise<void> {
    const s = vs!;
    await s.page.keyboard.press('Control+G');
    await s.page.waitForSelector('.quick-input-widget .quick-input-box input', {
      state: 'visible',
    });
    await s.page.keyboard.insertText(String(defLines(name).first + 12));
    await s.page.keyboard.press('Enter');
    // Labels read before the editor has scrolled would be those of the lines shown before.
    await waitFor(`def ${name} in view`, () =>
      s.page.evaluate(
        (head) =>
          Array.from(
            document.querySelectorAll('.editor-group-container.active .view-lines .view-line'),
          ).some((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(head)) ||
          undefined,
        `def ${name}(`,
      ),
    );
  }

  async function lensAboveDef(name: string) {
    const s = vs!;
    await revealDef(name);
    const lens = await waitFor(`a CodeLens above def ${name}`, async () =>
      (await s.codeLenses()).find((l) => l.lineText.startsWith(`def ${name}(`)),
    );
    process.stderr.write(`[e2e] CodeLens above ${name} (L${lens.line}): "${lens.text}"\n`);
    return lens;
  }

  it('sampling: heat on the hot line inside list_accounts, a CodeLens above it', async () => {
    const s = vs!;
    await s.guard('sampling', async () => {
      await resetState(s);
      await s.openFile('python/service.py');
      await chooseMode('sampler', 'Sampling');
      await profileActiveFile(s);
      await revealDef('list_accounts');
      const labels = await waitForLabels(s, 'python/service.py (sampling)');
      for (const l of labels) assert.match(l.label, labelPattern);
      const hottest = [...labels].sort((a, b) => shareOf(b.label) - shareOf(a.label))[0];
      const range = defLines('list_accounts');
      assert.ok(
        hottest.line > range.first && hottest.line <= range.last,
        `the hottest line ${hottest.line} ("${hottest.lineText.trim()}") is inside list_accounts`,
      );
      const lens = await lensAboveDef('list_accounts');
      assertLensHasTimings(lens);
      await s.screenshot('1-sampling');
      await clearAndCheck(s);
    });
  });

  it('cProfile: the CodeLens above list_accounts counts its calls', async () => {
    const s = vs!;
    await s.guard('cprofile', async () => {
      await resetState(s);
      await s.openFile('python/service.py');
      await chooseMode('callers', 'cProfile');
      await profileActiveFile(s);
      await waitForLabels(s, 'python/service.py (cProfile, def lines)');
      const lens = await lensAboveDef('list_accounts');
      assertLensHasTimings(lens);
      assert.match(lens.text, /\b1 call\b/, 'cProfile counted one call of list_accounts');
      await s.screenshot('2-cprofile');
      await clearAndCheck(s);
    });
  });

  it(
    'yappi: the CodeLens above list_accounts counts its calls',
    { skip: !yappi && `yappi is not importable by ${python}` },
    async () => {
      const s = vs!;
      await s.guard('yappi', async () => {
        await resetState(s);
        await s.openFile('python/service.py');
        await chooseMode('asyncio', 'yappi');
        await profileActiveFile(s);
        const lens = await lensAboveDef('list_accounts');
        assertLensHasTimings(lens);
        assert.match(lens.text, /\b[\d,]+ calls?\b/, 'yappi counted calls');
        await s.screenshot('3-yappi');
        await clearAndCheck(s);
      });
    },
  );
});
