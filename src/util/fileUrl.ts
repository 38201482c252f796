/**
 * `file://` URLs to file-system paths and back, as pure string code (no `node:url`: this layer
 * also runs in the webview). Profilers write URLs (`file:///home/a%20b/x.js`); the editor and
 * the person want paths (`/home/a b/x.js`, `C:\src\x.js`).
 */

/** Decodes `%XX` escapes, leaving malformed ones (a lone `%`) as they are instead of throwing. */
function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // Decode the well-formed runs one by one; keep what cannot be decoded.
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * The absolute path a `file://` URL names: `file:///a/b%20c` -> `/a/b c`,
 * `file:///C:/x/y` -> `C:\x\y`, `file://server/share/x` -> `\\server\share\x`. Query and
 * fragment are dropped. Anything that is not a `file:` URL (`node:fs`, `http://...`, a path) is
 * returned unchanged.
 */
export function fileUrlToPath(url: string): string {
  if (!/^file:/i.test(url)) return url;
  let rest = url.slice(5);
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = rest.slice(0, cut);
  let host = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '/' : rest.slice(slash);
  }
  if (host.toLowerCase() === 'localhost') host = '';
  const path = percentDecode(rest);
  // A drive letter means a Windows path, whatever platform reads it.
  const drive = /^\/([A-Za-z])(?::|\|)(\/.*)?$/.exec(path);
  if (drive) return `${drive[1]}:${(drive[2] ?? '/').replace(/\//g, '\\')}`;
  if (host) return `\\\\${percentDecode(host)}${path.replace(/\//g, '\\')}`;
  return path;
}

/** Percent-encodes what may not appear raw in a URL path (`%`, `?`, `#`, spaces, non-ASCII). */
function encodePath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'));
}

/**
 * The `file://` URL of an absolute path (the inverse of {@link fileUrlToPath}): `/a/b c` ->
 * `file:///a/b%20c`, `C:\x` -> `file:///C:/x`, `\\server\share\x` -> `file://server/share/x`.
 * Anything else (a URL, `node:fs`, a relative path) is returned unchanged.
 */
export function pathToFileUrl(path: string): string {
  if (/^[A-Za-z]:[\\/]/.test(path)) return `file:///${encodePath(path.replace(/\\/g, '/'))}`;
  if (/^\\\\[^\\]/.test(path)) return `file://${encodePath(path.slice(2).replace(/\\/g, '/'))}`;
  if (path.startsWith('/')) return `file://${encodePath(path)}`;
  return path;
}
