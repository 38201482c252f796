import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffProfiles, type FunctionDelta, type LineDelta } from '../core/diff';
import { importProfileFile } from '../formats/detect';
import {
  changeList,
  changeOf,
  compareStatusText,
  functionDeltaTitle,
  functionMatters,
  lineHoverLines,
  markLines,
  normalisationName,
  referenceTotal,
} from './compareText';
import { frameNamed } from '../../test/support/frames';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();
// Two runs of examples/js/primes.js, the second counting up to twice as far (record.sh beside).
const load = (name: string) =>
  importProfileFile(name, readFileSync(join(root, 'test/fixtures/runs', name)));
const short = load('primes-1m.cpuprofile');
const long = load('primes-2m.cpuprofile');
const primesFile = frameNamed(short, 'countPrimes').file!;
const source = readFileSync(join(root, 'examples/js/primes.js'), 'utf8').split('\n');
/** 1-based lines of isPrime and countPrimes in examples/js/primes.js. */
const primeLines = (() => {
  const first = source.findIndex((l) => l.startsWith('function isPrime'));
  const last = source.findIndex((l) => l.startsWith('function formatReport'));
  return { first: first + 1, last };
})();

/** "+12.3 ms · +40%", "+1.00 ms · not sampled before", either followed by " · within noise". */
const DELTA =
  /^[+-]\d+(?:\.\d+)? (?:ns|µs|ms|s) · (?:[+-]?\d+(?:\.\d+)?%|not sampled before)(?: · within noise)?$/;

function items(lines: readonly LineDelta[]) {
  return lines.map((delta) => ({ delta }));
}

/** A function change with its significance, for the title tests. */
const base: FunctionDelta = {
  name: 'f',
  kind: 'user',
  file: '/x.js',
  line1: 3,
  before: null,
  after: { self: 2000, total: 5000 },
  afterFrameId: 1,
  beforeFrameId: null,
  inlined: null,
  selfDelta: 2000,
  totalDelta: 5000,
  totalRatio: null,
  totalZ: 6,
  totalSignificant: true,
  selfZ: 4,
  selfSignificant: true,
};

describe('compareText: what the editor shows of a comparison', () => {
  it('changeOf: slower or faster beyond noise; within noise only when asked', () => {
    assert.equal(changeOf(5, true), 'slower');
    assert.equal(changeOf(-5, true), 'faster');
    assert.equal(changeOf(5, false), 'same');
    assert.equal(changeOf(5, false, true), 'slower', 'heatlens.compare.showNoise');
    assert.equal(changeOf(0, true), 'same');
    assert.equal(changeOf(NaN, true), 'same');
  });

  it('absolute: twice the primes, the counting lines slower beyond noise, labelled', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    assert.equal(normalisationName(diff), 'absolute');
    const lines = diff.linesForFile(primesFile);
    const marks = markLines(items(lines), diff, 0.002, 3);
    assert.ok(marks.length >= 2, `marked lines: ${marks.length}`);
    const labelled = marks.filter((m) => m.label !== undefined);
    assert.equal(labelled.length, 3);
    for (const m of labelled) assert.match(m.label!, DELTA);
    // Labels go to the changes beyond noise first, the largest first.
    const significant = marks.filter((m) => m.item.delta.significant);
    assert.ok(significant.length >= 1);
    for (const m of significant.slice(0, 3)) assert.ok(m.label !== undefined);
    const top = labelled.sort((a, b) => b.item.delta.delta - a.item.delta.delta)[0];
    assert.equal(top.change, 'slower');
    assert.ok(top.item.delta.significant, `z ${top.item.delta.z}`);
    assert.doesNotMatch(top.label!, /within noise/);
    assert.ok(
      top.item.delta.line1 >= primeLines.first && top.item.delta.line1 <= primeLines.last,
      `the biggest change is on line ${top.item.delta.line1}, inside isPrime/countPrimes`,
    );
    // Twice the primes take more than twice the time (longer numbers to divide): well above +50%.
    assert.ok(top.item.delta.ratio! > 0.5, `ratio ${top.item.delta.ratio}`);
    // Lines within noise are not colored, and their labels say so.
    for (const m of marks) {
      if (!m.item.delta.significant) {
        assert.equal(m.change, 'same');
        if (m.label) assert.match(m.label, / · within noise$/);
      }
    }
    assert.match(
      compareStatusText(diff),
      /^\$\(diff\) .+ vs .+ \(\+\d+\.\d%\) · absolute · \d+ lines? changed beyond noise$/,
    );
  });

  it('normalised by total: few lines sampled well, so no typical change; the status bar says so', () => {
    const diff = diffProfiles(short, long); // 'auto': the runs differ by far more than 10%
    assert.equal(diff.typical, null, 'primes.js has fewer than five lines sampled well');
    assert.equal(diff.normalisation, 'total');
    assert.equal(normalisationName(diff), 'normalised by total');
    assert.ok(Math.abs(referenceTotal(diff) - diff.afterTotal) < 1e-6 * diff.afterTotal);
    const absolute = diffProfiles(short, long, { normalisation: 'none' });
    const sum = (d: typeof diff) =>
      d.linesForFile(primesFile).reduce((s, l) => s + Math.abs(l.delta), 0);
    assert.ok(sum(diff) < sum(absolute) / 2, 'normalised changes are smaller than absolute ones');
    assert.match(compareStatusText(diff), /· normalised by total · /);
  });

  it('no labels when labelCount is 0, no marks below minShare', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const all = items(diff.linesForFile(primesFile));
    assert.ok(markLines(all, diff, 0.002, 0).every((m) => m.label === undefined));
    assert.deepEqual(markLines(all, diff, 2, 5), [], 'nothing has twice the whole run');
  });
});

describe('compareText: CodeLens, status bar and hover texts', () => {
  it('function lenses: changed, within noise, not sampled in one run, inlined', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const count = diff.functions.find((f) => f.name === 'countPrimes')!;
    assert.ok(functionMatters(count, diff, 0.01));
    const title = functionDeltaTitle(count, diff.unit);
    assert.match(
      title,
      /^\$\(diff\) \+\S+ (?:ms|s) · \+\d+% total \(\S+ (?:ms|s) → \S+ (?:ms|s)\) · self /,
    );
    assert.equal(
      functionDeltaTitle(base, 'microseconds'),
      '$(diff) not sampled in the earlier run: 5.00 ms total, 2.00 ms self',
    );
    assert.equal(
      functionDeltaTitle({ ...base, totalSignificant: false }, 'microseconds'),
      '$(diff) not sampled in the earlier run: 5.00 ms total, 2.00 ms self · within noise',
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
      '$(diff) not sampled in this run (was 3.00 ms total, 1.00 ms self)',
    );
    assert.equal(functionMatters({ ...gone, before: { self: 0, total: 0 } }, diff, 0), false);
    const both: FunctionDelta = {
      ...base,
      before: { self: 1000, total: 4000 },
      after: { self: 1100, total: 4200 },
      selfDelta: 100,
      totalDelta: 200,
      totalRatio: 0.05,
      totalSignificant: false,
      selfSignificant: false,
      inlined: 'before',
    };
    assert.equal(
      functionDeltaTitle(both, 'microseconds'),
      '$(diff) within noise: +200 µs · +5.0% total (4.00 ms → 4.20 ms) · self +100 µs · +10% · ' +
        'ran inlined in the earlier run (its lines counted)',
    );
    assert.equal(
      functionDeltaTitle({ ...both, selfSignificant: true, inlined: null }, 'microseconds'),
      '$(diff) +200 µs · +5.0% total (4.00 ms → 4.20 ms) (within noise) · self +100 µs · +10%',
    );
  });

  it('the changes beyond noise, most certain first, for the status bar tooltip', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const list = changeList(diff, 3);
    assert.ok(diff.changes.length >= 1);
    assert.equal(list.length, Math.min(3, diff.changes.length) + (diff.changes.length > 3 ? 1 : 0));
    for (const c of list.slice(0, 3)) {
      assert.match(c, /^(?:primes\.js:\d+|[\w$.() ]+:) [+-]\S+ (?:ms|s) · .*\(z = -?\d+\.\d\)$/);
    }
    if (diff.changes.length > 3) assert.equal(list[3], `and ${diff.changes.length - 3} more`);
    assert.deepEqual(changeList(diffProfiles(short, short)), [], 'a run against itself');
  });

  it('hover: before, after, the change, and whether it is beyond noise', () => {
    const diff = diffProfiles(short, long, { normalisation: 'none' });
    const line = [...diff.linesForFile(primesFile)].sort((a, b) => b.delta - a.delta)[0];
    const hover = lineHoverLines(line, diff);
    assert.match(
      hover[0],
      /^\*\*Heatlens\*\* · this line: before \S+ (?:ms|s) → after \S+ (?:ms|s), \+/,
    );
    assert.match(hover[1], /^Change beyond noise \(z = \d+\.\d\)\.$/);
    assert.match(hover[2], /^A change counts when \|z\| ≥ \d\.\d \(99% for all the lines/);
    assert.match(hover[3], /^Comparison not normalised: before/);
    const quiet = { ...line, significant: false, z: 1.23 };
    assert.match(lineHoverLines(quiet, diff)[1], /^Change within noise \(z = 1\.2\): /);
  });
});
