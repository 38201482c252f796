import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCpuprofile, isCpuprofile } from './cpuprofile';
import { exportCpuprofile } from './exportCpuprofile';
import { importTraceEvents } from './traceEvents';
import { functionStats } from '../core/functionStats';
import { hotLines } from '../core/lineHeat';
import { profileTotal, type Profile } from '../core/profile';
import { repoRoot } from '../../test/support/repoRoot';
import { frameFigures as perFrame, near } from '../../test/support/frameFigures';

const fixture = (name: string) => join(repoRoot(), 'test/fixtures', name);
const load = (name: string) =>
  importCpuprofile(readFileSync(fixture(name), 'utf8'), { sourceFile: name });

test("export then import keeps every frame's self and total, and the lines", () => {
  for (const name of [
    'node/hot.cpuprofile',
    'node/recursive.cpuprofile',
    'node/hot.old.cpuprofile',
  ]) {
    const p = load(name);
    const text = exportCpuprofile(p);
    assert.ok(isCpuprofile(undefined, text), 'the export is recognised without a name');
    const q = importCpuprofile(text);
    const a = perFrame(p);
    const b = perFrame(q);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [key, v] of a) {
      near(b.get(key)?.self ?? NaN, v.self, `${name} ${key} self`);
      near(b.get(key)?.total ?? NaN, v.total, `${name} ${key} total`);
    }
    assert.equal(q.samples?.count, p.samples?.count);
    // Line heat: each file's lines add up to the same self time, the hottest line stays the
    // hottest, and each line keeps its weight to within a few sample intervals (whole ticks).
    const interval = p.tree.total[0] / (p.samples?.count ?? 1);
    const byFile = (x: Profile) => {
      const m = new Map<string, Map<number, number>>();
      for (const l of hotLines(x)) {
        if (!m.has(l.file)) m.set(l.file, new Map());
        m.get(l.file)?.set(l.line1, l.self);
      }
      return m;
    };
    const fa = byFile(p);
    const fb = byFile(q);
    assert.deepEqual([...fb.keys()].sort(), [...fa.keys()].sort());
    for (const [file, la] of fa) {
      const lb = fb.get(file) ?? new Map<number, number>();
      const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      near(sum(lb), sum(la), `${name} ${file} line sum`);
      const top = (m: Map<number, number>) => [...m].sort((a, b) => b[1] - a[1])[0][1];
      near(top(lb), top(la), `${name} ${file} hottest line`, (3 * interval) / top(la));
      for (const [line, w] of la) {
        assert.ok(Math.abs((lb.get(line) ?? 0) - w) <= 3 * interval, `${name} ${file}:${line}`);
      }
    }
  }
});

test('export of a model without samples keeps self exactly', () => {
  const p = load('node/recursive.cpuprofile');
  const noSamples: Profile = { ...p, samples: undefined };
  const q = importCpuprofile(exportCpuprofile(noSamples));
  const a = perFrame(p);
  const b = perFrame(q);
  for (const [key, v] of a) near(b.get(key)?.self ?? NaN, v.self, `${key} self`);
});

test('samples too uneven for the last-sample rule are written as the tree, every figure kept', () => {
  // A trace's spans: a 30 ms collection beside 1 µs events. V8's format gives its last sample
  // the mean interval; splitting samples to fit would take millions of pieces.
  const p = importTraceEvents(readFileSync(fixture('trace-events/node_trace.1.log'), 'utf8'));
  assert.ok(p.samples && p.samples.count > 1);
  const q = importCpuprofile(exportCpuprofile(p));
  near(profileTotal(q), profileTotal(p), 'total');
  // By name: a frame without a script reads back as V8's runtime kind.
  const byName = (x: Profile) => new Map(functionStats(x).map((f) => [f.frame.name, f]));
  const a = byName(p);
  const b = byName(q);
  assert.ok(a.size > 10);
  for (const [name, v] of a) {
    near(b.get(name)?.self ?? NaN, v.self, `${name} self`);
    near(b.get(name)?.total ?? NaN, v.total, `${name} total`);
  }
});
