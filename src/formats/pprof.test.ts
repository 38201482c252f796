import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  Function as PprofFunction,
  Line,
  Location,
  Profile as PprofProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { formatWeight } from '../core/format';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import { ProfileFormatError } from './errors';
import { importPprof, isPprof, pprofChoices } from './pprof';
import { frameIndex, frameNamed } from '../../test/support/frames';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test/fixtures');
const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, path)));
const cpu = bytesOf('pprof/cpu.pb.gz');
const heap = bytesOf('pprof/heap.pb.gz');

interface Expected {
  [file: string]: {
    [sampleType: string]: {
      total: number;
      functions: Record<string, { flat: number; cum: number }>;
    };
  };
}
const expected = JSON.parse(
  readFileSync(join(fixtures, 'pprof/expected.json'), 'utf8'),
) as Expected;

/** Per function name: self and total, as pprof's -top aggregates them (by function). */
function figures(p: Profile): Map<string, { flat: number; cum: number }> {
  const out = new Map<string, { flat: number; cum: number }>();
  for (const s of functionStats(p)) {
    assert.ok(!out.has(s.frame.name), `${s.frame.name} is one frame`);
    out.set(s.frame.name, { flat: s.self, cum: s.total });
  }
  return out;
}

const cases: Array<[file: string, choice: string | undefined, type: string, unit: string]> = [
  ['cpu.pb.gz', undefined, 'cpu', 'nanoseconds'],
  ['cpu.pb.gz', 'samples', 'samples', 'samples'],
  ['heap.pb.gz', undefined, 'inuse_space', 'bytes'],
  ['heap.pb.gz', 'alloc_space', 'alloc_space', 'bytes'],
  ['heap.pb.gz', 'alloc_objects', 'alloc_objects', 'none'],
  ['heap.pb.gz', 'inuse_objects', 'inuse_objects', 'none'],
  // drop_frames "runtime\..*|main\.mix", keep_frames "runtime\.main" (drop_frames.mjs).
  ['drop.pb.gz', undefined, 'cpu', 'nanoseconds'],
  ['drop.pb.gz', 'samples', 'samples', 'samples'],
];
for (const [file, choice, type, unit] of cases) {
  test(`pprof ${file} ${type}${choice ? '' : ' (default)'}: self and total per function equal go tool pprof -top`, () => {
    const p = importPprof(bytesOf(`pprof/${file}`), { sourceFile: file, choice });
    const want = expected[file][type];
    assert.equal(p.meta.unit, unit);
    assert.equal(p.meta.profiler, 'pprof');
    if (file === 'drop.pb.gz') {
      // Applied as go tool pprof applies them, and said so.
      assert.equal(p.meta.warnings.length, 1);
      assert.match(
        p.meta.warnings[0],
        /drop_frames "runtime\\\\\..\*\|main\\\\\.mix".*keep_frames "runtime\\\\\.main".*as go tool pprof does.*\d+ samples/,
      );
    } else assert.deepEqual(p.meta.warnings, []);
    assert.equal(profileTotal(p), want.total);
    const got = figures(p);
    assert.deepEqual(
      [...got.keys()].sort(),
      Object.keys(want.functions).sort(),
      'the same functions',
    );
    for (const [name, w] of Object.entries(want.functions)) {
      assert.deepEqual(got.get(name), w, name);
    }
    // The line table holds every sample's leaf line: it adds up to the total (every leaf in
    // these files has a line).
    let lines = 0;
    for (let i = 0; i < p.lines.count; i++) lines += p.lines.self[i];
    assert.equal(lines, want.total);
    assert.equal(p.samples, undefined, 'pprof samples have no time order');
  });
}

test('pprof choices: every sample type, the default first, labelled with its unit', () => {
  const c = pprofChoices(cpu);
  assert.deepEqual(
    c.map((x) => [x.id, x.label]),
    [
      ['cpu', 'cpu (nanoseconds)'],
      ['samples', 'samples (count)'],
    ],
  );
  assert.equal(
    c[0].detail,
    `${formatWeight(expected['cpu.pb.gz'].cpu.total, 'nanoseconds')} in all`,
  );
  assert.deepEqual(
    pprofChoices(heap).map((x) => x.id),
    ['inuse_space', 'alloc_objects', 'alloc_space', 'inuse_objects'],
  );
});

test('pprof: an unknown choice is an error naming the file and the valid choices', () => {
  assert.throws(
    () => importPprof(heap, { sourceFile: 'heap.pb.gz', choice: 'cpu' }),
    (e: unknown) =>
      e instanceof ProfileFormatError &&
      e.file === 'heap.pb.gz' &&
      e.message.includes('"heap.pb.gz"') &&
      e.message.includes('"cpu"') &&
      ['inuse_space', 'alloc_objects', 'alloc_space', 'inuse_objects'].every((id) =>
        e.message.includes(`"${id}"`),
      ),
  );
});

test('pprof cpu: meta, inlined frames expanded, kinds, lines', () => {
  const p = importPprof(cpu, { sourceFile: 'cpu.pb.gz' });
  assert.equal(p.meta.clock, 'cpu');
  assert.equal(p.meta.intervalUs, 10000);
  assert.ok(p.meta.startEpochMs && p.meta.startEpochMs > Date.UTC(2020, 0, 1));
  assert.ok(p.meta.duration && p.meta.duration >= 1.5e9, String(p.meta.duration));
  assert.equal(p.treeIsApproximate, false);
  const mix = frameIndex(p, 'main.mix');
  const spin = frameIndex(p, 'main.spin');
  assert.equal(basename(p.frames[mix].file ?? ''), 'hot.go');
  // mix is inlined into spin: its frames sit under spin's, never elsewhere.
  const { tree } = p;
  let mixNodes = 0;
  for (let n = 1; n < tree.size; n++) {
    if (tree.frame[n] !== mix) continue;
    mixNodes++;
    assert.equal(tree.frame[tree.parent[n]], spin);
  }
  assert.ok(mixNodes > 0);
  // Go 1.19 writes no start lines: a function's line is the lowest its locations record.
  const source = readFileSync(join(fixtures, 'pprof/hot.go'), 'utf8').split('\n');
  for (const [name, signature] of [
    ['main.fib', 'func fib('],
    ['main.mix', 'func mix('],
    ['main.spin', 'func spin('],
  ] as const) {
    const f = frameNamed(p, name);
    const declared = source.findIndex((l) => l.startsWith(signature)) + 1;
    assert.ok(f.line1 && f.line1 >= declared && f.line1 < declared + 5, `${name} ${f.line1}`);
  }
  // mix's lines are in mix's body (inlined code keeps its own lines).
  const mixStart = source.findIndex((l) => l.startsWith('func mix(')) + 1;
  for (let i = 0; i < p.lines.count; i++) {
    if (p.lines.frame[i] !== mix) continue;
    assert.ok(p.lines.line1[i] > mixStart && p.lines.line1[i] < mixStart + 5);
  }
  assert.equal(frameNamed(p, 'main.fib').kind, 'user');
  assert.equal(frameNamed(p, 'main.main').kind, 'user');
  assert.equal(frameNamed(p, 'runtime.main').kind, 'runtime');
  const h = importPprof(heap, { choice: 'alloc_space' });
  const pprofPkg = h.frames.find((f) => f.name === 'runtime/pprof.StartCPUProfile');
  assert.equal(pprofPkg?.kind, 'library');
  assert.equal(h.meta.clock, 'unknown');
  assert.equal(h.meta.duration, undefined);
});

test('pprof: raw (uncompressed) protobuf reads the same as gzip', () => {
  const raw = new Uint8Array(gunzipSync(cpu));
  const a = figures(importPprof(cpu));
  const b = figures(importPprof(raw));
  assert.deepEqual(b, a);
});

test('isPprof: by name, by gzip content, by raw content; not other formats', () => {
  const raw = new Uint8Array(gunzipSync(heap));
  assert.equal(isPprof('profile.pb.gz', new Uint8Array(0)), true);
  assert.equal(isPprof('cpu.pprof', raw), true);
  assert.equal(isPprof('cpu.out', cpu), true);
  assert.equal(isPprof(undefined, heap), true);
  assert.equal(isPprof('mem.bin', raw), true);
  assert.equal(isPprof(undefined, new TextEncoder().encode('\nmain;fib 12\nmain 3\n')), false);
  assert.equal(isPprof('x.json.gz', cpu), false);
  assert.equal(isPprof('x.gz', new Uint8Array(gzipSync('{"nodes": []}'))), false);
  for (const other of [
    'callgrind/callgrind.out.hot',
    'python/cprofile.prof',
    'pysamples/hot-cpu.pysamples.json',
    'python/marshal-sample.v4.bin',
  ]) {
    if (!existsSync(join(fixtures, other))) continue;
    assert.equal(isPprof(basename(other), bytesOf(other)), false, other);
  }
});

/** Asserts `run` throws a ProfileFormatError naming `file`, or returns a profile. */
function errorOrProfile(run: () => Profile, file: string): Profile | ProfileFormatError {
  try {
    return run();
  } catch (e) {
    assert.ok(e instanceof ProfileFormatError, `${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(`"${file}"`), e.message);
    return e;
  }
}

test('pprof: empty, truncated and garbage files are errors naming the file', () => {
  const name = 'bad.pb.gz';
  for (const bytes of [new Uint8Array(0), cpu.subarray(0, 2), cpu.subarray(0, cpu.length - 9)]) {
    const r = errorOrProfile(() => importPprof(bytes, { sourceFile: name }), name);
    assert.ok(r instanceof ProfileFormatError);
  }
  const truncatedGzip = errorOrProfile(
    () => importPprof(cpu.subarray(0, cpu.length >> 1), { sourceFile: name }),
    name,
  );
  assert.match((truncatedGzip as Error).message, /ends early/);
  // Raw protobuf cut short: pprof-format would read it silently; the top-level walk notices.
  const raw = new Uint8Array(gunzipSync(cpu));
  const cut = errorOrProfile(
    () => importPprof(raw.subarray(0, raw.length - 7), { sourceFile: name }),
    name,
  );
  assert.ok(cut instanceof ProfileFormatError);
  assert.match(cut.message, /not a pprof profile.*ends inside a field/);
  const text = errorOrProfile(
    () => importPprof(new TextEncoder().encode('main;fib 12\n'), { sourceFile: name }),
    name,
  );
  assert.ok(text instanceof ProfileFormatError);
  assert.throws(() => pprofChoices(new TextEncoder().encode('{}'), name), ProfileFormatError);
});

test('pprof: garbage and mutated files never crash or hang', () => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  const raw = new Uint8Array(gunzipSync(heap));
  let profiles = 0;
  for (let i = 0; i < 400; i++) {
    let bytes: Uint8Array;
    if (i % 4 === 0) {
      bytes = new Uint8Array(1 + Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
    } else {
      bytes = raw.slice();
      const edits = 1 + Math.floor(random() * 4);
      for (let k = 0; k < edits; k++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
      if (i % 4 === 3) bytes = new Uint8Array(gzipSync(bytes));
    }
    const r = errorOrProfile(() => importPprof(bytes, { sourceFile: 'm.pprof' }), 'm.pprof');
    if (!(r instanceof ProfileFormatError)) {
      profiles++;
      assert.ok(Number.isFinite(profileTotal(r)) && profileTotal(r) >= 0);
    }
  }
  assert.ok(profiles > 0, 'some mutations still read');
});

/** A small pprof built with pprof-format: main -> work -> leaf, plus the given extras. */
function synthetic(
  build: (s: StringTable) => Partial<ConstructorParameters<typeof PprofProfile>[0]>,
) {
  const s = new StringTable();
  const fn = (id: number, name: string) =>
    new PprofFunction({ id, name: s.dedup(name), filename: s.dedup('/src/app/main.go') });
  const loc = (id: number, fid: number, line: number) =>
    new Location({ id, line: [new Line({ functionId: fid, line })] });
  const base = {
    sampleType: [new ValueType({ type: s.dedup('cpu'), unit: s.dedup('nanoseconds') })],
    function: [fn(1, 'main.main'), fn(2, 'main.work'), fn(3, 'main.leaf')],
    location: [loc(1, 1, 10), loc(2, 2, 20), loc(3, 3, 30)],
    sample: [new Sample({ locationId: [3, 2, 1], value: [100] })],
  };
  const extra = build(s);
  return new PprofProfile({ ...base, ...extra, stringTable: s }).encode();
}

test('pprof: an empty sample list imports cleanly with a warning', () => {
  const p = importPprof(
    synthetic(() => ({ sample: [] })),
    { sourceFile: 'empty.pprof' },
  );
  assert.equal(profileTotal(p), 0);
  assert.match(p.meta.warnings.join('\n'), /"empty\.pprof" holds no samples/);
});

test('pprof: negative values are left out with a warning', () => {
  const p = importPprof(
    synthetic(() => ({
      sample: [
        new Sample({ locationId: [3, 2, 1], value: [100] }),
        new Sample({ locationId: [2, 1], value: [-40] }),
        new Sample({ locationId: [2, 1], value: [BigInt(-5_000_000_000)] }),
      ],
    })),
    { sourceFile: 'diff.pprof' },
  );
  assert.equal(profileTotal(p), 100);
  assert.match(p.meta.warnings.join('\n'), /"diff\.pprof" has 2 samples with a negative cpu/);
});

test('pprof: ids that point nowhere become (missing ...) frames with a warning', () => {
  const p = importPprof(
    synthetic(() => ({
      sample: [
        new Sample({ locationId: [3, 2, 1], value: [100] }),
        new Sample({ locationId: [99, 1], value: [50] }),
      ],
      location: [
        new Location({ id: 1, line: [new Line({ functionId: 1, line: 10 })] }),
        new Location({ id: 2, line: [new Line({ functionId: 2, line: 20 })] }),
        new Location({ id: 3, line: [new Line({ functionId: 77, line: 30 })] }),
      ],
    })),
    { sourceFile: 'holes.pprof' },
  );
  assert.equal(profileTotal(p), 150);
  const names = p.frames.map((f) => f.name);
  assert.ok(names.includes('(missing location 99)'));
  assert.ok(names.includes('(missing function 77)'));
  const w = p.meta.warnings.join('\n');
  assert.match(w, /"holes\.pprof" refers to 1 location it does not define/);
  assert.match(w, /"holes\.pprof" refers to 1 function it does not define/);
});

test('pprof: unsymbolized addresses, default_sample_type, units scaled', () => {
  const bytes = synthetic((s) => ({
    sampleType: [
      new ValueType({ type: s.dedup('alloc_space'), unit: s.dedup('kilobytes') }),
      new ValueType({ type: s.dedup('wall'), unit: s.dedup('milliseconds') }),
    ],
    defaultSampleType: s.dedup('alloc_space'),
    location: [
      new Location({ id: 1, line: [new Line({ functionId: 1, line: 10 })] }),
      new Location({ id: 2, line: [new Line({ functionId: 2, line: 20 })] }),
      new Location({ id: 3, address: 0x4010, mappingId: 1 }),
    ],
    mapping: [{ id: 1, filename: s.dedup('/usr/lib/libz.so.1') }],
    sample: [new Sample({ locationId: [3, 2, 1], value: [3, 7] })],
  }));
  assert.deepEqual(
    pprofChoices(bytes).map((c) => c.id),
    ['alloc_space', 'wall'],
  );
  const p = importPprof(bytes);
  assert.equal(p.meta.unit, 'bytes');
  assert.equal(profileTotal(p), 3072);
  const leaf = p.frames.find((f) => f.name === 'libz.so.1 0x4010');
  assert.equal(leaf?.kind, 'library');
  const wall = importPprof(bytes, { choice: 'wall' });
  assert.equal(wall.meta.unit, 'milliseconds');
  assert.equal(wall.meta.clock, 'wall');
  assert.equal(profileTotal(wall), 7);
});

test('drop_frames that JavaScript cannot match safely are not applied, and the warning says so', () => {
  for (const pattern of ['main\\.(fib', '(main\\..+)+x']) {
    const profile = PprofProfile.decode(gunzipSync(bytesOf('pprof/cpu.pb.gz')));
    profile.dropFrames = profile.stringTable.dedup(pattern);
    const p = importPprof(gzipSync(profile.encode()), { sourceFile: 'odd.pb.gz' });
    assert.match(p.meta.warnings.join(' '), /does not apply the patterns .* every frame is shown/);
    assert.deepEqual(figures(p), figures(importPprof(cpu, { sourceFile: 'cpu.pb.gz' })));
  }
});

test('an address of 2^64 - 1 is shown as the unsigned hex it is', () => {
  // The real CPU profile with one location stripped of its symbols and moved to the top address.
  const profile = PprofProfile.decode(gunzipSync(bytesOf('pprof/cpu.pb.gz')));
  const leaf = profile.location.find((l) => profile.sample.some((s) => s.locationId[0] === l.id))!;
  leaf.address = 2n ** 64n - 1n;
  leaf.line = [];
  const p = importPprof(gzipSync(profile.encode()), { sourceFile: 'top.pb.gz' });
  const names = p.frames.map((f) => f.name);
  assert.ok(
    names.some((n) => n.endsWith('0xffffffffffffffff')),
    names.join(', '),
  );
  assert.ok(!names.some((n) => n.includes('0x-')));
});
