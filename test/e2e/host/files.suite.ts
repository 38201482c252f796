// Profile files inside the extension host (mocha, tdd): each saved profile of the examples
// workspace opens in Heatlens' profile editor and lights up the source files it names, a damaged
// file opens to its error without breaking anything, and "Heatlens: Export Profile" writes every
// format in a form Heatlens reads back with the same total.
/// <reference types="mocha" />
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line no-restricted-imports
import * as vscode from 'vscode';
import type { HeatlensApi } from '../../../src/extension/extension';
import { functionStats } from '../../../src/core/functionStats';
import { profileTotal, type Profile } from '../../../src/core/profile';
import { EXPORT_FORMATS, PROFILE_EXPORT_FORMATS } from '../../../src/formats/exportProfile';
import { importProfileFile } from '../../../src/formats/detect';
import { attributeInlined } from '../../../src/sourcemaps/inlined';
import { remapProfile } from '../../../src/sourcemaps/remap';

async function api(): Promise<HeatlensApi> {
  const ext = vscode.extensions.getExtension<HeatlensApi>('heatlens.heatlens');
  assert.ok(ext, 'the extension is loaded');
  return ext.activate();
}

/** Polls until `check` returns a value; mocha's timeout (index.ts) guards against a hang. */
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

suite('Profile files in the extension host', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('heatlens.clear');
  });

  // Each saved profile names a source file of the examples, recorded in another folder
  // (examples/profiles/record.sh), and lights it up.
  const cases: [string, string][] = [
    ['primes.cpuprofile', 'js/primes.js'],
    ['service.prof', 'python/service.py'],
    ['primes.speedscope.json', 'js/primes.js'],
    ['service.callgrind', 'python/service.py'],
    ['primes.folded', 'js/primes.js'],
    ['go-cpu.pb.gz', 'go/main.go'],
    ['alloc.heapprofile', 'js/alloc.mjs'],
  ];

  test('every saved profile of the examples is among those that must light up an example', () => {
    const saved = readdirSync(join(examples().fsPath, 'profiles')).filter((n) => n !== 'record.sh');
    assert.deepEqual(saved.sort(), cases.map(([name]) => name).sort());
  });

  for (const [name, source] of cases) {
    test(`${name} opens in the profile editor and lights up ${source}`, async () => {
      const heatlens = await api();
      const file = vscode.Uri.joinPath(examples(), 'profiles', name);
      // Opening resolves once the editor has its profile: for a file of several profiles
      // (pprof's sample types) that is after the person picked one, so pick the first offered.
      const opened = vscode.commands.executeCommand('vscode.openWith', file, 'heatlens.profile');
      const shown = await until(async () => {
        const s = heatlens.getShown();
        if (s && s.label.startsWith(name)) return s;
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return undefined;
      });
      await opened;
      assert.ok(shown.total > 0, `${name} has weight`);
      assert.ok(
        shown.files.some((f) => f.replace(/\\/g, '/').endsWith(source)),
        `${name} names ${source} (files: ${shown.files.slice(0, 8).join(', ')})`,
      );
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(tab?.input instanceof vscode.TabInputCustom, `${name} opened in a custom editor`);
      assert.equal(tab.input.viewType, 'heatlens.profile');
      // The source file it names gets CodeLens timings.
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(examples(), source));
      await vscode.window.showTextDocument(doc);
      const lenses = await until(async () => {
        const all =
          (await vscode.commands.executeCommand<vscode.CodeLens[]>(
            'vscode.executeCodeLensProvider',
            doc.uri,
          )) ?? [];
        const ours = all.filter((l) => /total|on its lines/.test(l.command?.title ?? ''));
        return ours.length > 0 ? ours : undefined;
      });
      assert.ok(lenses.length > 0, `${source} has Heatlens lenses from ${name}`);
    });
  }

  test('a damaged profile opens to its error and shows nothing', async () => {
    const heatlens = await api();
    const dir = mkdtempSync(join(tmpdir(), 'hl-damaged-'));
    try {
      const text = readFileSync(join(examples().fsPath, 'profiles', 'primes.cpuprofile'), 'utf8');
      const damaged = join(dir, 'damaged.cpuprofile');
      writeFileSync(damaged, text.slice(0, Math.floor(text.length / 2)));
      await vscode.commands.executeCommand(
        'vscode.openWith',
        vscode.Uri.file(damaged),
        'heatlens.profile',
      );
      const tab = await until(() => {
        const t = vscode.window.tabGroups.activeTabGroup.activeTab;
        return t?.input instanceof vscode.TabInputCustom ? t : undefined;
      });
      assert.match(tab.label, /damaged\.cpuprofile/);
      assert.equal(heatlens.getShown(), undefined, 'nothing is lit up from a damaged file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Export Profile writes every format, and each reads back with the same total', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-export-'));
    try {
      const source = vscode.Uri.joinPath(examples(), 'profiles', 'primes.cpuprofile');
      // What the extension shows and exports: source maps applied and the lines of functions V8
      // inlined given to those functions (they read the sources the profile names).
      const host = {
        readFile: async (p: string) => {
          try {
            return readFileSync(p, 'utf8');
          } catch {
            return undefined;
          }
        },
      };
      const imported = importProfileFile(
        'primes.cpuprofile',
        readFileSync(source.fsPath) as Uint8Array,
      );
      const original = await attributeInlined(await remapProfile(imported, host), host);
      for (const format of PROFILE_EXPORT_FORMATS) {
        const target = vscode.Uri.file(join(dir, `primes${format.extension}`));
        const written = await vscode.commands.executeCommand<string | undefined>(
          'heatlens.exportProfile',
          source,
          format.id,
          target,
        );
        assert.equal(written, target.fsPath, `${format.id} was written`);
        const back = importProfileFile(
          `primes${format.extension}`,
          readFileSync(target.fsPath) as Uint8Array,
        );
        // Units may change (microseconds to seconds in pstats; collapsed stacks hold bare
        // counts): the hottest function and its share of the run may not.
        const top = (p: Profile) => {
          const total = profileTotal(p);
          const best = [...functionStats(p)].sort((a, b) => b.self - a.self)[0];
          return { name: best.frame.name, file: best.frame.file, share: best.self / total };
        };
        const was = top(original);
        const now = top(back);
        assert.equal(now.file, was.file, `${format.id}: the hottest function's file`);
        assert.ok(
          Math.abs(now.share - was.share) < 1e-6,
          `${format.id}: ${now.name} keeps its share (${now.share} vs ${was.share})`,
        );
      }
      // The call graph's drawings are written too (not read back: they are no profiles).
      for (const format of EXPORT_FORMATS.filter((f) => f.kind === 'drawing')) {
        const target = vscode.Uri.file(join(dir, `primes${format.extension}`));
        const written = await vscode.commands.executeCommand<string | undefined>(
          'heatlens.exportProfile',
          source,
          format.id,
          target,
        );
        assert.equal(written, target.fsPath, `${format.id} was written`);
        const text = readFileSync(target.fsPath, 'utf8');
        assert.match(text, format.id === 'dot' ? /^digraph \{/ : /^<\?xml/, format.id);
        assert.ok(text.includes('countPrimes'), `${format.id} draws countPrimes`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
