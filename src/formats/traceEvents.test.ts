import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import { ProfileFormatError } from './errors';
import { importTraceEvents, isTraceEvents, traceEventsChoices } from './traceEvents';

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures');

type Ev = Record<string, unknown>;
const x = (name: string, ts: number, dur: number, tid = 1): Ev => ({
  ph: 'X',
  name,
  ts,
  dur,
  pid: 1,
  tid,
});
const b = (name: string, ts: number, tid = 1): Ev => ({ ph: 'B', name, ts, pid: 1, tid });
const e = (name: string | undefined, ts: number, tid = 1): Ev => ({
  ph: 'E',
  name,
  ts,
  pid: 1,
  tid,
});
const trace = (events: Ev[]) => JSON.stringify({ traceEvents: events });

function figures(p: Profile): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const s of functionStats(p)) out[s.frame.name] = [s.self, s.total];
  return out;
}

test('complete events nest by time: self is what the children leave, in any file order', () => {
  const p = importTraceEvents(
    trace([x('child', 20, 30), x('root', 0, 100), x('grandchild', 25, 5), x('second', 60, 10)]),
  );
  assert.deepEqual(figures(p), {
    root: [60, 100],
    child: [25, 30],
    grandchild: [5, 5],
    second: [10, 10],
  });
  assert.equal(p.meta.unit, 'microseconds');
  // The time order: samples cover the spans' time once, in order.
  const s = p.samples!;
  let sum = 0;
  for (let i = 0; i < s.count; i++) {
    sum += s.weight[i];
    if (i) assert.ok(s.start[i] >= s.start[i - 1]);
  }
  assert.equal(sum, profileTotal(p));
  assert.equal(profileTotal(p), 100);
});

test('begin/end pairs match by name; the idle time between top-level spans is not counted', () => {
  const p = importTraceEvents(
    trace([
      b('outer', 0),
      b('inner', 10),
      e('inner', 30),
      e('outer', 40),
      b('later', 100),
      e(undefined, 110),
    ]),
  );
  assert.deepEqual(figures(p), { outer: [20, 40], inner: [20, 20], later: [10, 10] });
  assert.equal(profileTotal(p), 50);
  assert.deepEqual(p.meta.warnings, []);
});

test('damage is read around, with a warning for each kind', () => {
  const p = importTraceEvents(
    trace([
      b('a', 0),
      e('nothing-open', 5),
      b('b', 10),
      e('a', 20), // closes b too (opened inside a)
      x('long', 30, 10),
      x('overhang', 35, 20), // ends after long: cut at 40
      b('never-ended', 60),
      x('last', 70, 10),
    ]),
  );
  const f = figures(p);
  assert.deepEqual(f.a, [10, 20]);
  assert.deepEqual(f.b, [10, 10]);
  assert.deepEqual(f.overhang, [5, 5]);
  assert.deepEqual(f['never-ended'], [10, 20]);
  const warnings = p.meta.warnings.join('\n');
  assert.match(warnings, /1 end events \("E"\) matched no begin/);
  assert.match(warnings, /1 begin events \("B"\) were never ended/);
  assert.match(warnings, /1 events ended after the event they started in/);
});

test('each thread is a choice, named from metadata, the busiest first and the default', () => {
  const text = trace([
    { ph: 'M', name: 'thread_name', pid: 1, tid: 2, args: { name: 'worker' } },
    { ph: 'M', name: 'process_name', pid: 1, args: { name: 'app' } },
    x('small', 0, 10, 1),
    x('big', 0, 50, 2),
    { ph: 'i', name: 'instant', ts: 5, pid: 1, tid: 3 },
  ]);
  const choices = traceEventsChoices(text, 't.json');
  assert.deepEqual(
    choices.map((c) => [c.id, c.label]),
    [
      ['1:2', 'worker (app) (50.0 µs)'],
      ['1:1', 'thread 1 (app) (10.0 µs)'],
    ],
  );
  assert.deepEqual(Object.keys(figures(importTraceEvents(text))), ['big']);
  assert.deepEqual(Object.keys(figures(importTraceEvents(text, { choice: '1:1' }))), ['small']);
  assert.throws(
    () => importTraceEvents(text, { choice: '9:9', sourceFile: 't.json' }),
    /"t\.json" has no thread "9:9" with events \(it holds 2: 1:2, 1:1\)/,
  );
});

test('a list cut inside an event reads up to its last whole event, with a warning', () => {
  const whole = readFileSync(join(fixtures, 'trace-events/node_trace.1.log'), 'utf8');
  const cut = readFileSync(join(fixtures, 'trace-events/node_trace.truncated.log'), 'utf8');
  const p = importTraceEvents(cut, { sourceFile: 'node_trace.truncated.log' });
  assert.match(p.meta.warnings.join('\n'), /cut off inside an event/);
  // The cut event is the file's last, a metadata event: the threads' figures are the whole's.
  const q = importTraceEvents(whole);
  assert.equal(profileTotal(p), profileTotal(q));
  // A list that only lacks its closing bracket is read as it is.
  const open = importTraceEvents(`[${JSON.stringify(x('a', 0, 5))},\n`);
  assert.match(open.meta.warnings.join('\n'), /without its closing bracket/);
});

test('detection: spans without CPU profiles; a trace with CPU profiles is not this format', () => {
  assert.equal(isTraceEvents(undefined, trace([x('a', 0, 1)])), true);
  assert.equal(isTraceEvents(undefined, `[${JSON.stringify(x('a', 0, 1))}`), true);
  const cpu = readFileSync(join(fixtures, 'chrome-trace/primes.trace.json'), 'utf8');
  assert.equal(isTraceEvents(undefined, cpu), false);
  assert.equal(isTraceEvents(undefined, '{"traceEvents": [{"ph": "i", "pid": 1}]}'), false);
  assert.equal(isTraceEvents(undefined, '{"nodes": [], "samples": []}'), false);
});

test('files that are no trace get a message naming the file', () => {
  for (const [text, message] of [
    ['', /is empty/],
    ['{"traceEvents": 5}', /has no list of trace events/],
    ['{"traceEvents": [{"ph": "i", "ts": 1, "pid": 1, "tid": 1}]}', /holds no duration events/],
    ['[{"ph": "X", "ts": 1, "dur" 2', /is not JSON a trace viewer reads/],
  ] as const) {
    assert.throws(
      () => importTraceEvents(text, { sourceFile: 'bad.json' }),
      (err: unknown) =>
        err instanceof ProfileFormatError &&
        err.message.startsWith('"bad.json" ') &&
        message.test(err.message),
      text,
    );
  }
});
