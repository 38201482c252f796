// A raw `node --prof` log, recorded here with this machine's Node, through the person's Node's
// tick processor (src/runners/v8LogPreprocess.ts) into the importer, untrimmed: its figures are
// the ones `node --prof-process` prints for the same log. Then the CLI on the log, and each way
// the tick processor can fail, with its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/terminal';
import { functionStats } from '../../src/core/functionStats';
import { profileTotal } from '../../src/core/profile';
import { importProfileFile } from '../../src/formats/detect';
import { readRegularFileSync } from '../../src/io/regularFile';
import { preprocessV8Log, V8LogError } from '../../src/runners/v8LogPreprocess';
import { repoRoot } from '../support/repoRoot';
import { parseTickReport, tickKey } from '../support/tickProcessor';

const dir = mkdtempSync(join(tmpdir(), 'heatlens-v8log-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Records `node --prof` of the fixture program (1.5 s) once; the log's path. */
const recorded = (() => {
  let log: string | undefined;
  return () => {
    if (log) return log;
    copyFileSync(join(repoRoot(), 'test/fixtures/v8-log/work.js'), join(dir, 'work.js'));
    execFileSync(process.execPath, ['--prof', 'work.js'], { cwd: dir, stdio: 'ignore' });
    const name = readdirSync(dir).find((f) => /^isolate-.*\.log$/.test(f));
    assert.ok(name, 'node --prof wrote no isolate-*.log');
    return (log = join(dir, name));
  };
})();

test("a log recorded here reads with node --prof-process's own figures", async () => {
  const log = recorded();
  const json = await preprocessV8Log(log, { nodePath: process.execPath });
  let profile;
  try {
    assert.deepEqual(json.warnings, []);
    profile = importProfileFile(
      'isolate.log',
      readRegularFileSync(json.file, { maxBytes: Infinity }),
    );
  } finally {
    await json.dispose();
  }
  const report = parseTickReport(
    execFileSync(process.execPath, ['--prof-process', log], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  assert.equal(profileTotal(profile), report.ticks);
  const ours = new Map<string, number>();
  for (const s of functionStats(profile))
    if (s.self) ours.set(tickKey(s.frame), (ours.get(tickKey(s.frame)) ?? 0) + s.self);
  for (const [key, ticks] of report.self) assert.equal(ours.get(key), ticks, key);
  assert.deepEqual(
    [...ours.keys()].filter((k) => !report.self.has(k)),
    [],
  );
});

test('heatlens summary on the raw log: the tick processor runs, the table shows the functions', async () => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(['summary', recorded(), '--json'], io);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as {
    profiler: string;
    unit: string;
    functions: { name: string }[];
  };
  assert.equal(summary.profiler, 'v8-log');
  assert.equal(summary.unit, 'samples');
  assert.ok(summary.functions.some((f) => f.name === 'shared'));
});

/** The V8LogError `preprocessV8Log` rejects with. */
async function failure(log: string, options: Parameters<typeof preprocessV8Log>[1]) {
  try {
    const out = await preprocessV8Log(log, options);
    await out.dispose();
  } catch (err) {
    assert.ok(err instanceof V8LogError, String(err));
    return err.message;
  }
  assert.fail('no error');
}

test('each failure says what happened and what to do', async () => {
  const log = recorded();
  const name = log.replace(/^.*\//, '');
  const missing = await failure(log, { nodePath: join(dir, 'no-such-node') });
  assert.match(missing, /could not be started \(ENOENT\).*heatlens\.node\.path/);
  assert.ok(missing.includes(`node --prof-process --preprocess ${name} > ${name}.v8log.json`));
  assert.match(
    await failure(log, { nodePath: process.execPath, timeoutMs: 1 }),
    /did not finish within 0 s/,
  );
  assert.match(await failure(log, { nodePath: process.execPath, maxBytes: 100 }), /passed 0 MB/);
  const abort = new AbortController();
  abort.abort();
  assert.match(
    await failure(log, { nodePath: process.execPath, signal: abort.signal }),
    /cancelled/,
  );
  // Not a log: the tick processor says so and writes JSON without ticks, which the importer
  // refuses.
  const junk = join(dir, 'junk.log');
  writeFileSync(junk, 'v8-version,not,a,log\n\u0000\u0001garbage\n');
  const out = await preprocessV8Log(junk, { nodePath: process.execPath });
  try {
    assert.match(out.warnings.join('\n'), /"junk\.log": Unable to read v8-version/);
    const bytes = readRegularFileSync(out.file, { maxBytes: Infinity });
    assert.throws(() => importProfileFile('junk.log', bytes), /"junk\.log" holds no ticks/);
  } finally {
    await out.dispose();
  }
});

test('a log from another V8: read, with a warning that says so', async () => {
  const text = readFileSync(recorded(), 'utf8').replace(
    /^v8-version,[^\n]*/,
    'v8-version,9,4,146,26,-node.26,0',
  );
  const other = join(dir, 'isolate-other-v8.log');
  writeFileSync(other, text);
  const out = await preprocessV8Log(other, { nodePath: process.execPath });
  try {
    assert.match(out.warnings.join('\n'), /written by another V8 than this Node\.js has/);
    const p = importProfileFile(
      'isolate-other-v8.log',
      readRegularFileSync(out.file, { maxBytes: Infinity }),
    );
    assert.ok(functionStats(p).some((s) => s.frame.name === 'shared'));
  } finally {
    await out.dispose();
  }
});
