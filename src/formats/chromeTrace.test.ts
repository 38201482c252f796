import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionStats } from '../core/functionStats';
import type { Profile } from '../core/profile';
import { repoRoot } from '../../test/support/sandwich';
import {
  chromeTraceChoices,
  importChromeTrace,
  importChromeTraceValue,
  isChromeTrace,
} from './chromeTrace';
import { importCpuprofile, isCpuprofile } from './cpuprofile';
import { ProfileFormatError } from './errors';
import { isSpeedscope } from './speedscope';

const root = repoRoot(__dirname);
const NAME = 'primes.trace.json';
const text = readFileSync(join(root, 'test/fixtures/chrome-trace', NAME), 'utf8');
const parsed = () => JSON.parse(text) as { traceEvents: Record<string, unknown>[] };

function figures(p: Profile): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const s of functionStats(p)) {
    const key = `${s.frame.name} ${s.frame.file ?? ''}:${s.frame.line1 ?? ''}`;
    const e = out.get(key) ?? [0, 0];
    out.set(key, [e[0] + s.self, e[1] + s.total]);
  }
  return out;
}

/**
 * The chosen profile written out as a `.cpuprofile` by hand, straight from the events, for the
 * `.cpuprofile` reader: the trace must give what that file gives (DevTools' own reading).
 */
function asCpuprofile(pid: number, id: string): string {
  const events = parsed().traceEvents;
  const start = events.find((e) => e.name === 'Profile' && e.pid === pid && e.id === id) as {
    args: { data: { startTime: number } };
  };
  const nodes: { id: number; callFrame: unknown; children?: number[]; parent?: number }[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== pid || e.id !== id) continue;
    const data = (e.args as { data: unknown }).data as {
      cpuProfile: { nodes?: typeof nodes; samples?: number[] };
      timeDeltas?: number[];
    };
    for (const n of data.cpuProfile.nodes ?? []) nodes.push({ ...n });
    samples.push(...(data.cpuProfile.samples ?? []));
    timeDeltas.push(...(data.timeDeltas ?? []));
  }
  for (const n of nodes) {
    const parent = nodes.find((p) => p.id === n.parent);
    if (parent) (parent.children ??= []).push(n.id);
    delete n.parent;
  }
  const startTime = start.args.data.startTime;
  const endTime = startTime + timeDeltas.reduce((a, b) => a + b, 0);
  return JSON.stringify({ nodes, startTime, endTime, samples, timeDeltas });
}

test('each thread with a CPU profile is a choice, named after its thread', () => {
  const choices = chromeTraceChoices(parsed());
  assert.equal(choices.length, 2);
  assert.deepEqual(
    choices.map((c) => c.id),
    ['0', '1'],
  );
  assert.match(choices[0].label, /^CrRendererMain \(\d+(\.\d+)? (ms|s)\)$/);
  assert.match(choices[1].label, /^DedicatedWorker thread \(\d+(\.\d+)? (ms|s)\)$/);
  assert.match(choices[0].detail ?? '', /^pid \d+, \d+ samples$/);
});

test("the same figures as the .cpuprofile of the same samples (Chrome DevTools' reading)", () => {
  const events = parsed().traceEvents;
  const profiles = events.filter((e) => e.name === 'Profile');
  assert.equal(profiles.length, 2);
  profiles.forEach((e, i) => {
    const p = importChromeTrace(text, { sourceFile: NAME, choice: String(i) });
    assert.equal(p.meta.profiler, 'chrome-trace');
    assert.equal(p.meta.unit, 'microseconds');
    assert.equal(p.meta.sourceFile, NAME);
    const reference = importCpuprofile(asCpuprofile(e.pid as number, e.id as string));
    // The page's profile has a sample stamped before its predecessor: both say so.
    assert.deepEqual(p.meta.warnings, reference.meta.warnings);
    assert.deepEqual(figures(p), figures(reference), `profile ${i}`);
    assert.equal(p.tree.total[0], reference.tree.total[0]);
  });
});

test('the hot functions and their lines are found in the page and in the worker', () => {
  const page = importChromeTrace(text, { sourceFile: NAME });
  const user = functionStats(page).filter((s) => s.frame.kind === 'user');
  const heavy = [...user].sort((a, b) => b.self - a.self)[0];
  assert.equal(heavy.frame.name, 'isPrime');
  assert.equal(heavy.frame.file, 'http://heatlens.test/primes.html');
  assert.ok(heavy.self > 0.3 * page.tree.total[0]);
  // Per-sample lines (the `lines` arrays) become line heat inside the page's functions.
  const file = page.lines.files.indexOf('http://heatlens.test/primes.html');
  assert.ok(file >= 0);
  let lineSum = 0;
  for (let c = 0; c < page.lines.count; c++)
    if (page.lines.file[c] === file) lineSum += page.lines.self[c];
  assert.ok(lineSum > 0.5 * heavy.self);
  const worker = importChromeTrace(text, { sourceFile: NAME, choice: '1' });
  const names = functionStats(worker).map((s) => `${s.frame.name} ${s.frame.file}`);
  assert.ok(names.includes('isPrime http://heatlens.test/worker.js'));
  assert.ok(!names.some((n) => n.includes('primes.html')), 'one thread only');
});

test('detection by content whatever the name; not mistaken for other JSON formats', () => {
  assert.ok(isChromeTrace(undefined, text));
  assert.ok(isChromeTrace('Trace-20260101T120000.json', text));
  assert.ok(!isCpuprofile(undefined, text));
  assert.ok(!isSpeedscope(undefined, text));
  const list = JSON.stringify(parsed().traceEvents);
  assert.ok(isChromeTrace(undefined, list));
  const cpuprofile = readFileSync(join(root, 'examples/profiles/primes.cpuprofile'), 'utf8');
  assert.ok(!isChromeTrace('primes.cpuprofile', cpuprofile));
  assert.ok(!isChromeTrace(undefined, 'a;b 1\n'));
});

test('a bare event list, even one cut short, reads like the object form', () => {
  const events = parsed().traceEvents;
  const whole = figures(importChromeTrace(text));
  assert.deepEqual(figures(importChromeTrace(JSON.stringify(events))), whole);
  // Chrome writes traces as a list it may never close: the viewer accepts that, and so do we.
  const open = JSON.stringify(events).slice(0, -1) + ',\n';
  assert.deepEqual(figures(importChromeTrace(open)), whole);
  // The older single-event form (`CpuProfile` with the whole profile).
  const e = events.find((x) => x.name === 'Profile') as { pid: number; id: string };
  const cpuProfile = JSON.parse(asCpuprofile(e.pid, e.id));
  const old = importChromeTraceValue([
    { name: 'CpuProfile', ph: 'I', pid: 1, tid: 1, ts: 0, args: { data: { cpuProfile } } },
  ]);
  assert.deepEqual(figures(old), whole);
});

test('damaged, empty and wrong traces get an error naming the file', () => {
  const named = (what: RegExp) => (e: unknown) =>
    e instanceof ProfileFormatError &&
    e.file === 't.json' &&
    what.test(e.message) &&
    e.message.startsWith('"t.json"');
  const opts = { sourceFile: 't.json' };
  assert.throws(() => importChromeTrace(text.slice(0, text.length / 2), opts), named(/cut short/));
  assert.throws(() => importChromeTrace('', opts), named(/is empty/));
  assert.throws(() => importChromeTrace('hello', opts), named(/is not JSON/));
  assert.throws(() => importChromeTrace('{"nodes": []}', opts), named(/neither a list of events/));
  assert.throws(
    () => importChromeTrace('{"traceEvents": [{"name": "x", "ph": "X"}]}', opts),
    named(/without CPU profiles/),
  );
  assert.throws(
    () => importChromeTrace(text, { ...opts, choice: '7' }),
    named(/has no profile "7"/),
  );
  // A chunk whose deltas do not match its samples. (A node naming a parent the trace does not
  // hold is a trace that lost its start: read with a warning, see the ring-buffer test.)
  const events = parsed().traceEvents;
  const broken = structuredClone(events);
  const chunk = broken.find((x) => x.name === 'ProfileChunk') as {
    args: { data: { timeDeltas: number[] } };
  };
  chunk.args.data.timeDeltas.pop();
  assert.throws(() => importChromeTraceValue(broken, opts), named(/samples but \d+ time deltas/));
});

test('hostile traces: 100k-deep node chains, negative deltas and markup in names', () => {
  const depth = 100_000;
  const nodes: object[] = [{ id: 1, callFrame: { functionName: '(root)', scriptId: 0 } }];
  for (let i = 2; i <= depth + 1; i++) {
    nodes.push({
      id: i,
      parent: i - 1,
      callFrame: {
        functionName: `<b>f${i}</b>`,
        url: 'http://x/a.js',
        lineNumber: 1,
        columnNumber: 1,
        scriptId: 1,
      },
    });
  }
  const events = [
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: '</script>\nmain' } },
    { name: 'Profile', ph: 'P', pid: 1, tid: 1, id: '0x1', args: { data: { startTime: 0 } } },
    {
      name: 'ProfileChunk',
      ph: 'P',
      pid: 1,
      tid: 2,
      id: '0x1',
      args: {
        data: {
          cpuProfile: { nodes, samples: [depth + 1, depth + 1, 2] },
          timeDeltas: [10, 100, -50],
        },
      },
    },
  ];
  const choices = chromeTraceChoices(events);
  assert.equal(choices[0].label.includes('\n'), false);
  const p = importChromeTraceValue(events);
  assert.equal(p.tree.size, depth + 1);
  assert.equal(p.frames[0].name, '<b>f2</b>');
  for (const s of functionStats(p)) assert.ok(s.self >= 0 && Number.isFinite(s.total));
});

test('a ring-buffer trace that lost its first chunks opens, its lost time kept and named', () => {
  // ring.trace.json (record-ring.mjs): Chrome overwrote the page profile's first chunks, so a
  // node names a parent the trace does not hold and most samples name nodes it does not hold.
  const ringName = 'ring.trace.json';
  const ringText = readFileSync(join(root, 'test/fixtures/chrome-trace', ringName), 'utf8');
  interface RawNode {
    id: number;
    parent?: number;
    callFrame: { functionName: string };
  }
  interface RawChunk {
    name: string;
    args: {
      data: { cpuProfile: { nodes?: RawNode[]; samples?: number[] }; timeDeltas?: number[] };
    };
  }
  const events = (JSON.parse(ringText) as { traceEvents: RawChunk[] }).traceEvents;
  const chunks = events.filter((e) => e.name === 'ProfileChunk');
  const nodes = new Map<number, RawNode>();
  const samples: number[] = [];
  const deltas: number[] = [];
  for (const c of chunks) {
    for (const n of c.args.data.cpuProfile.nodes ?? []) nodes.set(n.id, n);
    samples.push(...(c.args.data.cpuProfile.samples ?? []));
    deltas.push(...(c.args.data.timeDeltas ?? []));
  }
  const orphans = [...nodes.values()].filter((n) => n.parent !== undefined && !nodes.has(n.parent));
  assert.ok(
    orphans.length > 0 && samples.some((s) => !nodes.has(s)) && deltas.every((d) => d >= 0),
  );

  const p = importChromeTrace(ringText, { sourceFile: ringName });
  assert.match(
    p.meta.warnings.join(' '),
    new RegExp(
      `lost the start of its CPU profile .*${orphans.length} profile node names a parent .*` +
        `${samples.filter((s) => !nodes.has(s)).length} of its ${samples.length} samples .*` +
        '"\\(missing from trace\\)"',
    ),
  );

  // The file's own figures: sample i lasts until sample i + 1, the last one the mean interval.
  const duration = deltas.map((_, i) => (i + 1 < deltas.length ? deltas[i + 1] : 0));
  duration[duration.length - 1] =
    duration.slice(0, -1).reduce((a, b) => a + b, 0) / (deltas.length - 1);
  const selfOf = (match: (id: number) => boolean) =>
    samples.reduce((sum, id, i) => (match(id) ? sum + duration[i] : sum), 0);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  const total = duration.reduce((a, b) => a + b, 0);
  assert.ok(close(p.tree.total[0], total), `${p.tree.total[0]} vs ${total}`);
  const stats = new Map(functionStats(p).map((s) => [s.frame.name, s]));
  const lost = stats.get('(missing from trace)');
  assert.ok(lost && lost.frame.kind === 'pseudo');
  assert.ok(
    close(
      lost.self,
      selfOf((id) => !nodes.has(id)),
    ),
  );
  // Every function the trace still holds gets exactly its samples' time.
  for (const name of ['isPrime', 'countPrimes', 'deep']) {
    const want = selfOf((id) => nodes.get(id)?.callFrame.functionName === name);
    assert.ok(
      want > 0 && close(stats.get(name)!.self, want),
      `${name}: ${stats.get(name)!.self} vs ${want}`,
    );
  }
  // The orphaned subtree hangs under the pseudo frame: its nodes keep their own frames.
  const orphanNode = p.tree.frame.findIndex(
    (f, n) =>
      n > 0 &&
      p.frames[f].name === orphans[0].callFrame.functionName &&
      p.frames[p.tree.frame[p.tree.parent[n]]]?.name === '(missing from trace)',
  );
  assert.ok(orphanNode > 0, 'the orphaned node hangs under (missing from trace)');
});
