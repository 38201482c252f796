// Settings that choose what runs: a repository's .vscode/settings.json must not pick the Node.js
// or Python executable that runs a person's files (once the workspace is trusted, that would run
// the repository's binary on every profile, even of a scratch file), and in an untrusted
// workspace the workspace's values of every setting that shapes the command line are ignored.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
// This file runs inside VS Code's extension host, where `vscode` exists.
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';

const extensionId = 'heatlens.heatlens';
const executables = ['node.path', 'python.path'] as const;
const commandLine = ['node.path', 'python.path', 'env', 'args', 'cwd'];

suite('Heatlens settings that choose what runs', () => {
  test('a workspace cannot set the Node.js or Python executable', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a folder is open');
    const settingsFile = join(folder.uri.fsPath, '.vscode', 'settings.json');
    const existed = existsSync(settingsFile);
    const config = vscode.workspace.getConfiguration('heatlens');
    for (const key of executables) {
      let written = false;
      try {
        await config.update(key, '/tmp/evil-runtime', vscode.ConfigurationTarget.Workspace);
        written = true;
      } catch (err) {
        // VS Code refuses to write a machine-scoped setting into workspace settings.
        assert.match(String(err), /heatlens\.(node|python)\.path/);
      } finally {
        if (written) {
          await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
          const left = JSON.parse(readFileSync(settingsFile, 'utf8')) as object;
          if (!existed && Object.keys(left).length === 0) {
            rmSync(join(folder.uri.fsPath, '.vscode'), { recursive: true, force: true });
          }
        }
      }
      assert.equal(written, false, `a workspace could set heatlens.${key}`);
      const inspected = vscode.workspace.getConfiguration('heatlens').inspect(key);
      assert.equal(inspected?.workspaceValue, undefined);
      assert.equal(inspected?.workspaceFolderValue, undefined);
    }
  });

  test('untrusted workspaces: the settings that shape the command line are restricted', () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    const pkg = ext.packageJSON as {
      capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
      contributes: { configuration: { properties: Record<string, { scope?: string }> } };
    };
    const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
    for (const key of commandLine) {
      assert.ok(restricted.includes(`heatlens.${key}`), `heatlens.${key} is restricted`);
    }
    for (const key of executables) {
      assert.equal(pkg.contributes.configuration.properties[`heatlens.${key}`].scope, 'machine');
    }
  });
});
