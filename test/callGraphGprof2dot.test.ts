// Heatlens' call graph (the Call graph view, `convert --to dot`) against gprof2dot's reading of the
// same pstats and callgrind fixtures at gprof2dot's default thresholds: the same functions shown,
// the same total and self percentages, the same call counts on functions and edges, the same
// shares on edges. gprof2dot's DOT output is kept beside the fixtures (<fixture>.gprof2dot.dot,
// made by test/fixtures/{python,callgrind}/gprof2dot.sh); where gprof2dot is installed (or
// GPROF2DOT names it), it is also run here and its fresh output compared the same way. What the two
// readers do differently by design is explained in test/support/compareGprof2dot.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importProfileFile } from '../src/formats/detect';
import { compareWithGprof2dot } from './support/compareGprof2dot';
import { parseGprof2dot } from './support/gprof2dot';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();

interface Case {
  readonly file: string;
  readonly kind: 'pstats' | 'callgrind';
  readonly dot: string;
  /** Functions left out of the comparison, and why (see compareGprof2dot.ts). */
  readonly skipped: readonly string[];
}

const MERGED = ['(below main)', '__libc_start_main@@GLIBC_2.34'];
const CASES: readonly Case[] = [
  ...['cprofile.prof', 'cprofile-flat.prof', 'yappi.pstat', 'yappi-flat.pstat'].map((f): Case => ({
    file: `test/fixtures/python/${f}`,
    kind: 'pstats',
    dot: `test/fixtures/python/${f}.gprof2dot.dot`,
    skipped: [],
  })),
  ...['hot', 'hot-parts', 'glib', 'recursion', 'recursion-recs10'].map((f): Case => ({
    file: `test/fixtures/callgrind/callgrind.out.${f}`,
    kind: 'callgrind',
    dot: `test/fixtures/callgrind/${f}.gprof2dot.dot`,
    // valgrind's two `(below main)`, which gprof2dot merges by name, and their neighbour.
    skipped: MERGED,
  })),
  {
    file: 'test/fixtures/callgrind/callgrind.out.recursion-recs1',
    kind: 'callgrind',
    dot: 'test/fixtures/callgrind/recursion-recs1.gprof2dot.dot',
    // No recursion levels: pang's cycle total is gprof's estimate in gprof2dot (0.48%), the
    // outermost calls' inclusive cost here.
    skipped: [...MERGED, 'pang'],
  },
  {
    file: 'test/fixtures/callgrind/callgrind.out.lua',
    kind: 'callgrind',
    dot: 'test/fixtures/callgrind/lua.gprof2dot.dot',
    // Members of the interpreter's cycles near the threshold: over it on one side only.
    skipped: ['0x0000000000014dbb', '0x0000000000025c40'],
  },
];

const read = (rel: string) => readFileSync(join(root, rel));

function check(c: Case, dot: string): void {
  const profile = importProfileFile(c.file, new Uint8Array(read(c.file)));
  const text = c.kind === 'callgrind' ? read(c.file).toString('utf8') : '';
  const r = compareWithGprof2dot(profile, dot, c.kind, text);
  assert.deepEqual(r.onlyGprof2dot, [], `${c.file}: functions only gprof2dot shows`);
  assert.deepEqual(r.onlyHeatlens, [], `${c.file}: functions only Heatlens shows`);
  assert.deepEqual(r.differences, [], `${c.file}: figures that differ`);
  assert.deepEqual([...r.skipped].sort(), [...c.skipped].sort(), `${c.file}: left out`);
  // Everything gprof2dot shows was compared, but the names left out.
  const g = parseGprof2dot(dot);
  const base = new Set(g.nodes.map((n) => n.id.replace(/'\d+$/, '')));
  assert.ok(r.nodes >= base.size - c.skipped.length, `${c.file}: ${r.nodes} of ${base.size}`);
  assert.ok(r.edges > 0, `${c.file}: edges compared`);
}

for (const c of CASES) {
  test(`call graph of ${c.file} equals gprof2dot's (kept output)`, () => {
    check(c, read(c.dot).toString('utf8'));
  });
}

test('the kept gprof2dot output holds what the comparison reads', () => {
  const g = parseGprof2dot(read('test/fixtures/python/cprofile.prof.gprof2dot.dot').toString());
  const isEven = g.nodes.find((n) => n.name.endsWith(':is_even'));
  assert.ok(isEven, 'is_even is shown');
  assert.equal(isEven.calls, 372);
  assert.equal(isEven.total, 4.98);
  assert.equal(isEven.self, 4.79);
  // pstats edges: gprof2dot's count is the primitive one (12 of 360 calls).
  const edge = g.edges.find((e) => e.from === isEven.id);
  assert.deepEqual(edge && [edge.share, edge.calls], [4.97, 12]);
});

/** gprof2dot's command, or why it cannot run here. */
function gprof2dot(): { command: string } | { skip: string } {
  const command = process.env.GPROF2DOT || 'gprof2dot';
  const r = spawnSync(command, ['--help'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return {
      skip:
        `gprof2dot is not installed (${command}: ${r.error?.message ?? `exit ${r.status}`}); ` +
        'the kept output is compared instead. Debian 12 has no package: `pip install gprof2dot` ' +
        'or set GPROF2DOT to its gprof2dot.py',
    };
  }
  return { command };
}

const live = gprof2dot();
const command = 'command' in live ? live.command : '';
test(
  'gprof2dot run now on the same fixtures agrees too',
  { skip: 'skip' in live ? live.skip : false },
  () => {
    for (const c of CASES) {
      const run = spawnSync(command, ['-f', c.kind, join(root, c.file)], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      assert.equal(run.status, 0, run.stderr);
      check(c, run.stdout);
    }
  },
);
