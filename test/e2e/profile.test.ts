// End to end, in a real VS Code (code-server + headless Chromium): a person opens an example,
// runs "Heatlens: Profile Current File" from the command palette, and sees heat labels on the
// hot lines, a CodeLens with timings above the hot function and the status bar item; "Heatlens:
// Clear" removes them; Cancel stops a program that never ends and shows what was recorded.
// One code-server serves all scenarios of this file. Screenshots: test-output/e2e/profile-*.png.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatShare, formatWeight } from '../../src/core/format';
import type { Summary } from '../../src/core/summary';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';
import {
  assertHotLineIn,
  assertLensHasTimings,
  clearAndCheck,
  examplesDir,
  functionLines,
  profileActiveFile,
  resetState,
  shareOf,
  waitForLabels,
  waitForLensAbove,
} from './scenarios';

const prepared = prepareE2e();
const root = repoRoot();
const examples = examplesDir(root);

/** Pids of running processes whose command line mentions `needle` (Linux /proc). */
function processesRunning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('Profile Current File in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'profile',
      folder: examples,
      packaged: true,
      // VS Code's built-in profile table would open .cpuprofile files and add CodeLenses of its
      // own to the source files, which the Clear checks would then see.
      // VS Code's heap profile table is the default for .heapprofile: choose Heatlens', as the
      // README says a person does.
      settings: {
        'workbench.editorAssociations': {
          '*.cpuprofile': 'default',
          '*.heapprofile': 'heatlens.profile',
        },
      },
    });
    await vs.screenshot('0-workbench');
  });

  after(async () => {
    await vs?.stop();
  });

  it('TypeScript: heat on the hot TypeScript line, a CodeLens above multiply, the status bar; Clear removes them', async () => {
    const s = vs!;
    const matrix = join(examples, 'ts/src/matrix.ts');
    await s.guard('ts', async () => {
      await resetState(s);
      await s.openFile('ts/src/main.ts');
      const status = await profileActiveFile(s);
      assert.match(status, /\d/, 'the status bar item shows the run duration');
      await s.screenshot('1-ts-main-profiled');
      await s.openFile('ts/src/matrix.ts');
      const labels = await waitForLabels(s, 'ts/src/matrix.ts');
      assertHotLineIn(labels, matrix, 'multiply');
      const lens = await waitForLensAbove(s, 'multiply');
      assertLensHasTimings(lens);
      assert.match(status, /multiply/, 'the status bar names the hottest function');
      await s.screenshot('2-ts-matrix-heat');
      await clearAndCheck(s);
      await s.screenshot('3-ts-cleared');
    });
  });

  it('JavaScript: heat on isPrime, a CodeLens above it, the status bar; Clear removes them', async () => {
    const s = vs!;
    await s.guard('js', async () => {
      await resetState(s);
      await s.openFile('js/primes.js');
      const status = await profileActiveFile(s);
      const labels = await waitForLabels(s, 'js/primes.js');
      assertHotLineIn(labels, join(examples, 'js/primes.js'), 'isPrime');
      // V8 inlines isPrime into countPrimes; the lines of isPrime still belong to it.
      assertLensHasTimings(await waitForLensAbove(s, 'isPrime'));
      assert.match(status, /isPrime/, 'the status bar names the hottest function');
      await s.screenshot('4-js-heat');
      await clearAndCheck(s);
    });
  });

  it('bundled JavaScript with a source map: heat lands in src/hash.ts on checksum', async () => {
    const s = vs!;
    await s.guard('bundled', async () => {
      await resetState(s);
      await s.openFile('bundled/dist/app.js');
      const status = await profileActiveFile(s);
      // app.js stays cold (its source map moves the time to src/hash.ts): the notification says
      // where the time went and opens that file at its hottest line.
      const notice = await waitFor('a notification naming bundled/src/hash.ts', async () =>
        (await s.notifications()).find((n) => /bundled\/src\/hash\.ts/.test(n)),
      );
      process.stderr.write(`[e2e] notification: "${notice}"\n`);
      assert.match(notice, /^Heatlens: profiled app\.js \([\d.]+ s\): app\.js itself has no heat;/);
      assert.match(notice, /bundled\/src\/hash\.ts holds \d+(\.\d+)?% of the run/);
      assert.match(notice, /most on line \d+ \(checksum\)/);
      const line = Number(/most on line (\d+)/.exec(notice)![1]);
      await s.screenshot('5a-bundled-heat-elsewhere');
      await s.clickNotificationButton(/bundled\/src\/hash\.ts/, `Open hash.ts:${line}`);
      await waitFor('hash.ts opened at the hottest line', () =>
        s.page.evaluate((want) => {
          const tab = document.querySelector('.editor-group-container.active .tab.active');
          const cursor = Array.from(document.querySelectorAll('.statusbar-item'))
            .map((e) => e.textContent ?? '')
            .find((t) => /^Ln \d+, Col \d+/.test(t));
          return (
            ((tab?.getAttribute('aria-label') ?? '').startsWith('hash.ts') &&
              cursor?.startsWith(`Ln ${want},`)) ||
            undefined
          );
        }, line),
      );
      const labels = await waitForLabels(s, 'bundled/src/hash.ts');
      assertHotLineIn(labels, join(examples, 'bundled/src/hash.ts'), 'checksum');
      const hottest = [...labels].sort((a, b) => shareOf(b.label) - shareOf(a.label))[0];
      assert.equal(line, hottest.line, 'the line offered is the line with the hottest label');
      assertLensHasTimings(await waitForLensAbove(s, 'checksum'));
      assert.match(status, /checksum/, 'the status bar names the hottest function');
      await s.screenshot('5-bundled-hash-heat');
      // Clicking the CodeLens opens the flame graph (README: "Click a lens to open the flame
      // graph") beside the code, zoomed to checksum, with its canvas drawn.
      await s.page
        .locator('.codelens-decoration a', { hasText: 'total' })
        .first()
        .click({ timeout: 10_000 });
      const frame = await waitFor('the flame graph webview', () => s.findFrame('#crumbs'));
      const shown = await waitFor('the flame view zoomed to checksum', () =>
        frame.evaluate(() => {
          const tab = document.querySelector('[data-view][aria-selected="true"]');
          const current = document.querySelector('#crumbs .crumb.current');
          const view = tab?.getAttribute('data-view');
          const zoomed = current?.textContent ?? '';
          return view === 'flame' && zoomed === 'checksum' ? { view, zoomed } : undefined;
        }),
      );
      assert.deepEqual(shown, { view: 'flame', zoomed: 'checksum' });
      const groups = await s.page.evaluate(() =>
        Array.from(document.querySelectorAll('.editor-group-container')).map(
          (g) => (g.querySelector('.tab.active')?.getAttribute('aria-label') ?? '').split(',')[0],
        ),
      );
      assert.ok(
        groups.length === 2 && groups.some((t) => t.startsWith('hash.ts')),
        `the flame graph opens beside hash.ts, which stays in view (editor groups: ${groups.join(' | ')})`,
      );
      const painted = await waitFor('a drawn canvas in the flame graph', () =>
        frame.evaluate(() =>
          Array.from(document.querySelectorAll('canvas')).some((c) => {
            if (c.width === 0 || c.height === 0 || c.offsetParent === null) return false;
            const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
            if (!data) return false;
            for (let i = 0; i < data.length; i += 4) if (data[i + 3] !== 0) return true;
            return false;
          }),
        ),
      );
      assert.ok(painted, 'the flame graph canvas has pixels');
      await s.screenshot('5b-bundled-flame-graph');
      await clearAndCheck(s);
    });
  });

  it('Cancel stops a program that never ends and shows what was recorded', async () => {
    const s = vs!;
    const forever = join(examples, 'js/forever.js');
    await s.guard('cancel', async () => {
      await resetState(s);
      assert.deepEqual(processesRunning(forever), [], 'forever.js is not running before the test');
      await s.openFile('js/forever.js');
      await s.runCommand('Heatlens: Profile Current File');
      await waitFor('forever.js to be running', () => processesRunning(forever).length > 0);
      // Let it record some samples before cancelling (a person would wait a moment too).
      await s.page.waitForTimeout(2000);
      await s.screenshot('6-cancel-running');
      await s.clickNotificationButton(/profiling forever\.js/, 'Cancel');
      await waitFor('forever.js to be stopped', () => processesRunning(forever).length === 0);
      const labels = await waitForLabels(s, 'js/forever.js (cancelled)');
      await waitFor('a notification saying the run was cancelled', async () =>
        (await s.notifications()).some((m) =>
          /cancelled forever\.js after [\d.]+ s; showing what was recorded/.test(m),
        ),
      );
      assert.ok(
        !(await s.notifications()).some((m) => /profiled forever\.js/.test(m)),
        'a cancelled run is not announced as profiled',
      );
      const spin = functionLines(forever, 'spin');
      const top = labels.find((l) => l.line >= spin.first && l.line <= spin.last);
      assert.ok(top, `a heat label inside spin (lines ${spin.first}-${spin.last}) after Cancel`);
      assertLensHasTimings(await waitForLensAbove(s, 'spin'));
      assert.match((await s.statusBarItem('flame')) ?? '', /spin/, 'the status bar shows the run');
      await s.screenshot('7-cancel-recorded');
      await clearAndCheck(s);
    });
  });

  it('a saved profile file opens in the flame graph and lights up the file it names', async () => {
    const s = vs!;
    await s.guard('open-profile', async () => {
      await resetState(s);
      // Recorded in another folder (examples/profiles/record.sh): its paths are mapped onto this
      // workspace by their workspace-relative tail.
      await s.openFile('profiles/primes.cpuprofile', { textEditor: false });
      const row = s.page.locator('.explorer-folders-view .monaco-list-row', {
        hasText: 'primes.cpuprofile',
      });
      await row.first().click({ button: 'right', timeout: 10_000 });
      await s.page
        .locator('.monaco-menu .action-label', { hasText: 'Open Profile File' })
        .first()
        .click({ timeout: 10_000 });
      // On a loaded machine the menu can still be laying out its items (the extension's entries
      // come with their context keys) when the click lands, which it then ignores, leaving the
      // item focused under the pointer: Enter runs the focused item, as a person would press it.
      const menuOpen = () =>
        s.page.evaluate(() => {
          const menu = document.querySelector('.monaco-menu');
          return !!menu && (menu as HTMLElement).offsetParent !== null;
        });
      const closed = await waitFor('the menu to close', async () => !(await menuOpen()), 5000)
        .then(() => true)
        .catch(() => false);
      if (!closed && (await menuOpen())) await s.page.keyboard.press('Enter');
      await waitFor('the flame graph webview', () => s.findFrame('#sandwichTitle'));
      await s.openFile('js/primes.js');
      const labels = await waitForLabels(s, 'js/primes.js (from the saved profile)');
      assertHotLineIn(labels, join(examples, 'js/primes.js'), 'isPrime');
      await s.screenshot('8-saved-profile');
      await clearAndCheck(s);
    });
  });

  it('profile files of other tools open in the profile editor: speedscope lights up its file, pprof asks which profile', async () => {
    const s = vs!;
    await s.guard('profile-editor', async () => {
      await resetState(s);
      // speedscope 1.25.0's own export of primes.cpuprofile: Heatlens' editor is its default.
      await s.openFile('profiles/primes.speedscope.json', { textEditor: false });
      await waitFor('the flame graph in the profile editor', () => s.findFrame('#sandwichTitle'));
      await waitFor('the speedscope profile in the status bar', async () =>
        /\d/.test((await s.statusBarItem('flame')) ?? '') ? true : undefined,
      );
      await s.screenshot('9-speedscope-editor');
      await s.openFile('js/primes.js');
      const labels = await waitForLabels(s, 'js/primes.js (from the speedscope file)');
      // speedscope keeps no line ticks: the time lands on the function's line, and V8 ran
      // isPrime inlined in countPrimes.
      assertHotLineIn(labels, join(examples, 'js/primes.js'), 'countPrimes');
      assertLensHasTimings(await waitForLensAbove(s, 'countPrimes'));
      await s.screenshot('10-speedscope-heat');
      await resetState(s);

      // A Go CPU profile holds two sample types: Heatlens asks which one to show.
      // Quick open, without waiting for the tab: the editor opens once a profile is picked.
      await s.dismiss();
      await s.page.keyboard.press('Control+P');
      await s.page.keyboard.insertText('profiles/go-cpu.pb.gz');
      await waitFor('quick open to list go-cpu.pb.gz', () =>
        s.page.evaluate(() =>
          /go-cpu\.pb\.gz/.test(
            document.querySelector('.quick-input-widget .monaco-list-row.focused')?.textContent ??
              '',
          )
            ? true
            : undefined,
        ),
      );
      await s.page.keyboard.press('Enter');
      const picker = s.page.locator('.quick-input-widget');
      await waitFor('the profile picker', async () =>
        (await picker.isVisible()) && /holds 2 profiles/.test((await picker.textContent()) ?? '')
          ? true
          : undefined,
      );
      const rows = await s.page.evaluate(() =>
        Array.from(document.querySelectorAll('.quick-input-widget .monaco-list-row')).map(
          (r) => r.textContent ?? '',
        ),
      );
      assert.ok(
        rows.some((r) => r.includes('cpu (nanoseconds)')) &&
          rows.some((r) => r.includes('samples')),
        `both sample types are offered (${rows.join(' | ')})`,
      );
      await s.screenshot('11-pprof-choice');
      await picker.locator('.monaco-list-row', { hasText: 'samples' }).first().click();
      await waitFor('the Go profile in the status bar', async () =>
        /main\.fib/.test((await s.statusBarItem('flame')) ?? '') ? true : undefined,
      );
      await waitFor('the flame graph of the pprof file', () => s.findFrame('#sandwichTitle'));
      await s.screenshot('12-pprof-editor');
      // Recorded from a copy of the examples in another folder (examples/profiles/record.sh):
      // the Go source it names lights up here: heat on fib's lines, a CodeLens above it in the
      // profile's unit (samples).
      await s.openFile('go/main.go');
      const goLabels = await waitForLabels(s, 'go/main.go (from the pprof file)');
      const goSource = readFileSync(join(examples, 'go/main.go'), 'utf8').split('\n');
      const fibFirst = goSource.findIndex((l) => l.startsWith('func fib(')) + 1;
      const fibLast = goSource.findIndex((l, i) => i >= fibFirst && l.startsWith('}')) + 1;
      const inFib = goLabels.filter((l) => l.line >= fibFirst && l.line <= fibLast);
      assert.ok(inFib.length > 0, `heat labels on fib's lines ${fibFirst}-${fibLast}`);
      for (const l of goLabels) {
        assert.match(l.label, /^\d+ samples? · \d+(\.\d+)?%$/, `label on line ${l.line}`);
        // The editor shows Go's tab indentation as spaces.
        assert.equal(l.lineText.trim(), goSource[l.line - 1].trim(), 'the source line');
      }
      const fibLens = await waitFor('a CodeLens above func fib', async () =>
        (await s.codeLenses()).find((l) => l.lineText.startsWith('func fib(')),
      );
      process.stderr.write(`[e2e] CodeLens above fib (L${fibLens.line}): "${fibLens.text}"\n`);
      assert.match(fibLens.text, /\d+(\.\d+)?% total \(\d+ samples\)/);
      await s.screenshot('12b-pprof-go-source-heat');
      await clearAndCheck(s);
    });
  });

  it("a V8 heap profile opens in bytes: CodeLens and labels give the CLI's figures", async () => {
    const s = vs!;
    await s.guard('heap-profile', async () => {
      await resetState(s);
      // node --heap-prof on a copy of js/alloc.mjs (examples/profiles/record.sh).
      const profile = join(examples, 'profiles/alloc.heapprofile');
      const cli = spawnSync(
        process.execPath,
        [join(root, 'dist/cli.js'), 'summary', profile, '--json', '--limit', '0'],
        { encoding: 'utf8' },
      );
      assert.equal(cli.status, 0, cli.stderr);
      const summary = JSON.parse(cli.stdout) as Summary;
      assert.equal(summary.unit, 'bytes');
      await s.openFile('profiles/alloc.heapprofile', { textEditor: false });
      await waitFor('the flame graph in the profile editor', () => s.findFrame('#sandwichTitle'));
      const status = await waitFor('the heap profile in the status bar', async () => {
        const text = await s.statusBarItem('flame');
        return text && /MiB/.test(text) ? text : undefined;
      });
      assert.ok(status.includes(formatWeight(summary.total, 'bytes')), status);
      await s.openFile('js/alloc.mjs');
      const labels = await waitForLabels(s, 'js/alloc.mjs (from the heap profile)');
      for (const l of labels) {
        assert.match(l.label, /^[\d.]+ (?:B|KiB|MiB|GiB) · [\d.]+%/, `label on line ${l.line}`);
      }
      for (const fn of ['makeStrings', 'makeObjects']) {
        const lens = await waitForLensAbove(s, fn);
        const stat = summary.functions.find(
          (f) => f.name === fn && /alloc\.mjs$/.test(f.file ?? ''),
        )!;
        assert.ok(stat, `${fn} in the CLI summary`);
        const total = `${formatShare(stat.total, summary.total)} total (${formatWeight(stat.total, 'bytes')})`;
        const self = `${formatShare(stat.self, summary.total)} self (${formatWeight(stat.self, 'bytes')})`;
        assert.ok(
          lens.text.includes(total) && lens.text.includes(self),
          `${lens.text} | ${total} · ${self}`,
        );
      }
      await s.screenshot('13-heap-profile');
      await clearAndCheck(s);
    });
  });

  it('Profile Memory of Current File on a Node program: bytes on its lines and its functions', async () => {
    const s = vs!;
    await s.guard('node-memory', async () => {
      await resetState(s);
      await s.openFile('js/alloc.mjs');
      await s.runCommand('Heatlens: Profile Memory of Current File');
      const status = await waitFor('the memory run in the status bar', async () => {
        const text = await s.statusBarItem('flame');
        return text && /(?:KiB|MiB|GiB)/.test(text) ? text : undefined;
      });
      process.stderr.write(`[e2e] status bar: "${status}"\n`);
      const labels = await waitForLabels(s, 'js/alloc.mjs (memory run)');
      for (const l of labels) {
        assert.match(l.label, /^[\d.]+ (?:B|KiB|MiB|GiB) · [\d.]+%/, `label on line ${l.line}`);
      }
      // makeStrings keeps 200,000 strings of about 60 characters: tens of MiB allocated on its
      // lines, which V8 attributes to the function (sampled every 32 KiB).
      const { first, last } = functionLines(join(examples, 'js/alloc.mjs'), 'makeStrings');
      assert.ok(
        labels.some((l) => l.line >= first && l.line <= last),
        `a label inside makeStrings (lines ${first}-${last}): ${JSON.stringify(labels)}`,
      );
      const lens = await waitForLensAbove(s, 'makeStrings');
      const m = /total \(([\d.]+) MiB\)/.exec(lens.text);
      assert.ok(m, `makeStrings' CodeLens in MiB: ${lens.text}`);
      assert.ok(Number(m[1]) > 5 && Number(m[1]) < 200, lens.text);
      // The CodeLens and the status bar tell one story: the function's share of the total.
      const total = Number(/([\d.]+) MiB/.exec(status)![1]);
      const share = Number(/([\d.]+)% total/.exec(lens.text)![1]);
      assert.ok(
        Math.abs((total * share) / 100 - Number(m[1])) <= total * 0.002 + 0.1,
        `${lens.text} against the status bar's ${status}`,
      );
      await s.screenshot('14-node-memory');
      await clearAndCheck(s);
    });
  });

  it('leaves nothing running', () => {
    assert.ok(existsSync(examples));
    assert.deepEqual(
      processesRunning(join(examples, 'js/')),
      [],
      'no example program left running',
    );
  });
});
