/**
 * Hostile files, made by hand in the test: absurd depths (100 000 frames deep), cycles, markup in
 * names, negative, NaN, infinite and huge weights, empty and wrong-format files. Each must give a
 * ProfileFormatError naming the file or a profile that keeps the model's invariants and survives
 * every analysis and webview layout (invariants.ts): never a stack overflow, never a hang.
 * Depth-first code that recursed per level would overflow the JS stack at these depths (about
 * 10 000 frames), so passing here means every analysis walks the tree with explicit stacks.
 */
import { test } from 'node:test';
import {
  Function as PprofFunction,
  Line,
  Location,
  Profile as PprofProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import assert from 'node:assert/strict';
import { functionStats } from '../../src/core/functionStats';
import { profileTotal, type Profile } from '../../src/core/profile';
import { summarize } from '../../src/core/summary';
import { importProfileFile } from '../../src/formats/detect';
import { MarshalDict, type MarshalValue } from '../../src/formats/marshal';
import { checkProfileInvariants } from './invariants';
import { writeMarshal } from './mutate';
import { isProfileFormatError } from './targets';

const DEEP = 100_000;
const MARKUP = '<img src=x onerror=alert(1)>';
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Imports and checks; returns the profile, or undefined after a clean ProfileFormatError. */
function importOrReject(name: string, bytes: Uint8Array): Profile | undefined {
  let profile: Profile;
  try {
    profile = importProfileFile(name, bytes);
  } catch (error) {
    assert.ok(isProfileFormatError(error, name), `${name}: ${String(error)}`);
    return undefined;
  }
  checkProfileInvariants(profile);
  return profile;
}

function mustImport(name: string, bytes: Uint8Array): Profile {
  const p = importOrReject(name, bytes);
  assert.ok(p, `${name} should import`);
  return p;
}

function mustReject(name: string, bytes: Uint8Array, pattern?: RegExp): void {
  assert.throws(
    () => importProfileFile(name, bytes),
    (e: unknown) =>
      isProfileFormatError(e, name) && (!pattern || pattern.test((e as Error).message)),
  );
}

const callFrame = (name: string, line = 0) => ({
  functionName: name,
  scriptId: '1',
  url: 'file:///srv/app.js',
  lineNumber: line,
  columnNumber: 0,
});

/** A modern .cpuprofile whose nodes form one chain `depth` deep (root, f0, f1, ...). */
function deepCpuprofile(depth: number, distinctFrames: number): string {
  const nodes: object[] = [
    { id: 1, callFrame: { ...callFrame('(root)', -1), url: '' }, children: [2] },
  ];
  for (let d = 0; d < depth; d++) {
    const id = d + 2;
    nodes.push({
      id,
      callFrame: callFrame(`f${d % distinctFrames}`, d % distinctFrames),
      hitCount: 1,
      ...(d + 1 < depth ? { children: [id + 1] } : {}),
      positionTicks: [{ line: (d % distinctFrames) + 1, ticks: 1 }],
    });
  }
  // Samples at a few depths, the deepest last: enough to exercise every view, bounded cost.
  const samples: number[] = [];
  for (let k = 1; k <= 20; k++) samples.push(Math.floor((depth * k) / 20) + 1);
  const timeDeltas = samples.map(() => 1000);
  return JSON.stringify({ nodes, startTime: 0, endTime: 21000, samples, timeDeltas });
}

/** The old layout: a `head` tree nested `depth` levels, written without JSON.stringify's recursion. */
function deepOldCpuprofile(depth: number): string {
  const open: string[] = [];
  for (let d = 0; d < depth; d++) {
    open.push(
      `{"functionName":"g${d % 3}","url":"file:///srv/old.js","lineNumber":${(d % 3) + 1},` +
        `"columnNumber":1,"hitCount":1,"id":${d + 1},"children":[`,
    );
  }
  return (
    `{"head":${open.join('')}${']}'.repeat(depth)},"startTime":0,"endTime":1,` +
    `"samples":[${depth},1],"timestamps":[0,500]}`
  );
}

test('100 000-deep stacks: every importer, analysis and layout without recursion', () => {
  for (const distinct of [DEEP, 7]) {
    // All distinct frames (one long chain) and deep recursion through seven functions.
    const p = mustImport(`deep-${distinct}.cpuprofile`, encode(deepCpuprofile(DEEP, distinct)));
    assert.equal(p.tree.size, DEEP + 1);
    assert.ok(functionStats(p).length > 0);
    assert.ok(profileTotal(p) > 0);
  }
  const old = mustImport('deep.old.cpuprofile', encode(deepOldCpuprofile(DEEP)));
  assert.equal(old.tree.size, DEEP + 1);

  // Python samples: one stack of 100 000 frames.
  const frames = Array.from({ length: 100 }, (_, i) => [`fn${i}`, '/srv/app.py', i + 1]);
  const ids = Array.from({ length: DEEP }, (_, i) => i % 100);
  const py = mustImport(
    'deep.pysamples.json',
    encode(
      JSON.stringify({
        format: 'heatlens-python-samples',
        version: 1,
        clock: 'cpu',
        frames,
        stacks: [{ frames: ids, lines: ids.map((i) => i + 1), weight: 1, count: 1 }],
      }),
    ),
  );
  assert.equal(py.tree.size, DEEP + 1);

  // callgrind: a chain of 100 000 functions, each calling the next.
  const cg: string[] = ['# callgrind format', 'events: Ir', 'fl=/srv/deep.c'];
  for (let d = 0; d < DEEP; d++) {
    cg.push(`fn=(${d}) f${d}`, `${d + 1} 1`);
    if (d + 1 < DEEP) cg.push(`cfn=(${d + 1}) f${d + 1}`, 'calls=1 1', `${d + 1} ${DEEP - d - 1}`);
  }
  cg.push(`totals: ${DEEP}`);
  const cgp = mustImport('callgrind.out.deep', encode(cg.join('\n')));
  assert.equal(cgp.callGraph?.functions.length, DEEP);

  // pstats: the same chain as cProfile would write it.
  const entries: Array<[MarshalValue, MarshalValue]> = [];
  for (let d = 0; d < DEEP; d++) {
    const callers = new MarshalDict(
      d
        ? [
            [
              ['/srv/deep.py', d, `f${d - 1}`],
              [1, 1, 1e-6, (DEEP - d) * 1e-6],
            ],
          ]
        : [],
    );
    entries.push([
      ['/srv/deep.py', d + 1, `f${d}`],
      [1, 1, 1e-6, (DEEP - d) * 1e-6, callers],
    ]);
  }
  const ps = mustImport('deep.prof', writeMarshal(new MarshalDict(entries)));
  assert.equal(ps.callGraph?.functions.length, DEEP);

  // collapsed stacks: one line 100 000 frames long.
  const folded = Array.from({ length: DEEP }, (_, i) => `f${i % 50}`).join(';');
  const col = mustImport('deep.folded', encode(`${folded} 3\nmain 1\n`));
  assert.equal(col.tree.size, DEEP + 2);

  // speedscope, evented: 100 000 nested opens, then the closes.
  const events: object[] = [];
  for (let d = 0; d < DEEP; d++) events.push({ type: 'O', at: d, frame: d % 10 });
  for (let d = DEEP - 1; d >= 0; d--)
    events.push({ type: 'C', at: DEEP + (DEEP - d), frame: d % 10 });
  const ss = mustImport(
    'deep.speedscope.json',
    encode(
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: Array.from({ length: 10 }, (_, i) => ({ name: `s${i}` })) },
        profiles: [
          {
            type: 'evented',
            name: 'deep',
            unit: 'microseconds',
            startValue: 0,
            endValue: 3 * DEEP,
            events,
          },
        ],
      }),
    ),
  );
  assert.equal(ss.tree.size, DEEP + 1);
});

test('cycles: parent/child loops in a .cpuprofile are a clear error, call-graph cycles import', () => {
  const node = (id: number, name: string, children: number[]) => ({
    id,
    callFrame: callFrame(name),
    hitCount: 1,
    children,
  });
  const root = { id: 1, callFrame: { ...callFrame('(root)', -1), url: '' }, children: [2] };
  const profile = (nodes: object[]) =>
    encode(JSON.stringify({ nodes, startTime: 0, endTime: 10, samples: [2], timeDeltas: [1] }));
  // 2 -> 3 -> 2: node 2 has two parents (the root and 3).
  mustReject(
    'cycle.cpuprofile',
    profile([root, node(2, 'a', [3]), node(3, 'b', [2])]),
    /child more than once|cycle/,
  );
  // A node that is its own child.
  mustReject('self.cpuprofile', profile([root, node(2, 'a', [2])]), /child more than once|cycle/);
  // A cycle unreachable from the root: 2 -> 3 -> 2 and nothing else points at them.
  mustReject(
    'island.cpuprofile',
    profile([{ ...root, children: [] }, node(2, 'a', [3]), node(3, 'b', [2])]),
    /cycle/,
  );

  // callgrind: mutual recursion a -> b -> a and self recursion c -> c.
  const cg = [
    'events: Ir',
    'fl=/srv/c.c',
    'fn=a',
    '1 5',
    'cfn=b',
    'calls=3 1',
    '2 30',
    'fn=b',
    '3 5',
    'cfn=a',
    'calls=2 1',
    '4 20',
    'cfn=c',
    'calls=1 1',
    '5 10',
    'fn=c',
    '6 10',
    'cfn=c',
    'calls=9 1',
    '6 10',
  ].join('\n');
  const p = mustImport('callgrind.out.cycle', encode(cg));
  assert.ok(p.treeIsApproximate);

  // pstats: a calls b, b calls a, a calls itself.
  const a: MarshalValue = ['/srv/m.py', 1, 'a'];
  const b: MarshalValue = ['/srv/m.py', 5, 'b'];
  const ps = new MarshalDict([
    [
      a,
      [
        2,
        5,
        0.5,
        3,
        new MarshalDict([
          [b, [2, 1, 0.2, 1]],
          [a, [3, 0, 0.1, 2]],
        ]),
      ],
    ],
    [b, [3, 3, 1, 2.5, new MarshalDict([[a, [3, 3, 1, 2.5]]])]],
  ]);
  mustImport('cycle.prof', writeMarshal(ps));
});

test('negative, NaN, infinite and huge weights never make a non-finite or negative figure', () => {
  const py = (weights: unknown[]) =>
    encode(
      JSON.stringify({
        format: 'heatlens-python-samples',
        version: 1,
        frames: [['main', '/srv/a.py', 1]],
        stacks: weights.map((weight) => ({ frames: [0], lines: [3], weight, count: 1 })),
      }).replace(/"(NaN|-?Infinity)"/g, '$1'),
    );
  // JSON has no NaN: those make a clean "not valid JSON" error; the others import.
  mustReject('nan.pysamples.json', py(['NaN']));
  const huge = mustImport('huge.pysamples.json', py([1e308, 1e308, 1e308, -1, -1e308, 0]));
  assert.ok(Number.isFinite(profileTotal(huge)));

  // .cpuprofile with negative and enormous time deltas.
  const root = { id: 1, callFrame: { ...callFrame('(root)', -1), url: '' }, children: [2, 3] };
  const nodes = [
    root,
    { id: 2, callFrame: callFrame('a'), hitCount: 1 },
    { id: 3, callFrame: callFrame('b'), hitCount: 1 },
  ];
  for (const deltas of [
    [-5, -1e9, 1e308, 1e308, 3],
    [1e308, 1e308, 1e308, 1e308, 1e308],
    [0, -1, -1, -1, -1],
  ]) {
    const text = JSON.stringify({
      nodes,
      startTime: 0,
      endTime: 1,
      samples: [2, 3, 2, 3, 2],
      timeDeltas: deltas,
    });
    const p = importOrReject('weights.cpuprofile', encode(text));
    if (p) assert.ok(Number.isFinite(profileTotal(p)));
  }
  // Huge hit counts without samples.
  importOrReject(
    'hits.cpuprofile',
    encode(
      JSON.stringify({
        nodes: [
          { ...root, children: [2] },
          { ...nodes[1], hitCount: 1e300 },
        ],
        startTime: 0,
        endTime: 1e308,
      }),
    ),
  );

  // pstats with NaN, infinite, negative and huge figures.
  const key: MarshalValue = ['/srv/m.py', 1, 'f'];
  const key2: MarshalValue = ['/srv/m.py', 9, 'g'];
  const ps = new MarshalDict([
    [key, [NaN, Infinity, -1, 1e308, new MarshalDict([[key2, [-Infinity, NaN, 1e308, -5]]])]],
    [key2, [1e300, 1e300, 1e308, 1e308, new MarshalDict([])]],
  ]);
  const p = mustImport('figures.prof', writeMarshal(ps));
  assert.ok(p.meta.warnings.some((w) => /not plausible numbers/.test(w)));

  // callgrind: huge counts and call counts.
  const cg = [
    'events: Ir',
    'fn=a',
    '1 99999999999999999999999',
    'cfn=b',
    'calls=1e300 1',
    '1 5',
    'fn=b',
    '1 99999999999999999999999',
  ];
  importOrReject('callgrind.out.huge', encode(cg.join('\n')));
  // collapsed: a count beyond what any sampler writes.
  importOrReject('huge.folded', encode('a;b 99999999999999999999999999999\na;c 1e400\na -5\n'));
});

test('markup in names stays text: the model keeps it verbatim and nothing interprets it', () => {
  const nodes = [
    { id: 1, callFrame: { ...callFrame('(root)', -1), url: '' }, children: [2] },
    {
      id: 2,
      callFrame: { ...callFrame(MARKUP), url: `file:///srv/${encodeURIComponent(MARKUP)}.js` },
      hitCount: 1,
      positionTicks: [{ line: 1, ticks: 1 }],
    },
  ];
  const p = mustImport(
    `${MARKUP}.cpuprofile`,
    encode(
      JSON.stringify({
        nodes,
        startTime: 0,
        endTime: 2000,
        samples: [2, 2],
        timeDeltas: [0, 1000],
      }),
    ),
  );
  assert.equal(p.frames[0].name, MARKUP);
  assert.equal(p.frames[0].file, `/srv/${MARKUP}.js`);
  assert.equal(summarize(p).functions[0].name, MARKUP);
  // An error about a file with markup in its name quotes the name as is (the UI escapes it).
  mustReject(`${MARKUP}.prof`, encode('not marshal at all'));
});

test('empty, wrong-format and not-a-profile files get a clear error naming the file', () => {
  mustReject('empty.cpuprofile', new Uint8Array(0), /empty/);
  mustReject('empty.dat', new Uint8Array(0), /empty/);
  mustReject('blank.cpuprofile', encode('   \n'));
  const png = Uint8Array.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1,
    0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
  ]);
  mustReject('image.png', png);
  mustReject('image.cpuprofile', png);
  mustReject('image.prof', png);
  for (const json of [
    '{}',
    '[]',
    '"profile"',
    '{"nodes": 5}',
    '{"a": [1, 2, 3]}',
    'null',
    '{"traceEvents": 5}',
  ]) {
    mustReject('data.json', encode(json));
    mustReject('data.cpuprofile', encode(json));
  }
  // Gzip that does not decompress, and gzip of nothing useful.
  mustReject('broken.json.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
});

/** A Chrome trace whose one ProfileChunk holds `nodes` (each naming its parent). */
function trace(nodes: object[], samples: number[]): Uint8Array {
  return encode(
    JSON.stringify({
      traceEvents: [
        {
          name: 'Profile',
          ph: 'P',
          pid: 1,
          tid: 1,
          ts: 0,
          id: '0x1',
          args: { data: { startTime: 0 } },
        },
        {
          name: 'ProfileChunk',
          ph: 'P',
          pid: 1,
          tid: 2,
          ts: 1,
          id: '0x1',
          args: { data: { cpuProfile: { nodes, samples }, timeDeltas: samples.map(() => 100) } },
        },
      ],
    }),
  );
}

test('Chrome traces: 100 000-deep parent chains import, parent cycles are a clear error', () => {
  const frame = (name: string) => ({
    functionName: name,
    scriptId: 1,
    url: 'file:///srv/t.js',
    lineNumber: 1,
    columnNumber: 1,
  });
  const nodes: object[] = [{ id: 1, callFrame: { ...frame('(root)'), url: '', lineNumber: -1 } }];
  for (let d = 2; d <= DEEP + 1; d++)
    nodes.push({ id: d, parent: d - 1, callFrame: frame(`t${d % 5}`) });
  const deep = mustImport('deep.trace.json', trace(nodes, [DEEP + 1, 2, DEEP + 1]));
  assert.equal(deep.tree.size, DEEP + 1);
  // 2 -> 3 -> 2 by parent ids, and a node that is its own parent.
  const cyc = [
    nodes[0],
    { id: 2, parent: 3, callFrame: frame('a') },
    { id: 3, parent: 2, callFrame: frame('b') },
  ];
  mustReject('cycle.trace.json', trace(cyc, [2, 3]));
  importOrReject(
    'self.trace.json',
    trace([nodes[0], { id: 2, parent: 2, callFrame: frame('a') }], [2]),
  );
});

test('pprof: a sample 100 000 locations deep, with huge and negative values', () => {
  const s = new StringTable();
  const functions = Array.from(
    { length: 10 },
    (_, i) =>
      new PprofFunction({
        id: i + 1,
        name: s.dedup(`${MARKUP}${i}`),
        filename: s.dedup('/src/deep.go'),
      }),
  );
  const location = Array.from(
    { length: DEEP },
    (_, i) =>
      new Location({ id: i + 1, line: [new Line({ functionId: (i % 10) + 1, line: i + 1 })] }),
  );
  // pprof lists the leaf first.
  const leafFirst = Array.from({ length: DEEP }, (_, i) => DEEP - i);
  const bytes = new PprofProfile({
    sampleType: [new ValueType({ type: s.dedup('cpu'), unit: s.dedup('nanoseconds') })],
    function: functions,
    location,
    sample: [
      new Sample({ locationId: leafFirst, value: [100] }),
      new Sample({ locationId: [1], value: [BigInt('9223372036854775807')] }),
      new Sample({ locationId: [2, 1], value: [-40] }),
    ],
    stringTable: s,
  }).encode();
  const p = mustImport('deep.pprof', bytes);
  assert.equal(p.tree.size, DEEP + 1);
  assert.equal(p.frames[0].name.startsWith(MARKUP), true);
});
