// Integration tests of the Node runner: real programs (test/fixtures/programs) profiled by real
// Node through the inspector. Built to out/test/runners/ by scripts/build.mjs, which also builds
// the injected helpers (dist/inject) these runs need.
//
// The Node that runs the programs is this test's own, or HEATLENS_TEST_NODE (to check another
// version: `HEATLENS_TEST_NODE=/path/to/node24 node --test out/test/runners/nodeRunner.test.js`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { hotLines } from '../../src/core/lineHeat';
import { importCpuprofile } from '../../src/formats/cpuprofile';
import { defaultHelpersDir } from '../../src/runners/helpers';
import { remapProfile } from '../../src/sourcemaps/remap';
import {
  errorTextFromStderr,
  RunError,
  startNodeProfile,
  type EarlyProfile,
  type NodeRunOptions,
  type NodeRunResult,
} from '../../src/runners/nodeRunner';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
const programs = join(root, 'test', 'fixtures', 'programs');
// The TypeScript loader's cache of this test run, not the user's.
const transformCacheDir = mkdtempSync(join(tmpdir(), 'heatlens-test-ts-cache-'));
process.on('exit', () => rmSync(transformCacheDir, { recursive: true, force: true }));
const nodePath = process.env.HEATLENS_TEST_NODE || process.execPath;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface Cpuprofile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

interface Run {
  result: NodeRunResult;
  profile: Cpuprofile;
  stdout: string;
  stderr: string;
}

async function profile(
  file: string,
  options: Partial<NodeRunOptions> = {},
  onText?: (text: string, cancel: () => void) => void,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const run = startNodeProfile({
    file,
    nodePath,
    transformCacheDir,
    ...options,
    onOutput: (stream, text) => {
      if (stream === 'stdout') stdout += text;
      else stderr += text;
      onText?.(text, () => run.cancel());
    },
  });
  const result = await run.done;
  run.dispose();
  return { result, profile: JSON.parse(result.profileText) as Cpuprofile, stdout, stderr };
}

/** 1-based line of the first line of `file` containing `marker`. */
function markerLine(file: string, marker: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `${marker} not found in ${file}`);
  return index + 1;
}

/** Self samples per function (name + url + line), from samples, not hitCount. */
function selfSamples(p: Cpuprofile): Map<CpuNode, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map<CpuNode, number>();
  for (const id of p.samples) {
    const node = byId.get(id)!;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** The nodes of function `name` in `url`. */
function nodesOf(p: Cpuprofile, name: string, url?: string): CpuNode[] {
  return p.nodes.filter(
    (n) => n.callFrame.functionName === name && (url === undefined || n.callFrame.url === url),
  );
}

/** Sum of samples whose stack contains a node of function `name`. */
function samplesUnder(p: Cpuprofile, name: string): number {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  let count = 0;
  for (const id of p.samples) {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.functionName === name) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** The line (1-based) with the most position ticks over all nodes of `name`. */
function hottestLine(p: Cpuprofile, name: string): number | undefined {
  const ticks = new Map<number, number>();
  for (const n of nodesOf(p, name)) {
    for (const t of n.positionTicks ?? []) ticks.set(t.line, (ticks.get(t.line) ?? 0) + t.ticks);
  }
  let best: number | undefined;
  for (const [line, count] of ticks)
    if (best === undefined || count > ticks.get(best)!) best = line;
  return best;
}

/** The user-code function (url in `url`) with the most self samples. */
function hottestFunction(p: Cpuprofile, url: string): CpuNode | undefined {
  const byFunction = new Map<string, { node: CpuNode; self: number }>();
  for (const [node, self] of selfSamples(p)) {
    if (node.callFrame.url !== url) continue;
    const key = `${node.callFrame.functionName}:${node.callFrame.lineNumber}`;
    const entry = byFunction.get(key) ?? { node, self: 0 };
    entry.self += self;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()].sort((a, b) => b.self - a.self)[0]?.node;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie waiting to be reaped has already ended.
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('the helpers folder is found from a built test', () => {
  const dir = defaultHelpersDir();
  assert.equal(dir, join(root, 'dist', 'inject'));
  for (const name of [
    'tsRegister.js',
    'tsHooks.js',
    'tsCompiler.js',
    'childGuard.js',
    'esmEntry.js',
  ]) {
    assert.ok(existsSync(join(dir, name)), `${name} in ${dir}`);
  }
});

test('a JavaScript program: hot function and hot line, output without inspector noise', async () => {
  const file = join(programs, 'hot.js');
  const { result, profile: p, stdout, stderr } = await profile(file);
  assert.equal(result.outcome, 'exited');
  assert.equal(result.exitCode, 0);
  assert.equal(result.signal, null);
  assert.equal(result.errorText, undefined);
  assert.match(stdout, /^result \d+\.\d{3}\n$/);
  assert.doesNotMatch(stderr, /Debugger|For help|Waiting for the debugger/);
  assert.deepEqual(result.command.slice(0, 2), [nodePath, '--inspect-brk=127.0.0.1:0']);
  assert.equal(result.command.at(-1), file);
  assert.equal(result.intervalUs, 1000);
  assert.deepEqual(result.warnings, []);
  assert.ok(result.durationMs > 0);

  const url = pathToFileURL(file).href;
  const hot = hottestFunction(p, url);
  assert.equal(hot?.callFrame.functionName, 'hotLoop');
  assert.equal(hot.callFrame.lineNumber + 1, markerLine(file, 'HOT FUNCTION'));
  assert.equal(hottestLine(p, 'hotLoop'), markerLine(file, 'HOT LINE'));
  assert.ok(samplesUnder(p, 'hotLoop') > samplesUnder(p, 'coldSetup'));
});

test('process.exit(3) keeps the profile and the exit code', async () => {
  const { result, profile: p, stdout } = await profile(join(programs, 'exit3.js'));
  assert.equal(result.exitCode, 3);
  assert.equal(result.outcome, 'failed');
  assert.match(result.errorText ?? '', /exit3\.js exited with code 3/);
  assert.match(stdout, /^busy /);
  assert.ok(samplesUnder(p, 'busy') > 0, 'samples in busy()');
});

test('an uncaught exception keeps the profile and reports the error', async () => {
  const { result, profile: p, stderr } = await profile(join(programs, 'throws.js'));
  assert.equal(result.outcome, 'failed');
  assert.equal(result.exitCode, 1);
  assert.match(stderr, /Error: heatlens fixture failure after \d+/);
  const firstLine = result.errorText?.split('\n')[0] ?? '';
  assert.match(firstLine, /^Error: heatlens fixture failure after \d+$/);
  assert.match(result.errorText ?? '', /throws\.js:\d+/);
  assert.ok(samplesUnder(p, 'busy') > 0, 'samples in busy()');
});

test('an unhandled rejection keeps the profile and reports the error', async () => {
  const { result, profile: p } = await profile(join(programs, 'rejects.js'));
  assert.equal(result.outcome, 'failed');
  assert.equal(result.exitCode, 1);
  assert.match(result.errorText ?? '', /heatlens fixture rejection after \d+/);
  assert.ok(samplesUnder(p, 'busy') > 0, 'samples in busy()');
});

test('cancel stops an endless loop, keeps its samples and ends every child', async () => {
  const file = join(programs, 'forever.js');
  let pids: number[] = [];
  let cancelled = false;
  const {
    result,
    profile: p,
    stdout,
  } = await profile(file, {}, (text, cancel) => {
    const ids = /\{"pids":\[(\d+),(\d+)\]\}/.exec(text);
    if (ids) pids = [Number(ids[1]), Number(ids[2])];
    // Printed from inside the loop once it has spun 50 million times: samples exist.
    if (text.includes('spinning') && !cancelled) {
      cancelled = true;
      cancel();
    }
  });
  assert.match(stdout, /spinning/);
  assert.equal(result.outcome, 'cancelled');
  assert.equal(result.errorText, undefined);
  assert.ok(samplesUnder(p, 'spinForever') > 0, 'samples in spinForever()');
  assert.equal(hottestLine(p, 'spinForever') !== undefined, true);
  assert.equal(pids.length, 2, 'the forked child started (it did not wait for a debugger)');
  for (const pid of pids) assert.ok(processGone(pid), `child ${pid} ended`);
});

test('cancel before the program starts: no process, an empty profile', async () => {
  const run = startNodeProfile({ file: join(programs, 'forever.js'), nodePath });
  run.cancel();
  const result = await run.done;
  assert.equal(result.outcome, 'cancelled');
  const p = JSON.parse(result.profileText) as Cpuprofile;
  assert.deepEqual(p.samples, []);
  assert.equal(p.nodes[0].callFrame.functionName, '(root)');
});

test('TypeScript as CommonJS: .ts URLs, TypeScript lines and generated maps', async () => {
  const dir = join(programs, 'ts-cjs');
  const math = join(dir, 'math.ts');
  const { result, profile: p, stdout } = await profile(join(dir, 'main.ts'));
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.match(stdout, /^sum \d+\.\d{3} legacy module function\n$/);
  const hot = hottestFunction(p, pathToFileURL(math).href);
  assert.equal(hot?.callFrame.functionName, 'hotSum');
  assert.equal(hot.callFrame.lineNumber + 1, markerLine(math, 'HOT FUNCTION'));
  assert.equal(hottestLine(p, 'hotSum'), markerLine(math, 'HOT LINE'));
  assert.ok(
    p.nodes.some((n) => n.callFrame.url === pathToFileURL(join(dir, 'main.ts')).href),
    'main.ts in the profile',
  );
  const mapped = ['main.ts', 'math.ts', 'format.ts', 'legacy.ts'].map((n) => join(dir, n));
  assert.deepEqual([...result.generatedMaps.keys()].sort(), mapped.sort());
  for (const [file, text] of result.generatedMaps) {
    const map = JSON.parse(text) as { version: number; sources: string[]; mappings: string };
    assert.equal(map.version, 3);
    assert.deepEqual(map.sources, [basename(file)]);
    assert.ok(map.mappings.length > 0);
  }
});

test('the whole pipeline puts the heat of a TypeScript run on the TypeScript line', async () => {
  const dir = join(programs, 'ts-esm');
  const math = join(dir, 'math.ts');
  const { result } = await profile(join(dir, 'main.ts'));
  const remapped = await remapProfile(
    importCpuprofile(result.profileText),
    { readFile: async (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined) },
    { maps: result.generatedMaps },
  );
  assert.deepEqual(remapped.meta.warnings, []);
  const hottest = hotLines(remapped).filter((l) => l.file === math)[0];
  assert.equal(hottest?.line1, markerLine(math, 'HOT LINE'));
});

test('the empty profile of a run without samples imports cleanly', async () => {
  const run = startNodeProfile({ file: join(programs, 'hot.js'), nodePath });
  run.cancel();
  const empty = importCpuprofile((await run.done).profileText);
  assert.equal(empty.tree.size >= 1, true);
});

test('TypeScript ES modules: .js specifiers, .mts, .cts named exports, top-level await', async () => {
  const dir = join(programs, 'ts-esm');
  const math = join(dir, 'math.ts');
  const { result, profile: p, stdout } = await profile(join(dir, 'main.ts'));
  assert.equal(result.outcome, 'exited', result.errorText);
  // `typeof require` is 'undefined': main.ts really ran as an ES module.
  assert.match(stdout, /^sum \d+\.\d{3} legacy cts 4 undefined\n$/);
  assert.ok(result.command.includes('--import'));
  const hot = hottestFunction(p, pathToFileURL(math).href);
  assert.equal(hot?.callFrame.functionName, 'hotSum');
  assert.equal(hot.callFrame.lineNumber + 1, markerLine(math, 'HOT FUNCTION'));
  assert.equal(hottestLine(p, 'hotSum'), markerLine(math, 'HOT LINE'));
  const mapped = ['main.ts', 'math.ts', 'scale.mts', 'legacy.cts'].map((n) => join(dir, n));
  assert.deepEqual([...result.generatedMaps.keys()].sort(), mapped.sort());
});

test('a JavaScript syntax error: failed, with the SyntaxError, and a valid profile', async () => {
  const { result, profile: p } = await profile(join(programs, 'syntaxError.js'));
  assert.equal(result.outcome, 'failed');
  assert.equal(result.exitCode, 1);
  assert.match(result.errorText?.split('\n')[0] ?? '', /^SyntaxError: /);
  assert.match(result.errorText ?? '', /syntaxError\.js:4/);
  assert.ok(Array.isArray(p.samples));
});

/** Writes files into a fresh temporary folder (for TypeScript the type check must not see). */
function temporaryProgram(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-program-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('a TypeScript syntax error names the file and line, like Node does for JavaScript', async (t) => {
  const dir = temporaryProgram({
    'broken.ts': 'const ok: number = 1;\nfunction broken(value: number { return value + ok; }\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'broken.ts');
  const { result, stderr } = await profile(file);
  assert.equal(result.outcome, 'failed');
  assert.equal(result.exitCode, 1);
  assert.match(result.errorText?.split('\n')[0] ?? '', /^SyntaxError: .*TypeScript/);
  assert.ok(stderr.startsWith(`${file}:2\nfunction broken(value: number {`), stderr);
  assert.doesNotMatch(stderr, /tsRegister/);
});

test('a TypeScript run of unchanged files does not load the compiler; an edited file does', async (t) => {
  const dir = temporaryProgram({
    'main.ts': "import { twice } from './twice';\nconsole.log(twice(21));\n",
    'twice.ts': 'export function twice(x: number): number {\n  return x * 2;\n}\n',
  });
  const cache = join(dir, '.cache');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Node names every module it loads on stderr with NODE_DEBUG=module.
  const run = async () => {
    const r = await profile(join(dir, 'main.ts'), {
      transformCacheDir: cache,
      env: { NODE_DEBUG: 'module' },
    });
    assert.equal(r.result.outcome, 'exited', r.result.errorText);
    assert.equal(r.stdout, '42\n');
    assert.equal(r.result.generatedMaps.size, 2, 'both maps, cached or not');
    return /tsCompiler\.js/.test(r.stderr);
  };
  assert.equal(await run(), true, 'the first run compiles');
  assert.equal(await run(), false, 'the second run takes both files from the cache');
  writeFileSync(
    join(dir, 'twice.ts'),
    'export function twice(x: number): number {\n  return x + x;\n}\n',
  );
  assert.equal(await run(), true, 'an edited file is compiled again');
});

test('TypeScript `export =` and `import x = require()`', async (t) => {
  const dir = temporaryProgram({
    'main.ts': "import legacy = require('./legacy');\nconsole.log(legacy.name);\n",
    'legacy.ts': "const legacy = { name: 'export equals' as string };\nexport = legacy;\n",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { result, stdout } = await profile(join(dir, 'main.ts'));
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.equal(stdout, 'export equals\n');
  assert.equal(result.generatedMaps.size, 2);
});

/**
 * Profiles `file`, noting what `profiled` handed over and when (epoch ms, as the run's marks).
 * `onText` may cancel the run.
 */
async function handOver(
  file: string,
  onText?: (text: string, cancel: () => void) => void,
): Promise<{ result: NodeRunResult; handed: EarlyProfile | undefined; handedAt: number }> {
  const run = startNodeProfile({
    file,
    nodePath,
    transformCacheDir,
    onOutput: (_stream, text) => onText?.(text, () => run.cancel()),
  });
  const handedAt = await run.profiled.then(() => performance.timeOrigin + performance.now());
  const handed = await run.profiled;
  const result = await run.done;
  run.dispose();
  return { result, handed, handedAt };
}

test('the profile is handed over before the process exits, the same as its result', async () => {
  const dir = join(programs, 'ts-cjs');
  const { result, handed, handedAt } = await handOver(join(dir, 'main.ts'));
  assert.equal(result.outcome, 'exited', result.errorText);
  assert.ok(handed, 'a profile was handed over');
  assert.ok(handedAt < result.marks.exited!, 'handed over before the process had exited');
  assert.equal(handed.profileText, result.profileText);
  assert.deepEqual(handed.runtimePaths, result.runtimePaths);
  // Every TypeScript file's map was written before its code ran, so before the hand-over.
  assert.deepEqual(handed.generatedMaps, result.generatedMaps);
  assert.equal(handed.generatedMaps.size, 4);
  assert.ok(samplesUnder(JSON.parse(handed.profileText) as Cpuprofile, 'hotSum') > 0);
});

test('a failed run hands over the same profile as its result', async () => {
  const { result, handed, handedAt } = await handOver(join(programs, 'throws.js'));
  assert.equal(result.outcome, 'failed');
  assert.ok(handedAt < result.marks.exited!);
  assert.equal(handed?.profileText, result.profileText);
  assert.ok(samplesUnder(JSON.parse(result.profileText) as Cpuprofile, 'busy') > 0);
});

test('a cancelled run hands over the samples it recorded, the same as its result', async () => {
  let cancelled = false;
  const { result, handed, handedAt } = await handOver(
    join(programs, 'forever.js'),
    (text, cancel) => {
      if (text.includes('spinning') && !cancelled) {
        cancelled = true;
        cancel();
      }
    },
  );
  assert.equal(result.outcome, 'cancelled');
  assert.ok(handedAt < result.marks.exited!);
  assert.equal(handed?.profileText, result.profileText);
  assert.ok(samplesUnder(JSON.parse(result.profileText) as Cpuprofile, 'spinForever') > 0);
});

test('a run without a profile hands over nothing, and `profiled` never rejects', async () => {
  const early = startNodeProfile({ file: join(programs, 'forever.js'), nodePath });
  early.cancel();
  assert.equal(await early.profiled, undefined);
  assert.equal((await early.done).outcome, 'cancelled');
  const missing = startNodeProfile({ file: join(programs, 'no-such-program.js'), nodePath });
  assert.equal(await missing.profiled, undefined);
  await assert.rejects(missing.done, RunError);
});

test('a finer interval than 100 µs gives a warning', async () => {
  const { result } = await profile(join(programs, 'syntaxError.js'), { intervalUs: 50 });
  assert.equal(result.intervalUs, 50);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0], /50 µs costs more and is often not reached/);
});

test('bad requests are RunErrors that name the problem', async () => {
  const missing = join(programs, 'no-such-program.js');
  await assert.rejects(
    startNodeProfile({ file: missing, nodePath }).done,
    (e: unknown) =>
      e instanceof RunError && e.message.includes(missing) && /does not exist/.test(e.message),
  );
  await assert.rejects(
    startNodeProfile({ file: programs, nodePath }).done,
    (e: unknown) =>
      e instanceof RunError && e.message.includes(programs) && /folder/.test(e.message),
  );
  await assert.rejects(
    startNodeProfile({ file: join(programs, 'hot.js'), nodePath: join(programs, 'no-node') }).done,
    (e: unknown) =>
      e instanceof RunError &&
      /heatlens\.node\.path/.test(e.message) &&
      /Install Node/.test(e.message),
  );
  await assert.rejects(
    startNodeProfile({ file: join(programs, 'hot.js'), nodePath, intervalUs: 0 }).done,
    (e: unknown) => e instanceof RunError && /positive number of microseconds/.test(e.message),
  );
  await assert.rejects(
    startNodeProfile({ file: 'hot.js', cwd: join(programs, 'missing-dir'), nodePath }).done,
    (e: unknown) => e instanceof RunError && /working directory/.test(e.message),
  );
  await assert.rejects(
    startNodeProfile({
      file: join(programs, 'ts-cjs', 'main.ts'),
      nodePath,
      helpersDir: join(programs, 'no-helpers'),
    }).done,
    (e: unknown) => e instanceof RunError && /TypeScript loader is missing/.test(e.message),
  );
});

test('relative files resolve against cwd; args follow the file', async () => {
  const { result, stdout } = await profile('hot.js', { cwd: programs, args: ['ignored'] });
  assert.equal(result.outcome, 'exited');
  assert.equal(result.command.at(-2), join(programs, 'hot.js'));
  assert.equal(result.command.at(-1), 'ignored');
  assert.match(stdout, /^result /);
});

test('errorTextFromStderr puts the error line first', () => {
  const report =
    '/a/b.js:3\n  throw new TypeError("x")\n  ^\n\nTypeError: x\n    at f (/a/b.js:3:9)';
  assert.equal(errorTextFromStderr(report), `TypeError: x\n\n${report}`);
  assert.equal(errorTextFromStderr('Error: first\n    at x'), 'Error: first\n    at x');
  assert.equal(errorTextFromStderr('just text\n'), 'just text');
});
