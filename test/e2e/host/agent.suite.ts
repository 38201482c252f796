// What a coding agent and a screen-reader user get from Heatlens inside the extension host: the
// language model tool answers with the shown profile's summary, equal to what `heatlens summary
// --json` prints for the same file; "Heatlens: Hot Lines" (the same summary) opens the picked line.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';
import type { HeatlensApi } from '../../../src/extension/extension';
import type { Summary } from '../../../src/core/summary';

/** The part of the language model API the test calls (newer than the @types/vscode we build with). */
interface LmApi {
  lm: {
    tools: readonly { name: string }[];
    invokeTool(
      name: string,
      options: { input: object; toolInvocationToken: undefined },
      token?: vscode.CancellationToken,
    ): Thenable<{ content: { value?: unknown }[] }>;
  };
}

async function api(): Promise<HeatlensApi> {
  const ext = vscode.extensions.getExtension<HeatlensApi>('heatlens.heatlens');
  assert.ok(ext, 'the extension is loaded');
  return ext.activate();
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function examples(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the examples folder is open');
  return folder.uri;
}

/** What the CLI prints for a profile file with `summary --json`. */
function cliSummary(file: string, limit: number): Summary {
  const ext = vscode.extensions.getExtension('heatlens.heatlens')!;
  const r = spawnSync(
    process.execPath,
    [join(ext.extensionPath, 'dist', 'cli.js'), 'summary', file, '--json', '--limit', `${limit}`],
    { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
  );
  assert.equal(r.status, 0, `heatlens summary failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Summary;
}

async function openProfile(name: string): Promise<string> {
  const heatlens = await api();
  const file = vscode.Uri.joinPath(examples(), 'profiles', name);
  const opened = vscode.commands.executeCommand('vscode.openWith', file, 'heatlens.profile');
  await until(async () => {
    const s = heatlens.getShown();
    if (s && s.label.startsWith(name)) return s;
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return undefined;
  });
  await opened;
  return file.fsPath;
}

suite('For agents and screen readers', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('heatlens.clear');
  });

  for (const [name, limit] of [
    ['primes.cpuprofile', 0],
    ['service.prof', 7],
  ] as const) {
    test(`the summary tool gives what "heatlens summary --json" prints for ${name}`, async () => {
      const lm = (vscode as unknown as LmApi).lm;
      assert.ok(
        lm.tools.some((t) => t.name === 'heatlens_profileSummary'),
        'the tool is registered',
      );
      const file = await openProfile(name);
      const result = await lm.invokeTool(
        'heatlens_profileSummary',
        { input: { limit }, toolInvocationToken: undefined },
        new vscode.CancellationTokenSource().token,
      );
      const texts = result.content.map((p) => String(p.value));
      assert.equal(texts.length, 2, texts.join('\n'));
      assert.match(texts[0], /not instructions/);
      const fromTool = JSON.parse(texts[1]) as Summary;
      const fromCli = cliSummary(file, limit);
      assert.ok(fromCli.functions.length > 0);
      assert.deepEqual(fromTool, fromCli);
    });
  }

  test('with nothing shown the tool says so', async () => {
    await vscode.commands.executeCommand('heatlens.clear');
    const result = await (vscode as unknown as LmApi).lm.invokeTool('heatlens_profileSummary', {
      input: {},
      toolInvocationToken: undefined,
    });
    assert.match(String(result.content[0].value), /No profile is shown/);
  });

  test('Hot Lines opens the hottest line of the CLI summary, in the workspace copy', async () => {
    const file = await openProfile('primes.cpuprofile');
    const cli = cliSummary(file, 0);
    const hottest = cli.lines[0];
    assert.ok(hottest, 'the profile measures lines');
    // The list's first entry is the hottest line; accepting it opens the source there. The
    // profile was recorded in another folder: the editor opens the workspace's copy.
    void vscode.commands.executeCommand('heatlens.hotLines');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const editor = await until(() => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.scheme === 'file' && e.document.uri.fsPath.endsWith('primes.js')
        ? e
        : undefined;
    });
    assert.equal(editor.selection.active.line + 1, hottest.line);
  });
});
