/**
 * The HTML report: one self-contained page that opens offline from `file://` in a browser. It
 * holds the report viewer's code (dist/report.js and dist/report.css, built from webview/report.ts:
 * the flame graph panel's own client fed by a stand-in for the extension host) and the data
 * block of reportData.ts. Nothing of the profile is written as HTML: the page builds itself from
 * the data block with textContent and the canvas, as the panel does.
 *
 * Content Security Policy, in a meta tag: nothing may load (`default-src 'none'`: no network, no
 * other file), the one inline script and the one inline style run by their SHA-256 hashes (no
 * 'unsafe-inline', no eval), no image or font from anywhere, no `<base>`, no form posts.
 */
import { createHash } from 'node:crypto';
import { REPORT_DATA_ID, reportDataJson, type ReportData } from './reportData';

/** The viewer's code, as built. */
export interface ReportAssets {
  /** dist/report.js */
  readonly script: string;
  /** dist/report.css */
  readonly style: string;
}

/** The viewer's code could not be inlined (a build problem, never the profile's). */
export class ReportAssetError extends Error {}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The policy of a report whose inline script and style are `assets`. */
export function reportCsp(assets: ReportAssets): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(assets.script)}`,
    `style-src ${sha256(assets.style)}`,
    // The call graph's drawing, made in the page from its own data (never a network address).
    'img-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Refuses code that would end its element early: the HTML parser ends a script at `</script`
 * whatever the JavaScript means, and `<!--` starts an escape state. esbuild writes `<\/script`
 * in strings; this is the check that it did.
 */
function checkInlinable(assets: ReportAssets): void {
  if (/<\/script|<!--/i.test(assets.script)) {
    throw new ReportAssetError('the report viewer (report.js) holds "</script" or "<!--"');
  }
  if (/<\/style/i.test(assets.style)) {
    throw new ReportAssetError('the report viewer (report.css) holds "</style"');
  }
}

/** The report's page (see the module comment). */
export function reportHtml(data: ReportData, assets: ReportAssets): string {
  checkInlinable(assets);
  // The policy holds only quotes, letters, digits and base64: nothing to escape in the attribute.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${reportCsp(assets)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Heatlens">
<title>Heatlens report</title>
<style>${assets.style}</style>
</head>
<body class="heatlens-report">
<noscript>This Heatlens report draws its flame graph with JavaScript: allow scripts for this file to see it.</noscript>
<script type="application/json" id="${REPORT_DATA_ID}">${reportDataJson(data)}</script>
<script>${assets.script}</script>
</body>
</html>
`;
}
