// The CLI's commands called in-process through `main(argv, io)` (src/cli/main.ts), with the
// outputs collected: no process to spawn. test/cli.test.ts runs the real entry (dist/cli.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { main } from '../src/cli/main';
import type { CliIo } from '../src/cli/terminal';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();

/** Runs the CLI with `argv`; what it wrote to stdout and stderr, and its exit code. */
async function heatlens(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

interface JsonSummary {
  profiler: string;
  functions: { name: string; file: string | null; self: number }[];
  run?: { outcome: string; exitCode: number | null; command: string[]; intervalUs?: number };
}

test('summary --json in-process: the JSON on stdout, nothing on stderr', async () => {
  const r = await heatlens('summary', join(root, 'test/fixtures/node/hot.cpuprofile'), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const s = JSON.parse(r.stdout) as JsonSummary;
  assert.equal(s.profiler, 'v8');
  const user = s.functions.filter((f) => f.file?.endsWith('/test/fixtures/node/hot.js'));
  assert.equal([...user].sort((a, b) => b.self - a.self)[0]?.name, 'checksum');
});

test('a usage error in-process: exit code 2, the sentence on stderr, stdout empty', async () => {
  const r = await heatlens('summary', '--limit', 'many', 'x.cpuprofile');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^heatlens: --limit takes a whole number of at least 0, not "many"\. Run/);
  const help = await heatlens('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /heatlens profile/);
});

test('profile --json in-process: the program runs under its profiler, its output goes to stderr', async () => {
  const file = join(root, 'test/fixtures/programs/hot.js');
  const r = await heatlens('profile', file, '--json', '--interval', '500');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as JsonSummary;
  assert.equal(s.profiler, 'v8');
  assert.equal(s.run?.outcome, 'exited');
  assert.equal(s.run?.exitCode, 0);
  assert.equal(s.run?.intervalUs, 500);
  assert.ok(s.run?.command.includes(file), s.run?.command.join(' '));
  assert.ok(
    s.functions.some((f) => f.name === 'hotLoop' && f.file === file),
    s.functions.map((f) => f.name).join(', '),
  );
  // hot.js prints its result: with --json, the program's stdout goes to stderr.
  assert.notEqual(r.stderr, '');
});
