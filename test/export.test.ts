// Exports as other tools read them: Python's own pstats on our .prof files, and `heatlens
// convert` as a person runs it (`node dist/cli.js`, built by scripts/build.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Profile as PprofProfile, ValueType } from 'pprof-format';
import { dirname, join } from 'node:path';
import { importProfileFile } from '../src/formats/detect';
import { exportProfile } from '../src/formats/exportProfile';
import { importCollapsed } from '../src/formats/collapsed';
import { importSpeedscope } from '../src/formats/speedscope';
import { functionStats } from '../src/core/functionStats';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const cli = join(root, 'dist/cli.js');

const python = ['python3', 'python'].find(
  (p) => spawnSync(p, ['-c', 'import pstats, marshal'], { encoding: 'utf8' }).status === 0,
);

function withTemp(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-export-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function load(path: string) {
  return importProfileFile(path, new Uint8Array(readFileSync(join(root, path))));
}

test(
  'python -m pstats reads an exported V8 profile: names, call counts, times',
  { skip: !python },
  () => {
    withTemp((dir) => {
      const profile = load('test/fixtures/node/recursive.cpuprofile');
      const prof = join(dir, 'recursive.prof');
      writeFileSync(prof, exportProfile(profile, 'pstats'));
      const r = spawnSync(python!, ['-m', 'pstats', prof], {
        input: 'sort tottime\nstats 5\nquit\n',
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      // The heaviest function by self time, with its calls as pstats prints them.
      const top = functionStats(profile)
        .filter((f) => f.frame.file?.endsWith('recursive.js'))
        .sort((a, b) => b.self - a.self)[0];
      assert.match(r.stdout, /function calls \(\d+ primitive calls\) in \d+\.\d+ seconds/);
      assert.match(
        r.stdout,
        new RegExp(`recursive\\.js:${top.frame.line1}\\(${top.frame.name}\\)`),
      );
      // Recursion shows as pstats' "all/primitive" call counts.
      assert.match(r.stdout, /^\s+\d+\/\d+\s+\d/m);
    });
  },
);

test(
  "pstats.Stats reads an exported cProfile file exactly as the original, callers' primitive calls included",
  { skip: !python },
  () => {
    for (const file of ['examples/profiles/service.prof', 'test/fixtures/python/cprofile.prof']) {
      withTemp((dir) => {
        const original = join(root, file);
        const exported = join(dir, 'exported.prof');
        writeFileSync(exported, exportProfile(load(file), 'pstats'));
        // Python compares every key, cc, nc, tt, ct, and every caller's nc, cc, tt, ct; then the
        // text of print_callers, where a recursive caller shows as "all/primitive" calls.
        const script = `
import io, pstats, sys
a = pstats.Stats(sys.argv[1]).stats
b = pstats.Stats(sys.argv[2]).stats
assert a.keys() == b.keys(), (len(a), len(b))
for k in a:
    assert a[k][:4] == b[k][:4], (k, a[k][:4], b[k][:4])
    assert a[k][4] == b[k][4], (k, a[k][4], b[k][4])
def callers(path):
    out = io.StringIO()
    pstats.Stats(path, stream=out).sort_stats('stdname').print_callers()
    return out.getvalue().split('\\n', 1)[1]
assert callers(sys.argv[1]) == callers(sys.argv[2])
s = pstats.Stats(sys.argv[2])
print(s.total_calls, s.prim_calls, repr(s.total_tt))
print(callers(sys.argv[2]))
`;
        const r = spawnSync(python!, ['-c', script, original, exported], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${file}: ${r.stderr}`);
        const [calls, prim] = r.stdout.split('\n')[0].split(' ').map(Number);
        assert.ok(calls > prim && prim > 0, r.stdout);
        if (file.endsWith('cprofile.prof')) {
          // cProfile's own figure: fib called itself 14616 times, 24 of them primitive.
          assert.match(r.stdout, /app\.py:\d+\(fib\)\s+<-\s+14616\/24\s/);
        }
      });
    }
  },
);

function heatlens(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonSummary {
  total: number;
  unit: string;
  functions: { name: string; line: number | null; self: number; total: number }[];
}

test('heatlens convert writes each format next to the input, and never over it', () => {
  withTemp((dir) => {
    copyFileSync(join(root, 'examples/profiles/primes.cpuprofile'), join(dir, 'primes.cpuprofile'));
    const names = {
      speedscope: 'primes.speedscope.json',
      collapsed: 'primes.folded',
      callgrind: 'callgrind.out.primes',
      pstats: 'primes.prof',
    };
    for (const [to, name] of Object.entries(names)) {
      const r = heatlens(dir, 'convert', 'primes.cpuprofile', '--to', to);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(`^heatlens: wrote ${name.replace(/\./g, '\\.')} \\(${to}, `),
      );
      assert.ok(existsSync(join(dir, name)), name);
    }
    assert.match(
      heatlens(dir, 'convert', 'primes.cpuprofile', '--to', 'collapsed').stderr,
      /counts are nanoseconds/,
    );

    // Every export reads back with the original's figures; summary reads them too.
    const stat = (file: string) => {
      const p = importProfileFile(file, new Uint8Array(readFileSync(join(dir, file))));
      const f = functionStats(p).find((x) => x.frame.name === 'isPrime')!;
      return { unit: p.meta.unit, self: f.self, total: f.total };
    };
    const before = stat('primes.cpuprofile');
    const per = { seconds: 1e-6, nanoseconds: 1e3, samples: 1e3, microseconds: 1 } as const;
    for (const name of Object.values(names)) {
      const after = stat(name);
      const k = per[after.unit as keyof typeof per];
      assert.ok(Math.abs(after.self - before.self * k) <= 1e-9 * after.self + 1, name);
      assert.ok(Math.abs(after.total - before.total * k) <= 1e-9 * after.total + 1, name);
      // Every function: isPrime ran almost all inlined in countPrimes, and more than the 50
      // functions --json lists by default may take longer.
      const s = heatlens(dir, 'summary', name, '--json', '--limit', '0');
      assert.equal(s.code, 0, s.stderr);
      assert.ok((JSON.parse(s.stdout) as JsonSummary).functions.some((f) => f.name === 'isPrime'));
    }
    const speedscope = importSpeedscope(readFileSync(join(dir, 'primes.speedscope.json'), 'utf8'));
    const folded = importCollapsed(readFileSync(join(dir, 'primes.folded'), 'utf8'));
    const whole = load('examples/profiles/primes.cpuprofile').tree.total[0];
    assert.ok(Math.abs(speedscope.tree.total[0] - whole) < 1e-9 * whole);
    assert.ok(Math.abs(folded.tree.total[0] - whole * 1000) < 1);

    // --out, and the input is never overwritten (by its own name, or by a path to it).
    const out = heatlens(
      dir,
      'convert',
      'primes.cpuprofile',
      '--to',
      'cpuprofile',
      '--out',
      'copy.cpuprofile',
    );
    assert.equal(out.code, 0, out.stderr);
    const original = readFileSync(join(dir, 'primes.cpuprofile'));
    for (const args of [
      [],
      ['--out', './primes.cpuprofile'],
      ['--out', join(dir, 'primes.cpuprofile')],
    ]) {
      const r = heatlens(dir, 'convert', 'primes.cpuprofile', '--to', 'cpuprofile', ...args);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^heatlens: converting "primes\.cpuprofile" to cpuprofile would overwrite it; name another file with --out\.\n$/,
      );
    }
    assert.deepEqual(readFileSync(join(dir, 'primes.cpuprofile')), original);
  });
});

test('heatlens convert: clear errors naming the file, and --profile picks a profile', () => {
  withTemp((dir) => {
    let r = heatlens(dir, 'convert', 'missing.prof', '--to', 'speedscope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read "missing\.prof": there is no such file\./);
    r = heatlens(dir, 'convert', 'missing.prof');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /needs --to .*speedscope, collapsed, callgrind, cpuprofile, pstats, pprof, dot or svg/,
    );
    r = heatlens(dir, 'convert', 'x.prof', '--to', 'png');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--to takes speedscope, collapsed, callgrind, cpuprofile, pstats, pprof, dot or svg, not "png"/,
    );
    writeFileSync(join(dir, 'junk.prof'), 'not a profile');
    r = heatlens(dir, 'convert', 'junk.prof', '--to', 'speedscope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /junk\.prof/);
    copyFileSync(join(root, 'examples/profiles/primes.cpuprofile'), join(dir, 'p.cpuprofile'));
    r = heatlens(
      dir,
      'convert',
      'p.cpuprofile',
      '--to',
      'pstats',
      '--out',
      join(dir, 'no/such/dir/p.prof'),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot write ".*no\/such\/dir\/p\.prof": its folder does not exist/);

    // A speedscope file of two profiles: --profile 1 converts the second.
    const one = JSON.parse(
      new TextDecoder().decode(
        exportProfile(load('examples/profiles/primes.cpuprofile'), 'speedscope'),
      ),
    );
    const two = JSON.parse(
      new TextDecoder().decode(
        exportProfile(load('test/fixtures/collapsed/primes.folded'), 'speedscope'),
      ),
    );
    const offset = one.shared.frames.length;
    one.shared.frames.push(...two.shared.frames);
    const second = two.profiles[0];
    second.samples = second.samples.map((s: number[]) => s.map((f) => f + offset));
    one.profiles.push(second);
    writeFileSync(join(dir, 'two.speedscope.json'), JSON.stringify(one));
    r = heatlens(dir, 'convert', 'two.speedscope.json', '--to', 'collapsed', '--profile', '1');
    assert.equal(r.code, 0, r.stderr);
    const folded = importCollapsed(readFileSync(join(dir, 'two.folded'), 'utf8'));
    assert.equal(folded.tree.total[0], load('test/fixtures/collapsed/primes.folded').tree.total[0]);
    r = heatlens(dir, 'convert', 'two.speedscope.json', '--to', 'collapsed', '--profile', '7');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /two\.speedscope\.json.*has no profile "7"/);
  });
});

test("heatlens convert prints the importer's warnings on stderr, escaped for the terminal", () => {
  withTemp((dir) => {
    // A real trace whose profile lost its start (test/fixtures/chrome-trace/record-ring.mjs),
    // under a name holding an escape sequence (clear screen) and a bidi override.
    const name = 'ring\u001b[2J\u202e.trace.json';
    copyFileSync(join(root, 'test/fixtures/chrome-trace/ring.trace.json'), join(dir, name));
    const r = heatlens(dir, 'convert', name, '--to', 'speedscope', '--out', 'ring.speedscope.json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^heatlens: warning: "ring\\x1b\[2J\\u202e\.trace\.json" lost the start of its CPU profile .*"\(missing from trace\)"/m,
    );
    assert.doesNotMatch(r.stderr, /[\u001b\u202e]/);
    assert.match(r.stderr, /^heatlens: wrote ring\.speedscope\.json/m);
  });
});

test('a file with thousands of profiles: the list on stderr is cut, saying how many more', () => {
  withTemp((dir) => {
    // The real CPU profile with 5,000 more sample types (values 0): pprof lists every type.
    const profile = PprofProfile.decode(
      gunzipSync(readFileSync(join(root, 'test/fixtures/pprof/cpu.pb.gz'))),
    );
    const unit = profile.stringTable.dedup('count');
    for (let i = 0; i < 5000; i++) {
      profile.sampleType.push(new ValueType({ type: profile.stringTable.dedup(`t${i}`), unit }));
    }
    for (const s of profile.sample) s.value.push(...new Array<number>(5000).fill(0));
    writeFileSync(join(dir, 'many.pb.gz'), gzipSync(profile.encode()));
    // The chosen profile (the last type, as go tool pprof takes) holds no samples: speedscope
    // writes it (collapsed stacks would refuse: a file of no stacks is empty).
    const r = heatlens(dir, 'convert', 'many.pb.gz', '--to', 'speedscope');
    assert.equal(r.code, 0, r.stderr);
    const line = r.stderr.split('\n').find((l) => l.includes('holds 5002 profiles'))!;
    assert.ok(line, r.stderr);
    assert.match(line, / and 4992 more; this is t4999\. Pick another with --profile <id>\.$/);
    assert.ok(line.length < 600, `${line.length} characters`);
    const bad = heatlens(dir, 'convert', 'many.pb.gz', '--to', 'collapsed', '--profile', 'x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /has no sample type "x"; choose one of .* and 4992 more\.\n$/);
  });
});
