// The pprof export against the reference reader: `go tool pprof -top` (Debian's golang-go) on
// the exported file gives each function the flat and cum figures the profile holds, by name (the
// granularity `-top` groups by), for a V8 CPU profile and a V8 heap profile in bytes. Without Go
// the comparison is skipped, saying so; the round trip through our importer is tested for every
// fixture in exportProfile.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { frameSelfAndTotal } from '../core/functionStats';
import { ProfileBuilder, type Profile } from '../core/profile';
import { importProfileFile } from './detect';
import { exportPprof } from './exportPprof';
import { timeFactor } from './exportUnits';
import { importPprof } from './pprof';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'hl-pprof-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const go = spawnSync('go', ['version'], { encoding: 'utf8' });
const noGo = go.error || go.status !== 0 ? 'go is not installed (Debian: golang-go)' : false;

/** Self and total per function name, a name's frames merged first (as `-top` groups them). */
function byName(p: Profile): Map<string, { self: number; total: number }> {
  const b = new ProfileBuilder();
  const frameOf = p.frames.map((f) =>
    b.frame({ name: f.name, file: null, line1: null, col1: null, kind: 'user' }),
  );
  const node = new Int32Array(p.tree.size);
  for (let i = 1; i < p.tree.size; i++) {
    node[i] = b.child(node[p.tree.parent[i]], frameOf[p.tree.frame[i]]);
    b.addSelf(node[i], p.tree.self[i]);
  }
  const q = b.build({ profiler: 'test', clock: 'unknown', unit: p.meta.unit });
  const { self, total } = frameSelfAndTotal(q);
  return new Map(q.frames.map((f, i) => [f.name, { self: self[i], total: total[i] }]));
}

/** `go tool pprof -top` of `file`: flat and cum per function name, in `unit` (ns or B). */
function goTop(file: string, unit: 'ns' | 'B'): Map<string, { flat: number; cum: number }> {
  const r = spawnSync(
    'go',
    ['tool', 'pprof', '-top', '-trim=false', '-nodecount=100000', `-unit=${unit}`, file],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, { flat: number; cum: number }>();
  const row = new RegExp(
    `^\\s*(\\d+)(?:${unit})?\\s+\\S+%\\s+\\S+%\\s+(\\d+)(?:${unit})?\\s+\\S+%\\s+(.+)$`,
  );
  for (const line of r.stdout.split('\n')) {
    const m = row.exec(line);
    if (m) out.set(m[3], { flat: Number(m[1]), cum: Number(m[2]) });
  }
  assert.ok(out.size > 0, r.stdout);
  return out;
}

for (const [name, unit] of [
  ['examples/profiles/primes.cpuprofile', 'ns'],
  ['examples/profiles/alloc.heapprofile', 'B'],
] as const) {
  test(
    `pprof export of ${name}: go tool pprof -top gives every function's figures`,
    {
      skip: noGo,
    },
    () => {
      const original = importProfileFile(name, new Uint8Array(readFileSync(join(root, name))));
      const file = join(dir, 'out.pb.gz');
      writeFileSync(file, exportPprof(original));
      const k = timeFactor(original.meta.unit, 'nanoseconds') ?? 1;
      const ours = byName(original);
      const theirs = goTop(file, unit);
      let checked = 0;
      for (const [fn, f] of ours) {
        if (f.total === 0) continue;
        // go tool pprof shortens names as C++ ones, dropping `<...>` (V8's
        // `<instance_members_initializer>` vanishes): such names are left out here.
        if (fn.includes('<')) continue;
        const g = theirs.get(fn);
        assert.ok(g, `${fn} in go tool pprof's table`);
        // Values are whole nanoseconds or bytes, rounded as a running sum: one unit off per sample.
        const tol = 2 + 1e-9 * f.total * k;
        assert.ok(Math.abs(g.flat - f.self * k) <= tol, `${fn} flat ${g.flat} vs ${f.self * k}`);
        assert.ok(
          Math.abs(g.cum - f.total * k) <= tol * 50,
          `${fn} cum ${g.cum} vs ${f.total * k}`,
        );
        checked++;
      }
      assert.ok(checked >= theirs.size - 1, `the same functions on both sides (${checked})`);
    },
  );
}

test('pprof export keeps the unit and the clock, and reads back as it was written', () => {
  for (const name of [
    'examples/profiles/primes.cpuprofile',
    'examples/profiles/alloc.heapprofile',
  ]) {
    const original = importProfileFile(name, new Uint8Array(readFileSync(join(root, name))));
    const back = importPprof(exportPprof(original));
    const unit = original.meta.unit === 'bytes' ? 'bytes' : 'nanoseconds';
    assert.equal(back.meta.unit, unit, name);
    if (unit === 'nanoseconds') assert.equal(back.meta.clock, original.meta.clock, name);
    const k = timeFactor(original.meta.unit, 'nanoseconds') ?? 1;
    assert.ok(Math.abs(back.tree.total[0] - original.tree.total[0] * k) <= 1, name);
  }
});

test('hostile names stay data: a pprof string table holds any text', () => {
  const b = new ProfileBuilder();
  const evil = '"];evil[label=<img src=x>\n\u202e\x1b]0;t\x07';
  const f = b.frame({ name: evil, file: '/x/<a>.js', line1: 3, col1: null, kind: 'user' });
  b.addSelf(b.child(0, f), 5);
  const p = b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  const back = importPprof(exportPprof(p));
  assert.equal(back.frames.find((x) => x.line1 === 3)?.name, evil);
});
