/**
 * `data:` URLs as inline source maps use them (`//# sourceMappingURL=data:application/json;
 * charset=utf-8;base64,...`), decoded with pure code: this layer also runs in the webview, so no
 * `Buffer`. RFC 2397: `data:[<media type>][;<param>=<value>]*[;base64],<data>`.
 */

const BASE64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  // The URL-safe alphabet too: some tools write it.
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

/** Base64 text to bytes; throws on a character outside the alphabet. Padding is optional. */
export function decodeBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let count = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? BASE64_VALUES[c] : -1;
    if (v < 0) {
      // Line breaks and spaces may be folded into long base64 text; anything else is an error.
      if (c === 10 || c === 13 || c === 32 || c === 9) continue;
      throw new Error(`invalid base64 character ${JSON.stringify(text[i])} at offset ${i}`);
    }
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
    }
  }
  return o === out.length ? out : out.subarray(0, o);
}

/** Percent-decodes to bytes; characters that are not escapes are taken as UTF-8. */
function percentDecodeBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */ && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      // A whole code point (a surrogate pair is two UTF-16 units).
      const cp = text.codePointAt(i) ?? c;
      const ch = String.fromCodePoint(cp);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  return Uint8Array.from(bytes);
}

/** True for a `data:` URL. */
export function isDataUrl(url: string): boolean {
  return /^data:/i.test(url);
}

/**
 * The text a `data:` URL carries, decoded with its `charset` parameter (UTF-8 when absent).
 * Throws an Error with a short reason when the URL is malformed or the charset unknown.
 */
export function decodeDataUrl(url: string): string {
  if (!isDataUrl(url)) throw new Error('not a data: URL');
  const comma = url.indexOf(',');
  if (comma < 0) throw new Error('the data: URL has no comma before its data');
  const params = url.slice(5, comma).split(';');
  const base64 = params.length > 1 && params[params.length - 1].trim().toLowerCase() === 'base64';
  let charset = 'utf-8';
  for (const p of params.slice(1)) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
  }
  const data = url.slice(comma + 1);
  const bytes = base64 ? decodeBase64(percentDecodeIfNeeded(data)) : percentDecodeBytes(data);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { ignoreBOM: false });
  } catch {
    throw new Error(`the data: URL names an unknown charset "${charset}"`);
  }
  return decoder.decode(bytes);
}

/** Base64 data may itself be percent-encoded (`%2B` for `+`) when written into a URL. */
function percentDecodeIfNeeded(data: string): string {
  return data.includes('%')
    ? data.replace(/%2B/gi, '+').replace(/%2F/gi, '/').replace(/%3D/gi, '=')
    : data;
}
