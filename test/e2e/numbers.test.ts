// One answer on every surface, in a real VS Code (code-server + headless Chromium):
// - primes.js: V8 inlines isPrime into countPrimes. The status bar, the CodeLens above isPrime,
//   its box in the flame graph, its row in the table and the CLI on the run's stored profile
//   give isPrime one and the same share, and it is the hottest function (not its caller).
// - TypeScript: none of Heatlens' own loader appears as code; heat colors are shares of the run,
//   so the cold main.ts is pale where the per-file scale painted its hottest line deepest red.
// - Python (sampler): the call site of library code carries the time below it apart from its own.
// Screenshots: test-output/e2e/numbers-*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from './playwright';
import { formatShare } from '../../src/core/format';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';
import {
  clearAndCheck,
  examplesDir,
  profileActiveFile,
  resetState,
  shareOf,
  waitForLabels,
  waitForLensAbove,
} from './scenarios';

const prepared = prepareE2e();

/** The 1-based number of the first line of an example file holding `text`. */
function sourceLine(rel: string, text: string): number {
  return (
    readFileSync(join(examplesDir(repoRoot()), rel), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}
const root = repoRoot();
const examples = examplesDir(root);

/** Files under `dir` whose name ends with `suffix`, newest first. */
function newestFiles(dir: string, suffix: string): string[] {
  const out: { path: string; t: number }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // a browser's temporary file, gone meanwhile
      }
      if (st.isDirectory()) walk(p);
      else if (name.endsWith(suffix)) out.push({ path: p, t: st.mtimeMs });
    }
  };
  walk(dir);
  return out.sort((a, b) => b.t - a.t).map((x) => x.path);
}

interface CliFunction {
  name: string;
  file: string | null;
  self: number;
  total: number;
}

/** The CLI's --json summary of a profile file. */
function cliSummary(file: string): { total: number; functions: CliFunction[]; table: string } {
  const cli = join(root, 'dist', 'cli.js');
  const json = spawnSync(process.execPath, [cli, 'summary', file, '--json', '--limit', '0'], {
    encoding: 'utf8',
  });
  assert.equal(json.status, 0, json.stderr);
  const table = spawnSync(process.execPath, [cli, 'summary', file, '--limit', '0'], {
    encoding: 'utf8',
  });
  assert.equal(table.status, 0, table.stderr);
  return {
    ...(JSON.parse(json.stdout) as { total: number; functions: CliFunction[] }),
    table: table.stdout,
  };
}

/** Hovers a function's widest box in the flame graph and returns the tooltip's text. */
async function flameTooltip(frame: Frame, name: string): Promise<string> {
  await frame.locator('vscode-button[data-view="flame"]').click();
  const at = await waitFor(`a box for ${name} in the flame graph`, () =>
    frame.evaluate(
      (n) =>
        (
          window as unknown as {
            heatlensDebug: { locate(n: string): { x: number; y: number } | null };
          }
        ).heatlensDebug.locate(n) ?? undefined,
      name,
    ),
  );
  const canvas = frame.locator('#mainPane canvas').first();
  const box = await frame.evaluate(() => {
    const r = document.querySelector('#mainPane canvas')!.getBoundingClientRect();
    return { left: r.left, top: r.top };
  });
  await canvas.hover({ position: { x: at.x - box.left, y: at.y - box.top } });
  return waitFor(`the tooltip of ${name}`, async () => {
    const text = (await frame.locator('#tooltip').innerText()).replace(/\u00a0/g, ' ');
    return text.startsWith(name) ? text : undefined;
  });
}

/** The cells of a function's row in the table view. */
async function tableRow(frame: Frame, name: string): Promise<string[]> {
  await frame.locator('vscode-button[data-view="table"]').click();
  return waitFor(`a table row for ${name}`, () =>
    frame.evaluate((n) => {
      for (const row of Array.from(document.querySelectorAll('.table-row'))) {
        const cells = Array.from(row.querySelectorAll('.cell')).map((c) =>
          (c.textContent ?? '').replace(/\u00a0/g, ' ').trim(),
        );
        if (cells[5] === n) return cells;
      }
      return undefined;
    }, name),
  );
}

/** Every row of the table view (it draws only the rows in view: scroll through them). */
async function allTableRows(frame: Frame): Promise<string[][]> {
  await frame.locator('vscode-button[data-view="table"]').click();
  await waitFor('table rows', () =>
    frame.evaluate(() => document.querySelectorAll('.table-row').length > 0 || undefined),
  );
  const rows = new Map<string, string[]>();
  for (let step = 0; step < 400; step++) {
    const page = await frame.evaluate((k) => {
      const scroller = document.querySelector('.table-scroll') as HTMLElement;
      scroller.scrollTop = k * scroller.clientHeight * 0.8;
      scroller.dispatchEvent(new Event('scroll'));
      return {
        end: scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1,
      };
    }, step);
    await new Promise((r) => setTimeout(r, 60));
    const seen = await frame.evaluate(() =>
      Array.from(document.querySelectorAll('.table-row')).map((row) =>
        Array.from(row.querySelectorAll('.cell')).map((c) =>
          (c.getAttribute('title') ?? c.textContent ?? '').replace(/\u00a0/g, ' ').trim(),
        ),
      ),
    );
    for (const r of seen) rows.set(`${r[5]}\u0000${r[6]}`, r);
    if (page.end) break;
  }
  return [...rows.values()];
}

/** Per visible line number of the active editor, the background colors of its heat overlays. */
async function lineBackgrounds(vs: VsCodeSession): Promise<Map<number, string[]>> {
  const list = await vs.page.evaluate(() => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) return [];
    const numbers = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers')).map(
      (e) => ({ top: e.getBoundingClientRect().top, n: Number((e.textContent ?? '').trim()) }),
    );
    const out: [number, string][] = [];
    for (const d of Array.from(
      editor.querySelectorAll('.view-overlays [class*="TextEditorDecorationType"]'),
    )) {
      const top = d.getBoundingClientRect().top;
      const n = numbers.find((x) => Math.abs(x.top - top) < 2)?.n ?? 0;
      out.push([n, getComputedStyle(d).backgroundColor]);
    }
    return out;
  });
  const map = new Map<number, string[]>();
  for (const [n, color] of list) map.set(n, [...(map.get(n) ?? []), color]);
  return map;
}

describe('Every surface gives one answer, in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'numbers',
      folder: examples,
      packaged: true,
      settings: {
        'workbench.editorAssociations': { '*.cpuprofile': 'default' },
        'heatlens.python.path': '/usr/bin/python3',
      },
    });
  });

  after(async () => {
    await vs?.stop();
  });

  it("primes.js: status bar, flame graph, table, CodeLens and CLI agree on inlined isPrime's share", async () => {
    const s = vs!;
    await s.guard('primes', async () => {
      await resetState(s);
      await s.openFile('js/primes.js');
      const status = await profileActiveFile(s);
      await waitForLabels(s, 'js/primes.js');
      // The status bar: "490 ms · isPrime 83.0% self". isPrime calls nothing, so self = total.
      const fromStatus = /isPrime (\d+(?:\.\d)?%) self/.exec(status)?.[1];
      assert.ok(fromStatus, `the status bar names isPrime as the hottest function: "${status}"`);
      const lens = await waitForLensAbove(s, 'isPrime');
      const fromLens = /(\d+(?:\.\d)?%) self/.exec(lens.text)?.[1];
      assert.equal(fromLens, fromStatus, `CodeLens "${lens.text}" vs status "${status}"`);
      assert.match(lens.text, new RegExp(`^\\S*\\s*${fromStatus.replace('.', '\\.')} total`));
      await s.screenshot('1-primes-heat');

      // Clicking the lens opens the flame graph panel on isPrime.
      await s.page
        .locator('.codelens-decoration a', { hasText: 'total' })
        .first()
        .click({ timeout: 10_000 });
      const frame = await waitFor('the flame graph webview', () => s.findFrame('#sandwichTitle'));
      const tip = await flameTooltip(frame, 'isPrime');
      process.stderr.write(`[e2e] flame tooltip: ${tip.replace(/\n/g, ' | ')}\n`);
      const fromFlame = /Function total: .*\((\d+(?:\.\d)?%)\) · self: .*\((\d+(?:\.\d)?%)\)/.exec(
        tip,
      );
      assert.ok(fromFlame, `the tooltip gives isPrime's figures: ${tip}`);
      assert.equal(fromFlame[2], fromStatus, 'flame graph self share');
      assert.equal(fromFlame[1], fromStatus, 'flame graph total share');
      await s.screenshot('2-primes-flame');
      const row = await tableRow(frame, 'isPrime');
      process.stderr.write(`[e2e] table row: ${row.join(' | ')}\n`);
      assert.equal(row[1], fromStatus, 'table total share');
      assert.equal(row[3], fromStatus, 'table self share');
      const caller = await tableRow(frame, 'countPrimes');
      assert.ok(
        Number.parseFloat(caller[3]) < Number.parseFloat(fromStatus),
        `countPrimes' self (${caller[3]}) is below isPrime's (${fromStatus})`,
      );
      await s.screenshot('3-primes-table');

      // The CLI on the very profile the editor shows (the run it stored).
      const stored = newestFiles(join(s.runDir, 'user-data'), '.heatlens.json.gz')[0];
      assert.ok(stored, 'the run was stored');
      const cli = cliSummary(stored);
      const prime = cli.functions.find(
        (f) => f.name === 'isPrime' && f.file?.endsWith('primes.js'),
      );
      assert.ok(prime, 'the CLI lists isPrime');
      assert.equal(formatShare(prime.self, cli.total), fromStatus, 'CLI --json self share');
      assert.equal(formatShare(prime.total, cli.total), fromStatus, 'CLI --json total share');
      const line = cli.table.split('\n').find((l) => /\sisPrime\s/.test(l)) ?? '';
      assert.match(
        line,
        new RegExp(
          `${fromStatus.replace('.', '\\.')}\\s+\\S+ \\S+\\s+${fromStatus.replace('.', '\\.')}\\s+isPrime`,
        ),
      );
      assert.ok(Number.parseFloat(fromStatus) > 30, `isPrime holds its loop (${fromStatus})`);
      await clearAndCheck(s);
    });
  });
  it("TypeScript: no Heatlens loader frame on any surface; a cold file's hottest line is pale", async () => {
    const s = vs!;
    await s.guard('ts', async () => {
      await resetState(s);
      await s.openFile('ts/src/main.ts');
      await profileActiveFile(s);
      const labels = await waitForLabels(s, 'ts/src/main.ts');
      // main.ts's hottest line holds a few percent of the run: by share of the run it gets a
      // paler level, where the per-file scale made every file's hottest line the deepest red.
      const hottest = [...labels].sort((a, b) => shareOf(b.label) - shareOf(a.label))[0];
      assert.ok(shareOf(hottest.label) < 40, `main.ts's hottest line: ${hottest.label}`);
      const colors = (await lineBackgrounds(s)).get(hottest.line) ?? [];
      process.stderr.write(`[e2e] main.ts L${hottest.line} heat: ${colors.join(', ')}\n`);
      assert.ok(colors.length > 0, 'the hottest line of main.ts has heat');
      // heatlens.heat5Background (dark) is #c81d254d: rgba(200, 29, 37, 0.3).
      assert.ok(
        !colors.some((c) => /^rgba\(200, 29, 37/.test(c)),
        `not the hottest color: ${colors}`,
      );
      await s.screenshot('4-ts-main-pale');
      await s.openFile('ts/src/matrix.ts');
      const matrixLabels = await waitForLabels(s, 'ts/src/matrix.ts');
      const top = [...matrixLabels].sort((a, b) => shareOf(b.label) - shareOf(a.label))[0];
      if (shareOf(top.label) >= 40) {
        const hot = (await lineBackgrounds(s)).get(top.line) ?? [];
        assert.ok(
          hot.some((c) => /^rgba\(200, 29, 37/.test(c)),
          `40% and more is hottest: ${hot}`,
        );
      }
      await s.screenshot('5-ts-matrix');
      await s.runCommand('Heatlens: Open Flame Graph');
      const frame = await waitFor('the flame graph webview', () => s.findFrame('#sandwichTitle'));
      const rows = await allTableRows(frame);
      process.stderr.write(`[e2e] ts table: ${rows.length} rows\n`);
      assert.ok(rows.length > 5, 'the table lists the functions');
      const injected = rows.filter((r) => /dist[\\/]inject|tsRegister|esmEntry|tsHooks/.test(r[6]));
      assert.deepEqual(injected, [], "no row of Heatlens' own code");
      assert.ok(
        rows.some((r) => r[5] === '(Heatlens TypeScript loader)'),
        'its time is one pseudo function',
      );
      await s.screenshot('6-ts-table');
      const stored = newestFiles(join(s.runDir, 'user-data'), '.heatlens.json.gz')[0];
      assert.doesNotMatch(cliSummary(stored).table, /dist\/inject|tsRegister/);
      await clearAndCheck(s);
    });
  });

  it('Python sampler: a call site shows the library time below it apart from its own', async () => {
    const s = vs!;
    await s.guard('python', async () => {
      await resetState(s);
      await s.openFile('python/service.py');
      await s.runCommand('Heatlens: Choose Python Profiler');
      await s.page.waitForSelector('.quick-input-widget .quick-input-box input', {
        state: 'visible',
      });
      await s.page
        .locator('.quick-input-widget .quick-input-box input')
        .first()
        .click({ timeout: 10_000 });
      await s.page.keyboard.insertText('Sampling');
      await waitFor('"Sampling" focused in the quick pick', () =>
        s.page.evaluate(() => {
          const row = document.querySelector('.quick-input-widget .monaco-list-row.focused');
          return (
            (row?.querySelector('.label-name')?.textContent ?? '').trim() === 'Sampling' ||
            undefined
          );
        }),
      );
      await s.page.keyboard.press('Enter');
      await profileActiveFile(s);
      const callSite = sourceLine('python/service.py', 're.compile(');
      await s.page.keyboard.press('Control+G');
      await s.page.waitForSelector('.quick-input-widget .quick-input-box input', {
        state: 'visible',
      });
      await s.page.keyboard.insertText(String(callSite));
      await s.page.keyboard.press('Enter');
      await waitForLabels(s, 'python/service.py (sampling)');
      // The labels of the lines in view: wait until the editor has scrolled to the call site.
      const label = await waitFor(`a label on the re.compile line ${callSite}`, async () =>
        (await s.afterLabels()).find((l) => l.line === callSite),
      );
      assert.match(label.label, /below, outside your code$/);
      await s.screenshot('7-python-call-site');
      // The hover says the same, in words.
      const word = s.page
        .locator('.editor-group-container.active .view-line', { hasText: 're.compile(' })
        .first()
        .locator('span', { hasText: 'compile' })
        .first();
      await word.hover({ timeout: 10_000 });
      let tries = 0;
      const hover = await waitFor('the Heatlens hover', async () => {
        const t = await s.page.evaluate(() =>
          Array.from(document.querySelectorAll('.monaco-hover'))
            .map((h) => (h as HTMLElement).innerText)
            .join('\n'),
        );
        if (/Heatlens/.test(t)) return t.replace(/\u00a0/g, ' ');
        // A hover the editor dropped (the pointer was still while it settled on a loaded
        // machine) comes back when the pointer moves off the word and onto it again.
        if (++tries % 10 === 0) {
          await s.page
            .locator('.part.statusbar')
            .first()
            .hover({ timeout: 10_000 })
            .catch(() => undefined);
          await word.hover({ timeout: 10_000 }).catch(() => undefined);
        }
        return undefined;
      });
      process.stderr.write(`[e2e] hover: ${hover.replace(/\n/g, ' | ')}\n`);
      assert.match(hover, /Below this line, in code outside yours/);
      await s.screenshot('8-python-hover');
      // The CLI on the stored run: self never adds up past the total; the call site's external
      // share is the label's.
      const stored = newestFiles(join(s.runDir, 'user-data'), '.heatlens.json.gz')[0];
      const cli = spawnSync(
        process.execPath,
        [join(root, 'dist', 'cli.js'), 'summary', stored, '--json', '--limit', '0'],
        { encoding: 'utf8' },
      );
      assert.equal(cli.status, 0, cli.stderr);
      const json = JSON.parse(cli.stdout) as {
        total: number;
        lines: { file: string; line: number; self: number; external: number }[];
      };
      const selfSum = json.lines.reduce((sum, l) => sum + l.self, 0);
      assert.ok(selfSum <= json.total * (1 + 1e-9), `lines self ${selfSum} of ${json.total}`);
      const site = json.lines.find((l) => l.file.endsWith('service.py') && l.line === callSite);
      assert.ok(site && site.external > 0, 'the call site has external time');
      assert.ok(
        label.label.includes(`${formatShare(site.external, json.total)} below`),
        `label "${label.label}" vs CLI ${formatShare(site.external, json.total)}`,
      );
      await clearAndCheck(s);
    });
  });
});
