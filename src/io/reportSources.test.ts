// The sources an HTML report carries: the hot files of the user's code that exist, read through
// the one reader (a FIFO or a device a profile names is refused at once), within bounds, and the
// files left out with the reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProfileBuilder, type Profile } from '../core/profile';
import { readReportSources, REPORT_SOURCE_LIMITS } from './reportSources';

const dir = mkdtempSync(join(tmpdir(), 'hl-report-sources-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hot = join(dir, 'hot.js');
writeFileSync(hot, 'function a() {\n  work();\n}\n');
const warm = join(dir, 'warm.js');
writeFileSync(warm, 'x\ny\nz\n');
const fifo = join(dir, 'pipe.js');
execFileSync('mkfifo', [fifo]);
const zero = join(dir, 'zero.js');
symlinkSync('/dev/zero', zero);
const binary = join(dir, 'binary.js');
writeFileSync(binary, Buffer.from([0x41, 0, 0x42]));
const missing = join(dir, 'gone.js');

/** A profile whose user frames, one per file, have `weight` on line 2 (heaviest first). */
function profileOf(files: [string, number][], library?: string): Profile {
  const b = new ProfileBuilder();
  for (const [file, weight] of files) {
    const f = b.frame({ name: `in ${file}`, file, line1: 1, col1: 1, kind: 'user' });
    b.addStack([f], weight);
    b.addLine(file, 2, f, weight);
  }
  if (library) {
    const f = b.frame({ name: 'lib', file: library, line1: 1, col1: 1, kind: 'library' });
    b.addStack([f], 5);
    b.addLine(library, 1, f, 5);
  }
  return b.build({ profiler: 'v8', clock: 'cpu', unit: 'microseconds' });
}

test('the hot files that exist, heaviest first, with their lines; the others left out with why', async () => {
  const profile = profileOf(
    [
      [warm, 10],
      [hot, 80],
      [missing, 7],
      [fifo, 6],
      [zero, 5],
      [binary, 4],
      ['node:internal/x', 3],
    ],
    join(dir, 'lib.js'),
  );
  const started = Date.now();
  const { sources, leftOut } = await readReportSources(profile);
  assert.ok(Date.now() - started < 5000, 'the FIFO did not block the read');
  assert.deepEqual(
    sources.map((s) => [s.file, s.weight, s.line1, s.self]),
    [
      [hot, 80, [2], [80]],
      [warm, 10, [2], [10]],
    ],
  );
  assert.equal(sources[0].text, 'function a() {\n  work();\n}\n');
  assert.deepEqual(leftOut, [
    { file: missing, why: 'does not exist' },
    { file: fifo, why: 'is not a regular file (it is a FIFO)' },
    { file: zero, why: 'is not a regular file (it is a device)' },
    { file: binary, why: 'is not a text file' },
    { file: 'node:internal/x', why: 'is not a path on this machine' },
  ]);
  // Library files are not the person's hot files: neither carried nor listed.
  assert.ok(![...sources, ...leftOut].some((s) => s.file.endsWith('lib.js')));
});

test('bounds: the file count, a file size and the total size; `allow` refuses with its reason', async () => {
  const profile = profileOf([
    [hot, 80],
    [warm, 10],
  ]);
  const one = await readReportSources(profile, {
    limits: { ...REPORT_SOURCE_LIMITS, maxFiles: 1 },
  });
  assert.deepEqual(
    one.sources.map((s) => s.file),
    [hot],
  );
  assert.deepEqual(one.leftOut, [
    { file: warm, why: 'is past the first 1 files a report carries' },
  ]);
  const small = await readReportSources(profile, {
    limits: { ...REPORT_SOURCE_LIMITS, maxFileBytes: 10 },
  });
  assert.deepEqual(
    small.sources.map((s) => s.file),
    [warm],
  );
  assert.match(small.leftOut[0].why, /^is larger than/);
  const total = await readReportSources(profile, {
    limits: { ...REPORT_SOURCE_LIMITS, maxTotalBytes: 30 },
  });
  assert.deepEqual(
    total.sources.map((s) => s.file),
    [hot],
  );
  assert.deepEqual(total.leftOut, [{ file: warm, why: 'would take the sources past 30 bytes' }]);
  const denied = await readReportSources(profile, {
    allow: (file) => file === hot,
    deniedWhy: 'is outside the workspace folders',
  });
  assert.deepEqual(denied.leftOut, [{ file: warm, why: 'is outside the workspace folders' }]);
});
