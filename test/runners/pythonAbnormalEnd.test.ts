// Python runs that end abnormally keep their profile: a program that ignores SIGINT and SIGTERM
// stopped with Ctrl+C (exit 130 and the recorded profile, as `heatlens --help` promises), a
// program that leaves through os._exit(), a program killed outright (the sampler's snapshot),
// in each mode where it can be done; where it cannot (cProfile and yappi killed outright), the
// run says so.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { functionStats } from '../../src/core/functionStats';
import type { Profile } from '../../src/core/profile';
import { importPstats } from '../../src/formats/pstats';
import { importPythonSamples } from '../../src/formats/pysamples';
import {
  resolvePython,
  startPythonProfile,
  type PythonProfileMode,
  type PythonRunResult,
} from '../../src/runners/pythonRunner';
import { repoRoot } from '../support/repoRoot';

const cli = join(repoRoot(), 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hl-py-abnormal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The interpreter for a mode: yappi needs Debian's python3-yappi (else the test is skipped). */
function yappiPython(): string | undefined {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import yappi'], { stdio: 'ignore' });
    return '/usr/bin/python3';
  } catch {
    return undefined;
  }
}
const yappi = yappiPython();
const modes: PythonProfileMode[] = ['sampling', 'cprofile', 'yappi'];

async function pythonFor(mode: PythonProfileMode): Promise<string> {
  return mode === 'yappi' ? yappi! : resolvePython(['python3', 'python']);
}

function profileOf(result: PythonRunResult, name: string): Profile {
  assert.ok(result.profileBytes.length > 0, `a profile was kept (${result.warnings.join(' ')})`);
  return result.format === 'pstats'
    ? importPstats(result.profileBytes, { sourceFile: name })
    : importPythonSamples(new TextDecoder().decode(result.profileBytes), { sourceFile: name });
}

function names(profile: Profile): string[] {
  return functionStats(profile).map((s) => s.frame.name);
}

/** Runs `file` under the runner; `onOutput` may cancel once the program says it started. */
async function run(
  file: string,
  mode: PythonProfileMode,
  cancelWhen?: RegExp,
): Promise<PythonRunResult> {
  let text = '';
  const r = startPythonProfile({
    file,
    mode,
    python: await pythonFor(mode),
    cancelGraceMs: 500,
    onOutput: (_s, t) => {
      text += t;
      if (cancelWhen?.test(text)) {
        cancelWhen = undefined;
        r.cancel();
      }
    },
  });
  return r.done;
}

/** Calls `work` (a function that returns, so cProfile counts it) until told to stop. */
const stubborn = write(
  'stubborn.py',
  [
    'import signal',
    'signal.signal(signal.SIGINT, signal.SIG_IGN)',
    'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
    'def work():',
    '    return sum(i * i for i in range(20000))',
    'n = 0',
    'while True:',
    '    work()',
    '    n += 1',
    '    if n == 20:',
    "        print('started', flush=True)",
    '',
  ].join('\n'),
);

const osExit = write(
  'os_exit.py',
  [
    'import os',
    'def work():',
    '    return sum(i * i for i in range(200000))',
    'for _ in range(5):',
    '    work()',
    'os._exit(0)',
    '',
  ].join('\n'),
);

/** Works until the sampler has had time for a snapshot, then is killed outright. */
const killed = write(
  'killed.py',
  [
    'import os, signal, time',
    'def work():',
    '    return sum(i * i for i in range(20000))',
    'start = time.perf_counter()',
    'while time.perf_counter() - start < 3.0:',
    '    work()',
    'os.kill(os.getpid(), signal.SIGKILL)',
    '',
  ].join('\n'),
);

describe('Python runs that end abnormally', () => {
  for (const mode of modes) {
    const skip = mode === 'yappi' && !yappi ? 'yappi is not installed for /usr/bin/python3' : false;

    it(
      `a program ignoring SIGINT and SIGTERM, cancelled, keeps its profile [${mode}]`,
      { skip },
      async () => {
        const result = await run(stubborn, mode, /started/);
        assert.equal(result.outcome, 'cancelled');
        assert.equal(result.exitCode, 130);
        const profile = profileOf(result, 'stubborn.py');
        assert.ok(names(profile).includes('work'), names(profile).join(', '));
        const said = [...result.warnings, ...profile.meta.warnings].join('\n');
        assert.match(said, /did not stop on Ctrl\+C \(SIGINT\): Heatlens stopped it/);
      },
    );

    it(`os._exit() keeps what was recorded [${mode}]`, { skip }, async () => {
      const result = await run(osExit, mode);
      assert.equal(result.exitCode, 0);
      assert.equal(result.outcome, 'exited', result.errorText);
      const profile = profileOf(result, 'os_exit.py');
      assert.ok(names(profile).includes('work'), names(profile).join(', '));
    });
  }

  it('killed outright (SIGKILL): the sampler keeps its last snapshot, and says so', async () => {
    const result = await run(killed, 'sampling');
    assert.equal(result.outcome, 'failed');
    assert.equal(result.signal, 'SIGKILL');
    const profile = profileOf(result, 'killed.py');
    assert.ok(names(profile).includes('work'));
    assert.match(profile.meta.warnings.join('\n'), /ended without letting Heatlens write/);
  });

  it('killed outright in cprofile mode: the run says why nothing was kept', async () => {
    const result = await run(killed, 'cprofile');
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.profileBytes.length, 0);
    assert.match(result.warnings.join('\n'), /cProfile cannot be read while it runs/);
  });

  it('heatlens profile: Ctrl+C on a program that ignores it exits 130 with the summary', async () => {
    const child = spawn(process.execPath, [cli, 'profile', stubborn], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((res) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('started')) res();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise((res) => child.on('close', res));
    assert.equal(code, 130, stderr);
    assert.match(stdout, /Hottest functions[\s\S]*\bwork\b/);
    assert.match(stderr, /stubborn\.py was cancelled after/);
    assert.doesNotMatch(stderr, /before a profile could be written/);
  });
});
