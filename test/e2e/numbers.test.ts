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
import { readdirSync, statSync } from 'node:fs';
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
  waitForLabels,
  waitForLensAbove,
} from './scenarios';

const prepared = prepareE2e();
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

describe('Every surface gives one answer, in a real VS Code', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'numbers',
      folder: examples,
      packaged: true,
      settings: {
        'workbench.editorAssociations': { '*.cpuprofile': 'default' },
        'heatlens.python.mode': 'sampling',
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
});
