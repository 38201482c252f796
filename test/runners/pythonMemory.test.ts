// The Python helper's memory mode (tracemalloc) run for real with python3: the bytes held at the
// peak and at the end on the line that holds them, compared with tracemalloc's own per-line
// statistics of the same program (test/fixtures/pymemory/reference.py), however the program ends,
// with threads, and without the helper's own frames.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Profile } from '../../src/core/profile';
import { importPythonMemory } from '../../src/formats/pymemory';
import { repoRoot } from '../support/repoRoot';

const helper = join(repoRoot(), 'python/heatlens_profile.py');
const fixtures = join(repoRoot(), 'test/fixtures/pymemory');
const dir = mkdtempSync(join(tmpdir(), 'hl-py-memory-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MB = 1e6;

interface Recorded {
  readonly status: number | null;
  readonly text: string;
  readonly run: { outcome: string; exit_code: number };
}

function record(program: string, args: string[] = []): Recorded {
  const out = join(dir, `${basename(program)}.pymemory.json`);
  const status = join(dir, `${basename(program)}.status.json`);
  rmSync(out, { force: true });
  const r = spawnSync(
    'python3',
    [helper, '--mode', 'memory', '--out', out, '--status', status, ...args, '--', program],
    { encoding: 'utf8' },
  );
  return {
    status: r.status,
    text: readFileSync(out, 'utf8'),
    run: JSON.parse(readFileSync(status, 'utf8')) as Recorded['run'],
  };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Self bytes (and external bytes) per line of files named `name`. */
function lineBytes(profile: Profile, name: string): Map<number, { self: number; ext: number }> {
  const out = new Map<number, { self: number; ext: number }>();
  const l = profile.lines;
  for (let i = 0; i < l.count; i++) {
    if (basename(l.files[l.file[i]]) !== name) continue;
    const cell = out.get(l.line1[i]) ?? { self: 0, ext: 0 };
    cell.self += l.self[i];
    cell.ext += l.external?.[i] ?? 0;
    out.set(l.line1[i], cell);
  }
  return out;
}

function near(actual: number, expected: number, share: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= share * expected,
    `${what}: ${actual} bytes, expected ${expected} within ${share * 100}%`,
  );
}

describe('Python memory mode (tracemalloc), real runs', () => {
  it('puts ~50 MB held at the peak on the line that built and freed it, and the 20 MB kept at the end on its line, as tracemalloc counts them', () => {
    const ref = JSON.parse(readFileSync(join(fixtures, 'peak.reference.json'), 'utf8')) as {
      peak: Record<string, number>;
      end: Record<string, number>;
    };
    const r = record(join(fixtures, 'peak.py'));
    assert.equal(r.status, 0);
    const doc = JSON.parse(r.text) as Record<string, unknown>;
    assert.equal(doc.format, 'heatlens-python-memory');
    const peak = lineBytes(importPythonMemory(r.text, { choice: 'peak' }), 'peak.py');
    const end = lineBytes(importPythonMemory(r.text, { choice: 'end' }), 'peak.py');
    // Line 7: data = list(range(n)); line 23: leak = bytearray(20 MiB); line 15: a thread's 4 MiB.
    near(peak.get(7)?.self ?? 0, 50 * MB, 0.1, 'held at the peak on line 7');
    near(peak.get(7)?.self ?? 0, ref.peak['7'], 0.01, 'line 7 against tracemalloc at its peak');
    assert.equal(end.get(7)?.self ?? 0, 0, 'nothing of line 7 is held at the end');
    near(end.get(23)?.self ?? 0, 20 * 1024 * 1024, 0.01, 'held at the end on line 23');
    near(end.get(23)?.self ?? 0, ref.end['23'], 0.01, 'line 23 against tracemalloc at the end');
    near(end.get(15)?.self ?? 0, ref.end['15'], 0.01, "the thread's line 15 at the end");
    // The peak snapshot is the run's high: the list, not yet the 20 MB kept after it.
    assert.equal(peak.get(23)?.self ?? 0, 0);
    assert.ok((doc.traced_peak_bytes as number) >= (doc.peak_bytes as number));
    // None of the helper's frames or allocations are the program's.
    for (const f of (doc.frames as [string, string | null][]).map((x) => x[1])) {
      assert.notEqual(f && basename(f), 'heatlens_profile.py');
    }
  });

  for (const [how, tail, code, outcome] of [
    ['an uncaught exception', 'raise ValueError("boom")', 1, 'raised'],
    ['sys.exit(3)', 'import sys\nsys.exit(3)', 3, 'exited'],
    ['os._exit(4)', 'import os\nos._exit(4)', 4, 'exited'],
  ] as const) {
    it(`writes what is held when the program ends by ${how}`, () => {
      const file = write(
        `end${code}.py`,
        `kept = bytearray(8 * 1024 * 1024)\nfreed = bytearray(1024)\ndel freed\n${tail}\n`,
      );
      const r = record(file);
      assert.equal(r.status, code);
      assert.equal(r.run.outcome, outcome);
      const end = lineBytes(importPythonMemory(r.text, { choice: 'end' }), basename(file));
      near(end.get(1)?.self ?? 0, 8 * 1024 * 1024, 0.001, 'held at the end on line 1');
      assert.equal(end.get(2)?.self ?? 0, 0);
    });
  }

  it('never shows a peak it missed as the peak: a list built and freed inside calls that keep the GIL is either caught or named in a warning', () => {
    const file = write('missed.py', 'def f(n):\n    return len(list(range(n)))\n\nf(300_000)\n');
    const r = record(file);
    const doc = JSON.parse(r.text) as { warnings: string[]; traced_peak_bytes: number };
    const peak = lineBytes(importPythonMemory(r.text), 'missed.py').get(2)?.self ?? 0;
    const warned = doc.warnings.some((w) => /high-water mark .* was\s+missed/.test(w));
    assert.ok(doc.traced_peak_bytes > 10 * MB);
    assert.ok(
      peak > 10 * MB || warned,
      `peak on line 2: ${peak}; warnings: ${doc.warnings.join(' ')}`,
    );
  });

  it("counts allocations inside the standard library on the user's line that called it (external) as well as there", () => {
    const file = write(
      'external.py',
      'import copy\nrows = [[i] for i in range(20000)]\ncopied = copy.deepcopy(rows)\n',
    );
    const r = record(file);
    const profile = importPythonMemory(r.text, { choice: 'end' });
    const line3 = lineBytes(profile, 'external.py').get(3);
    const inCopy = [...lineBytes(profile, 'copy.py').values()].reduce((a, c) => a + c.self, 0);
    assert.ok(inCopy > 1 * MB, `copy.py holds ${inCopy} bytes`);
    assert.ok(line3 && line3.ext >= inCopy * 0.99, `line 3's external bytes: ${line3?.ext}`);
  });

  it('keeps the number of frames asked for, marking the stacks it cut', () => {
    const file = write(
      'deep.py',
      'def down(n):\n    return down(n - 1) if n else bytearray(1 << 20)\n\nkept = down(10)\n',
    );
    const r = record(file, ['--frames', '3']);
    const doc = JSON.parse(r.text) as {
      traceback_frames: number;
      stacks: { frames: number[]; truncated?: boolean; end: number }[];
    };
    assert.equal(doc.traceback_frames, 3);
    const big = doc.stacks.find((s) => s.end >= 1 << 20)!;
    assert.equal(big.frames.length, 3);
    assert.equal(big.truncated, true);
    const profile = importPythonMemory(r.text, { choice: 'end' });
    assert.ok(profile.frames.some((f) => f.kind === 'pseudo' && f.name.startsWith('(stack cut')));
  });
});
