import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Profile } from '../core/profile';
import { bytePieces } from './byteLines';
import { importCallgrind, importCallgrindPieces } from './callgrind';
import { importChromeTrace } from './chromeTrace';
import { importCollapsed, importCollapsedPieces } from './collapsed';
import { importCpuprofile } from './cpuprofile';
import { scanCpuprofileBytes } from './cpuprofileBytes';
import { scanCpuprofile } from './cpuprofileScan';
import { importProfileFile } from './detect';
import { importLargeProfile, isLargeProfile, MAX_STRING_LENGTH } from './large';
import { importSpeedscope } from './speedscope';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);

function files(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(name) && statSync(p).size > 0) out.push(p);
    }
  };
  walk(join(root, dir));
  return out;
}

/** Each format's real fixtures, with the text importer the byte route must agree with. */
const formats: { label: string; files: string[]; text: (t: string, name: string) => Profile }[] = [
  {
    label: 'cpuprofile',
    files: [
      join(root, 'examples/profiles/primes.cpuprofile'),
      ...files('test/fixtures/node', /\.cpuprofile$/),
      ...files('test/fixtures/sourcemaps', /\.cpuprofile$/),
      ...files('test/fixtures/compare', /\.cpuprofile$/),
    ],
    text: (t, name) => importCpuprofile(t, { sourceFile: name }),
  },
  {
    label: 'callgrind',
    files: files('test/fixtures/callgrind', /^callgrind\.out\.[^.]+(?:-parts)?$/),
    text: (t, name) => importCallgrind(t, { sourceFile: name }),
  },
  {
    label: 'collapsed',
    files: files('test/fixtures/collapsed', /\.folded$/),
    text: (t, name) => importCollapsed(t, { sourceFile: name }),
  },
  {
    label: 'speedscope',
    files: files('test/fixtures/speedscope', /\.speedscope\.json$/),
    text: (t, name) => importSpeedscope(t, { sourceFile: name }),
  },
  {
    label: 'chrome trace',
    files: files('test/fixtures/chrome-trace', /\.json$/),
    text: (t, name) => importChromeTrace(t, { sourceFile: name }),
  },
];

function decode(bytes: Uint8Array): string {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  const be = bytes[0] === 0xfe && bytes[1] === 0xff;
  return new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8').decode(bytes);
}

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}

const large = (name: string, bytes: Uint8Array) =>
  importLargeProfile(name, bytes, { threshold: 0 });

test('the byte route gives exactly the text route profile for every real fixture', () => {
  for (const { label, files: list, text } of formats) {
    if (label !== 'speedscope') assert.ok(list.length > 0, `no ${label} fixtures`);
    for (const file of list) {
      const bytes = new Uint8Array(readFileSync(file));
      const got = large(file, bytes);
      assert.ok(got, `${file} was not read as large`);
      assert.deepEqual(got, text(decode(bytes), file), file);
    }
  }
});

test('line formats read in small pieces give the profile of the whole text', () => {
  // Lines never straddle two pieces, but state does (callgrind's positions and calls, the
  // previous stack a collapsed line shares frames with): pieces of a few bytes cut everywhere.
  for (const { label, files: list, text } of formats.slice(1, 3)) {
    for (const file of list.slice(0, 3)) {
      const bytes = new Uint8Array(readFileSync(file));
      const want = text(decode(bytes), file);
      for (const chunkSize of [7, 300]) {
        const pieces = bytePieces(bytes, { chunkSize });
        const got =
          label === 'callgrind'
            ? importCallgrindPieces(pieces, { sourceFile: file })
            : importCollapsedPieces(pieces, { sourceFile: file });
        assert.deepEqual(got, want, `${file} in pieces of ${chunkSize}`);
      }
    }
  }
});

test('the byte scanner itself reads what node writes, into the text scanner columns', () => {
  for (const file of formats[0].files) {
    const bytes = new Uint8Array(readFileSync(file));
    const text = new TextDecoder().decode(bytes);
    const fromText = scanCpuprofile(text);
    const fromBytes = scanCpuprofileBytes(bytes);
    assert.deepEqual(fromBytes, fromText, file);
    if (!file.endsWith('.old.cpuprofile')) assert.ok(fromBytes, `${file}: no fallback`);
  }
  // Escapes and non-ASCII names: compared raw, decoded once.
  const text = readFileSync(join(root, 'test/fixtures/node/hot.cpuprofile'), 'utf8').replace(
    '"functionName":"requireBuiltin"',
    '"functionName":"h\\u00f6t \\"\u00e9\u20ac\ud83d\ude00\\""',
  );
  assert.notEqual(text, readFileSync(join(root, 'test/fixtures/node/hot.cpuprofile'), 'utf8'));
  const bytes = new TextEncoder().encode(text);
  assert.deepEqual(scanCpuprofileBytes(bytes), scanCpuprofile(text));
  assert.deepEqual(
    large('x.cpuprofile', bytes),
    importCpuprofile(text, { sourceFile: 'x.cpuprofile' }),
  );
});

test('UTF-16 and CRLF files give the profile of their text', () => {
  for (const { label, files: list, text } of formats) {
    for (const file of list) {
      const original = decode(new Uint8Array(readFileSync(file)));
      const variants = [utf16le(original)];
      if (label === 'callgrind' || label === 'collapsed') {
        variants.push(new TextEncoder().encode(original.replace(/\r?\n/g, '\r\n')));
      }
      for (const bytes of variants) {
        assert.deepEqual(large(file, bytes), text(original, file), `${file} (${label})`);
      }
    }
  }
});

test('damaged files fail with the text route message', () => {
  for (const file of files('test/fixtures/bad', /\.(?:cpuprofile|callgrind)$/)) {
    const bytes = new Uint8Array(readFileSync(file));
    const textError = (() => {
      try {
        importProfileFile(file, bytes);
      } catch (e) {
        return (e as Error).message;
      }
      return assert.fail(`${file} imports`);
    })();
    assert.throws(() => large(file, bytes), { name: 'ProfileFormatError', message: textError });
  }
  // A cut-short JSON format: the same sentence as the text importers.
  const trace = readFileSync(join(root, 'test/fixtures/chrome-trace/primes.trace.json'));
  assert.throws(() => large('t.trace.json', new Uint8Array(trace.subarray(0, 5000))), {
    name: 'ProfileFormatError',
    message: /"t\.trace\.json" is cut short/,
  });
});

test('small, binary and unknown files are left to the usual route', () => {
  const primes = new Uint8Array(readFileSync(join(root, 'examples/profiles/primes.cpuprofile')));
  assert.equal(importLargeProfile('primes.cpuprofile', primes), undefined);
  assert.equal(isLargeProfile(primes), false);
  assert.equal(isLargeProfile(primes, primes.length - 1), true);
  assert.equal(isLargeProfile(utf16le('x'.repeat(100)), 150), false, 'UTF-16: two bytes a char');
  assert.equal(MAX_STRING_LENGTH, 2 ** 29 - 24);
  for (const file of [
    'test/fixtures/python/cprofile.prof',
    'test/fixtures/pprof/cpu.pb.gz',
    'test/fixtures/python/expected.py',
  ]) {
    const bytes = new Uint8Array(readFileSync(join(root, file)));
    assert.equal(large(file, bytes), undefined, file);
  }
});

test('progress rises to 1', () => {
  for (const file of [
    join(root, 'examples/profiles/primes.cpuprofile'),
    join(root, 'test/fixtures/node/hot.old.cpuprofile'),
    join(root, 'test/fixtures/callgrind/callgrind.out.hot'),
    join(root, 'test/fixtures/chrome-trace/primes.trace.json'),
  ]) {
    const seen: number[] = [];
    importLargeProfile(file, new Uint8Array(readFileSync(file)), {
      threshold: 0,
      onProgress: (f) => seen.push(f),
    });
    assert.ok(seen.length >= 1, file);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      file,
    );
    assert.equal(seen[seen.length - 1], 1, file);
  }
});
