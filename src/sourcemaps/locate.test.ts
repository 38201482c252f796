// Finding a script's map: the sourceMappingURL comment, data: URLs, references, script names.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodeBase64, decodeDataUrl } from './dataUrl';
import { resolveReference } from './loader';
import { findSourceMappingUrl, looksLikeScript } from './locate';

test('the last sourceMappingURL comment on its own line wins', () => {
  assert.equal(findSourceMappingUrl('x()\n//# sourceMappingURL=app.js.map\n'), 'app.js.map');
  assert.equal(findSourceMappingUrl('x()\n//@ sourceMappingURL=old.map'), 'old.map');
  assert.equal(
    findSourceMappingUrl('//# sourceMappingURL=a.map\ny()\n//# sourceMappingURL=b.map  \r\n'),
    'b.map',
  );
  assert.equal(findSourceMappingUrl('x()\n  //#   sourceMappingURL=spaced.map'), 'spaced.map');
  // The marker inside code or a string literal (TypeScript's own bundle has such strings).
  const inString =
    'const s = "//# sourceMappingURL=" + url;\nfoo(); //# sourceMappingURL=tail.map\n';
  assert.equal(findSourceMappingUrl(inString), undefined);
  assert.equal(findSourceMappingUrl(`//# sourceMappingURL=real.map\n${inString}`), 'real.map');
  assert.equal(findSourceMappingUrl('//# sourceMappingURL=a.map trailing words'), undefined);
  assert.equal(findSourceMappingUrl('//# sourceMappingURL=\n'), undefined);
  assert.equal(findSourceMappingUrl('no comment at all'), undefined);
});

test('data: URLs: base64 and percent-encoded, with their charset', () => {
  const json = '{"sources":["é.ts"]}';
  const b64 = Buffer.from(json, 'utf8').toString('base64');
  assert.equal(decodeDataUrl(`data:application/json;charset=utf-8;base64,${b64}`), json);
  assert.equal(decodeDataUrl(`data:application/json;base64,${b64.replace(/=+$/, '')}`), json);
  assert.equal(decodeDataUrl(`data:application/json,${encodeURIComponent(json)}`), json);
  assert.equal(decodeDataUrl(`data:,${json}`), json);
  const latin1 = Buffer.from(json, 'latin1').toString('base64');
  assert.equal(decodeDataUrl(`data:application/json;charset=ISO-8859-1;base64,${latin1}`), json);
  const utf16 = Buffer.from(json, 'utf16le').toString('base64');
  assert.equal(decodeDataUrl(`data:application/json;charset=utf-16le;base64,${utf16}`), json);
  assert.throws(() => decodeDataUrl('data:application/json;base64'), /no comma/);
  assert.throws(
    () => decodeDataUrl('data:application/json;base64,ab*c'),
    /invalid base64 character/,
  );
  assert.throws(() => decodeDataUrl('data:application/json;charset=klingon,{}'), /unknown charset/);
});

test('base64 decoding matches Buffer on every length and the URL-safe alphabet', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
  for (let n = 0; n < 40; n++) {
    const slice = bytes.subarray(0, n * 7);
    const text = Buffer.from(slice).toString('base64');
    assert.deepEqual(decodeBase64(text), slice);
    assert.deepEqual(decodeBase64(Buffer.from(slice).toString('base64url')), slice);
  }
});

test('map references resolve against the script', () => {
  assert.equal(resolveReference('app.js.map', '/p/dist/app.js'), '/p/dist/app.js.map');
  assert.equal(
    resolveReference('../maps/my%20app.js.map', '/p/dist/app.js'),
    '/p/maps/my app.js.map',
  );
  assert.equal(resolveReference('/abs/app.js.map', '/p/dist/app.js'), '/abs/app.js.map');
  assert.equal(resolveReference('file:///abs/x.map', '/p/dist/app.js'), '/abs/x.map');
  assert.equal(resolveReference('app.js.map', 'C:\\p\\dist\\app.js'), 'C:\\p\\dist\\app.js.map');
  assert.equal(
    resolveReference('D:\\maps\\app.js.map', 'C:\\p\\dist\\app.js'),
    'D:\\maps\\app.js.map',
  );
  assert.equal(resolveReference('https://cdn.example/app.js.map', '/p/dist/app.js'), undefined);
});

test('only local scripts are candidates for a map', () => {
  for (const yes of [
    '/p/a.js',
    '/p/a.mjs',
    '/p/a.cjs',
    '/p/a.ts',
    '/p/a.MTS',
    '/p/a.cts',
    '/p/a.jsx',
    '/p/a.tsx',
    '/p/bin/tool',
    '/p/.hidden',
    'C:\\p\\a.js',
  ]) {
    assert.ok(looksLikeScript(yes), yes);
  }
  for (const no of [
    'node:fs',
    'internal/x.js',
    'https://x/a.js',
    'a.js',
    '/p/a.json',
    '/p/a.wasm',
    '/p/a.node',
    '/p/dir/',
  ]) {
    assert.ok(!looksLikeScript(no), no);
  }
});
