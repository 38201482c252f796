import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCpuprofile, importCpuprofileWithJsonParse, isCpuprofile } from './cpuprofile';
import { importProfileFile } from './detect';
import { ProfileFormatError } from './errors';
import type { Profile } from '../core/profile';
import { repoRoot } from '../../test/support/repoRoot';
import { frameFigures as perFrame, frameKey as keyOf, near } from '../../test/support/frameFigures';

const root = repoRoot();
const fixture = (name: string) => join(root, 'test/fixtures', name);
const load = (name: string) =>
  importCpuprofile(readFileSync(fixture(name), 'utf8'), { sourceFile: name });

function hotLineOf(program: string): number {
  const lines = readFileSync(fixture(`node/${program}`), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.trimEnd().endsWith('// HOT LINE'));
  assert.ok(i >= 0, 'the fixture marks its hot line');
  return i + 1;
}

test('finds the hot function and the hot line of a real recording', () => {
  const p = load('node/hot.cpuprofile');
  assert.equal(p.meta.profiler, 'v8');
  assert.equal(p.meta.clock, 'wall');
  assert.equal(p.meta.unit, 'microseconds');
  const self = perFrame(p);
  const user = [...self]
    .filter(([k]) => k.startsWith('user '))
    .sort((a, b) => b[1].self - a[1].self);
  assert.match(user[0][0], /^user checksum \/.*\/test\/fixtures\/node\/hot\.js:6:18$/);
  // Lines: the marked line carries most of the file's self time, attributed to checksum.
  const hot = hotLineOf('hot.js');
  const fileId = p.lines.files.findIndex((f) => f.endsWith('/test/fixtures/node/hot.js'));
  assert.ok(fileId >= 0 && p.lines.files[fileId].startsWith('/'), 'file:// URLs become paths');
  let best = -1;
  for (let c = 0; c < p.lines.count; c++) {
    if (p.lines.file[c] === fileId && (best < 0 || p.lines.self[c] > p.lines.self[best])) best = c;
  }
  assert.equal(p.lines.line1[best], hot);
  assert.equal(p.frames[p.lines.frame[best]].name, 'checksum');
  assert.ok(p.lines.self[best] > 0.5 * user[0][1].self);
});

test('self time adds up: nodes, samples and frames all sum to the total', () => {
  for (const name of ['node/hot.cpuprofile', 'node/recursive.cpuprofile']) {
    const p = load(name);
    const { tree } = p;
    let selfSum = 0;
    for (let n = 0; n < tree.size; n++) selfSum += tree.self[n];
    near(selfSum, tree.total[0], `${name} node self`);
    assert.ok(p.samples);
    let sampleSum = 0;
    for (let i = 0; i < p.samples.count; i++) sampleSum += p.samples.weight[i];
    near(sampleSum, tree.total[0], `${name} sample weights`);
    for (let i = 1; i < p.samples.count; i++)
      assert.ok(p.samples.start[i] >= p.samples.start[i - 1]);
    // The total is the span from the first sample to the last, plus the mean interval for the
    // last sample: the gap before the first sample belongs to nobody.
    const raw = JSON.parse(readFileSync(fixture(name), 'utf8'));
    const span = raw.timeDeltas.slice(1).reduce((a: number, b: number) => a + Math.max(0, b), 0);
    const n = raw.samples.length;
    if (raw.timeDeltas.every((d: number) => d >= 0))
      near(tree.total[0], span + span / (n - 1), name);
    near(p.meta.duration ?? 0, raw.endTime - raw.startTime, `${name} duration`);
    // Lines of a node add up to its self time: per frame, lines never exceed self.
    const lineSum = new Float64Array(p.frames.length);
    for (let c = 0; c < p.lines.count; c++) lineSum[p.lines.frame[c]] += p.lines.self[c];
    const frameSelf = new Float64Array(p.frames.length);
    for (let i = 1; i < tree.size; i++) frameSelf[tree.frame[i]] += tree.self[i];
    for (let f = 0; f < p.frames.length; f++) {
      assert.ok(
        lineSum[f] <= frameSelf[f] * (1 + 1e-9) + 1e-9,
        `${name}: lines of ${p.frames[f].name}`,
      );
    }
  }
});

test('hitCount disagreements do not matter: self comes from the samples', () => {
  const raw = JSON.parse(readFileSync(fixture('node/hot.cpuprofile'), 'utf8'));
  for (const node of raw.nodes) node.hitCount = 1000;
  const a = load('node/hot.cpuprofile');
  const b = importCpuprofile(JSON.stringify(raw));
  assert.deepEqual([...b.tree.self], [...a.tree.self]);
});

test('pseudo frames are kept and marked; (root) is not a frame', () => {
  const p = load('node/hot.cpuprofile');
  const pseudo = p.frames.filter((f) => f.kind === 'pseudo').map((f) => f.name);
  assert.ok(pseudo.includes('(program)'));
  assert.ok(pseudo.includes('(garbage collector)'));
  assert.ok(!p.frames.some((f) => f.name === '(root)'));
  for (const f of p.frames.filter((x) => x.kind === 'pseudo')) {
    assert.equal(f.file, null);
    assert.equal(f.line1, null);
  }
  // (program) hangs directly under the synthetic root, where V8 put it.
  const { tree } = p;
  const rootChildren = Array.from(tree.children.subarray(0, tree.childCount[0]));
  assert.ok(rootChildren.some((n) => p.frames[tree.frame[n]].name === '(program)'));
  assert.ok(
    p.frames.some((f) => f.kind === 'runtime' && f.file === 'node:internal/main/run_main_module'),
  );
  assert.ok(p.frames.some((f) => f.kind === 'user'));
  // V8's 0-based call-frame positions become 1-based.
  const checksum = p.frames.find((f) => f.name === 'checksum');
  assert.deepEqual([checksum?.line1, checksum?.col1], [6, 18]);
});

test('the old layout (head tree + timestamps) reads the same as the modern one', () => {
  const modern = load('node/hot.cpuprofile');
  const old = load('node/hot.old.cpuprofile');
  assert.deepEqual(old.frames.map(keyOf).sort(), modern.frames.map(keyOf).sort());
  assert.equal(old.tree.size, modern.tree.size);
  near(old.tree.total[0], modern.tree.total[0], 'total');
  near(old.meta.duration ?? 0, modern.meta.duration ?? 0, 'duration');
  const a = perFrame(modern);
  const b = perFrame(old);
  for (const [key, v] of a) {
    near(b.get(key)?.self ?? NaN, v.self, `${key} self`);
    near(b.get(key)?.total ?? NaN, v.total, `${key} total`);
  }
  assert.equal(old.lines.count, modern.lines.count);
  assert.deepEqual(old.samples?.start, modern.samples?.start);
});

/** A tiny modern profile: root -> a -> b, with samples and deltas as given. */
function tiny(
  samples: number[],
  timeDeltas: number[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    nodes: [
      {
        id: 1,
        callFrame: {
          functionName: '(root)',
          scriptId: '0',
          url: '',
          lineNumber: -1,
          columnNumber: -1,
        },
        hitCount: 0,
        children: [2],
      },
      {
        id: 2,
        callFrame: {
          functionName: 'a',
          scriptId: '1',
          url: 'file:///p/a%20b.js',
          lineNumber: 0,
          columnNumber: 9,
        },
        hitCount: 2,
        children: [3],
      },
      {
        id: 3,
        callFrame: {
          functionName: 'b',
          scriptId: '1',
          url: 'file:///p/a%20b.js',
          lineNumber: 4,
          columnNumber: 0,
        },
        hitCount: 2,
        positionTicks: [
          { line: 6, ticks: 3 },
          { line: 7, ticks: 1 },
        ],
      },
    ],
    startTime: 1000,
    endTime: 1300,
    samples,
    timeDeltas,
    ...extra,
  });
}

test('negative time deltas: the samples are taken in time order, as DevTools does', () => {
  // True times 1010, 1110, 1080, 1130: the third sample is stamped before the second.
  const p = importCpuprofile(tiny([2, 3, 2, 3], [10, 100, -30, 50]));
  assert.ok(p.samples);
  // In time order: 1010 (a), 1080 (a), 1110 (b), 1130 (b).
  assert.deepEqual([...p.samples.start], [10, 80, 110, 130]);
  // Durations 70, 30, 20 and, for the last, the mean interval (130 - 10) / 3 = 40.
  assert.deepEqual([...p.samples.weight], [70, 30, 20, 40]);
  assert.match(p.meta.warnings.join(' '), /1 sample is stamped before .* time order/);
  const a = p.frames.findIndex((f) => f.name === 'a');
  const b = p.frames.findIndex((f) => f.name === 'b');
  const selfOf = (f: number) => {
    let s = 0;
    for (let n = 1; n < p.tree.size; n++) if (p.tree.frame[n] === f) s += p.tree.self[n];
    return s;
  };
  assert.equal(selfOf(a), 100);
  assert.equal(selfOf(b), 60);
  assert.equal(p.tree.total[0], 160);
  // positionTicks split b's self 3:1 over lines 6 and 7, in b's file (a path, decoded).
  const lines = [];
  for (let c = 0; c < p.lines.count; c++)
    lines.push([p.lines.files[p.lines.file[c]], p.lines.line1[c], p.lines.self[c]]);
  assert.deepEqual(lines.sort(), [
    ['/p/a b.js', 6, 45],
    ['/p/a b.js', 7, 15],
  ]);
});

/** DevTools' figures of the Node 10 fixtures (record-node10.sh, devtools_figures.mjs). */
const devtools = JSON.parse(readFileSync(fixture('node/node10.devtools.json'), 'utf8')) as Record<
  string,
  { total: number; functions: Record<string, { self: number; total: number }> }
>;

/** Heatlens' figures per function, keyed as devtools_figures.mjs keys DevTools' (base names). */
function asDevtoolsKeys(p: Profile): Map<string, { self: number; total: number }> {
  const out = new Map<string, { self: number; total: number }>();
  const frameOf = new Map(p.frames.map((f) => [keyOf(f), f]));
  for (const [key, v] of perFrame(p)) {
    const frame = frameOf.get(key)!;
    const base = frame.file ? frame.file.replace(/^.*[\\/]/, '') : '';
    out.set(`${frame.name} ${base} ${frame.line1 ?? 0}`, v);
  }
  return out;
}

function assertDevtoolsFigures(name: string, p: Profile): void {
  const expected = devtools[name];
  assert.ok(Math.abs(p.tree.total[0] - expected.total) < 1e-6 * expected.total, name);
  const ours = asDevtoolsKeys(p);
  let checked = 0;
  for (const [key, want] of Object.entries(expected.functions)) {
    const [, fn, url, line] = /^(.*) (\S*) (-?\d+)$/.exec(key)!;
    const got = ours.get(`${fn} ${url.replace(/^.*[\\/]/, '')} ${line}`);
    assert.ok(got, `${name}: ${key} missing`);
    // Equal to DevTools' figures. (DevTools gives a lone "(program)" sample between two samples
    // of one stack to that stack, where we keep what V8 measured: the recording has no such
    // sample, or this would show it.)
    const slack = 1e-6 * expected.total;
    assert.ok(
      Math.abs(got.self - want.self) <= slack,
      `${name}: ${key} self ${got.self} vs ${want.self}`,
    );
    assert.ok(
      Math.abs(got.total - want.total) <= slack,
      `${name}: ${key} total ${got.total} vs ${want.total}`,
    );
    checked++;
  }
  assert.ok(checked > 10);
}

test('a Node 10 recording with one more time delta than samples reads as DevTools reads it', () => {
  const name = 'node10.cpuprofile';
  const text = readFileSync(fixture(`node/${name}`), 'utf8');
  const raw = JSON.parse(text) as { samples: number[]; timeDeltas: number[] };
  assert.equal(raw.timeDeltas.length, raw.samples.length + 1);
  const p = importCpuprofile(text, { sourceFile: name });
  assert.match(
    p.meta.warnings.join(' '),
    /one more entry in time deltas than samples .* end of the last sample/,
  );
  assertDevtoolsFigures(name, p);
  // The hot function of hot.js is found, as in the modern recordings.
  const checksum = [...asDevtoolsKeys(p)].find(([k]) => k.startsWith('checksum '));
  assert.ok(checksum && checksum[1].self > 0.5 * p.tree.total[0]);
  // Both routes agree, and fewer time deltas than samples is still damage.
  assert.deepEqual(importCpuprofileWithJsonParse(text).tree.total, p.tree.total);
  raw.timeDeltas.length = raw.samples.length - 1;
  rejects(JSON.stringify(raw), /645 samples but 644 time deltas|samples but \d+ time deltas/);
});

test('every time delta negative: the recording is not 0 µs long but what DevTools shows', () => {
  const name = 'backwards.cpuprofile';
  const text = readFileSync(fixture(`node/${name}`), 'utf8');
  const raw = JSON.parse(text) as { timeDeltas: number[] };
  assert.ok(raw.timeDeltas.slice(1).every((d) => d <= 0));
  const p = importCpuprofile(text, { sourceFile: name });
  assert.match(
    p.meta.warnings.join(' '),
    /samples are stamped before .* time order, as Chrome DevTools does/,
  );
  assertDevtoolsFigures(name, p);
});

test('a single sample lasts until endTime; no samples is an empty profile with a warning', () => {
  const one = importCpuprofile(tiny([3], [100]));
  assert.equal(one.tree.total[0], 200);
  const none = importCpuprofile(
    JSON.stringify({
      ...JSON.parse(tiny([], [])),
      nodes: JSON.parse(tiny([], [])).nodes.map((n: object) => ({ ...n, hitCount: 0 })),
    }),
  );
  assert.equal(none.tree.total[0], 0);
  assert.equal(none.meta.warnings.length, 1);
});

test('hit counts without samples are spread over the recording, with a warning', () => {
  const raw = JSON.parse(tiny([], []));
  delete raw.samples;
  delete raw.timeDeltas;
  const p = importCpuprofile(JSON.stringify(raw));
  assert.equal(p.tree.total[0], 300);
  assert.match(p.meta.warnings[0], /hit counts/);
});

test('nodes listed children-first and the inspector wrapper read the same', () => {
  const base = JSON.parse(readFileSync(fixture('node/recursive.cpuprofile'), 'utf8'));
  const reversed = { ...base, nodes: [...base.nodes].reverse() };
  const a = perFrame(importCpuprofile(JSON.stringify(base)));
  const b = perFrame(importCpuprofile(JSON.stringify({ profile: reversed })));
  assert.deepEqual([...b].sort(), [...a].sort());
});

function rejects(text: string, pattern: RegExp, name = 'bad.cpuprofile'): void {
  assert.throws(
    () => importCpuprofile(text, { sourceFile: name }),
    (err: unknown) => {
      assert.ok(err instanceof ProfileFormatError, `a ProfileFormatError, not ${String(err)}`);
      assert.equal(err.file, name);
      assert.ok(err.message.includes(`"${name}"`), `names the file: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('bad input: truncated and garbage files are rejected with the file named', () => {
  rejects(
    readFileSync(fixture('bad/truncated.cpuprofile'), 'utf8'),
    /cut short.*truncated/,
    'truncated.cpuprofile',
  );
  rejects(
    readFileSync(fixture('bad/garbage.cpuprofile'), 'latin1'),
    /not a text file/,
    'garbage.cpuprofile',
  );
  for (const [name, why] of [
    ['truncated', /cut short/],
    ['garbage', /not a text file/],
  ] as const) {
    const path = fixture(`bad/${name}.cpuprofile`);
    assert.throws(() => importProfileFile(path, readFileSync(path)), why);
  }
  rejects('hello', /is not JSON \(a .cpuprofile starts with "\{"\)/);
  rejects('{"nodes": [1,,]}', /is not valid JSON \(/);
});

test('bad input: empty, other shapes and inconsistent trees', () => {
  rejects('', /is empty/);
  rejects('  \n', /is empty/);
  rejects('[1, 2]', /not a V8 CPU profile.*list/);
  rejects('"text"', /not a V8 CPU profile/);
  rejects('{"traceEvents": []}', /no "nodes" list/);
  rejects('{"nodes": []}', /no call-tree nodes/);
  rejects('{"nodes": [{"callFrame": {}}]}', /without a numeric id/);
  rejects('{"nodes": [{"id": 1, "children": [2]}]}', /lists a child 2 that is not in the profile/);
  rejects('{"nodes": [{"id": 1, "children": [2]}, {"id": 2, "children": [1]}]}', /cycle/);
  rejects(
    '{"nodes": [{"id": 1, "children": [2]}, {"id": 3, "children": [2]}, {"id": 2}]}',
    /more than once/,
  );
  rejects('{"nodes": [{"id": 1}, {"id": 1}]}', /two nodes with the id 1/);
  rejects(tiny([2, 9], [1, 1]), /sample 2 names node 9/);
  rejects(tiny([2, 3], [1]), /2 samples but 1 time deltas/);
  rejects(tiny([2], ['x' as unknown as number]), /not a number/);
  rejects('{"head": {"functionName": "(root)", "children": [3]}}', /not a node/);
  // Without a file name, the message still reads as a sentence.
  assert.throws(
    () => importCpuprofile('{'),
    /^Error: The profile is cut short|The profile is cut short/,
  );
});

test('detection: by name first, then by content', () => {
  const modern = readFileSync(fixture('node/hot.cpuprofile'), 'utf8');
  const old = readFileSync(fixture('node/hot.old.cpuprofile'), 'utf8');
  assert.equal(isCpuprofile('x.cpuprofile', 'anything'), true);
  assert.equal(isCpuprofile(undefined, modern), true);
  assert.equal(isCpuprofile('profile.json', old), true);
  assert.equal(isCpuprofile('x.json', '{"a": 1}'), false);
  assert.equal(
    isCpuprofile(
      undefined,
      '{"traceEvents": [{"args": {"data": {"cpuProfile": {"nodes": [{"callFrame": {}}]}}}}]}',
    ),
    false,
  );
  // Keys in another order: the node list at the end of a long file.
  const raw = JSON.parse(modern);
  const reordered = JSON.stringify({
    samples: raw.samples,
    timeDeltas: raw.timeDeltas,
    startTime: raw.startTime,
    endTime: raw.endTime,
    nodes: raw.nodes,
  });
  assert.equal(isCpuprofile('x.json', reordered), true);
});

test('detect.ts decodes UTF-16 and byte-order marks and explains unknown formats', () => {
  const text = readFileSync(fixture('node/hot.cpuprofile'), 'utf8');
  const utf8 = load('node/hot.cpuprofile');
  const bom = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(text.replace(/,/g, ',\r\n')),
  ]);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  for (const bytes of [bom, utf16]) {
    const p = importProfileFile('p.json', new Uint8Array(bytes));
    assert.equal(p.tree.total[0], utf8.tree.total[0]);
    assert.equal(p.meta.sourceFile, 'p.json');
  }
  assert.throws(
    () => importProfileFile('e.cpuprofile', new Uint8Array()),
    /"e.cpuprofile" is empty/,
  );
  assert.throws(
    () => importProfileFile('x.txt', new TextEncoder().encode('hello')),
    /"x.txt" is not a profile format Heatlens reads/,
  );
  assert.throws(() => importProfileFile('x.pb.gz', new Uint8Array([0x1f, 0x8b, 8, 0])), /gzip/);
});

test('the fast scanner and JSON.parse read every variant the same', () => {
  const base = JSON.parse(readFileSync(fixture('node/hot.cpuprofile'), 'utf8'));
  // Escapes in names and URLs, unknown keys with nested values, keys in another order.
  base.nodes[5].callFrame.functionName = 'we\u00efrd "name" \\ \u2713';
  base.nodes[6].callFrame.url = 'file:///tmp/a%20b/\u00e9.js';
  base.nodes[7].deoptReason = { nested: [1, 2.5e3, true, null, 'x'] };
  base.nodes[8].callFrame.codeType = 'JS';
  const reordered = {
    timeDeltas: base.timeDeltas,
    samples: base.samples,
    extra: [{}],
    nodes: base.nodes,
    endTime: base.endTime,
    startTime: base.startTime,
  };
  const variants = [
    readFileSync(fixture('node/hot.cpuprofile'), 'utf8'),
    readFileSync(fixture('node/recursive.cpuprofile'), 'utf8'),
    JSON.stringify(base),
    JSON.stringify(base, null, 2).replace(/\n/g, '\r\n'),
    JSON.stringify(reordered, null, '\t'),
  ];
  for (const text of variants) {
    const fast = importCpuprofile(text);
    const slow = importCpuprofileWithJsonParse(text);
    assert.deepEqual(fast, slow);
  }
  const weird = importCpuprofile(JSON.stringify(base));
  assert.ok(weird.frames.some((f) => f.name === 'we\u00efrd "name" \\ \u2713'));
  assert.ok(weird.frames.some((f) => f.file === '/tmp/a b/\u00e9.js'));
});

test('a startTime or endTime beyond any clock is left out with a warning: every figure stays finite', () => {
  // A 310-digit startTime reads as Infinity: before, the old layout's sample offsets became
  // -Infinity, and the duration billions of µs.
  const old = JSON.parse(readFileSync(fixture('node/hot.old.cpuprofile'), 'utf8')) as {
    startTime: number;
  };
  const oldText = JSON.stringify(old).replace(
    /"startTime":[^,]+/,
    `"startTime":${'9'.repeat(310)}`,
  );
  const modern = tiny([2, 2, 2], [100, 100, 100]).replace(/}$/, `,"endTime":${'9'.repeat(310)}}`);
  for (const [name, text] of [
    ['hot.old.cpuprofile', oldText],
    ['tiny.cpuprofile', modern],
  ] as const) {
    for (const p of [
      importCpuprofile(text, { sourceFile: name }),
      importCpuprofileWithJsonParse(text, { sourceFile: name }),
    ]) {
      assert.match(p.meta.warnings.join('\n'), /(startTime|endTime) is beyond any real recording/);
      assert.ok(Number.isFinite(p.meta.duration), `${name}: duration ${p.meta.duration}`);
      assert.ok(p.samples);
      assert.ok(
        p.samples.start.every((t) => Number.isFinite(t) && t >= 0),
        name,
      );
      assert.equal(p.tree.total[0], p.meta.duration);
    }
  }
});
