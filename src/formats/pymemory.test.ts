import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { profileTotal, type Profile } from '../core/profile';
import { detectFormat, importProfileFile, profileChoices } from './detect';
import { ProfileFormatError } from './errors';
import { importPythonMemory, isPythonMemory } from './pymemory';

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pymemory');
const text = readFileSync(join(fixtures, 'peak.pymemory.json'), 'utf8');
// tracemalloc's own Snapshot.statistics('lineno') of the same program (reference.py).
const reference = JSON.parse(readFileSync(join(fixtures, 'peak.reference.json'), 'utf8')) as {
  peak: Record<string, number>;
  end: Record<string, number>;
};
const bytes = (s: string) => new TextEncoder().encode(s);

function selfOn(profile: Profile, name: string, line: number): number {
  const l = profile.lines;
  let sum = 0;
  for (let i = 0; i < l.count; i++) {
    if (basename(l.files[l.file[i]]) === name && l.line1[i] === line) sum += l.self[i];
  }
  return sum;
}

test('the recorded fixture: held at the peak and at the end per line, as tracemalloc counts them', () => {
  const peak = importPythonMemory(text, { sourceFile: 'peak.pymemory.json' });
  const end = importPythonMemory(text, { sourceFile: 'peak.pymemory.json', choice: 'end' });
  assert.equal(peak.meta.unit, 'bytes');
  assert.equal(peak.meta.profiler, 'heatlens-tracemalloc');
  const doc = JSON.parse(text) as { peak_bytes: number; end_bytes: number };
  assert.equal(profileTotal(peak), doc.peak_bytes);
  assert.equal(profileTotal(end), doc.end_bytes);
  for (const [which, profile] of [
    ['peak', peak],
    ['end', end],
  ] as const) {
    for (const [line, size] of Object.entries(reference[which])) {
      // The lines that hold something worth showing; small ones (a def, an import) vary by run.
      if (size < 1e6) continue;
      const ours = selfOn(profile, 'peak.py', Number(line));
      assert.ok(Math.abs(ours - size) <= 0.01 * size, `${which} line ${line}: ${ours} vs ${size}`);
    }
  }
  assert.equal(selfOn(end, 'peak.py', 7), 0);
  // The function of each frame, derived from the source.
  assert.ok(peak.frames.some((f) => f.name === 'build' && f.line1 === 6));
  assert.ok(end.frames.some((f) => f.name === 'worker' && f.line1 === 14));
});

test('the metrics are the choices of the file, held at the peak first', () => {
  const choices = profileChoices('run.pymemory.json', bytes(text));
  assert.deepEqual(
    choices.map((c) => c.id),
    ['peak', 'end'],
  );
  const end = importProfileFile('run.pymemory.json', bytes(text), { choice: 'end' });
  assert.equal(profileTotal(end), (JSON.parse(text) as { end_bytes: number }).end_bytes);
  assert.throws(
    () => importPythonMemory(text, { sourceFile: 'x.pymemory.json', choice: 'allocated' }),
    (e: unknown) =>
      e instanceof ProfileFormatError &&
      /"x\.pymemory\.json" has no metric "allocated"/.test(e.message),
  );
});

test('detected by name and by content; damaged files are named in the error', () => {
  assert.ok(isPythonMemory('a.pymemory.json', ''));
  assert.ok(isPythonMemory(undefined, text));
  assert.equal(detectFormat('dump.json', bytes(text))?.id, 'pymemory');
  assert.equal(isPythonMemory(undefined, '{"format": "heatlens-python-samples"}'), false);
  for (const [bad, why] of [
    ['{"format": "heatlens-python-memory", "version": 2, "frames": [], "stacks": []}', /newer/],
    ['{"format": "heatlens-python-memory", "version": 1, "stacks": []}', /no "frames"/],
    [
      '{"format": "heatlens-python-memory", "version": 1, "frames": [], "stacks": [{"frames": [3], "lines": [1], "peak": 5}]}',
      /naming a frame \(3\)/,
    ],
    ['{"format": "heatlens-python-memory", "vers', /not valid JSON/],
  ] as const) {
    assert.throws(
      () => importPythonMemory(bad, { sourceFile: 'bad.pymemory.json' }),
      (e: unknown) =>
        e instanceof ProfileFormatError &&
        e.message.startsWith('"bad.pymemory.json"') &&
        why.test(e.message),
    );
  }
});

test("bytes allocated in the standard library also count on the user's calling line (external)", () => {
  const doc = {
    format: 'heatlens-python-memory',
    version: 1,
    frames: [
      ['<module>', '/w/app.py', 1],
      ['deepcopy', '/usr/lib/python3.11/copy.py', 128],
    ],
    stacks: [
      { frames: [0, 1], lines: [3, 140], peak: 1000, end: 0 },
      { frames: [0], lines: [4], peak: 10, end: 10 },
    ],
  };
  const p = importPythonMemory(JSON.stringify(doc));
  const l = p.lines;
  const at = (line: number) => [...Array(l.count).keys()].find((i) => l.line1[i] === line)!;
  assert.equal(l.self[at(140)], 1000);
  assert.equal(l.external?.[at(3)], 1000);
  assert.equal(l.self[at(3)] ?? 0, 0);
  assert.equal(profileTotal(p), 1010);
});
