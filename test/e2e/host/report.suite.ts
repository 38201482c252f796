// "Heatlens: Export HTML Report" inside the extension host (mocha, tdd): the last run of an
// example carries its source, a profile opened from a file only the workspace's files (the saved
// example names a folder that is gone: left out, with why), and "without sources" leaves them out.
// test/webview/report.test.ts opens such a report in Chromium.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';
import type { HeatlensApi } from '../../../src/extension/extension';
import { reportDataOf } from '../../support/report';

async function api(): Promise<HeatlensApi> {
  const ext = vscode.extensions.getExtension<HeatlensApi>('heatlens.heatlens');
  assert.ok(ext, 'the extension is loaded');
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

function examples(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the examples folder is open');
  return folder.uri;
}

suite('Export HTML Report in the extension host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-e2e-report-'));
  suiteTeardown(() => rmSync(dir, { recursive: true, force: true }));
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('heatlens.clear');
  });

  async function exportReport(
    name: string,
    uri: vscode.Uri | undefined,
    includeSources: boolean,
  ): Promise<ReturnType<typeof reportDataOf>> {
    const target = vscode.Uri.file(join(dir, name));
    const written = await vscode.commands.executeCommand<string | undefined>(
      'heatlens.exportHtmlReport',
      uri,
      target,
      includeSources,
    );
    assert.equal(written, target.fsPath, `${name} was written`);
    return reportDataOf(readFileSync(target.fsPath, 'utf8'));
  }

  test('the last run: its source in the report, or left out on request', async () => {
    const heatlens = await api();
    const file = vscode.Uri.joinPath(examples(), 'js', 'primes.js');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    await vscode.commands.executeCommand('heatlens.profileCurrentFile');
    await until(() => (heatlens.getLastRun()?.file.endsWith('primes.js') ? true : undefined));
    const withSource = await exportReport('run.html', undefined, true);
    assert.equal(withSource.title, 'primes.js');
    assert.deepEqual(
      withSource.sources.map((s) => s.file),
      [file.fsPath],
    );
    assert.equal(withSource.sources[0].text, readFileSync(file.fsPath, 'utf8'));
    assert.equal(withSource.total, heatlens.getShown()?.total);
    const without = await exportReport('bare.html', undefined, false);
    assert.equal(without.sourcesOmitted, true);
    assert.deepEqual(without.sources, []);
  });

  test('a profile file from the explorer: a source that is gone is named as left out', async () => {
    const profile = vscode.Uri.joinPath(examples(), 'profiles', 'primes.cpuprofile');
    const data = await exportReport('file.html', profile, true);
    assert.equal(data.title, 'primes.cpuprofile');
    assert.deepEqual(data.sources, []);
    assert.equal(data.leftOut.length, 1);
    assert.match(data.leftOut[0].file, /\/examples\/js\/primes\.js$/);
    assert.match(data.leftOut[0].why, /does not exist|outside the workspace folders/);
  });
});
