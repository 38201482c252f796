// API-level checks run inside the extension host (mocha, tdd), for what is awkward to see
// through the UI: the commands are registered, and a profile run through the command reports the
// hot function through the API the extension returns from activate().
/// <reference types="mocha" />
import assert from 'node:assert/strict';
// This file runs inside VS Code's extension host, where `vscode` exists (eslint's rule for test/
// is about the node-run tests).
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';
import type { HeatlensApi } from '../../../src/extension/extension';

const extensionId = 'heatlens.heatlens';

async function api(): Promise<HeatlensApi> {
  const ext = vscode.extensions.getExtension<HeatlensApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is loaded`);
  return ext.activate();
}

/** Polls until `check` returns a value; mocha's timeout (index.ts) guards against a hang. */
async function until<T>(check: () => T | undefined): Promise<T> {
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite('Heatlens in the extension host', () => {
  test('registers its commands on activation', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['heatlens.profileCurrentFile', 'heatlens.clear', 'heatlens.cancel']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  test('profiling examples/js/primes.js finds the prime counting hottest', async () => {
    const heatlens = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the examples folder is open');
    const file = vscode.Uri.joinPath(folder.uri, 'js', 'primes.js');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    await vscode.commands.executeCommand('heatlens.profileCurrentFile');
    const last = await until(() => {
      const r = heatlens.getLastRun();
      return r && r.file.endsWith('primes.js') ? r : undefined;
    });
    // V8 inlines isPrime into countPrimes on most runs; either way the prime counting is hottest.
    assert.ok(
      last.hottestFunction === 'countPrimes' || last.hottestFunction === 'isPrime',
      `the hottest function is countPrimes or isPrime, not ${last.hottestFunction}`,
    );
    assert.ok(last.total > 0, `the profile has weight (total ${last.total})`);
    await vscode.commands.executeCommand('heatlens.clear');
  });
});
