// `heatlens report` in-process (main(argv, io), src/cli/report.ts): a profile file or a program
// to one self-contained HTML file, the hot sources in it (or not, with --no-source), what was
// left out and the warning on stderr, nothing on stdout. test/webview/report.test.ts opens such a
// report in Chromium.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import type { CliIo } from '../src/cli/terminal';
import { primesProfileIn, reportDataOf } from './support/report';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'hl-cli-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const primes = primesProfileIn(dir);

/** Runs the CLI with `argv` from the folder of `primes` (a report of a profile file reads there). */
async function heatlens(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return heatlensIn(dir, ...argv);
}

async function heatlensIn(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const was = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(argv, io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(was);
  }
}

test('report of a profile file: one HTML file with the hot source, the warning on stderr', async () => {
  const out = join(dir, 'primes.html');
  const r = await heatlens('report', primes.profile, '--html', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^heatlens: wrote .*primes\.html \(\d+\.\d KB\) with the source of 1 hot file: /,
  );
  // Paths under the working folder are shown relative to it.
  assert.ok(r.stderr.includes('with the source of 1 hot file: js/primes.js.\n'), r.stderr);
  assert.match(r.stderr, /warning: anyone who opens the report can read that source; --no-source/);
  const html = readFileSync(out, 'utf8');
  const data = reportDataOf(html);
  assert.equal(data.title, 'primes.cpuprofile');
  assert.equal(data.sourcesOmitted, false);
  assert.deepEqual(
    data.sources.map((s) => s.file),
    [primes.source],
  );
  assert.equal(data.sources[0].text, readFileSync(primes.source, 'utf8'));
  // Line 7, the modulo in isPrime's loop, is the hot line of examples/js/primes.js.
  const hottest =
    data.sources[0].line1[data.sources[0].self.indexOf(Math.max(...data.sources[0].self))];
  assert.equal(hottest, 7);
  assert.deepEqual(data.leftOut, []);
  // The same total as summary --json.
  const summary = await heatlens('summary', primes.profile, '--json');
  assert.equal(data.total, (JSON.parse(summary.stdout) as { total: number }).total);
});

test('--no-source: no source text in the file; a missing source is named as left out', async () => {
  const out = join(dir, 'bare.html');
  const r = await heatlens('report', '--no-source', primes.profile, '--html', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /, without sources \(--no-source\)\.\n$/);
  const html = readFileSync(out, 'utf8');
  assert.ok(!html.includes('function isPrime'), 'the source is not in the file');
  assert.equal(reportDataOf(html).sourcesOmitted, true);
  // The example profile as recorded names a folder that is gone (from /, every file is under the
  // working folder).
  const recorded = join(root, 'examples/profiles/primes.cpuprofile');
  const gone = await heatlensIn('/', 'report', recorded, '--html', join(dir, 'gone.html'));
  assert.equal(gone.code, 0, gone.stderr);
  assert.match(
    gone.stderr,
    /; it holds no source file\.\nheatlens: not in the report \(1 file\):\n {2}tmp\/heatlens-examples\.i9mkwx\/examples\/js\/primes\.js does not exist\n$/,
  );
});

test('usage: --html is needed, the input is never overwritten, a profile takes no program arguments', async () => {
  const none = await heatlens('report', primes.profile);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs --html with the file to write/);
  const over = await heatlens('report', primes.profile, '--html', primes.profile);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /would overwrite/);
  const args = await heatlens('report', primes.profile, 'extra', '--html', join(dir, 'x.html'));
  assert.equal(args.code, 2);
  assert.match(args.stderr, /takes no program arguments/);
  assert.ok(!existsSync(join(dir, 'x.html')));
  const out = await heatlens('report', primes.profile, '--out', join(dir, 'x.html'));
  assert.equal(out.code, 2);
  assert.match(out.stderr, /Unknown option --out/);
  const missing = await heatlens(
    'report',
    join(dir, 'nope.cpuprofile'),
    '--html',
    join(dir, 'y.html'),
  );
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read ".*nope\.cpuprofile": there is no such file/);
});

test('report of a program: profiled first as heatlens profile does, its source in the report', async () => {
  const program = join(root, 'test/fixtures/programs/hot.js');
  const out = join(dir, 'hot.html');
  const r = await heatlens('report', program, '--html', out, '--interval', '500');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^heatlens: .*hot\.js exited after .*\.\n/);
  assert.ok(r.stderr.includes(`with the source of 1 hot file: ${program}.`), r.stderr);
  const data = reportDataOf(readFileSync(out, 'utf8'));
  assert.equal(data.title, 'hot.js');
  assert.equal(data.sources[0].file, program);
  const lines = readFileSync(program, 'utf8').split('\n');
  const hottest =
    data.sources[0].line1[data.sources[0].self.indexOf(Math.max(...data.sources[0].self))];
  assert.match(lines[hottest - 1], /HOT LINE/);
});

test('a profile file reads no source outside the working folder: a named secret stays out', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'hl-cli-secret-'));
  try {
    const secret = join(elsewhere, 'id_rsa');
    writeFileSync(secret, 'SECRET-KEY-MATERIAL\n');
    const frame = (id: number, name: string, url: string, line0: number) => ({
      id,
      callFrame: {
        functionName: name,
        scriptId: String(id),
        url,
        lineNumber: line0,
        columnNumber: 0,
      },
    });
    const evil = {
      nodes: [
        { ...frame(1, '(root)', '', -1), hitCount: 0, children: [2] },
        {
          ...frame(2, 'steal', `file://${secret}`, 0),
          hitCount: 10,
          positionTicks: [{ line: 1, ticks: 10 }],
        },
      ],
      startTime: 0,
      endTime: 10_000,
      samples: Array(10).fill(2),
      timeDeltas: Array(10).fill(1000),
    };
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'evil.cpuprofile'), JSON.stringify(evil));
    const out = join(work, 'evil.html');
    const r = await heatlensIn(work, 'report', 'evil.cpuprofile', '--html', out);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stderr.includes(
        `${secret} is outside the working folder, the only one a report of a profile file reads`,
      ),
      r.stderr,
    );
    const html = readFileSync(out, 'utf8');
    assert.ok(!html.includes('SECRET-KEY-MATERIAL'));
    assert.deepEqual(reportDataOf(html).sources, []);
    // From the secret's own folder the same profile may read it: the rule is the working folder.
    const there = await heatlensIn(
      elsewhere,
      'report',
      join(work, 'evil.cpuprofile'),
      '--html',
      out,
    );
    assert.equal(there.code, 0, there.stderr);
    assert.ok(readFileSync(out, 'utf8').includes('SECRET-KEY-MATERIAL'));
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
