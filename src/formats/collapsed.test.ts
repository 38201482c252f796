import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionStats } from '../core/functionStats';
import type { Profile } from '../core/profile';
import { frameNamed } from '../../test/support/frames';
import { assertSameFigures, repoRoot } from '../../test/support/sandwich';
import { importCollapsed, importCollapsedLines, isCollapsed } from './collapsed';
import { ProfileFormatError } from './errors';

const root = repoRoot(__dirname);
const dir = join(root, 'test/fixtures/collapsed');
/** Decodes as the file reader does: UTF-16 by its byte-order mark, else UTF-8. */
function decode(name: string): string {
  const bytes = readFileSync(join(dir, name));
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
  // ignoreBOM keeps the mark, to show that the importer copes with it too.
  return new TextDecoder(utf16 ? 'utf-16le' : 'utf-8', { ignoreBOM: true }).decode(bytes);
}
const load = (name: string) => importCollapsed(decode(name), { sourceFile: name });

function figures(p: Profile): Map<string, [number, number]> {
  return new Map(functionStats(p).map((s) => [s.frame.name, [s.self, s.total]]));
}

test("per-function self and total equal speedscope's reading of real perf stacks", () => {
  const p = load('primes.folded');
  assert.deepEqual(p.meta.warnings, []);
  assert.equal(p.meta.profiler, 'collapsed');
  assert.equal(p.meta.unit, 'samples');
  // The total is the sum of the counts (summed here by a plain reading of the file).
  const counts = decode('primes.folded')
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  assert.equal(
    p.tree.total[0],
    counts.reduce((a, b) => a + b, 0),
  );
  const expected = JSON.parse(readFileSync(join(dir, 'primes.expected.json'), 'utf8'));
  // speedscope shows counts without a unit; ours are samples, the same numbers.
  assertSameFigures(
    { ...p, meta: { ...p.meta, unit: 'none' } },
    expected.functions,
    'primes.folded',
    // V8's perf map names carry the position, which becomes the frame's file and line.
    (f) => (f.col1 !== null ? `${f.name} ${f.file}:${f.line1}:${f.col1}` : f.name),
  );
  // The hot JavaScript function, as V8's perf map names it, is the heaviest leaf, and lights up
  // its source file.
  const top = [...functionStats(p)].sort((a, b) => b.self - a.self)[0];
  assert.equal(top.frame.name, 'JS:*countPrimes');
  assert.match(top.frame.file ?? '', /examples\/js\/primes\.js$/);
  assert.equal(top.frame.line1, 12);
  assert.equal(top.frame.col1, 21);
  assert.equal(top.frame.kind, 'user');
  assert.equal(p.frames.find((f) => f.name === '[unknown]')?.kind, 'runtime');
});

test('CRLF and UTF-16 with a byte-order mark give the same figures', () => {
  const plain = figures(load('primes.folded'));
  for (const name of ['primes.crlf.folded', 'primes.utf16.folded']) {
    const p = load(name);
    assert.deepEqual(p.meta.warnings, [], name);
    assert.deepEqual(figures(p), plain, name);
    assert.ok(!p.frames.some((f) => /[\r\uFEFF]/.test(f.name)), `${name}: no stray characters`);
  }
  assert.equal(decode('primes.utf16.folded').charCodeAt(0), 0xfeff);
});

test('invalid lines are skipped and counted in one warning; comments and blanks ignored', () => {
  const p = load('primes.invalid.folded');
  assert.deepEqual(figures(p), figures(load('primes.folded')));
  assert.deepEqual(p.meta.warnings, [
    'Skipped 5 lines that are not `stack count` (like `main;work 12`), first at line 6.',
  ]);
});

test('streaming lines gives what the whole text gives', () => {
  const text = decode('primes.crlf.folded');
  const streamed = importCollapsedLines(text.split('\n'), { sourceFile: 'x' });
  assert.deepEqual(figures(streamed), figures(load('primes.folded')));
  const fractions: number[] = [];
  importCollapsed(text, { onProgress: (f) => fractions.push(f) });
  assert.equal(fractions.at(-1), 1);
});

test("py-spy's name (file:line) frames get files and lines; other names stay verbatim", () => {
  const p = importCollapsed(
    [
      'process 1;<module> (/app/main.py:10);run (/app/main.py:4);loads (/usr/lib/python3.11/json/__init__.py:346) 7',
      '<module> (/app/main.py:10);work (/app/lib.py:2) 3.5',
      'main;do_sys_open_[k];[unknown];f (not a file) 2',
    ].join('\n'),
  );
  assert.deepEqual(frameNamed(p, '<module>'), {
    name: '<module>',
    file: '/app/main.py',
    line1: 10,
    col1: null,
    kind: 'user',
  });
  assert.equal(frameNamed(p, 'loads').kind, 'library');
  assert.equal(frameNamed(p, 'loads').line1, 346);
  assert.equal(frameNamed(p, 'do_sys_open_[k]').kind, 'runtime');
  assert.equal(frameNamed(p, 'f (not a file)').file, null);
  // Decimal counts are taken as they are.
  assert.deepEqual(figures(p).get('work'), [3.5, 3.5]);
  assert.equal(p.tree.total[0], 12.5);
});

test('detection: by name, then by content for .txt and unknown names', () => {
  const text = decode('primes.folded');
  for (const name of ['x.folded', 'x.collapsed', 'out.stacks']) assert.ok(isCollapsed(name, ''));
  assert.ok(isCollapsed('perf.txt', text));
  assert.ok(isCollapsed(undefined, text));
  assert.ok(isCollapsed(undefined, decode('primes.crlf.folded')));
  assert.ok(isCollapsed(undefined, decode('primes.utf16.folded')));
  assert.ok(isCollapsed(undefined, decode('primes.invalid.folded')));
  assert.ok(!isCollapsed('x.json', text));
  const cpuprofile = readFileSync(join(root, 'examples/profiles/primes.cpuprofile'), 'utf8');
  assert.ok(!isCollapsed(undefined, cpuprofile));
  assert.ok(!isCollapsed('notes.txt', 'Shopping list 3\nMilk and eggs 12\nBread 1\n'));
  assert.ok(!isCollapsed('readme.txt', 'hello world\nthis is text\n'));
});

test('files with no stacks get an error naming the file', () => {
  const named = (what: RegExp) => (e: unknown) =>
    e instanceof ProfileFormatError &&
    e.file === 'x.folded' &&
    what.test(e.message) &&
    e.message.startsWith('"x.folded"');
  assert.throws(() => importCollapsed('', { sourceFile: 'x.folded' }), named(/it is empty/));
  assert.throws(
    () => importCollapsed('\uFEFF\r\n# only a comment\r\n', { sourceFile: 'x.folded' }),
    named(/it is empty/),
  );
  assert.throws(
    () => importCollapsed('{"nodes": []}\nnot stacks\n', { sourceFile: 'x.folded' }),
    named(/none of its 2 lines are/),
  );
});

test('hostile input: negative, NaN and huge counts, 100k-deep stacks, markup in names', () => {
  const p = importCollapsed(
    [
      'a;b -1',
      'a;b NaN',
      'a;b Infinity',
      'a;b 1e999',
      'a;b 0x10',
      'a;b 2',
      'a;<script>alert(1)</script> 1',
    ].join('\n'),
  );
  assert.equal(p.tree.total[0], 3);
  assert.match(p.meta.warnings[0], /^Skipped 5 lines .* first at line 1\.$/);
  assert.equal(p.frames.at(-1)?.name, '<script>alert(1)</script>');
  const deep = importCollapsed(
    `${Array.from({ length: 100_000 }, (_, i) => `f${i}`).join(';')} 4\n`,
  );
  assert.equal(deep.tree.size, 100_001);
  assert.equal(functionStats(deep).length, 100_000);
  const recursive = importCollapsed(`${new Array(100_000).fill('r').join(';')} 4\n`);
  assert.deepEqual(figures(recursive).get('r'), [4, 4]);
  // A line of only separators: frames with empty names, as speedscope reads it.
  assert.equal(importCollapsed(';; 1').tree.size, 4);
});

test('counts above 2^53 cannot be read exactly: those lines are skipped, with a warning', () => {
  const text = 'main;a 9007199254740992\nmain;b 9007199254740993\nmain;c 1e300\nmain;d 3\n';
  const p = importCollapsed(text, { sourceFile: 'big.folded' });
  const self = new Map<string, number>();
  for (let n = 1; n < p.tree.size; n++) {
    if (p.tree.self[n] > 0) self.set(p.frames[p.tree.frame[n]].name, p.tree.self[n]);
  }
  // 2^53 itself is exact; 2^53 + 1 and 1e300 are not.
  assert.deepEqual(
    [...self],
    [
      ['a', 2 ** 53],
      ['d', 3],
    ],
  );
  assert.match(
    p.meta.warnings.join(' '),
    /Skipped 2 lines whose counts are above 2\^53 .* first at line 2/,
  );
});

test('a line that starts like the one before shares only the frames it really repeats', () => {
  // Prefixes that match up to a place that is not a frame's end, frames that are empty, a
  // line that repeats the one before whole, and frames seen again after other ones.
  const lines = [
    'a;bc;d 1',
    'a;b 2',
    'a;b;c 3',
    'a;bc 4',
    'ab;c 5',
    'ab;c 6',
    'a;;b 7',
    'a;;b;d 8',
    'a 9',
    'a;bc;d;e 10',
    'x;a;bc 11',
  ];
  const profile = importCollapsed(lines.join('\n'));
  // Self per stack, by the names on each node's path from the root.
  const selfByPath = new Map<string, number>();
  const { tree } = profile;
  const path = (n: number): string[] =>
    n === 0 ? [] : [...path(tree.parent[n]), profile.frames[tree.frame[n]].name];
  for (let n = 1; n < tree.size; n++) {
    const key = path(n).join(';');
    assert.ok(!selfByPath.has(key), `one node per stack: ${key}`);
    selfByPath.set(key, tree.self[n]);
  }
  const expected = new Map<string, number>();
  for (const line of lines) {
    const [stack, count] = line.split(' ');
    const frames = stack.split(';');
    for (let k = 1; k < frames.length; k++) {
      const prefix = frames.slice(0, k).join(';');
      if (!expected.has(prefix)) expected.set(prefix, 0);
    }
    expected.set(stack, (expected.get(stack) ?? 0) + Number(count));
  }
  assert.deepEqual(
    [...selfByPath].sort(([a], [b]) => a.localeCompare(b)),
    [...expected].sort(([a], [b]) => a.localeCompare(b)),
  );
});
