import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffProfiles, type FunctionDelta, type LineDelta } from '../core/diff';
import { importProfileFile } from '../formats/detect';
import {
  changeOf,
  compareStatusText,
  functionDeltaTitle,
  functionMatters,
  markLines,
  normalisationName,
  referenceTotal,
} from './compareText';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();
// Two runs of examples/js/primes.js, the second counting up to twice as far (record.sh beside).
const load = (name: string) =>
  importProfileFile(name, readFileSync(join(root, 'test/fixtures/runs', name)));
const short = load('primes-1m.cpuprofile');
const long = load('primes-2m.cpuprofile');
const primesFile = short.frames.find((f) => f.name === 'countPrimes')!.file!;
const source = readFileSync(join(root, 'examples/js/primes.js'), 'utf8').split('\n');
/** 1-based lines of isPrime and countPrimes in examples/js/primes.js. */
const primeLines = (() => {
  const first = source.findIndex((l) => l.startsWith('function isPrime'));
  const last = source.findIndex((l) => l.startsWith('function formatReport'));
  return { first: first + 1, last };
})();

const DELTA = /^[+-]\d+(?:\.\d+)? (?:ns|µs|ms|s) · (?:[+-]?\d+(?:\.\d+)?%|new)$/;

function items(lines: readonly LineDelta[]) {
  return lines.map((delta) => ({ delta }));
}

describe('compareText: what the editor shows of a comparison', () => {
  it('changeOf: slower, faster, or below the noise floor', () => {
    assert.equal(changeOf(5, 100, 0.01), 'slower');
    assert.equal(changeOf(-5, 100, 0.01), 'faster');
    assert.equal(changeOf(0.5, 100, 0.01), 'same');
    assert.equal(changeOf(0, 100, 0), 'same');
    assert.equal(changeOf(NaN, 100, 0.01), 'same');
  });

  it('absolute: the longer run makes the prime counting lines slower, labelled by change', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    assert.equal(normalisationName(diff), 'absolute');
    const lines = diff.linesForFile(primesFile);
    const marks = markLines(items(lines), diff, 0.002, 3);
    assert.ok(marks.length >= 2, `marked lines: ${marks.length}`);
    const labelled = marks.filter((m) => m.label !== undefined);
    assert.equal(labelled.length, 3);
    for (const m of labelled) assert.match(m.label!, DELTA);
    // The three labels are the three largest changes.
    const smallestLabelled = Math.min(...labelled.map((m) => Math.abs(m.item.delta.delta)));
    for (const m of marks.filter((x) => x.label === undefined)) {
      assert.ok(Math.abs(m.item.delta.delta) <= smallestLabelled);
    }
    const top = labelled.sort((a, b) => b.item.delta.delta - a.item.delta.delta)[0];
    assert.equal(top.change, 'slower');
    assert.ok(
      top.item.delta.line1 >= primeLines.first && top.item.delta.line1 <= primeLines.last,
      `the biggest change is on line ${top.item.delta.line1}, inside isPrime/countPrimes`,
    );
    // Twice the primes take more than twice the time (longer numbers to divide): well above +50%.
    assert.ok(top.item.delta.ratio! > 0.5, `ratio ${top.item.delta.ratio}`);
    assert.match(compareStatusText(diff), /^\$\(diff\) .+ vs .+ \(\+\d+\.\d%\) · absolute$/);
  });

  it('normalised by total: the same lines change little, the status bar says so', () => {
    const diff = diffProfiles(short, long); // 'auto': the runs differ by far more than 10%
    assert.equal(diff.normalisation, 'total');
    assert.equal(normalisationName(diff), 'normalised by total');
    assert.ok(Math.abs(referenceTotal(diff) - diff.afterTotal) < 1e-6 * diff.afterTotal);
    const absolute = diffProfiles(short, long, { normalisation: 'none' });
    const sum = (d: typeof diff) =>
      d.linesForFile(primesFile).reduce((s, l) => s + Math.abs(l.delta), 0);
    assert.ok(sum(diff) < sum(absolute) / 2, 'normalised changes are smaller than absolute ones');
    assert.match(compareStatusText(diff), /· normalised by total$/);
  });

  it('no labels when labelCount is 0, no marks below minShare', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const all = items(diff.linesForFile(primesFile));
    assert.ok(markLines(all, diff, 0.002, 0).every((m) => m.label === undefined));
    assert.deepEqual(markLines(all, diff, 2, 5), [], 'nothing has twice the whole run');
  });

  it('function lenses: changed, new and vanished functions', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const count = diff.functions.find((f) => f.name === 'countPrimes')!;
    assert.ok(functionMatters(count, diff, 0.01));
    const title = functionDeltaTitle(count, diff.unit);
    assert.match(
      title,
      /^\$\(diff\) \+\S+ (?:ms|s) · \+\d+% total \(\S+ (?:ms|s) → \S+ (?:ms|s)\) · self /,
    );
    const base: FunctionDelta = {
      name: 'f',
      file: '/x.js',
      line1: 3,
      before: null,
      after: { self: 2000, total: 5000 },
      afterFrameId: 1,
      beforeFrameId: null,
      selfDelta: 2000,
      totalDelta: 5000,
      totalRatio: null,
    };
    assert.equal(
      functionDeltaTitle(base, 'microseconds'),
      '$(diff) new in this run: 5.00 ms total, 2.00 ms self',
    );
    const gone: FunctionDelta = {
      ...base,
      before: { self: 1000, total: 3000 },
      after: null,
      afterFrameId: null,
      beforeFrameId: 4,
      selfDelta: -1000,
      totalDelta: -3000,
      totalRatio: -1,
    };
    assert.equal(
      functionDeltaTitle(gone, 'microseconds'),
      '$(diff) not in this run (was 3.00 ms total, 1.00 ms self)',
    );
    assert.equal(functionMatters({ ...gone, before: { self: 0, total: 0 } }, diff, 0), false);
  });
});
