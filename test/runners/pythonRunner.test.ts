// Integration tests of the Python runner: real programs (test/fixtures/pyprograms) profiled by
// real Python through python/heatlens_profile.py, in all three modes.
//
// Interpreters: the first `python3`/`python` on PATH (or HEATLENS_TEST_PYTHON) for sampling and
// cprofile; /usr/bin/python3 with Debian's python3-yappi (or HEATLENS_TEST_YAPPI_PYTHON) for
// yappi, skipped with the reason printed when yappi cannot be imported there. The version matrix
// runs every Python 3.8+ in HEATLENS_TEST_PYTHONS (space-separated) or under pyenv's versions.
// pstats files are read back by Python's own marshal (the ground truth), and once through our
// TypeScript reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { profileTotal, type Profile } from '../../src/core/profile';
import { importPstats } from '../../src/formats/pstats';
import { importPythonSamples } from '../../src/formats/pysamples';
import { RunError } from '../../src/runners/nodeRunner';
import { isAlive } from '../../src/runners/processTree';
import {
  defaultPythonHelpersDir,
  resolvePython,
  startPythonProfile,
  type PythonProfileMode,
  type PythonRunOptions,
  type PythonRunResult,
} from '../../src/runners/pythonRunner';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
const programs = join(root, 'test', 'fixtures', 'pyprograms');
const allModes: PythonProfileMode[] = ['sampling', 'cprofile', 'yappi'];

let defaultPython: Promise<string> | undefined;
function python(): Promise<string> {
  defaultPython ??= process.env.HEATLENS_TEST_PYTHON
    ? Promise.resolve(process.env.HEATLENS_TEST_PYTHON)
    : resolvePython(['python3', 'python']);
  return defaultPython;
}

/** The interpreter for yappi runs, or why there is none. */
function yappiPython(): { python?: string; reason?: string } {
  const candidate = process.env.HEATLENS_TEST_YAPPI_PYTHON || '/usr/bin/python3';
  try {
    execFileSync(candidate, ['-c', 'import yappi'], { stdio: 'ignore' });
    return { python: candidate };
  } catch {
    return {
      reason:
        `yappi cannot be imported by ${candidate}: install it (Debian: ` +
        '`apt-get install python3-yappi`) or set HEATLENS_TEST_YAPPI_PYTHON',
    };
  }
}
const yappi = yappiPython();
if (yappi.reason) console.log(`# yappi tests skipped: ${yappi.reason}`);

async function pythonFor(mode: PythonProfileMode): Promise<string> {
  return mode === 'yappi' ? yappi.python! : python();
}

/** `test` for one mode, skipped (with the reason) for yappi when yappi is missing. */
function modeTest(mode: PythonProfileMode, name: string, fn: () => Promise<void>): void {
  if (mode === 'yappi' && yappi.reason) test(`${name} [yappi]`, { skip: yappi.reason }, fn);
  else test(`${name} [${mode}]`, fn);
}

interface Run {
  result: PythonRunResult;
  stdout: string;
  stderr: string;
}

async function profile(
  program: string,
  options: Partial<PythonRunOptions> & { mode: PythonProfileMode },
  onText?: (text: string, cancel: () => void) => void,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const run = startPythonProfile({
    file: join(programs, program),
    python: await pythonFor(options.mode),
    ...options,
    onOutput: (stream, text) => {
      if (stream === 'stdout') stdout += text;
      else stderr += text;
      onText?.(stream === 'stdout' ? stdout : stderr, () => run.cancel());
    },
  });
  const result = await run.done;
  run.dispose();
  return { result, stdout, stderr };
}

/** The 1-based line of `program` that carries `marker`. */
function markedLine(program: string, marker: string): number {
  const lines = readFileSync(join(programs, program), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `${marker} not found in ${program}`);
  return i + 1;
}

// ---- reading results

/** Self and total weight per function name, from a sampled profile's tree. */
function functionWeights(p: Profile): Map<string, { self: number; total: number }> {
  const out = new Map<string, { self: number; total: number }>();
  const t = p.tree;
  for (let n = 1; n < t.size; n++) {
    const name = p.frames[t.frame[n]].name;
    const w = out.get(name) ?? { self: 0, total: 0 };
    w.self += t.self[n];
    // Count a function's total once per stack: skip nodes with the same frame above them.
    let a = t.parent[n];
    while (a > 0 && t.frame[a] !== t.frame[n]) a = t.parent[a];
    if (a <= 0) w.total += t.total[n];
    out.set(name, w);
  }
  return out;
}

/** The line with the most self weight in `file`. */
function hottestLine(p: Profile, file: string): { line: number; self: number } {
  const byLine = new Map<number, number>();
  const fileId = p.lines.files.indexOf(file);
  for (let i = 0; i < p.lines.count; i++) {
    if (p.lines.file[i] !== fileId) continue;
    byLine.set(p.lines.line1[i], (byLine.get(p.lines.line1[i]) ?? 0) + p.lines.self[i]);
  }
  let best = { line: 0, self: -1 };
  for (const [line, self] of byLine) if (self > best.self) best = { line, self };
  return best;
}

function samples(result: PythonRunResult, program: string): Profile {
  assert.equal(result.format, 'pysamples');
  assert.ok(result.profileBytes.length > 0, `no profile for ${program}`);
  return importPythonSamples(new TextDecoder().decode(result.profileBytes), {
    sourceFile: `${program}.pysamples.json`,
  });
}

interface PstatsEntry {
  file: string;
  line: number;
  name: string;
  /** As the file has them: cProfile (cc, nc, tt, ct), yappi (ncall, nactualcall, tsub, ttot). */
  v: [number, number, number, number];
  callers: { file: string; line: number; name: string; v: [number, number, number, number] }[];
}

/** A pstats file as Python's marshal reads it. */
async function readPstats(bytes: Uint8Array): Promise<PstatsEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-pstats-'));
  try {
    const path = join(dir, 'p.prof');
    writeFileSync(path, bytes);
    const script =
      'import marshal, json, sys\n' +
      'd = marshal.load(open(sys.argv[1], "rb"))\n' +
      'print(json.dumps([{"file": k[0], "line": k[1], "name": k[2], "v": list(v[:4]),' +
      ' "callers": [{"file": c[0], "line": c[1], "name": c[2], "v": list(cv[:4])}' +
      ' for c, cv in v[4].items()]} for k, v in d.items()]))\n';
    const out = execFileSync(await python(), ['-c', script, path], { encoding: 'utf8' });
    return JSON.parse(out) as PstatsEntry[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entry of function `name` defined in `program`. */
function entry(stats: PstatsEntry[], program: string, name: string): PstatsEntry {
  const found = stats.find((e) => e.file === join(programs, program) && e.name === name);
  assert.ok(found, `${name} of ${program} is not in the pstats (${stats.length} entries)`);
  return found;
}

/** All calls of a pstats entry, whichever producer wrote it. */
function calls(e: PstatsEntry, mode: PythonProfileMode): number {
  return mode === 'yappi' ? e.v[0] : e.v[1];
}

function noHelperFrames(names: string[]): void {
  for (const n of names) assert.doesNotMatch(n, /heatlens_profile/);
}

// ---- the helper and the interpreter

test('the helper script is found from a built test', () => {
  assert.ok(existsSync(join(defaultPythonHelpersDir(), 'heatlens_profile.py')));
});

test('resolvePython: sys.executable of the first usable candidate', async () => {
  const exe = await resolvePython(['heatlens-no-such-python', 'python3', 'python']);
  assert.ok(existsSync(exe), exe);
});

test('resolvePython: no interpreter at all says how to fix it', async () => {
  await assert.rejects(
    resolvePython(['heatlens-no-such-python', '/nonexistent/python3']),
    (error: Error) => {
      assert.ok(error instanceof RunError);
      assert.match(error.message, /heatlens-no-such-python` \(not found\)/);
      assert.match(error.message, /install it/);
      assert.match(error.message, /heatlens\.python\.path/);
      return true;
    },
  );
});

test('an interpreter found by resolvePython is not probed again when the run starts', async (t) => {
  // A stand-in "python" (a Node script) that notes each launch: the probe (-c) answers as Python
  // would, naming itself; anything else runs in the real interpreter.
  const real = await python();
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-fake-python-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'python3');
  const launches = join(dir, 'launches');
  writeFileSync(
    fake,
    [
      `#!${process.execPath}`,
      "const { appendFileSync } = require('fs');",
      "const { spawnSync } = require('child_process');",
      'const args = process.argv.slice(2);',
      `appendFileSync(${JSON.stringify(launches)}, (args[0] === '-c' ? 'probe' : 'run') + '\\n');`,
      "if (args[0] === '-c') { console.log(__filename); console.log('3.11'); process.exit(0); }",
      `const r = spawnSync(${JSON.stringify(real)}, args, { stdio: 'inherit' });`,
      'process.exit(r.status ?? 1);',
    ].join('\n'),
    { mode: 0o755 },
  );
  // Found under another name (as `python3` on PATH resolves to a versioned binary).
  const link = join(dir, 'python');
  symlinkSync(fake, link);
  const exe = await resolvePython([link]);
  assert.equal(exe, fake);
  const run = startPythonProfile({ file: join(programs, 'hot.py'), mode: 'sampling', python: exe });
  assert.equal((await run.done).outcome, 'exited');
  assert.deepEqual(readFileSync(launches, 'utf8').trim().split('\n'), ['probe', 'run']);
});

const oldPython = ['2.7.18', '3.7.16']
  .map((v) =>
    join(homedir(), '.pyenv', 'versions', v, 'bin', v.startsWith('2') ? 'python2' : 'python3'),
  )
  .find((p) => existsSync(p));
test(
  'resolvePython: a Python older than 3.8 is passed over and named',
  { skip: oldPython ? false : 'no Python older than 3.8 on this machine' },
  async () => {
    await assert.rejects(resolvePython([oldPython!]), /\(Python [23]\.\d+, too old\)/);
    assert.ok(existsSync(await resolvePython([oldPython!, 'python3'])));
  },
);

test('a missing interpreter (the python option) is a RunError naming the setting', async () => {
  const run = startPythonProfile({
    file: join(programs, 'hot.py'),
    mode: 'sampling',
    python: '/nonexistent/bin/python3',
  });
  await assert.rejects(run.done, (error: Error) => {
    assert.ok(error instanceof RunError);
    assert.match(error.message, /\/nonexistent\/bin\/python3/);
    assert.match(error.message, /not found/);
    assert.match(error.message, /heatlens\.python\.path/);
    return true;
  });
});

test('a missing program file is a RunError naming it', async () => {
  const run = startPythonProfile({
    file: join(programs, 'no_such_program.py'),
    mode: 'sampling',
    python: await python(),
  });
  await assert.rejects(run.done, (error: Error) => {
    assert.ok(error instanceof RunError);
    assert.match(error.message, /no_such_program\.py: the file does not exist/);
    return true;
  });
});

test('yappi mode without yappi: a RunError with the install hint', async (t) => {
  const py = await python();
  try {
    execFileSync(py, ['-c', 'import yappi'], { stdio: 'ignore' });
    t.skip(`${py} has yappi, so this case cannot be shown with it`);
    return;
  } catch {
    // Expected: no yappi in this interpreter.
  }
  const run = startPythonProfile({ file: join(programs, 'hot.py'), mode: 'yappi', python: py });
  await assert.rejects(run.done, (error: Error) => {
    assert.ok(error instanceof RunError);
    assert.match(error.message, /yappi is not installed/);
    assert.match(error.message, /-m pip install yappi/);
    assert.match(error.message, /apt install python3-yappi/);
    return true;
  });
});

// ---- running exactly like `python file.py`

test('the program sees what `python file.py` shows it, and its output passes untouched', async () => {
  const py = await python();
  const args = ['a', 'b c', '--flag'];
  const direct = execFileSync(py, [join(programs, 'argv.py'), ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  for (const mode of ['sampling', 'cprofile'] as const) {
    const { result, stdout } = await profile('argv.py', { mode, args, cwd: root });
    assert.equal(result.outcome, 'exited', result.errorText);
    assert.equal(stdout, direct, mode);
  }
});

for (const mode of allModes) {
  modeTest(mode, 'modules named like the standard library stay the program’s own', async () => {
    const py = await pythonFor(mode);
    const file = join(programs, 'shadow', 'main.py');
    const direct = spawnSync(py, [file], { encoding: 'utf8' });
    const { result, stdout, stderr } = await profile(join('shadow', 'main.py'), { mode });
    assert.equal(stdout, direct.stdout);
    assert.equal(stdout, 'user json user profile user pstats user traceback\n');
    assert.equal(stderr, direct.stderr);
    assert.equal(result.outcome, 'failed');
    assert.equal(result.errorText, direct.stderr.trimEnd());
    if (mode === 'sampling') {
      assert.ok(samples(result, 'shadow').frames.some((f) => f.file === file));
    } else {
      const stats = await readPstats(result.profileBytes);
      assert.equal(calls(entry(stats, join('shadow', 'main.py'), 'work'), mode), 1);
    }
  });
}

// ---- the hot program

test('sampling: the hot function and its hot line, on the CPU clock', async () => {
  const { result, stdout } = await profile('hot.py', { mode: 'sampling', args: ['40', 'x'] });
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.equal(result.exitCode, 0);
  assert.equal(result.clock, 'cpu');
  assert.match(stdout, /^hot done \d+ \['40', 'x'\] __main__ True\n$/);
  const p = samples(result, 'hot');
  assert.equal(p.meta.profiler, 'heatlens-sampler');
  assert.equal(p.meta.clock, 'cpu');
  assert.equal(p.meta.unit, 'seconds');
  assert.equal(p.meta.intervalUs, 1000);
  const total = profileTotal(p);
  const w = functionWeights(p);
  const hot = w.get('hot')!;
  assert.ok(hot, `no hot in ${[...w.keys()].join(', ')}`);
  assert.ok(hot.self / total > 0.7, `hot has ${((100 * hot.self) / total).toFixed(1)}%`);
  for (const [name, x] of w) if (name !== 'hot') assert.ok(x.self < hot.self, name);
  assert.ok(w.get('main')!.total / total > 0.95);
  const file = join(programs, 'hot.py');
  assert.equal(hottestLine(p, file).line, markedLine('hot.py', '# HOT LINE'));
  const hotFrame = p.frames.find((f) => f.name === 'hot')!;
  assert.deepEqual(
    { file: hotFrame.file, line1: hotFrame.line1, kind: hotFrame.kind },
    { file, line1: markedLine('hot.py', 'def hot('), kind: 'user' },
  );
  noHelperFrames(p.frames.map((f) => `${f.file}`));
  // The root is the program's module, as in a plain run: none of our frames above it.
  assert.deepEqual(
    Array.from({ length: p.tree.childCount[0] }, (_, i) => {
      return p.frames[p.tree.frame[p.tree.children[p.tree.childStart[0] + i]]].name;
    }),
    ['<module>'],
  );
});

test('sampling: the wall clock', async () => {
  const { result } = await profile('hot.py', { mode: 'sampling', clock: 'wall', args: ['20'] });
  assert.equal(result.outcome, 'exited', result.errorText);
  const p = samples(result, 'hot');
  assert.equal(p.meta.clock, 'wall');
  const w = functionWeights(p);
  assert.ok(w.get('hot')!.self / profileTotal(p) > 0.6);
  assert.equal(hottestLine(p, join(programs, 'hot.py')).line, markedLine('hot.py', '# HOT LINE'));
});

for (const mode of ['cprofile', 'yappi'] as const) {
  modeTest(mode, 'exact call counts of the hot program', async () => {
    const { result, stdout } = await profile('hot.py', { mode });
    assert.equal(result.outcome, 'exited', result.errorText);
    assert.equal(result.format, 'pstats');
    assert.match(stdout, /^hot done /);
    const stats = await readPstats(result.profileBytes);
    assert.equal(calls(entry(stats, 'hot.py', 'hot'), mode), 40);
    assert.equal(calls(entry(stats, 'hot.py', 'cold'), mode), 10);
    assert.equal(calls(entry(stats, 'hot.py', 'tiny'), mode), 200);
    assert.equal(calls(entry(stats, 'hot.py', 'main'), mode), 1);
    const hot = entry(stats, 'hot.py', 'hot');
    assert.deepEqual(
      hot.callers.map((c) => [c.name, calls(c as PstatsEntry, mode)]),
      [['main', 40]],
    );
    // hot holds most of the time of main.
    assert.ok(hot.v[2] / entry(stats, 'hot.py', 'main').v[3] > 0.7);
    noHelperFrames(stats.map((e) => e.file));
    // Our own reader agrees on the counts.
    const p = importPstats(result.profileBytes, { sourceFile: `hot-${mode}.prof` });
    const graph = p.callGraph!;
    const fn = graph.functions.find((f) => p.frames[f.frame].name === 'hot')!;
    assert.equal(fn.calls, 40);
  });
}

// ---- programs that end badly

for (const mode of allModes) {
  modeTest(mode, 'a program that raises: traceback as Python prints it, profile kept', async () => {
    const { result, stderr } = await profile('raises.py', { mode });
    assert.equal(result.outcome, 'failed');
    assert.equal(result.exitCode, 1);
    const line = markedLine('raises.py', 'fail(work())');
    const where = `File "${join(programs, 'raises.py')}", line ${line}, in <module>`;
    assert.ok(result.errorText?.startsWith('Traceback (most recent call last):\n'));
    assert.ok(result.errorText?.includes(where), result.errorText);
    assert.match(result.errorText!, /ValueError: boom 1999999$/);
    assert.doesNotMatch(result.errorText!, /heatlens_profile/);
    assert.ok(stderr.includes(where));
    assert.ok(stderr.includes('ValueError: boom 1999999'));
    if (mode === 'sampling') {
      assert.ok(functionWeights(samples(result, 'raises')).get('work'));
    } else {
      const stats = await readPstats(result.profileBytes);
      assert.equal(calls(entry(stats, 'raises.py', 'work'), mode), 1);
      assert.equal(calls(entry(stats, 'raises.py', 'fail'), mode), 1);
    }
  });

  modeTest(mode, 'sys.exit(3): exit code 3, profile kept', async () => {
    const { result, stdout } = await profile('exit3.py', { mode });
    assert.equal(result.outcome, 'failed');
    assert.equal(result.exitCode, 3);
    assert.equal(result.errorText, 'exit3.py exited with code 3.');
    assert.equal(stdout, 'exiting with 3\n');
    if (mode === 'sampling') {
      assert.ok(functionWeights(samples(result, 'exit3')).get('work'));
    } else {
      assert.equal(
        calls(entry(await readPstats(result.profileBytes), 'exit3.py', 'work'), mode),
        1,
      );
    }
  });

  modeTest(mode, 'a syntax error is the program failing, with Python’s report', async () => {
    const { result, stderr } = await profile('syntax_error.py', { mode });
    assert.equal(result.outcome, 'failed');
    assert.equal(result.exitCode, 1);
    assert.equal(result.profileBytes.length, 0);
    const where = `File "${join(programs, 'syntax_error.py')}", line 4`;
    assert.ok(result.errorText?.includes(where), result.errorText);
    assert.match(result.errorText!, /SyntaxError: /);
    assert.doesNotMatch(result.errorText!, /Traceback|heatlens_profile/);
    assert.ok(stderr.includes(where));
    assert.deepEqual(result.warnings, []);
  });

  modeTest(mode, 'cancel: SIGINT, what was recorded is kept', async () => {
    let asked = false;
    const { result, stdout, stderr } = await profile('forever.py', { mode }, (text, cancel) => {
      if (!asked && /tick 3\n/.test(text)) {
        asked = true;
        cancel();
      }
    });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.exitCode, 130);
    assert.match(stdout, /^ready\ntick 0\n/);
    assert.match(stderr, /KeyboardInterrupt/);
    assert.ok(result.profileBytes.length > 0, result.warnings.join('\n'));
    if (mode === 'sampling') {
      const w = functionWeights(samples(result, 'forever'));
      assert.ok(w.get('spin')!.self > 0);
    } else {
      const stats = await readPstats(result.profileBytes);
      assert.ok(calls(entry(stats, 'forever.py', 'spin'), mode) >= 1);
    }
  });
}

test('cancel: a program that ignores SIGINT is stopped with its children, keeping its profile', async () => {
  let childPid = 0;
  const { result } = await profile(
    'stubborn.py',
    { mode: 'sampling', cancelGraceMs: 300 },
    (text, cancel) => {
      const m = /child (\d+)\n/.exec(text);
      if (m && !childPid) {
        childPid = Number(m[1]);
        cancel();
      }
    },
  );
  assert.equal(result.outcome, 'cancelled');
  // Asked again on the control pipe, the helper wrote what was recorded and exited 130.
  assert.equal(result.exitCode, 130);
  const p = samples(result, 'stubborn');
  assert.ok(profileTotal(p) > 0);
  assert.match(p.meta.warnings.join('\n'), /did not stop on Ctrl\+C \(SIGINT\)/);
  assert.ok(childPid > 0);
  // killProcessTree waited for the tree; the grandchild's parent (now gone) may leave a zombie
  // for init to reap, so look at its state rather than only at its existence.
  const gone = (pid: number) => {
    if (!isAlive(pid)) return true;
    try {
      return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true; // Gone between the two looks.
    }
  };
  assert.ok(gone(childPid), `child ${childPid} is still running`);
});

test('sampling, wall clock: a program with its own SIGALRM handler gets a warning', async () => {
  const { result, stdout } = await profile('alarm.py', { mode: 'sampling', clock: 'wall' });
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.equal(stdout, 'alarm done\n');
  const p = samples(result, 'alarm');
  assert.match(p.meta.warnings.join('\n'), /its own SIGALRM handler.*use the CPU clock/);
});

// ---- threads and coroutines

/** Whether both worker threads appear under their pseudo-frames. */
function hasWorkers(p: Profile): boolean {
  const names = new Set(p.frames.map((f) => f.name));
  return names.has('thread: worker-a') && names.has('thread: worker-b');
}

test('sampling: threads are sampled by the poller, under their own pseudo-frames', async () => {
  for (const clock of ['cpu', 'wall'] as const) {
    // A sampler can miss a thread that lives 0.1 s on a loaded machine (the workers got no CPU
    // while the poller ran): the structure is what this test checks, so up to three runs.
    let p = samples((await profile('threaded.py', { mode: 'sampling', clock })).result, 'threaded');
    for (let attempt = 1; attempt < 3 && !hasWorkers(p); attempt++) {
      const { result } = await profile('threaded.py', { mode: 'sampling', clock });
      assert.equal(result.outcome, 'exited', result.errorText);
      p = samples(result, 'threaded');
    }
    const t = p.tree;
    const roots = new Map<string, number>();
    for (let i = 0; i < t.childCount[0]; i++) {
      const n = t.children[t.childStart[0] + i];
      roots.set(p.frames[t.frame[n]].name, n);
    }
    for (const name of ['worker-a', 'worker-b']) {
      const n = roots.get(`thread: ${name}`);
      assert.ok(n !== undefined, `${clock}: no thread ${name} in ${[...roots.keys()].join(', ')}`);
      assert.equal(p.frames[t.frame[n]].kind, 'pseudo');
      assert.equal(p.frames[t.frame[n]].file, null);
      assert.ok(t.total[n] > 0);
    }
    assert.ok(roots.has('<module>'), `${clock}: no main thread`);
    // Each worker's time is spin's (on the wall clock its waits for the GIL land in spin too).
    // The share is taken inside each thread's subtree: the main thread's wait in join() and
    // the interpreter's start-up are real wall time too, and on a loaded machine they grow.
    for (const name of ['worker-a', 'worker-b']) {
      const root = roots.get(`thread: ${name}`)!;
      let spin = 0;
      for (let n = 0; n < t.size; n++) {
        let a = n;
        while (a > 0 && a !== root) a = t.parent[a];
        if (a === root && p.frames[t.frame[n]].name === 'spin') spin += t.self[n];
      }
      const share = spin / t.total[root];
      assert.ok(share > 0.8, `${clock}: spin has ${share} of thread ${name}`);
    }
    // On the CPU clock, where the main thread's wait costs nothing, spin is nearly everything.
    if (clock === 'cpu') {
      const share = functionWeights(p).get('spin')!.self / profileTotal(p);
      assert.ok(share > 0.8, `cpu: spin has ${share}`);
    }
    // Thread bootstrap frames are the standard library's.
    const bootstrap = p.frames.find((f) => /_bootstrap_inner$/.test(f.name))!;
    assert.equal(bootstrap.kind, 'library');
  }
});

modeTest('yappi', 'threads: every thread profiled, counts exact', async () => {
  const { result } = await profile('threaded.py', { mode: 'yappi' });
  assert.equal(result.outcome, 'exited', result.errorText);
  const stats = await readPstats(result.profileBytes);
  const spin = entry(stats, 'threaded.py', 'spin');
  assert.equal(spin.v[0], 30);
  assert.deepEqual(
    spin.callers.map((c) => [c.name, c.v[0]]),
    [['worker', 30]],
  );
  const worker = entry(stats, 'threaded.py', 'worker');
  assert.equal(worker.v[0], 2);
  assert.deepEqual(
    worker.callers.map((c) => [c.name, c.v[0]]),
    [['run', 2]],
  );
  assert.equal(calls(entry(stats, 'threaded.py', 'start_workers'), 'yappi'), 1);
});

test('cprofile: threads get a warning (cProfile does not follow them)', async () => {
  const { result } = await profile('threaded.py', { mode: 'cprofile' });
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.match(result.warnings.join('\n'), /started threads: cProfile/);
  const stats = await readPstats(result.profileBytes);
  assert.equal(calls(entry(stats, 'threaded.py', 'start_workers'), 'cprofile'), 1);
});

modeTest('yappi', 'asyncio on the wall clock: a coroutine counts once per call', async () => {
  const { result, stdout } = await profile('asyncio_app.py', { mode: 'yappi', clock: 'wall' });
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.equal(result.clock, 'wall');
  assert.equal(stdout, 'gathered 45\n');
  const stats = await readPstats(result.profileBytes);
  const fetch = entry(stats, 'asyncio_app.py', 'fetch');
  // Ten calls, not one per resumption (each fetch suspends twice).
  assert.equal(fetch.v[0], 10);
  // Wall time includes the two 50 ms awaits of each of the ten coroutines.
  assert.ok(fetch.v[3] >= 0.9, `fetch total ${fetch.v[3]} s`);
  const burn = entry(stats, 'asyncio_app.py', 'burn');
  assert.equal(burn.v[0], 10);
  assert.deepEqual(
    burn.callers.map((c) => [c.name, c.v[0]]),
    [['fetch', 10]],
  );
});

// ---- Python versions

function matrixPythons(): string[] {
  const listed = process.env.HEATLENS_TEST_PYTHONS?.split(/\s+/).filter(Boolean);
  if (listed?.length) return listed;
  const versions = join(process.env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .filter((v) => /^3\.(?:[89]|1\d)\.\d+$/.test(v))
    .map((v) => join(versions, v, 'bin', 'python3'))
    .filter((p) => existsSync(p));
}

const matrix = matrixPythons();
test(
  'every Python found, 3.8 and newer: sampling and cprofile on the hot program',
  { skip: matrix.length ? false : 'no other Python found (set HEATLENS_TEST_PYTHONS)' },
  async () => {
    for (const py of matrix) {
      const s = await profile('hot.py', { mode: 'sampling', python: py, args: ['20'] });
      assert.equal(s.result.outcome, 'exited', `${py}: ${s.result.errorText}`);
      const p = samples(s.result, 'hot');
      const w = functionWeights(p);
      assert.ok(w.get('hot')!.self / profileTotal(p) > 0.6, py);
      assert.equal(
        hottestLine(p, join(programs, 'hot.py')).line,
        markedLine('hot.py', '# HOT LINE'),
        py,
      );
      const c = await profile('hot.py', { mode: 'cprofile', python: py, args: ['20'] });
      assert.equal(c.result.outcome, 'exited', `${py}: ${c.result.errorText}`);
      assert.equal(
        calls(entry(await readPstats(c.result.profileBytes), 'hot.py', 'hot'), 'cprofile'),
        20,
      );
      const r = await profile('raises.py', { mode: 'sampling', python: py });
      assert.match(r.result.errorText ?? '', /ValueError: boom 1999999$/, py);
    }
  },
);
