import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileUrlToPath, pathToFileUrl } from './fileUrl';

test('file URLs become paths; other URLs pass through', () => {
  assert.equal(fileUrlToPath('file:///home/me/a%20b/x.js'), '/home/me/a b/x.js');
  assert.equal(fileUrlToPath('file:///C:/src/x.ts'), 'C:\\src\\x.ts');
  assert.equal(fileUrlToPath('file:///c%3A/src/x.ts'), 'c:\\src\\x.ts');
  assert.equal(fileUrlToPath('file://server/share/x.js'), '\\\\server\\share\\x.js');
  assert.equal(fileUrlToPath('file://localhost/etc/x.js'), '/etc/x.js');
  assert.equal(fileUrlToPath('file:///a/%E2%9C%93.js?x=1#y'), '/a/\u2713.js');
  assert.equal(fileUrlToPath('file:///a/100%/b.js'), '/a/100%/b.js');
  assert.equal(
    fileUrlToPath('node:internal/main/run_main_module'),
    'node:internal/main/run_main_module',
  );
  assert.equal(fileUrlToPath('https://example.com/a.js'), 'https://example.com/a.js');
  assert.equal(fileUrlToPath('/already/a/path.js'), '/already/a/path.js');
  assert.equal(fileUrlToPath(''), '');
});

test('agrees with node:url on POSIX paths, and round-trips', () => {
  for (const path of ['/a/b c/d.js', '/x/#hash?.js', '/\u00e9t\u00e9/\u2713 100%.mjs', '/']) {
    assert.equal(pathToFileUrl(path), pathToFileURL(path).href);
    assert.equal(fileUrlToPath(pathToFileURL(path).href), fileURLToPath(pathToFileURL(path).href));
    assert.equal(fileUrlToPath(pathToFileUrl(path)), path);
  }
  assert.equal(pathToFileUrl('C:\\src\\a b.ts'), 'file:///C:/src/a%20b.ts');
  assert.equal(fileUrlToPath(pathToFileUrl('C:\\src\\a b.ts')), 'C:\\src\\a b.ts');
  assert.equal(pathToFileUrl('\\\\server\\share\\x.js'), 'file://server/share/x.js');
  assert.equal(pathToFileUrl('node:fs'), 'node:fs');
  assert.equal(pathToFileUrl('relative/x.js'), 'relative/x.js');
});
