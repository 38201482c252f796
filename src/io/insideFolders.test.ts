import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { insideFolders } from './insideFolders';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'hl-inside-')));
after(() => rmSync(base, { recursive: true, force: true }));
const workspace = join(base, 'workspace');
const elsewhere = join(base, 'elsewhere');
mkdirSync(join(workspace, 'src'), { recursive: true });
mkdirSync(elsewhere);
writeFileSync(join(workspace, 'src/app.js.map'), '{}');
writeFileSync(join(elsewhere, 'secret.txt'), 'private');
symlinkSync(join(elsewhere, 'secret.txt'), join(workspace, 'src/link.map'));
symlinkSync(elsewhere, join(workspace, 'out'));
// A folder whose name only starts like the workspace's is not inside it.
mkdirSync(`${workspace}-other`);
writeFileSync(`${workspace}-other/x.map`, '{}');

test('a file in the workspace folder is inside, the folder itself is not a file in it', async () => {
  assert.equal(await insideFolders(join(workspace, 'src/app.js.map'), [workspace]), true);
  assert.equal(await insideFolders(join(workspace, 'src/missing.map'), [workspace]), true);
  assert.equal(await insideFolders(workspace, [workspace]), false);
});

test('a path that climbs out with .. is outside', async () => {
  assert.equal(
    await insideFolders(join(workspace, 'src/../../elsewhere/secret.txt'), [workspace]),
    false,
  );
  assert.equal(await insideFolders(`${workspace}/../elsewhere/secret.txt`, [workspace]), false);
});

test('a link inside the folder that points outside is outside, file or folder', async () => {
  assert.equal(await insideFolders(join(workspace, 'src/link.map'), [workspace]), false);
  assert.equal(await insideFolders(join(workspace, 'out/secret.txt'), [workspace]), false);
});

test('a sibling folder sharing the name as a prefix is outside; any of several roots counts', async () => {
  assert.equal(await insideFolders(`${workspace}-other/x.map`, [workspace]), false);
  assert.equal(
    await insideFolders(`${workspace}-other/x.map`, [workspace, `${workspace}-other`]),
    true,
  );
  assert.equal(await insideFolders(join(elsewhere, 'secret.txt'), []), false);
});
