/**
 * The flame graph panel's page. Kept pure (no `vscode`) so tests load exactly this page.
 *
 * Strict policy: scripts only with the nonce, styles and fonts only from the extension's files
 * (`cspSource`), nothing inline, no eval; WebAssembly may be compiled (the call graph's
 * Graphviz). The profile is never written into the page: it arrives by message, so no function
 * name can break out of a script block.
 */

/** What the page needs from the host. */
export interface FlameHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** A fresh random nonce per page load. */
  readonly nonce: string;
  /** `asWebviewUri` of dist/webview.js. */
  readonly scriptUri: string;
  /** `asWebviewUri` of dist/webview.css. */
  readonly styleUri: string;
}

function attr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The HTML of the flame graph webview. */
export function flameHtml(o: FlameHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    // 'wasm-unsafe-eval': the call graph's layout is Graphviz compiled to WebAssembly; it allows
    // compiling WebAssembly and nothing else (no eval, no Function).
    `script-src 'nonce-${o.nonce}' 'wasm-unsafe-eval'`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Heatlens flame graph</title>
</head>
<body>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
