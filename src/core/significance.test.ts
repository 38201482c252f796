import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileBuilder, type Frame } from './profile';
import {
  MIN_TYPICAL_ITEMS,
  changeSigma,
  changeZ,
  criticalZ,
  estimateDispersion,
  isSignificant,
  localGrain,
  median,
  sampleSquares,
  noiseModel,
  normalQuantile,
  typicalRatio,
  type NoiseParams,
} from './significance';

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} vs ${expected}`);

test('normalQuantile: the standard normal table', () => {
  close(normalQuantile(0.5), 0, 1e-9);
  close(normalQuantile(0.975), 1.959963985, 1e-8);
  close(normalQuantile(0.995), 2.575829304, 1e-8);
  close(normalQuantile(1 - 5e-5), 3.890591886, 1e-7);
  close(normalQuantile(0.01), -2.326347874, 1e-8);
  close(normalQuantile(1e-10), -6.361340902, 1e-6);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
});

test('criticalZ: two-sided Bonferroni at the family-wise error', () => {
  close(criticalZ(1, 0.05), 1.959963985, 1e-8);
  close(criticalZ(100, 0.01), 3.890591886, 1e-7, '100 lines at 1%');
  close(criticalZ(1000, 0.01), 4.417173414, 1e-6, '1000 lines at 1%');
  assert.ok(criticalZ(0, 0.01) === criticalZ(1, 0.01), 'an empty family is one test');
});

const unit: NoiseParams = {
  beforeGrain: 1,
  afterGrain: 1,
  dispersion: 1,
  minRelative: 0,
  minChange: 0,
};

test('changeZ: two Poisson counts, pooled', () => {
  // 0 against 16 samples is 4 standard errors, 0 against 1 is one: a line seen once means nothing.
  close(changeZ(0, 16, unit), 4, 1e-12);
  close(changeZ(0, 1, unit), 1, 1e-12);
  close(changeZ(100, 100, unit), 0, 0);
  close(changeZ(100, 144, unit), 44 / Math.sqrt(244), 1e-12);
  close(changeZ(144, 100, unit), -44 / Math.sqrt(244), 1e-12);
  // Weights of 2 units per sample: the same counts, the same z.
  const two = { ...unit, beforeGrain: 2, afterGrain: 2 };
  close(changeZ(200, 288, two), 44 / Math.sqrt(244), 1e-12);
  // Unequal grains: the conditional binomial score test, n_B ~ Bin(n, c / (1 + c)).
  const p = { ...unit, beforeGrain: 3, afterGrain: 1 };
  const [nA, nB] = [30, 120];
  const c = 3;
  const pi = c / (1 + c);
  const n = nA + nB;
  close(changeZ(nA * 3, nB, p), (nB - n * pi) / Math.sqrt(n * pi * (1 - pi)), 1e-9);
  // Dispersion widens the error.
  close(changeSigma(100, 100, { ...unit, dispersion: 4 }), 2 * Math.sqrt(200), 1e-9);
  assert.equal(changeZ(0, 0, unit), 0);
});

test('isSignificant: beyond z, beyond x1.1 or /1.1 by the margin, and at least minChange', () => {
  const p = { ...unit, minRelative: 0.1, minChange: 5 };
  // 1000 -> 1300 samples: z = 300 / sqrt(2300) = 6.3; beyond 10% by 200, 4.2 sigma.
  assert.equal(isSignificant(1000, 1300, p, 3.9), true);
  // 1000 -> 1150: z = 3.0 and only 50 beyond the 10% band (1.0 sigma).
  assert.equal(isSignificant(1000, 1150, p, 2.9), false);
  assert.equal(isSignificant(1000, 1150, { ...p, minRelative: 0 }, 2.9), true);
  // A huge run: +5% is certain (z = 11) but inside the 10% band.
  assert.equal(isSignificant(1e5, 1.05e5, p, 3.9), false);
  // Appeared: no band, the count decides.
  assert.equal(isSignificant(0, 16, p, 3.9), true);
  assert.equal(isSignificant(0, 3, p, 1), false, 'under minChange');
  assert.equal(isSignificant(0, 10, p, 3.9), false, 'ten samples are 3.2 sigma');
  // Vanished works the same way; the band is symmetric in ratio.
  assert.equal(isSignificant(16, 0, p, 3.9), true);
  assert.equal(isSignificant(1300, 1000, p, 3.9), true);
  assert.equal(isSignificant(1e5, 1.05e5 / 1.1, p, 3.9), false, 'x0.955: inside the band');
  assert.equal(isSignificant(100, 100, p, 0), false);
});

test('sampleSquares and localGrain: a pause that landed on one function is its own grain', () => {
  const b = new ProfileBuilder();
  const main = b.frame(frame('main'));
  const f = b.frame(frame('f'));
  const g = b.frame(frame('g'));
  const nf = b.child(b.child(0, main), f);
  const ng = b.child(b.child(0, main), g);
  let t = 0;
  const sample = (node: number, w: number) => {
    b.addSample(node, w, t);
    t += w;
  };
  for (let i = 0; i < 100; i++) sample(nf, 1);
  for (let i = 0; i < 10; i++) sample(ng, 1);
  sample(ng, 100); // the process was paused while g ran
  const p = b.build({ profiler: 'v8', clock: 'wall', unit: 'milliseconds' });
  const sq = sampleSquares(p)!;
  assert.equal(sq.frameSelf[f], 100);
  assert.equal(sq.frameSelf[g], 10 + 10000);
  assert.equal(sq.frameTotal[main], 100 + 10 + 10000);
  const run = noiseModel(p).grain;
  close(run, 10110 / 210, 1e-12, 'run grain');
  assert.equal(localGrain(100, sq.frameSelf[f], run), run, "f's short samples: the run's grain");
  close(localGrain(110, sq.frameSelf[g], run), 10010 / 110, 1e-12, "g's own, coarser");
  assert.equal(localGrain(0, 0, run), run);
});

test('isSignificant: a long sample alone is no change (at least 10 equivalent samples)', () => {
  const p = { ...unit, minRelative: 0.1 };
  // 3 ms before in 1 ms samples; after, 2 ms and one 100 ms pause: one sample of about 98 ms.
  const item = { before: 1, after: 10002 / 102 };
  assert.equal(isSignificant(3, 102, p, 3.6, item), false);
  // With the run's 1 ms grain it would read as 102 samples against 3.
  assert.equal(isSignificant(3, 102, p, 3.6), true);
});

const frame = (name: string): Frame => ({
  name,
  file: '/app/a.js',
  line1: 1,
  col1: 1,
  kind: 'user',
});

test('noiseModel: sample weights, interval, counts, exact', () => {
  const b = new ProfileBuilder();
  const f = b.frame(frame('f'));
  const node = b.child(0, f);
  // Three samples of 1 ms and one of 3 ms: grain = (1 + 1 + 1 + 9) / 6 = 2 ms.
  let t = 0;
  for (const w of [1000, 1000, 1000, 3000]) {
    b.addSample(node, w, t);
    t += w;
  }
  const sampled = b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
  const model = noiseModel(sampled);
  assert.equal(model.grain, 2000);
  assert.equal(model.source, 'samples');
  // Squares per node (self, and subtree) and per frame.
  assert.deepEqual(Array.from(model.squares!.nodeSelf), [0, 12e6]);
  assert.deepEqual(Array.from(model.squares!.nodeTotal), [12e6, 12e6]);
  assert.equal(model.squares!.frameSelf[f], 12e6);
  assert.equal(model.squares!.frameTotal[f], 12e6);

  const stacks = (meta: Partial<Parameters<ProfileBuilder['build']>[0]>, graph = false) => {
    const x = new ProfileBuilder();
    x.addStack([x.frame(frame('g'))], 0.5);
    if (graph) {
      x.setCallGraph({
        functions: [{ frame: 0, calls: 1, primitiveCalls: 1, self: 0.5, total: 0.5 }],
        edges: [],
      });
    }
    return x.build({ profiler: 'p', clock: 'cpu', unit: 'seconds', ...meta });
  };
  assert.deepEqual(noiseModel(stacks({ intervalUs: 4000 })), { grain: 0.004, source: 'interval' });
  assert.equal(noiseModel(stacks({ intervalUs: 4000 })).squares, undefined);
  // A count of samples beats the requested interval (the kernel tick may be coarser).
  assert.deepEqual(noiseModel(stacks({ intervalUs: 1000, sampleCount: 125 })), {
    grain: 0.004,
    source: 'counts',
  });
  assert.deepEqual(noiseModel(stacks({ unit: 'samples' })), { grain: 1, source: 'counts' });
  assert.deepEqual(noiseModel(stacks({}, true)), { grain: 0.001, source: 'exact' });
  assert.deepEqual(noiseModel(stacks({ unit: 'none' }, true)), { grain: 1, source: 'exact' });
});

test('typicalRatio: the median change of lines with enough samples', () => {
  const grain = 1;
  const items = [
    { before: 100, after: 120 },
    { before: 200, after: 240 },
    { before: 50, after: 60 },
    { before: 300, after: 900 }, // the one that changed
    { before: 80, after: 96 },
    { before: 3, after: 40 }, // too few samples? 43: counts
    { before: 1, after: 5 }, // 6 samples: left out
  ];
  const t = typicalRatio(items, grain, grain)!;
  close(t.ratio, 1.2, 1e-12);
  assert.equal(t.items, 6);
  assert.equal(typicalRatio(items.slice(0, MIN_TYPICAL_ITEMS - 1), grain, grain), null);
  // Mostly lines of one run only: two different programs, no typical change.
  const disjoint = [0, 0, 0, 1, 1].map((k) => ({ before: k * 50, after: (1 - k) * 50 }));
  assert.equal(typicalRatio(disjoint, grain, grain), null);
});

test('estimateDispersion: median z^2 over chi-square median; null with few items', () => {
  // Items with |z| = 2 exactly: dispersion 4 / 0.4549.
  const items: { before: number; after: number }[] = [];
  for (let k = 0; k < 9; k++) {
    const n = 100 + 50 * k;
    // after - before = 2 sqrt(before + after): solve a = n + d with d = 2 sqrt(2n + d).
    const d = 2 + Math.sqrt(4 + 8 * n);
    items.push(k % 2 ? { before: n, after: n + d } : { before: n + d, after: n });
  }
  close(estimateDispersion(items, 1, unit)!, 4 / 0.454936423119572, 1e-9);
  assert.equal(estimateDispersion(items.slice(0, 7), 1, unit), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
