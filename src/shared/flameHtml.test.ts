import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flameHtml } from './flameHtml';

test('flame page: strict CSP with the nonce, nothing inline, attributes escaped', () => {
  const html = flameHtml({
    cspSource: 'https://x.vscode-cdn.net',
    nonce: 'abc123',
    scriptUri: 'https://x.vscode-cdn.net/dist/webview.js?a="><script>alert(1)</script>',
    styleUri: 'https://x.vscode-cdn.net/dist/webview.css',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  // The nonce, and WebAssembly for the call graph's Graphviz: exactly that, no eval.
  assert.match(csp, /script-src 'nonce-abc123' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  // One script element, with the nonce; the hostile URI stays inside its attribute.
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /<script nonce="abc123" src="[^"]*&quot;&gt;&lt;script&gt;/);
  assert.doesNotMatch(html, /<style/);
});
