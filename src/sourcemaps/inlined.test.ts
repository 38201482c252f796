// attributeInlined over a real recording: test/fixtures/inlined/inlined.cpuprofile, written by
// `node --cpu-prof` on inlined.js (record.sh). In it V8 inlined isPrime into countPrimes and the
// nested arrow `square` into sumOfSquares: the callers' nodes carry the callees' line ticks.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { exportCpuprofile } from '../formats/exportCpuprofile';
import { pathToFileUrl } from '../util/fileUrl';
import { attributeInlined } from './inlined';
import { sourceFunctions } from './functionExtents';
import type { SourceMapHost } from './remap';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test/fixtures/inlined');
const script = join(fixtures, 'inlined.js');
const source = readFileSync(script, 'utf8');
const lineOf = (marker: string) => source.split('\n').findIndex((l) => l.includes(marker)) + 1;

/** The recording with the recording machine's folder replaced by this one. */
function recording(): { profile: Profile; raw: RawProfile } {
  let text = readFileSync(join(fixtures, 'inlined.cpuprofile'), 'utf8');
  const recorded = /"url":"(file:\/\/[^"]*)\/inlined\.js"/.exec(text);
  assert.ok(recorded, 'the recording names inlined.js');
  text = text.split(`${recorded[1]}/`).join(`${pathToFileUrl(fixtures)}/`);
  return { profile: importCpuprofile(text), raw: JSON.parse(text) as RawProfile };
}

interface RawProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    positionTicks?: { line: number; ticks: number }[];
  }[];
}

function host(files: Record<string, string | undefined>): SourceMapHost & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readFile(path) {
      reads.push(path);
      return files[path];
    },
  };
}

function stat(p: Profile, name: string) {
  const s = functionStats(p).find((f) => f.frame.name === name && f.frame.file === script);
  assert.ok(s, `${name} is in the profile`);
  return s;
}

/** The raw ticks of a function's node on lines [from, to]. */
function rawTicks(raw: RawProfile, name: string, from: number, to: number): [number, number] {
  const node = raw.nodes.find((n) => n.callFrame.functionName === name)!;
  let inside = 0;
  let all = 0;
  for (const t of node.positionTicks ?? []) {
    all += t.ticks;
    if (t.line >= from && t.line <= to) inside += t.ticks;
  }
  return [inside, all];
}

test('the recording shows the inlining the tests need', () => {
  const { raw } = recording();
  const fns = sourceFunctions(script, source)!;
  const isPrime = fns.functions.find((f) => f.name === 'isPrime')!;
  const square = fns.functions.find((f) => f.name === 'square')!;
  assert.ok(rawTicks(raw, 'countPrimes', isPrime.startLine1, isPrime.endLine1)[0] > 50);
  assert.ok(rawTicks(raw, 'sumOfSquares', square.startLine1 + 1, square.endLine1 - 1)[0] > 5);
});

test('function extents: V8 positions, names, nesting, class field initializers', () => {
  const fns = sourceFunctions(script, source)!;
  const by = (name: string) => fns.functions.find((f) => f.name === name)!;
  const { raw } = recording();
  // Every function V8 recorded is where V8 placed it (0-based in the file, 1-based here).
  for (const n of raw.nodes) {
    if (!n.callFrame.url.endsWith('/inlined.js') || !n.callFrame.functionName) continue;
    if (n.callFrame.functionName === 'Tally') continue; // a default constructor: no code
    const f = by(n.callFrame.functionName);
    assert.equal(f.line1, n.callFrame.lineNumber + 1, n.callFrame.functionName);
  }
  assert.equal(by('isPrime').col1, 17);
  assert.equal(fns.functions[by('square').parent].name, 'sumOfSquares');
  assert.equal(by('<instance_members_initializer>').startLine1, lineOf('FIELD LINE'));
  // The line `const square = (x) => {` holds code of both functions: it is sumOfSquares'.
  const squareStart = by('square').startLine1;
  assert.equal(fns.functions[fns.byWholeLine[squareStart]].name, 'sumOfSquares');
  assert.equal(fns.functions[fns.byWholeLine[lineOf('NESTED LINE')]].name, 'square');
  // TypeScript: types stripped, lines kept.
  const ts = sourceFunctions(
    '/x/a.ts',
    'export function power<T>(m: T[], k: number): number {\n  return m.length * k;\n}\n',
  )!;
  assert.deepEqual(
    ts.functions.map((f) => [f.name, f.line1, f.startLine1, f.endLine1]),
    [['power', 1, 1, 3]],
  );
  assert.equal(sourceFunctions('/x/a.js', 'function ('), undefined, 'unparsable');
  assert.equal(sourceFunctions('/x/a.py', 'def f(): pass'), undefined, 'not JavaScript');
});

test('the lines of an inlined function move to it: self, lines, samples, with exact totals', async () => {
  const { profile, raw } = recording();
  const out = await attributeInlined(profile, host({ [script]: source }));
  assert.notEqual(out, profile);
  assert.equal(profileTotal(out), profileTotal(profile));
  const fns = sourceFunctions(script, source)!;
  const isPrimeFn = fns.functions.find((f) => f.name === 'isPrime')!;

  // Before: isPrime holds its one non-inlined tick; countPrimes holds isPrime's lines.
  const before = { count: stat(profile, 'countPrimes'), prime: stat(profile, 'isPrime') };
  const after = { count: stat(out, 'countPrimes'), prime: stat(out, 'isPrime') };
  assert.ok(before.prime.self < 0.02 * profileTotal(profile), 'isPrime looks cold before');
  // countPrimes' self is split by its ticks: the share on isPrime's lines moves.
  const [inside, all] = rawTicks(raw, 'countPrimes', isPrimeFn.startLine1, isPrimeFn.endLine1);
  const moved = (before.count.self * inside) / all;
  assert.ok(Math.abs(after.prime.self - (before.prime.self + moved)) < 1e-6);
  assert.ok(Math.abs(after.count.self - (before.count.self - moved)) < 1e-6);
  assert.ok(Math.abs(after.count.total - before.count.total) < 1e-6, 'the caller total stays');
  assert.ok(after.prime.self > 0.5 * after.count.total, 'isPrime now holds its loop');
  // The same for the nested arrow.
  assert.ok(stat(out, 'square').self > stat(profile, 'square').self);

  // The flame graph has a box for isPrime under countPrimes, holding every moved line.
  const t = out.tree;
  const countNode = [...Array(t.size).keys()].find(
    (n) => n > 0 && out.frames[t.frame[n]].name === 'countPrimes',
  )!;
  const kids = Array.from(
    { length: t.childCount[countNode] },
    (_, k) => t.children[t.childStart[countNode] + k],
  );
  const primeNode = kids.find((n) => out.frames[t.frame[n]].name === 'isPrime');
  assert.ok(primeNode !== undefined, 'a child node for isPrime');
  assert.ok(Math.abs(t.self[primeNode] - after.prime.self) < 1e-6);

  // Lines keep their weights, now on isPrime's frame.
  const prime = lineOf('PRIME LOOP');
  for (let i = 0; i < out.lines.count; i++) {
    if (out.lines.line1[i] !== prime) continue;
    assert.equal(out.frames[out.lines.frame[i]].name, 'isPrime');
  }
  // Samples: each node's samples add up to its self, the total to the profile's.
  const perNode = new Float64Array(t.size);
  const s = out.samples!;
  for (let i = 0; i < s.count; i++) perNode[s.node[i]] += s.weight[i];
  for (let n = 1; n < t.size; n++) {
    assert.ok(Math.abs(perNode[n] - t.self[n]) < 1e-6, `samples of node ${n}`);
  }
  for (let i = 1; i < s.count; i++) assert.ok(s.start[i] >= s.start[i - 1] - 1e-6, 'time order');
});

test('idempotent, and kept through a .cpuprofile export and re-import', async () => {
  const { profile } = recording();
  const h = host({ [script]: source });
  const once = await attributeInlined(profile, h);
  const twice = await attributeInlined(once, h);
  const figures = (p: Profile) =>
    functionStats(p)
      .filter((f) => f.frame.file === script)
      .map((f) => `${f.frame.name} ${f.self.toFixed(3)} ${f.total.toFixed(3)}`)
      .sort();
  assert.deepEqual(figures(twice), figures(once));
  const again = await attributeInlined(importCpuprofile(exportCpuprofile(once)), h);
  const near = (p: Profile) => new Map(functionStats(p).map((f) => [f.frame.name, f.self]));
  const a = near(once);
  for (const [name, self] of near(again)) {
    if (name === 'isPrime' || name === 'countPrimes' || name === 'square') {
      assert.ok(
        Math.abs(self - a.get(name)!) < 0.01 * self + 1500,
        `${name} ${self} vs ${a.get(name)}`,
      );
    }
  }
});

test('nothing moves when the source cannot be read, or changed since the run', async () => {
  const { profile } = recording();
  assert.equal(await attributeInlined(profile, host({})), profile, 'unreadable');
  assert.equal(
    await attributeInlined(profile, host({ [script]: 'function (' })),
    profile,
    'unparsable',
  );
  // Two lines inserted above: no function starts where the profile says countPrimes does.
  assert.equal(
    await attributeInlined(profile, host({ [script]: `// a\n// b\n${source}` })),
    profile,
    'changed',
  );
  // Only the files the profile's line entries name are read.
  const h = host({ [script]: source });
  await attributeInlined(profile, h);
  assert.deepEqual([...new Set(h.reads)], [script]);
});
