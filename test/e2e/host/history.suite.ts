// The run history and comparison, inside the extension host (mocha, tdd): two runs of
// examples/js/primes.js are kept, "Compare with Previous Run" puts deltas on primes.js's hot lines
// and a CodeLens delta above countPrimes, the normalisation toggles, Clear clears, a stored run
// reopens with its figures, and deleting a run removes it.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// This file runs inside VS Code's extension host, where `vscode` exists (eslint's rule for test/
// is about the node-run tests).
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';
import type { HeatlensApi } from '../../../src/extension/extension';

const extensionId = 'heatlens.heatlens';
/**
 * "+12.3 ms · +40%", "-1.20 ms · -3.1%", "+5.00 ms · not sampled before", each followed by
 * " · within noise" when the change is not beyond noise (two runs of one program mostly are not).
 */
const DELTA =
  /^[+-]?\d+(?:\.\d+)? (?:ns|µs|ms|s) · (?:[+-]?\d+(?:\.\d+)?%|not sampled before)( · within noise)?$/;

async function api(): Promise<HeatlensApi> {
  const ext = vscode.extensions.getExtension<HeatlensApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is loaded`);
  return ext.activate();
}

/** 1-based first and last line of isPrime and countPrimes (the prime counting) in primes.js. */
function primeCountingLines(file: string): { first: number; last: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith('function isPrime'));
  const last = lines.findIndex((l) => l.startsWith('function formatReport'));
  assert.ok(first >= 0 && last > first, `${file} has isPrime, countPrimes and formatReport`);
  return { first: first + 1, last };
}

suite('Heatlens run history and comparison', () => {
  test('two runs of primes.js are kept, compared, reopened and deleted', async () => {
    const heatlens = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the examples folder is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'js', 'primes.js');
    const file = uri.fsPath;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const earlier = (await heatlens.history.list(file)).length;

    // The command resolves once the run is shown and kept.
    await vscode.commands.executeCommand('heatlens.profileCurrentFile');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('heatlens.profileCurrentFile');
    const runs = await heatlens.history.list(file);
    assert.equal(runs.length, Math.min(earlier + 2, 10), 'both runs are in the history');
    const [newest, previous] = runs;
    assert.ok(newest.startedAt >= previous.startedAt, 'newest first');
    for (const r of [newest, previous]) {
      assert.equal(r.profiler, 'v8');
      assert.equal(r.outcome, 'exited');
      assert.ok(r.durationMs > 0 && r.total > 0, `run ${r.id} has a duration and a total`);
      assert.ok(
        r.command.some((c) => c.endsWith('primes.js')),
        `command ${r.command.join(' ')}`,
      );
    }

    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('heatlens.compareWithPrevious');
    const shown = heatlens.history.comparison(file);
    assert.ok(shown, 'a comparison is shown for primes.js');
    assert.match(shown.after, /^primes\.js, /);
    const range = primeCountingLines(file);
    const labelled = shown.lines.filter((l) => l.label !== undefined);
    assert.ok(labelled.length > 0, 'changed lines have labels');
    for (const l of labelled) {
      const m = DELTA.exec(l.label!);
      assert.ok(m, `label on line ${l.line1}: ${l.label}`);
      // Colored lines are the changes beyond noise; their labels do not say "within noise".
      assert.equal(m[1] === undefined, l.change !== 'same', `line ${l.line1}: ${l.label}`);
    }
    assert.ok(
      shown.lines.some((l) => l.line1 >= range.first && l.line1 <= range.last),
      `a marked line inside isPrime/countPrimes (lines ${range.first}-${range.last}): ` +
        shown.lines.map((l) => `L${l.line1} ${l.label ?? l.change}`).join(', '),
    );
    const lens = shown.functions.find((f) => f.name === 'countPrimes');
    assert.ok(lens, `a CodeLens delta above countPrimes (${shown.functions.map((f) => f.name)})`);
    assert.match(
      lens.title,
      /^\$\(diff\) (?:within noise: )?[+-]?\d\S* (?:ns|µs|ms|s) · .* total \(/,
    );
    // What the CodeLens providers give the editor: the change, not the single-run timings.
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        uri,
      )) ?? [];
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(
      titles.some((t) => t.startsWith('$(diff)')) && !titles.some((t) => t.startsWith('$(flame)')),
      `CodeLenses show changes only: ${JSON.stringify(titles)}`,
    );
    // A comparison replaces single-run heat: the API's last run has no shown profile now.
    assert.equal(heatlens.getLastRun(), undefined, 'single-run heat is replaced');

    const first = shown.normalisation;
    await vscode.commands.executeCommand('heatlens.toggleCompareNormalisation');
    const toggled = heatlens.history.comparison(file);
    assert.ok(toggled, 'still a comparison after toggling');
    assert.notEqual(toggled.normalisation, first, 'the normalisation switched');

    await vscode.commands.executeCommand('heatlens.clear');
    assert.equal(heatlens.history.comparison(file), undefined, 'Clear clears the comparison');

    // Opening a stored run shows it like a fresh one.
    await vscode.commands.executeCommand('heatlens.history.open', {
      kind: 'run',
      record: previous,
    });
    const reopened = heatlens.getLastRun();
    assert.ok(reopened, 'the reopened run is shown');
    assert.equal(reopened.total, previous.total, 'with the figures it had');
    await vscode.commands.executeCommand('heatlens.clear');

    await vscode.commands.executeCommand('heatlens.history.delete', {
      kind: 'run',
      record: newest,
    });
    const left = await heatlens.history.list(file);
    assert.equal(left.length, runs.length - 1, 'one run fewer');
    assert.ok(!left.some((r) => r.id === newest.id), 'the deleted run is gone');
  });
});
