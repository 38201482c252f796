import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCallgrind } from './callgrind';
import type { GraphFunction, Profile } from '../core/profile';
import { frameIndex } from '../../test/support/frames';
import { repoRoot } from '../../test/support/repoRoot';

// The fixtures and callgrind_annotate's reports on them are made by
// test/fixtures/callgrind/record-recursion.sh (valgrind on recursion.c).
const dir = join(repoRoot(), 'test/fixtures/callgrind');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const FUNCTIONS = ['main', 'busy', 'walk', 'leaf', 'is_even', 'is_odd', 'ping', 'pong', 'pang'];

/** callgrind_annotate's figure per function of recursion.c (`walk`, `walk'2`...), and the total. */
function annotated(report: string): { total: number; fns: Map<string, number> } {
  const fns = new Map<string, number>();
  let total = 0;
  for (const row of report.split('\n')) {
    const t = /^\s*([\d,]+)\s+PROGRAM TOTALS/.exec(row);
    if (t) total = Number(t[1].replace(/,/g, ''));
    const m = /^\s*([\d,]+)\s+\S*recursion\.c:(\S+)(?: \[.*\])?$/.exec(row);
    if (m) fns.set(m[2], Number(m[1].replace(/,/g, '')));
  }
  return { total, fns };
}

const hasAnnotate = spawnSync('callgrind_annotate', ['--version']).status === 0;

/**
 * callgrind_annotate's report on a fixture: run here when valgrind is installed (and checked
 * against the stored one, which must stay what the tool says), else the stored one.
 */
function reference(
  fixture: string,
  inclusive: boolean,
): { total: number; fns: Map<string, number> } {
  const stored = annotated(read(`${fixture}.${inclusive ? 'inclusive' : 'self'}.txt`));
  if (!hasAnnotate) return stored;
  const run = spawnSync(
    'callgrind_annotate',
    [
      `--inclusive=${inclusive ? 'yes' : 'no'}`,
      '--threshold=100',
      '--show-percs=no',
      '--auto=no',
      fixture,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const live = annotated(run.stdout);
  assert.deepEqual(live, stored, `${fixture}: the stored report is what callgrind_annotate says`);
  return live;
}

function fn(p: Profile, name: string): GraphFunction {
  const frame = frameIndex(p, name, 'recursion.c');
  const f = p.callGraph?.functions.find((g) => g.frame === frame);
  assert.ok(f, name);
  return f;
}

/** Self cost of a function, all its recursion levels summed. */
function selfOfLevels(fns: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [n, v] of fns) if (n.replace(/'\d+$/, '') === name) sum += v;
  return sum;
}

for (const fixture of ['callgrind.out.recursion', 'callgrind.out.recursion-recs10']) {
  test(`${fixture}: totals of recursive functions are callgrind_annotate --inclusive=yes's`, () => {
    const p = importCallgrind(read(fixture), { sourceFile: fixture });
    const inclusive = reference(fixture, true);
    const self = reference(fixture, false);
    assert.equal(p.meta.duration, inclusive.total);
    for (const name of FUNCTIONS) {
      const f = fn(p, name);
      // The outermost level's inclusive cost is the function's time on the stack.
      assert.equal(f.total, inclusive.fns.get(name), `${name} total`);
      assert.equal(f.self, selfOfLevels(self.fns, name), `${name} self`);
      assert.ok(f.total >= f.self, name);
    }
    // Mutual recursion is a known share of the run (8.5%), not all of it.
    const share = fn(p, 'is_even').total / (p.meta.duration ?? 0);
    assert.ok(share > 0.08 && share < 0.09, String(share));
    // Each of the 20 chains enters is_even and is_odd once from outside: 20 primitive calls.
    assert.deepEqual(
      [
        fn(p, 'is_even').primitiveCalls,
        fn(p, 'is_odd').primitiveCalls,
        fn(p, 'walk').primitiveCalls,
      ],
      [20, 20, 20],
    );
    // walk(30) 20 times: 31 calls each; ping -> pong -> pang -> ping 61 deep: 21 + 20 + 20.
    assert.deepEqual(
      ['walk', 'ping', 'pong', 'pang'].map((n) => fn(p, n).calls),
      [20 * 31, 20 * 21, 20 * 20, 20 * 20],
    );
    // No total passes its caller's: the tree under main holds the cycles whole.
    const main = fn(p, 'main').total;
    for (const name of FUNCTIONS) assert.ok(fn(p, name).total <= main, name);
  });
}

test('without recursion levels (--separate-recs=1), totals are exact outside cycles and bounded inside', () => {
  const fixture = 'callgrind.out.recursion-recs1';
  const p = importCallgrind(read(fixture), { sourceFile: fixture });
  // The same program as the default recording: its functions cost the same.
  const truth = reference('callgrind.out.recursion', true).fns;
  const self = reference(fixture, false);
  for (const name of FUNCTIONS) assert.equal(fn(p, name).self, self.fns.get(name), name);
  // Direct recursion and the functions that enter a cycle from outside: exact.
  for (const name of ['main', 'busy', 'walk', 'leaf', 'is_even', 'ping'])
    assert.equal(fn(p, name).total, truth.get(name), name);
  // Inside a cycle, without levels the calls nest in one another: bounded by the cycle's
  // time on the stack, never more.
  for (const [name, entry] of [
    ['is_odd', 'is_even'],
    ['pong', 'ping'],
    ['pang', 'ping'],
  ] as const) {
    const total = fn(p, name).total;
    assert.ok(total >= (truth.get(name) ?? 0) && total <= (truth.get(entry) ?? 0), name);
  }
  // callgrind_annotate itself adds nested calls here: walk reads far above main.
  const theirs = reference(fixture, true).fns;
  assert.ok((theirs.get('walk') ?? 0) > (truth.get('main') ?? 0));
});

/** Every row of a callgrind_annotate report: file, name (with its level) and figure. */
function rows(report: string): Array<{ file: string; name: string; cost: number }> {
  const out: Array<{ file: string; name: string; cost: number }> = [];
  let table = false;
  for (const row of report.split('\n')) {
    if (/^Ir\s+file:function/.test(row)) table = true;
    else if (table && !row.trim()) break;
    const m = table && /^\s*([\d,]+)\s+([^:]*):(.*?)(?: \[[^\]]*\])?$/.exec(row);
    if (m) out.push({ file: m[2], name: m[3], cost: Number(m[1].replace(/,/g, '')) });
  }
  return out;
}

for (const [fixture, least] of [
  ['callgrind.out.glib', 200],
  ['callgrind.out.lua', 400],
] as const) {
  test(`${fixture}: a real program's totals are callgrind_annotate --inclusive=yes's`, () => {
    const p = importCallgrind(read(fixture), { sourceFile: fixture });
    const report = hasAnnotate
      ? spawnSync(
          'callgrind_annotate',
          ['--inclusive=yes', '--threshold=100', '--show-percs=no', '--auto=no', fixture],
          { cwd: dir, encoding: 'utf8' },
        ).stdout
      : read(`${fixture}.inclusive.txt`);
    // callgrind_annotate names a function by file and name, and a file can be spelt two ways
    // (`glib-tree.c`, `/tmp/.../glib-tree.c`): it then splits the calls into the function
    // between the spellings, so names it lists under two spellings are left out.
    const theirs = new Map<string, number[]>();
    const spellings = new Map<string, Set<string>>();
    for (const r of rows(report)) {
      theirs.set(r.name, [...(theirs.get(r.name) ?? []), r.cost]);
      spellings.set(r.name, (spellings.get(r.name) ?? new Set()).add(r.file));
    }
    const ours = new Map<string, number[]>();
    for (const f of p.callGraph?.functions ?? []) {
      const name = p.frames[f.frame].name;
      ours.set(name, [...(ours.get(name) ?? []), f.total]);
    }
    let compared = 0;
    for (const [name, costs] of theirs) {
      const mine = ours.get(name);
      if (/'\d+$/.test(name) || !mine || mine.length > 1) continue;
      if (new Set(costs).size > 1 || (spellings.get(name)?.size ?? 0) > 1) continue;
      assert.equal(mine[0], costs[0], name);
      compared++;
    }
    assert.ok(compared >= least, String(compared));
    if (fixture === 'callgrind.out.glib') {
      // One such function: visit calls nothing, so its total is its self cost (all its calls,
      // where callgrind_annotate has half under each spelling of glib-tree.c).
      const visit = p.callGraph?.functions.find((f) => p.frames[f.frame].name === 'visit');
      assert.ok(visit && visit.total === visit.self && visit.self > 6e6);
    }
  });
}

test('pyprof2calltree (no levels): mutual recursion entered from outside has pstats total', () => {
  const name = 'callgrind.out.pyprof2calltree';
  const p = importCallgrind(read(name), { sourceFile: name });
  const want = JSON.parse(
    readFileSync(join(repoRoot(), 'test/fixtures/python/cprofile.expected.json'), 'utf8'),
  ) as { functions: Array<{ key: [string, number, string]; total: number }> };
  const total = (fn: string) => {
    const frame = frameIndex(p, fn);
    return p.callGraph?.functions.find((f) => f.frame === frame)?.total;
  };
  const pstats = (fn: string) => want.functions.find((f) => f.key[2] === fn)?.total ?? NaN;
  // is_even <-> is_odd, entered through is_even: the cycle's entry is is_even's total (it was
  // counted twice, the nested calls summed); is_odd, inside the cycle, is bounded by it.
  assert.equal(total('is_even'), Math.trunc(pstats('is_even') * 1e9));
  assert.ok((total('is_odd') ?? 0) <= (total('is_even') ?? 0));
});
