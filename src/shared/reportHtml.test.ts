import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProfileBuilder, type Profile } from '../core/profile';
import { REPORT_DATA_ID, reportData, reportDataJson, type ReportData } from './reportData';
import { ReportAssetError, reportCsp, reportHtml, type ReportAssets } from './reportHtml';
import { decodeProfile } from './wire';

const HOSTILE = '</script><img src=x onerror=alert(1)>';
const HOSTILE_FILE = '/app/<!--</script><script>alert(2)</script>.js';
const SOURCE = `const s = '</script><script>alert(3)</script>';\n// <!-- \u2028 \u2029 & </style>\n`;

function hostileProfile(): Profile {
  const b = new ProfileBuilder();
  const main = b.frame({ name: 'main', file: '/app/main.js', line1: 1, col1: 1, kind: 'user' });
  const bad = b.frame({ name: HOSTILE, file: HOSTILE_FILE, line1: 2, col1: 1, kind: 'user' });
  const n = b.addStack([main, bad], 900);
  b.addSample(n, 900, 0);
  b.addLine(HOSTILE_FILE, 1, bad, 900);
  return b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
}

const ASSETS: ReportAssets = {
  script: 'window.__ran = (window.__ran || 0) + 1;',
  style: 'body { color: red; }',
};

function hostileReport(): { data: ReportData; html: string } {
  const data = reportData(hostileProfile(), {
    title: HOSTILE,
    sources: [{ file: HOSTILE_FILE, text: SOURCE, weight: 900, line1: [1], self: [900] }],
    leftOut: [{ file: `/x/${HOSTILE}`, why: 'does not exist' }],
  });
  return { data, html: reportHtml(data, ASSETS) };
}

test('a hostile name cannot leave the data block: one data block, one script, no markup', () => {
  const { data, html } = hostileReport();
  // The HTML parser ends a script element at the first `</script`: count what it would see.
  assert.equal(html.match(/<script/gi)?.length, 2, 'the data block and the viewer');
  assert.equal(html.match(/<\/script/gi)?.length, 2);
  assert.doesNotMatch(html, /<img|<!--|onerror=alert\(1\)>/i);
  assert.equal(html.match(/<style/gi)?.length, 1);
  assert.equal(html.match(/<\/style/gi)?.length, 1);
  const open = `<script type="application/json" id="${REPORT_DATA_ID}">`;
  const start = html.indexOf(open) + open.length;
  const block = html.slice(start, html.indexOf('</script>', start));
  assert.doesNotMatch(block, /[<>&\u2028\u2029]/);
  // What the page parses is the data, byte for byte: the names come back as they were.
  const parsed = JSON.parse(block) as ReportData;
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(data)));
  assert.equal(parsed.title, HOSTILE);
  assert.equal(parsed.sources[0].text, SOURCE);
  assert.equal(parsed.leftOut[0].file, `/x/${HOSTILE}`);
  const profile = decodeProfile(parsed.profile);
  assert.deepEqual(
    profile.frames.map((f) => [f.name, f.file]),
    [
      ['main', '/app/main.js'],
      [HOSTILE, HOSTILE_FILE],
    ],
  );
  assert.equal(parsed.total, 900);
  assert.equal(parsed.unit, 'microseconds');
});

test('the data as JSON: the five characters escaped, the same value after JSON.parse', () => {
  const { data } = hostileReport();
  const json = reportDataJson(data);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.match(json, /\\u003c\/script\\u003e\\u003cimg src=x onerror=alert\(1\)\\u003e/);
  assert.match(json, /\\u2028 \\u2029 \\u0026 \\u003c\/style\\u003e/);
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)));
});

test('the policy: nothing loads, the inline script and style run by their hashes only', () => {
  const { html } = hostileReport();
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  assert.equal(csp, reportCsp(ASSETS));
  const hash = (text: string) => createHash('sha256').update(text).digest('base64');
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`script-src 'sha256-${hash(ASSETS.script)}';`), csp);
  assert.ok(csp.includes(`style-src 'sha256-${hash(ASSETS.style)}';`), csp);
  assert.doesNotMatch(csp, /unsafe-|https?:|\*/);
  // The inline script and style are exactly what was hashed.
  assert.ok(html.includes(`<script>${ASSETS.script}</script>`));
  assert.ok(html.includes(`<style>${ASSETS.style}</style>`));
  // No attribute names another file or place (the data block is text, left aside).
  const markup = html.replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/, '');
  assert.ok(markup.length < html.length - 1000);
  assert.doesNotMatch(markup, /\s(src|href|action|srcset)=/i);
});

test('a viewer that would end its element early is refused', () => {
  const { data } = hostileReport();
  for (const script of ['let a = "</SCRIPT>";', 'x <!-- y']) {
    assert.throws(() => reportHtml(data, { ...ASSETS, script }), ReportAssetError);
  }
  assert.throws(
    () => reportHtml(data, { ...ASSETS, style: 'a{} </style><script>' }),
    ReportAssetError,
  );
});

test('--no-source: no sources, and the page is told they were left out on purpose', () => {
  const data = reportData(hostileProfile(), { title: 'x', sources: undefined, leftOut: [] });
  assert.equal(data.sourcesOmitted, true);
  assert.deepEqual(data.sources, []);
  assert.ok(!reportHtml(data, ASSETS).includes('alert(3)'));
});
