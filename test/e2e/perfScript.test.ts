// End to end, in a real VS Code (code-server + headless Chromium): Linux `perf script` text, a
// format with no fixed name, opens in Heatlens' profile editor; a file of several threads asks
// which one, and the flame graph shows it. Screenshots: test-output/e2e/perf-script-*.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';

const prepared = prepareE2e();
const fixtures = join(repoRoot(), 'test/fixtures/perf-script');

describe('perf script files in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;
  const folder = mkdtempSync(join(tmpdir(), 'hl-perf-e2e-'));

  before(async () => {
    for (const name of ['hot.perf', 'threads.perf'])
      copyFileSync(join(fixtures, name), join(folder, name));
    vs = await VsCodeSession.start(prepared.env!, { name: 'perf-script', folder, packaged: true });
  });

  after(async () => {
    await vs?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('hot.perf opens in the flame graph with leaf, the hot function, in the status bar', async () => {
    const s = vs!;
    await s.guard('hot', async () => {
      await s.openFile('hot.perf', { textEditor: false });
      await waitFor('the flame graph in the profile editor', () => s.findFrame('#sandwichTitle'));
      await waitFor('the hot function in the status bar', async () =>
        /leaf/.test((await s.statusBarItem('flame')) ?? '') ? true : undefined,
      );
      await s.screenshot('1-hot');
    });
  });

  it('threads.perf asks which thread, and shows the one picked', async () => {
    const s = vs!;
    await s.guard('threads', async () => {
      await s.runCommand('View: Close All Editors');
      await s.dismiss();
      await s.page.keyboard.press('Control+P');
      await s.page.keyboard.insertText('threads.perf');
      await waitFor('quick open to list threads.perf', () =>
        s.page.evaluate(() =>
          /threads\.perf/.test(
            document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent ??
              '',
          )
            ? true
            : undefined,
        ),
      );
      await s.page.keyboard.press('Enter');
      const picker = s.page.locator('.quick-input-widget');
      await waitFor('the thread picker', async () =>
        (await picker.isVisible()) && /holds 4 profiles/.test((await picker.textContent()) ?? '')
          ? true
          : undefined,
      );
      const rows = await s.page.evaluate(() =>
        Array.from(document.querySelectorAll('.quick-input-widget .monaco-list-row')).map(
          (r) => r.textContent ?? '',
        ),
      );
      assert.ok(rows[0]?.includes('All threads'), rows.join(' | '));
      assert.equal(rows.filter((r) => /threads \d+/.test(r)).length, 3, rows.join(' | '));
      await s.screenshot('2-thread-choice');
      await picker.locator('.monaco-list-row', { hasText: 'All threads' }).first().click();
      await waitFor('the flame graph of every thread', () => s.findFrame('#sandwichTitle'));
      await waitFor('spin_a, the busiest thread’s hot function, in the status bar', async () =>
        /spin_a/.test((await s.statusBarItem('flame')) ?? '') ? true : undefined,
      );
      await s.screenshot('3-all-threads');
    });
  });
});
