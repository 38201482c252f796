// Fixtures: test/fixtures/pysamples/*.pysamples.json, recorded by python/heatlens_profile.py
// (see record.sh beside them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { profileTotal } from '../core/profile';
import { ProfileFormatError } from './errors';
import { importPythonSamples, isPythonSamples } from './pysamples';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test', 'fixtures', 'pysamples');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

interface RawDoc {
  frames: [string, string | null, number | null][];
  stacks: { frames: number[]; lines: number[]; thread: string; weight: number; count: number }[];
  duration_s: number;
}

test('detection: by name, by content, and not other JSON', () => {
  const text = read('hot-cpu.pysamples.json');
  assert.ok(isPythonSamples('x.pysamples.json', ''));
  assert.ok(isPythonSamples('whatever.json', text));
  assert.ok(isPythonSamples(undefined, text));
  assert.ok(!isPythonSamples('a.cpuprofile', '{"nodes":[],"samples":[],"timeDeltas":[]}'));
  assert.ok(!isPythonSamples('a.json', '{"format":"something-else"}'));
});

test('a CPU profile: weights, the hot line, frame kinds and meta', () => {
  const text = read('hot-cpu.pysamples.json');
  const raw = JSON.parse(text) as RawDoc;
  const p = importPythonSamples(text, { sourceFile: 'hot-cpu.pysamples.json' });
  assert.equal(p.meta.profiler, 'heatlens-sampler');
  assert.equal(p.meta.clock, 'cpu');
  assert.equal(p.meta.unit, 'seconds');
  assert.equal(p.meta.intervalUs, 1000);
  assert.equal(p.meta.duration, raw.duration_s);
  assert.equal(p.meta.sourceFile, 'hot-cpu.pysamples.json');
  assert.equal(p.treeIsApproximate, false);
  assert.equal(p.samples, undefined);
  const sum = raw.stacks.reduce((s, x) => s + x.weight, 0);
  assert.ok(Math.abs(profileTotal(p) - sum) < 1e-9);
  // Self weight of lines: the leaf's current line only, so the line table adds up to the total.
  const lineSum = Array.from(p.lines.self).reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(lineSum - sum) < 1e-9);
  for (let i = 0; i < p.lines.count; i++) {
    assert.equal(basename(p.lines.files[p.lines.file[i]]), 'hot.py');
    assert.notEqual(p.frames[p.lines.frame[i]].name, '<module>');
    assert.notEqual(p.frames[p.lines.frame[i]].name, 'main');
  }
  const hotLine = readFileSync(join(fixtures, '..', 'pyprograms', 'hot.py'), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('# HOT LINE'));
  let best = -1;
  for (let i = 0; i < p.lines.count; i++) {
    if (best < 0 || p.lines.self[i] > p.lines.self[best]) best = i;
  }
  assert.equal(p.lines.line1[best], hotLine + 1);
  assert.equal(p.frames[p.lines.frame[best]].name, 'hot');
  const hot = p.frames.find((f) => f.name === 'hot')!;
  assert.equal(hot.kind, 'user');
  assert.equal(hot.line1, 8);
  assert.equal(hot.col1, null);
});

test('a wall-clock profile with threads: pseudo-frames at the roots, library frames', () => {
  const text = read('threaded-wall.pysamples.json');
  const raw = JSON.parse(text) as RawDoc;
  const p = importPythonSamples(text);
  assert.equal(p.meta.clock, 'wall');
  const t = p.tree;
  const rootNames: string[] = [];
  for (let i = 0; i < t.childCount[0]; i++) {
    rootNames.push(p.frames[t.frame[t.children[t.childStart[0] + i]]].name);
  }
  assert.deepEqual(
    [...rootNames].sort(),
    ['<module>', 'thread: worker-a', 'thread: worker-b'].sort(),
  );
  for (const f of p.frames) {
    if (f.name.startsWith('thread: ')) {
      assert.equal(f.kind, 'pseudo');
      assert.equal(f.file, null);
      assert.equal(f.line1, null);
    } else if (f.file!.endsWith('threading.py')) {
      assert.equal(f.kind, 'library', f.name);
    } else {
      assert.equal(basename(f.file!), 'threaded.py');
      assert.equal(f.kind, 'user', f.name);
    }
  }
  // Every stack of a worker thread carries its name.
  for (const s of raw.stacks) {
    const first = raw.frames[s.frames[0]][0];
    assert.equal(first, s.thread === 'MainThread' ? '<module>' : `thread: ${s.thread}`);
  }
});

test('bad input: a clear error naming the file', () => {
  const good = read('hot-cpu.pysamples.json');
  const cases: [string, RegExp][] = [
    ['not json at all', /"bad\.pysamples\.json" is not valid JSON/],
    [good.slice(0, good.length / 2), /is not valid JSON .*cut short/],
    ['{"format":"other"}', /is not a Heatlens Python samples file/],
    [good.replace('"version":1', '"version":2'), /version 2, newer .* update the Heatlens/],
    [good.replace(/"frames":\[\[/, '"frames":[[1,'), /has a frame \(#0\) that is not/],
    [
      good.replace(/"stacks":\[\{"frames":\[0/, '"stacks":[{"frames":[999'),
      /naming a frame \(999\)/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => importPythonSamples(text, { sourceFile: 'bad.pysamples.json' }),
      (error: Error) => {
        assert.ok(error instanceof ProfileFormatError);
        assert.equal(error.file, 'bad.pysamples.json');
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('line figures add up: self once per sample, library time below a call site as external', () => {
  // libcall.py spends most of its run in json.dumps, called from one line of its own.
  const text = read('libcall-cpu.pysamples.json');
  const raw = JSON.parse(text) as RawDoc;
  const p = importPythonSamples(text);
  const total = profileTotal(p);
  const selfSum = Array.from(p.lines.self).reduce((s, x) => s + x, 0);
  assert.ok(selfSum <= total + 1e-12, `line self adds up to ${selfSum} of ${total}`);
  const source = readFileSync(join(fixtures, '..', 'pyprograms', 'libcall.py'), 'utf8').split('\n');
  const callSite = source.findIndex((l) => l.includes('# CALL SITE')) + 1;
  // From the raw stacks: the time whose leaf is not in libcall.py and whose deepest libcall.py
  // frame stands on the call site.
  let below = 0;
  let own = 0;
  for (const s of raw.stacks) {
    const files = s.frames.map((f) => raw.frames[f][1] ?? '');
    const leafIsUser = files[files.length - 1].endsWith('libcall.py');
    let k = files.length - 1;
    while (k >= 0 && !files[k].endsWith('libcall.py')) k--;
    if (k < 0 || s.lines[k] !== callSite) continue;
    if (leafIsUser) own += s.weight;
    else below += s.weight;
  }
  assert.ok(below > 0.5 * total, `json.dumps below the call site: ${below} of ${total}`);
  let self = 0;
  let external = 0;
  for (let i = 0; i < p.lines.count; i++) {
    if (!p.lines.files[p.lines.file[i]].endsWith('libcall.py')) continue;
    if (p.lines.line1[i] !== callSite) continue;
    self += p.lines.self[i];
    external += p.lines.external?.[i] ?? 0;
  }
  assert.ok(Math.abs(self - own) < 1e-12, `self on the call site ${self}, raw ${own}`);
  assert.ok(
    Math.abs(external - below) < 1e-12,
    `external on the call site ${external}, raw ${below}`,
  );
});
