import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import { repoRoot } from '../../test/support/repoRoot';
import { readTickReport, tickKey, type TickReport } from '../../test/support/tickProcessor';
import { detectFormat, importProfileFile } from './detect';
import { ProfileFormatError } from './errors';
import { importV8Log, isRawV8Log, isV8Log } from './v8log';
import { parseJsName } from './v8logCode';

const FOLDER = 'test/fixtures/v8-log';
const read = (name: string) => readFileSync(join(repoRoot(), FOLDER, name), 'utf8');
const load = (name: string) => {
  const text = read(name);
  return importV8Log({ text, json: () => JSON.parse(text) }, { sourceFile: name });
};
const fromJson = (value: unknown, name = 'x.v8log.json') =>
  importV8Log({ text: JSON.stringify(value), json: () => value }, { sourceFile: name });

/** Self ticks per tick processor name. */
function selfByKey(p: Profile): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of functionStats(p))
    if (s.self) out.set(tickKey(s.frame), (out.get(tickKey(s.frame)) ?? 0) + s.self);
  return out;
}

/**
 * The flat profile's self ticks, function by function; `nativeSlack` ticks of C++ and library
 * code may sit elsewhere (Node 24's preprocessor and report resolve one address differently).
 */
function assertFlatProfile(p: Profile, ref: TickReport, what: string, nativeSlack = 0): void {
  assert.equal(profileTotal(p), ref.ticks, `${what}: ticks`);
  const ours = selfByKey(p);
  let off = 0;
  for (const [key, ticks] of ref.self) {
    const got = ours.get(key) ?? 0;
    if (/:\d+:\d+$/.test(key) || key === '(unaccounted)')
      assert.equal(got, ticks, `${what}: self ticks of ${key}`);
    else off += Math.abs(got - ticks);
  }
  for (const [key, ticks] of ours) if (!ref.self.has(key)) off += ticks;
  assert.ok(off <= 2 * nativeSlack, `${what}: ${off} native ticks elsewhere`);
}

/**
 * The bottom-up profile's first levels: a top function's ticks and each caller's. The tick
 * processor prints a row only at 1% of its parent or more, per tier: ours can only be more, and
 * by less than 1% for each of the four tiers a row can hide in.
 */
function assertBottomUp(p: Profile, ref: TickReport, what: string): void {
  const t = p.tree;
  for (const [name, row] of ref.bottomUp) {
    const callers = new Map<string, number>();
    let ticks = 0;
    for (let n = 1; n < t.size; n++) {
      if (!t.self[n] || tickKey(p.frames[t.frame[n]]) !== name) continue;
      ticks += t.self[n];
      if (t.parent[n] > 0) {
        const c = tickKey(p.frames[t.frame[t.parent[n]]]);
        callers.set(c, (callers.get(c) ?? 0) + t.self[n]);
      }
    }
    assert.ok(ticks >= row.ticks && ticks < row.ticks + 0.04 * ref.ticks, `${what}: ${name}`);
    for (const [caller, n] of row.callers) {
      const got = callers.get(caller) ?? 0;
      assert.ok(got >= n && got < n + 0.04 * ticks, `${what}: ${name} <- ${caller}: ${got}, ${n}`);
    }
  }
}

test("Node 20 and Node 24 logs: the tick processor's flat profile and bottom-up callers", () => {
  for (const [run, slack] of [
    ['work', 0],
    ['work-node24', 1],
  ] as const) {
    const p = load(`${run}.v8log.json`);
    const ref = readTickReport(`${FOLDER}/${run}.prof.txt`);
    assertFlatProfile(p, ref, run, slack);
    assertBottomUp(p, ref, run);
    assert.deepEqual(p.meta.warnings, []);
    assert.equal(p.meta.unit, 'samples');
    assert.equal(p.meta.profiler, 'v8-log');
    assert.equal(p.samples?.count, ref.ticks);
    assert.equal(p.meta.sampleCount, ref.ticks);
  }
});

test('frames: files with blanks, getters, anonymous functions, tiers as one, kinds', () => {
  const p = load('work-node24.v8log.json');
  const stats = functionStats(p);
  const named = (name: string) => stats.filter((s) => s.frame.name === name);
  // ~shared, +shared (Maglev) and *shared are one function.
  assert.equal(named('shared').length, 1);
  const shared = named('shared')[0].frame;
  assert.match(shared.file!, /\/my app\/work\.js$/);
  assert.deepEqual([shared.line1, shared.col1, shared.kind], [18, 16, 'user']);
  assert.equal(named('get area')[0].frame.line1, 31);
  assert.ok(stats.some((s) => s.frame.name === '(anonymous)' && s.frame.line1 === 40));
  const sort = named('Builtin: ArrayTimSort')[0];
  assert.ok(sort.self > 0 && sort.frame.kind === 'runtime' && sort.frame.file === null);
  assert.equal(named('RegExp: row \\d+7')[0].frame.kind, 'runtime');
  assert.equal(named('writeSync')[0].frame.kind, 'runtime');
  assert.equal(named('(unaccounted)')[0].frame.kind, 'pseudo');
});

test("lines: a tick in JavaScript counts on its line, inlined functions' lines in their file", () => {
  for (const run of ['work', 'work-node24']) {
    const p = load(`${run}.v8log.json`);
    const { lines } = p;
    let sum = 0;
    const byFrameLine = new Map<string, number>();
    for (let c = 0; c < lines.count; c++) {
      sum += lines.self[c];
      const key = `${p.frames[lines.frame[c]].name}:${lines.line1[c]}`;
      byFrameLine.set(key, (byFrameLine.get(key) ?? 0) + lines.self[c]);
      assert.match(lines.files[lines.file[c]], /work\.js$/);
    }
    assert.ok(sum <= profileTotal(p));
    // leaf's loop (line 10) is inlined into fib and shared: most of their ticks are on it.
    const fib = functionStats(p).find((s) => s.frame.name === 'fib')!;
    assert.ok(byFrameLine.get('fib:10')! > 0.8 * fib.self, run);
    assert.ok(byFrameLine.get('leaf:10')! > 0, run);
    assert.ok(lines.perNode && lines.perNode.count > 0, 'per-node lines for the inlined step');
  }
});

test('detection: by name and by content, and not other files', () => {
  for (const name of ['work.v8log.json', 'work-node24.v8log.json'])
    assert.equal(detectFormat(undefined, new TextEncoder().encode(read(name)))?.id, 'v8-log');
  assert.ok(isV8Log('isolate-0x1f4f1e80-24380-v8.log', ''));
  assert.ok(isV8Log('app.v8log.json', ''));
  const raw = 'v8-version,11,3,244,8,-node.38,0\nv8-platform,linux,linux\n';
  assert.ok(isV8Log(undefined, raw) && isRawV8Log(raw));
  assert.ok(
    isV8Log(
      undefined,
      '{\n  "code": [\n  {\n    "name": "/usr/bin/node",\n    "type": "SHARED_LIB"',
    ),
  );
  assert.ok(!isV8Log(undefined, '{"nodes": [], "samples": []}'));
  assert.ok(!isV8Log('notes.log', 'v8 is fast\n'));
  assert.ok(!isV8Log(undefined, '{"code": 3}'));
});

test('a raw log reaching the importer: an error that says how to read it', () => {
  const raw = new TextEncoder().encode('v8-version,11,3,244,8,-node.38,0\ntick,0x1,2,0,0,0\n');
  assert.throws(
    () => importProfileFile('isolate-0x1-1-v8.log', raw),
    (e: unknown) =>
      e instanceof ProfileFormatError &&
      /"isolate-0x1-1-v8\.log" is a raw V8 log.*node --prof-process --preprocess/.test(e.message),
  );
});

test('damage: odd stacks and unknown ids are skipped with a warning; no ticks is an error', () => {
  const code = [
    { name: 'f /a.js:1:1', type: 'JS', kind: 'Opt' },
    { name: 'g', type: 'CPP' },
  ];
  const p = fromJson({
    code,
    ticks: [
      { tm: 1, vm: 0, s: [0, 4, 1, 0] },
      { tm: 2, vm: 0, s: [0, 4, 1] },
      { tm: 3, vm: 0, s: [7, 4, 'x', 0, -1, 5, 0, 1] },
      { tm: 4, vm: 0, s: [-1, 99] },
      { tm: 5, vm: 0, s: [] },
      null,
    ],
    functions: 'nope',
    scripts: [null, 3],
  });
  assert.match(p.meta.warnings.join('\n'), /"x\.v8log\.json": \d+ ticks or stack entries/);
  assert.equal(profileTotal(p), 4);
  const f = functionStats(p).find((s) => s.frame.name === 'f')!;
  assert.deepEqual([f.self, f.total, f.frame.file, f.frame.line1], [2, 2, '/a.js', 1]);
  assert.equal(functionStats(p).find((s) => s.frame.name === '(unaccounted)')?.self, 1);
  for (const bad of [[], { code: [] }, { code: [], ticks: [] }, 'text']) {
    assert.throws(
      () => fromJson(bad),
      (e: unknown) => e instanceof ProfileFormatError && /"x\.v8log\.json"/.test(e.message),
    );
  }
});

test("JavaScript names: the script's URL, or the last file:line:column; old forms", () => {
  assert.deepEqual(parseJsName('fib /my app/x.js:14:13', '/my app/x.js'), {
    name: 'fib',
    file: '/my app/x.js',
    line1: 14,
    col1: 13,
  });
  assert.deepEqual(parseJsName(' /x.js:1:1', undefined), {
    name: '(anonymous)',
    file: '/x.js',
    line1: 1,
    col1: 1,
  });
  assert.equal(parseJsName('get area /x.js:31:11', undefined).name, 'get area');
  assert.deepEqual(parseJsName('LazyCompile: *fib file:///a/b.js:3:4', undefined), {
    name: 'fib',
    file: '/a/b.js',
    line1: 3,
    col1: 4,
  });
  assert.deepEqual(parseJsName('eval', undefined), {
    name: 'eval',
    file: null,
    line1: null,
    col1: null,
  });
});
