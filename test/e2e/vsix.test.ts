// The .vsix holds only what runs (.vscodeignore): the bundles, the injected runtime helpers,
// media, the manifest and the documents vsce requires. Checked with `vsce ls`, offline, on the
// files `npm run package` would take.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './harness';

const root = repoRoot();
const allowed = [
  /^dist\/extension\.js$/,
  /^dist\/importWorker\.js$/,
  /^dist\/webview\.(js|css)$/,
  /^dist\/report\.(js|css)$/,
  /^dist\/inject\/[^/]+\.js$/,
  /^python\/heatlens_profile\.py$/,
  /^media\/.+/,
  /^docs\/heat-typescript\.png$/,
  /^package\.json$/,
  /^(README|CHANGELOG)\.md$/,
  /^LICENSE(\.md|\.txt)?$/,
];

describe('the .vsix contents', () => {
  it('are only the runtime files, and include the extension bundle and the manifest', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `vsce ls failed:\n${r.stdout}\n${r.stderr}`);
    const files = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const extra = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(extra, [], 'files that should be excluded by .vscodeignore');
    for (const must of ['package.json', 'README.md', 'LICENSE'])
      assert.ok(files.includes(must), `${must} is packaged`);
    // Every runtime file the build made is packaged (missing ones would break the installed .vsix).
    const built = [
      'dist/extension.js',
      'dist/importWorker.js',
      'dist/webview.js',
      'dist/webview.css',
      'dist/report.js',
      'dist/report.css',
      'python/heatlens_profile.py',
    ].filter((f) => existsSync(join(root, f)));
    const inject = join(root, 'dist', 'inject');
    if (existsSync(inject)) {
      for (const f of readdirSync(inject)) if (f.endsWith('.js')) built.push(`dist/inject/${f}`);
    }
    for (const f of built) assert.ok(files.includes(f), `${f} is packaged`);
  });
});
