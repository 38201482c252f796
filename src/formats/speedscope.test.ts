import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionStats } from '../core/functionStats';
import type { Profile } from '../core/profile';
import { frameNamed } from '../../test/support/frames';
import { assertSameFigures, repoRoot, type SandwichRow } from '../../test/support/sandwich';
import { isCpuprofile } from './cpuprofile';
import { ProfileFormatError } from './errors';
import {
  importSpeedscope,
  importSpeedscopeValue,
  isSpeedscope,
  speedscopeChoices,
} from './speedscope';

const dir = join(repoRoot(__dirname), 'test/fixtures/speedscope');
const text = (name: string) => readFileSync(join(dir, name), 'utf8');
const load = (name: string) => importSpeedscope(text(name), { sourceFile: name });
const expected = (name: string): SandwichRow[] =>
  JSON.parse(text(name.replace(/\.speedscope\.json$/, '.expected.json'))).functions;

const FIXTURES = [
  'primes.cpuprofile.speedscope.json',
  'primes.folded.speedscope.json',
  'primes.sampled.speedscope.json',
];

test("per-function self and total equal speedscope's own reading of each fixture", () => {
  for (const name of FIXTURES) {
    const p = load(name);
    assert.deepEqual(p.meta.warnings, [], name);
    assertSameFigures(p, expected(name), name);
  }
});

test('units, meta and samples: evented profiles yield time-ordered samples that add up', () => {
  const p = load('primes.cpuprofile.speedscope.json');
  assert.equal(p.meta.profiler, 'speedscope');
  assert.equal(p.meta.unit, 'microseconds');
  assert.equal(p.meta.sourceFile, 'primes.cpuprofile.speedscope.json');
  const raw = JSON.parse(text('primes.cpuprofile.speedscope.json'));
  assert.equal(p.meta.duration, raw.profiles[0].endValue - raw.profiles[0].startValue);
  assert.ok(p.samples && p.samples.count > 10);
  let sum = 0;
  for (let i = 0; i < p.samples.count; i++) {
    sum += p.samples.weight[i];
    if (i > 0)
      assert.ok(p.samples.start[i] >= p.samples.start[i - 1] + p.samples.weight[i - 1] - 1e-6);
  }
  assert.ok(Math.abs(sum - p.tree.total[0]) < 1e-6 * sum);
  // The sampled fixture counts perf samples: unit none, samples back to back.
  const s = load('primes.sampled.speedscope.json');
  assert.equal(s.meta.unit, 'none');
  const sampled = JSON.parse(text('primes.sampled.speedscope.json')).profiles[0];
  assert.equal(
    s.tree.total[0],
    sampled.weights.reduce((a: number, b: number) => a + b, 0),
  );
  assert.equal(
    s.samples?.count,
    JSON.parse(text('primes.sampled.speedscope.json')).profiles[0].samples.length,
  );
});

test('frames: files become paths, 1-based positions kept, kinds guessed', () => {
  const p = load('primes.cpuprofile.speedscope.json');
  const count = frameNamed(p, 'countPrimes');
  assert.match(count.file ?? '', /^\/.*\/examples\/js\/primes\.js$/);
  assert.equal(count.line1, 12);
  assert.equal(count.col1, 21);
  assert.equal(count.kind, 'user');
  assert.equal(frameNamed(p, '(anonymous run_main_module:1)').kind, 'runtime');
  // In a JavaScript profile a frame without a file is V8's (as the .cpuprofile reader has it).
  assert.equal(frameNamed(p, 'callAndPauseOnStart').kind, 'runtime');
  const top = functionStats(p).filter((f) => f.frame.kind === 'user');
  assert.equal(top[0].frame.name, '(anonymous primes.js:1)');
  // perf names without files: kernel and unknown frames are the runtime's.
  const folded = load('primes.folded.speedscope.json');
  assert.equal(folded.frames.find((f) => f.name === '[unknown]')?.kind, 'runtime');
});

test('detection: by name, then by content; other JSON formats are not speedscope', () => {
  for (const name of FIXTURES) {
    assert.ok(isSpeedscope(name, ''));
    assert.ok(isSpeedscope(undefined, text(name)), `${name} by content`);
    assert.ok(!isCpuprofile(undefined, text(name)), `${name} is not a cpuprofile`);
  }
  const cpuprofile = readFileSync(
    join(repoRoot(__dirname), 'examples/profiles/primes.cpuprofile'),
    'utf8',
  );
  assert.ok(!isSpeedscope('primes.cpuprofile', cpuprofile));
  assert.ok(!isSpeedscope(undefined, '{"traceEvents": []}'));
  // py-spy writes `profiles` before `shared` and no $schema near the start.
  const pyspy = JSON.stringify({
    profiles: [
      {
        type: 'sampled',
        name: 'py',
        unit: 'seconds',
        startValue: 0,
        endValue: 1,
        samples: [[0]],
        weights: [1],
      },
    ],
    shared: { frames: [{ name: 'main', file: '/app/main.py', line: 3 }] },
  });
  assert.ok(isSpeedscope(undefined, pyspy));
  const py = importSpeedscope(pyspy);
  assert.deepEqual(py.frames[0], {
    name: 'main',
    file: '/app/main.py',
    line1: 3,
    col1: null,
    kind: 'user',
  });
  assert.equal(py.meta.unit, 'seconds');
});

/** One file holding the evented and the sampled fixture's profiles (frames shared). */
function twoProfiles(): unknown {
  const a = JSON.parse(text('primes.cpuprofile.speedscope.json'));
  const b = JSON.parse(text('primes.sampled.speedscope.json'));
  const shift = a.shared.frames.length;
  const sampled = b.profiles[0];
  return {
    ...a,
    shared: { frames: [...a.shared.frames, ...b.shared.frames] },
    profiles: [
      a.profiles[0],
      { ...sampled, samples: sampled.samples.map((s: number[]) => s.map((f) => f + shift)) },
    ],
  };
}

test('every profile of a file is a choice; each imports as it does alone', () => {
  const value = twoProfiles();
  const choices = speedscopeChoices(value);
  assert.deepEqual(
    choices.map((c) => c.id),
    ['0', '1'],
  );
  assert.match(choices[0].label, /^primes\.cpuprofile \(evented, \d+ ms\)$/);
  const sampledEnd = JSON.parse(text('primes.sampled.speedscope.json')).profiles[0].endValue;
  assert.equal(choices[1].label, `perf primes (sampled, ${sampledEnd})`);
  assert.match(choices[0].detail ?? '', /^\d+ events$/);
  const first = importSpeedscopeValue(value, { sourceFile: 'two.json' });
  assertSameFigures(first, expected('primes.cpuprofile.speedscope.json'), 'choice 0 (default)');
  const second = importSpeedscopeValue(value, { sourceFile: 'two.json', choice: '1' });
  assertSameFigures(second, expected('primes.sampled.speedscope.json'), 'choice 1');
  const fractions: number[] = [];
  importSpeedscopeValue(value, { choice: '1', onProgress: (f) => fractions.push(f) });
  assert.equal(fractions.at(-1), 1);
  assert.throws(
    () => importSpeedscopeValue(value, { sourceFile: 'two.json', choice: '2' }),
    (e: unknown) =>
      e instanceof ProfileFormatError && /"two\.json" has no profile "2"/.test(e.message),
  );
});

const named = (what: RegExp) => (e: unknown) =>
  e instanceof ProfileFormatError &&
  e.file === 'bad.json' &&
  what.test(e.message) &&
  e.message.includes('"bad.json"');

test('damaged and wrong files get an error naming the file', () => {
  const whole = text('primes.cpuprofile.speedscope.json');
  const opts = { sourceFile: 'bad.json' };
  assert.throws(() => importSpeedscope(whole.slice(0, whole.length / 2), opts), named(/cut short/));
  assert.throws(() => importSpeedscope('', opts), named(/is empty/));
  assert.throws(() => importSpeedscope('not json at all', opts), named(/is not JSON/));
  assert.throws(() => importSpeedscope('{"a": 1}', opts), named(/no "profiles" list/));
  assert.throws(() => importSpeedscope('[1, 2]', opts), named(/JSON list/));
  assert.throws(
    () => importSpeedscope('{"profiles": [], "shared": {"frames": []}}', opts),
    named(/holds no profiles/),
  );
  assert.throws(
    () => importSpeedscope('{"profiles": [{"type": "flame"}], "shared": {"frames": []}}', opts),
    named(/neither "evented" nor "sampled"/),
  );
  assert.throws(
    () => importSpeedscope('{"profiles": [{"type": "evented"}], "shared": {"frames": []}}', opts),
    named(/without an "events" list/),
  );
});

function evented(events: { type: string; at: number; frame: number }[], endValue = 100): unknown {
  return {
    shared: { frames: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
    profiles: [
      { type: 'evented', name: 'x', unit: 'milliseconds', startValue: 0, endValue, events },
    ],
  };
}

function figures(p: Profile): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const s of functionStats(p)) out[s.frame.name] = [s.self, s.total];
  return out;
}

test('unbalanced and out-of-order events are repaired with a warning, not refused', () => {
  // A close of a frame below the top closes the frames above it.
  const early = importSpeedscopeValue(
    evented([
      { type: 'O', at: 0, frame: 0 },
      { type: 'O', at: 10, frame: 1 },
      { type: 'O', at: 20, frame: 2 },
      { type: 'C', at: 30, frame: 0 },
      { type: 'C', at: 40, frame: 1 }, // no longer open: ignored
    ]),
  );
  assert.deepEqual(figures(early), { a: [10, 30], b: [10, 20], c: [10, 10] });
  assert.match(
    early.meta.warnings.join(' '),
    /unbalanced: 1 close of a frame below the top.*1 close of a frame that was not open/,
  );
  // Frames left open are closed at endValue; an earlier event happens when the one before did.
  const open = importSpeedscopeValue(
    evented([
      { type: 'O', at: 0, frame: 0 },
      { type: 'O', at: 50, frame: 1 },
      { type: 'O', at: 40, frame: 2 },
    ]),
  );
  assert.deepEqual(figures(open), { a: [50, 100], b: [0, 50], c: [50, 50] });
  assert.match(open.meta.warnings.join(' '), /1 event is earlier than the event before/);
  assert.match(open.meta.warnings.join(' '), /3 frames were still open/);
  // Events naming missing frames or of no known type are skipped.
  const junk = importSpeedscopeValue(
    evented([
      { type: 'O', at: 0, frame: 7 },
      { type: 'X', at: 0, frame: 0 },
      { type: 'O', at: 0, frame: 0 },
      { type: 'C', at: 5, frame: 0 },
    ]),
  );
  assert.deepEqual(figures(junk), { a: [5, 5] });
  assert.equal(junk.meta.warnings.length, 2);
});

test('negative, NaN and missing weights are skipped with a warning', () => {
  const value = {
    shared: { frames: [{ name: 'a' }, { name: 'b' }] },
    profiles: [
      {
        type: 'sampled',
        name: 'w',
        unit: 'bytes',
        startValue: 0,
        endValue: 10,
        samples: [[0], [0, 1], [1], [0], 'nope'],
        weights: [4, -1, NaN, 6, 1, 99],
      },
    ],
  };
  const p = importSpeedscopeValue(value);
  assert.equal(p.meta.unit, 'bytes');
  assert.deepEqual(figures(p), { a: [10, 10] });
  const warnings = p.meta.warnings.join(' ');
  assert.match(warnings, /2 samples have weights that are negative or not a number/);
  assert.match(warnings, /1 sample is not a list of frame indexes/);
  assert.match(warnings, /5 samples but 6 weights/);
  const text = JSON.stringify(value).replace('null', '"NaN"');
  assert.deepEqual(figures(importSpeedscope(text)), { a: [10, 10] });
});

test('absurdly deep stacks (100k frames) and markup in names import cleanly', () => {
  const depth = 100_000;
  const frames = Array.from({ length: depth }, (_, i) => ({
    name: `<img src=x onerror=alert(${i})>`,
  }));
  const events: { type: string; at: number; frame: number }[] = [];
  for (let i = 0; i < depth; i++) events.push({ type: 'O', at: i, frame: i });
  for (let i = depth - 1; i >= 0; i--) events.push({ type: 'C', at: 2 * depth - i, frame: i });
  const deep = importSpeedscopeValue({
    shared: { frames },
    profiles: [
      {
        type: 'evented',
        name: '</script><b>x</b>',
        unit: 'none',
        startValue: 0,
        endValue: 2 * depth + 1,
        events,
      },
    ],
  });
  assert.equal(deep.tree.size, depth + 1);
  assert.equal(deep.frames[0].name, '<img src=x onerror=alert(0)>');
  assert.equal(functionStats(deep)[0].total, 2 * depth);
  const sampled = importSpeedscopeValue({
    shared: { frames: [{ name: 'r' }] },
    profiles: [
      {
        type: 'sampled',
        unit: 'none',
        startValue: 0,
        endValue: 1,
        samples: [new Array(depth).fill(0)],
        weights: [1],
      },
    ],
  });
  assert.equal(sampled.tree.size, depth + 1);
  const stat = functionStats(sampled)[0];
  assert.deepEqual([stat.self, stat.total], [1, 1]);
  // Labels stay one short line whatever the name holds.
  const choices = speedscopeChoices({
    profiles: [{ type: 'sampled', name: 'a\nb'.repeat(100), unit: 'none' }],
  });
  assert.ok(!choices[0].label.includes('\n') && choices[0].label.length < 140);
});
