import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JsonBytesError, parseJsonBytes } from './jsonBytes';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** parseJsonBytes agrees with JSON.parse of the decoded text: same value, or both throw. */
function agrees(bytes: Uint8Array, label: string): void {
  let want: unknown;
  let wantError = false;
  try {
    want = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    wantError = true;
  }
  let got: unknown;
  try {
    got = parseJsonBytes(bytes);
  } catch (e) {
    if (!(e instanceof JsonBytesError)) throw e;
    assert.ok(wantError, `${label}: JSON.parse accepts what parseJsonBytes rejects (${e.message})`);
    return;
  }
  assert.ok(!wantError, `${label}: parseJsonBytes accepts what JSON.parse rejects`);
  assert.deepEqual(got, want, label);
}

test('every JSON fixture parses to what JSON.parse gives', () => {
  const json = [...files(join(root, 'test/fixtures')), ...files(join(root, 'examples'))].filter(
    (p) => /\.(?:json|cpuprofile)$/.test(p) && statSync(p).size > 0 && !p.includes('/bad/'),
  );
  assert.ok(json.length >= 8, json.join(', '));
  for (const file of json) {
    const bytes = new Uint8Array(readFileSync(file));
    assert.deepEqual(parseJsonBytes(bytes), JSON.parse(new TextDecoder().decode(bytes)), file);
  }
});

test('strings, numbers and keys exactly as JSON.parse reads them', () => {
  for (const text of [
    '"plain"',
    '"caf\u00e9 \u20ac \ud83d\ude00"',
    String.raw`"esc \" \\ \/ \b \f \n \r \t \u0041 \u00e9 \ud83d\ude00 \ud800 lone"`,
    '"\u007f"',
    '0',
    '-0',
    '123456789012345',
    '1234567890123456789',
    '-9007199254740993',
    '0.1',
    '1e400',
    '-1e-400',
    '2.5E+3',
    '1.7976931348623157e308',
    '5e-324',
    '[1,2.5,-3,"x",true,false,null,{},[]]',
    '{"a":1,"a":2}',
    '{"__proto__":{"x":1},"constructor":2}',
    ' \t\r\n{ "k" : [ 1 , { "n" : null } ] } \n',
    `{"${'k'.repeat(40)}":"${'v'.repeat(300)}"}`,
    '["same","same","other","same"]',
    `[${'1e5,'.repeat(1000)}0]`,
  ]) {
    agrees(encode(text), text.slice(0, 60));
  }
  const proto = parseJsonBytes(encode('{"__proto__":{"x":1}}')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.ok(Object.is(parseJsonBytes(encode('-0')), -0));
  // A UTF-8 byte-order mark is skipped, as TextDecoder skips it.
  assert.deepEqual(parseJsonBytes(encode('\ufeff{"a":1}')), { a: 1 });
});

test('rejects what JSON.parse rejects', () => {
  for (const text of [
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '{"a" 1}',
    '{a:1}',
    "'x'",
    '01',
    '1.',
    '.5',
    '+1',
    '-',
    '1e',
    '1e+',
    'tru',
    'nul',
    'True',
    '"\\x"',
    '"\\u12"',
    '"a\nb"',
    '"open',
    '[1] 2',
    '{"a":1}}',
    'NaN',
    '\u00a0[]',
  ]) {
    agrees(encode(text), JSON.stringify(text));
    assert.throws(() => parseJsonBytes(encode(text)), SyntaxError, text);
  }
  const cut = parseError('{"nodes":[1,2');
  assert.equal(cut.truncated, true);
  assert.equal(parseError('{"a":1]').truncated, false);
  assert.match(parseError('{"a":1]').message, /byte 6/);
});

function parseError(text: string): JsonBytesError {
  try {
    parseJsonBytes(encode(text));
  } catch (e) {
    if (e instanceof JsonBytesError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

test('agrees with JSON.parse on thousands of mutated real fixtures', () => {
  const base = readFileSync(join(root, 'examples/profiles/primes.cpuprofile')).subarray(0, 3000);
  // Cut at a node boundary so the unmutated text is valid JSON.
  const text = `${base.toString().replace(/,\{"id":\d+[^]*$/, '')}]}`;
  assert.doesNotThrow(() => JSON.parse(text));
  const clean = encode(text);
  let seed = 42;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const bytesOf = ' {}[]":,-.0123456789eEtrunl\\/bfu\u00e9"x\n';
  const alphabet = encode(bytesOf);
  for (let i = 0; i < 3000; i++) {
    const bytes = clean.slice();
    const kind = random(4);
    const at = random(bytes.length);
    if (kind === 0) bytes[at] = alphabet[random(alphabet.length)];
    else if (kind === 1) bytes[at] = random(256);
    const cut = kind === 2 ? bytes.subarray(0, at) : kind === 3 ? bytes.subarray(at) : bytes;
    agrees(cut, `case ${i}`);
  }
});

test('nesting far deeper than the call stack', () => {
  const depth = 200000;
  // Walked down by hand: assert.deepEqual itself recurses.
  let value = parseJsonBytes(encode(`${'['.repeat(depth)}${']'.repeat(depth)}`));
  for (let i = 1; i < depth; i++) value = (value as unknown[])[0];
  assert.deepEqual(value, []);
  value = parseJsonBytes(encode(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
  for (let i = 0; i < depth; i++) value = (value as { a: unknown }).a;
  assert.equal(value, 1);
  assert.throws(() => parseJsonBytes(encode('['.repeat(depth))), /Unexpected end/);
});

test('progress rises to 1', () => {
  const bytes = encode(`[${'{"type":"O","frame":12,"at":123.5},'.repeat(600000)}0]`);
  const seen: number[] = [];
  const value = parseJsonBytes(bytes, (f) => seen.push(f)) as unknown[];
  assert.equal(value.length, 600001);
  assert.ok(seen.length >= 2, `${seen}`);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    seen,
  );
  assert.equal(seen[seen.length - 1], 1);
});
