// The source-map wrapper and remapProfile over hand-made maps, through a stubbed host: source
// resolution, lookups, names, kinds, merging, call graphs, and what is never read.
import { LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ProfileBuilder, profileTotal, type Frame, type Profile } from '../core/profile';
import { remapProfile, type SourceMapHost } from './remap';
import { SourceMapError, parseSourceMap } from './sourceMap';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/**
 * Encodes decoded mappings (per generated line, segments of [genCol0, source, line0, col0,
 * name?]) the way the spec says: fields relative to the previous segment.
 */
function encode(lines: number[][][]): string {
  const prev = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      prev[0] = 0;
      return segments
        .map((seg) =>
          seg
            .map((v, i) => {
              const d = v - prev[i];
              prev[i] = v;
              return vlq(d);
            })
            .join(''),
        )
        .join(',');
    })
    .join(';');
}

function mapJson(fields: Record<string, unknown>, lines: number[][][]): string {
  return JSON.stringify({ version: 3, names: [], ...fields, mappings: encode(lines) });
}

function stubHost(files: Record<string, string>): SourceMapHost & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readFile(path) {
      reads.push(path);
      return files[path];
    },
  };
}

test('sources resolve against the map file and sourceRoot; the raw ones are kept', () => {
  const map = parseSourceMap(
    mapJson({ sourceRoot: '../src', sources: ['x.ts', 'sub/../y.ts'] }, [[]]),
    {
      generatedFile: '/p/dist/app.js',
      mapFile: '/p/maps/app.js.map',
    },
  );
  assert.deepEqual(map.sourcePaths, ['/p/src/x.ts', '/p/src/y.ts']);
  assert.deepEqual(map.sources, ['x.ts', 'sub/../y.ts']);
  assert.equal(map.sourceRoot, '../src');
  assert.deepEqual(map.resolvedSources, ['file:///p/src/x.ts', 'file:///p/src/y.ts']);
});

test('inline maps resolve against the script; URLs, nulls and Windows paths are handled', () => {
  const map = parseSourceMap(
    mapJson(
      { sources: ['../src/a%20b.ts', '/abs/y.ts', 'webpack:///./z.ts', null, 'C:\\w\\q.ts'] },
      [[]],
    ),
    { generatedFile: '/p/dist/app.js' },
  );
  assert.deepEqual(map.sourcePaths, [
    '/p/src/a b.ts',
    '/abs/y.ts',
    'webpack:///z.ts',
    null,
    'C:\\w\\q.ts',
  ]);

  const win = parseSourceMap(mapJson({ sources: ['../src/a.ts'] }, [[]]), {
    generatedFile: 'C:\\proj\\dist\\app.js',
    mapFile: 'C:\\proj\\dist\\app.js.map',
  });
  assert.deepEqual(win.sourcePaths, ['C:\\proj\\src\\a.ts']);
});

test('lookups: closest mapping before the column, the next one when none, the line start when no column', () => {
  const map = parseSourceMap(
    mapJson({ sources: ['a.ts'], names: ['first', 'second'] }, [
      [
        [4, 0, 9, 2, 0],
        [20, 0, 11, 6, 1],
      ],
    ]),
    { generatedFile: '/p/app.js' },
  );
  // 1-based column 21 is 0-based 20: exactly the second mapping.
  assert.deepEqual(map.originalPosition(1, 21), {
    sourceIndex: 0,
    source: '/p/a.ts',
    line1: 12,
    col1: 7,
    name: 'second',
    generatedCol1: 21,
  });
  assert.equal(map.originalPosition(1, 15)?.line1, 10);
  // Before the first mapping of the line: the first one after it.
  assert.equal(map.originalPosition(1, 1)?.line1, 10);
  assert.equal(map.originalPosition(1, null)?.line1, 10);
  assert.equal(map.firstPositionOnLine(1)?.line1, 10);
  assert.equal(map.firstPositionOnLine(1, 10)?.line1, 12);
  assert.equal(map.originalPosition(2, 1), null);
});

function fixtureDist(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'test/fixtures/sourcemaps/dist');
}

test('lines decoded on demand answer exactly as trace-mapping decoding everything', () => {
  const dist = fixtureDist();
  const unsorted = mapJson({ sources: ['a.ts', 'b.ts'], names: ['x', 'y'] }, [
    [[9, 1, 3, 0, 1], [2, 0, 0, 4], [5], [2, 0, 1, 0, 0]],
    [],
    [[0, 1, 7, 7]],
  ]);
  const texts = [
    readFileSync(join(dist, 'app.js.map'), 'utf8'),
    readFileSync(join(dist, 'app.min.js.map'), 'utf8'),
    unsorted,
  ];
  for (const text of texts) {
    const ours = parseSourceMap(text, { generatedFile: '/p/dist/x.js' });
    const bare = new TraceMap(text, 'file:///p/dist/x.js');
    const lines = (JSON.parse(text) as { mappings: string }).mappings.split(';');
    for (let line1 = 1; line1 <= lines.length + 1; line1++) {
      const width = (lines[line1 - 1]?.length ?? 0) * 8 + 3;
      for (let col0 = 0; col0 < width; col0++) {
        let expected = originalPositionFor(bare, { line: line1, column: col0 });
        if (expected.source === null) {
          expected = originalPositionFor(bare, {
            line: line1,
            column: col0,
            bias: LEAST_UPPER_BOUND,
          });
        }
        const got = ours.originalPosition(line1, col0 + 1);
        assert.deepEqual(
          got && { source: got.source, line: got.line1, column: got.col1 - 1, name: got.name },
          expected.source === null
            ? null
            : { ...expected, source: expected.source.replace('file://', '') },
          `line ${line1} column ${col0}`,
        );
      }
      const first = originalPositionFor(bare, { line: line1, column: 0, bias: LEAST_UPPER_BOUND });
      assert.equal(ours.firstPositionOnLine(line1)?.line1 ?? null, first.line);
    }
  }
});

test('sectioned maps are flattened; the XSSI prefix is skipped', () => {
  const inner = (source: string) => JSON.parse(mapJson({ sources: [source] }, [[[0, 0, 4, 0]]]));
  const text = `)]}'\n${JSON.stringify({
    version: 3,
    sections: [
      { offset: { line: 0, column: 0 }, map: inner('one.ts') },
      { offset: { line: 10, column: 0 }, map: inner('two.ts') },
    ],
  })}`;
  const map = parseSourceMap(text, { generatedFile: '/p/app.js' });
  assert.equal(map.originalPosition(1, 1)?.source, '/p/one.ts');
  assert.equal(map.originalPosition(11, 1)?.source, '/p/two.ts');
});

test('broken maps are rejected with a reason', () => {
  const where = { generatedFile: '/p/app.js' };
  const cases: [string, RegExp][] = [
    ['[1,2]', /not a JSON object/],
    ['{"version":2,"sources":[],"mappings":""}', /version 2/],
    ['{"version":3,"sources":[]}', /"mappings" is not a string/],
    ['{"version":3,"mappings":""}', /"sources" is not a list of names/],
    [
      '{"version":3,"sources":["a"],"mappings":"AAAAA"}',
      /name index 0 \(the map has 0 names\) on generated line 1/,
    ],
    [
      '{"version":3,"sources":["a"],"mappings":"AAAA A"}',
      /holds a character that is not base64 VLQ/,
    ],
    ['{"version":3,"sources":["a"],"mappings":"AA"}', /a segment of 2 fields/],
    ['{"version":3,"sources":["a"],"names":["n"],"mappings":"AAAAAA"}', /more than 5 fields/],
    ['{"version":3,"sources":["a"],"mappings":"AAAg"}', /inside a number/],
    ['{"version":3,"sources":["a"],"mappings":"gggggggA"}', /number too large/],
    ['{"version":3,"sources":["a"],"mappings":"AAAA,DAAA"}', /negative generated column/],
    ['{"version":3,"sources":["a"],"mappings":"AADA"}', /negative original position/],
    ['{"version":3,"sources":[1],"mappings":""}', /"sources" is not a list of names/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => parseSourceMap(text, where),
      (e: unknown) => e instanceof SourceMapError && reason.test(e.message),
    );
  }
});

/** A profile of two generated scripts, a runtime module, a wasm module and a pseudo frame. */
function syntheticProfile(): { profile: Profile; ids: Record<string, number> } {
  const b = new ProfileBuilder();
  const frame = (f: Frame) => b.frame(f);
  const ids = {
    program: frame({ name: '(program)', file: null, line1: null, col1: null, kind: 'pseudo' }),
    fs: frame({ name: 'readFileSync', file: 'node:fs', line1: 441, col1: 22, kind: 'runtime' }),
    a: frame({ name: 'a', file: '/p/dist/app.js', line1: 1, col1: 10, kind: 'user' }),
    b: frame({ name: 'b', file: '/p/dist/app.js', line1: 2, col1: 10, kind: 'user' }),
    named: frame({ name: 'realName', file: '/p/dist/app.js', line1: 3, col1: 1, kind: 'user' }),
    arrow: frame({ name: 't', file: '/p/dist/app.js', line1: 4, col1: 1, kind: 'user' }),
    lib: frame({ name: 'x', file: '/p/dist/vendor.js', line1: 1, col1: 1, kind: 'user' }),
    wasm: frame({
      name: 'wasm-function[1]',
      file: '/p/dist/mod.wasm',
      line1: 1,
      col1: 5,
      kind: 'user',
    }),
  };
  b.addStack([ids.program], 1);
  b.addStack([ids.fs], 2);
  const na = b.addStack([ids.a], 10);
  const nb = b.addStack([ids.b], 5);
  b.addStack([ids.a, ids.named], 3);
  b.addStack([ids.arrow], 1);
  b.addStack([ids.lib, ids.wasm], 4);
  b.addSample(na, 10, 0);
  b.addSample(nb, 5, 10);
  b.addLine('/p/dist/app.js', 1, ids.a, 6);
  b.addLine('/p/dist/app.js', 2, ids.b, 5);
  b.addLine('/p/dist/app.js', 7, ids.a, 4); // no mapping on line 7: stays where it was
  b.setCallGraph({
    functions: [
      { frame: ids.a, calls: 2, primitiveCalls: 2, self: 10, total: 13 },
      { frame: ids.b, calls: 1, primitiveCalls: 1, self: 5, total: 5 },
      { frame: ids.named, calls: 4, primitiveCalls: 4, self: 3, total: 3 },
    ],
    edges: [{ caller: ids.a, callee: ids.named, calls: 4, self: 3, total: 3 }],
  });
  return { profile: b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' }), ids };
}

const appMap = mapJson({ sources: ['../src/app.ts'], names: ['work', 'other', 'param'] }, [
  // Generated lines 1 and 2 are both the original `work` (line 5); line 3 is line 9, named;
  // line 4 starts with a parameter named `param` (an arrow function `t=>...`).
  [[0, 0, 4, 0, 0]],
  [[0, 0, 4, 0, 0]],
  [[0, 0, 8, 2, 1]],
  [[0, 0, 11, 4, 2]],
]);
const vendorMap = mapJson(
  { sources: ['../node_modules/lib/index.ts', '../src/shim.ts'], ignoreList: [1] },
  [[[0, 0, 0, 0]]],
);

test('remap: frames collapsing onto one function merge, names and kinds follow the original', async () => {
  const { profile } = syntheticProfile();
  const host = stubHost({
    '/p/dist/app.js': 'code\n//# sourceMappingURL=app.js.map\n',
    '/p/dist/app.js.map': appMap,
    '/p/dist/vendor.js': `code\n//# sourceMappingURL=data:application/json;charset=utf-8,${encodeURIComponent(vendorMap)}`,
  });
  const out = await remapProfile(profile, host);

  // Never asked: node:, pseudo frames, a .wasm module.
  assert.deepEqual(host.reads.sort(), [
    '/p/dist/app.js',
    '/p/dist/app.js.map',
    '/p/dist/vendor.js',
  ]);
  const byName = (name: string) => out.frames.filter((f) => f.name === name);
  // `a` and `b` are minified-looking: both become `work` at app.ts:5, one frame, one node.
  assert.deepEqual(byName('work'), [
    { name: 'work', file: '/p/src/app.ts', line1: 5, col1: 1, kind: 'user' },
  ]);
  const work = out.frames.indexOf(byName('work')[0]);
  const workNodes = [...out.tree.frame].flatMap((f, n) => (f === work ? [n] : []));
  assert.equal(workNodes.length, 1);
  assert.equal(out.tree.self[workNodes[0]], 15);
  assert.equal(out.tree.parent[workNodes[0]], 0);
  // A real name is kept even where the map names something else.
  assert.deepEqual(byName('realName'), [
    { name: 'realName', file: '/p/src/app.ts', line1: 9, col1: 3, kind: 'user' },
  ]);
  // A name at the function's own position is a parameter's, not the function's.
  assert.deepEqual(byName('t'), [
    { name: 't', file: '/p/src/app.ts', line1: 12, col1: 5, kind: 'user' },
  ]);
  // A source under node_modules is library code.
  assert.equal(byName('x')[0].kind, 'library');
  assert.equal(byName('x')[0].file, '/p/node_modules/lib/index.ts');
  // Untouched frames.
  assert.deepEqual(byName('readFileSync')[0].file, 'node:fs');
  assert.deepEqual(byName('wasm-function[1]')[0].file, '/p/dist/mod.wasm');

  assert.equal(profileTotal(out), profileTotal(profile));
  assert.equal(out.samples?.count, 2);
  assert.deepEqual([...out.samples!.node], [workNodes[0], workNodes[0]]);

  const lines = [...Array(out.lines.count).keys()].map((i) => [
    out.lines.files[out.lines.file[i]],
    out.lines.line1[i],
    out.frames[out.lines.frame[i]].name,
    out.lines.self[i],
  ]);
  assert.deepEqual(lines, [
    ['/p/src/app.ts', 5, 'work', 11],
    ['/p/dist/app.js', 7, 'work', 4],
  ]);

  assert.deepEqual(
    out.callGraph?.functions.map((f) => [out.frames[f.frame].name, f.calls, f.self, f.total]),
    [
      ['work', 3, 15, 18],
      ['realName', 4, 3, 3],
    ],
  );
  assert.deepEqual(
    out.callGraph?.edges.map((e) => [
      out.frames[e.caller].name,
      out.frames[e.callee].name,
      e.calls,
    ]),
    [['work', 'realName', 4]],
  );
});

test('remap: ignoreList marks a source as library code', async () => {
  const b = new ProfileBuilder();
  const f = b.frame({ name: 'shim', file: '/p/dist/vendor.js', line1: 1, col1: 1, kind: 'user' });
  b.addStack([f], 1);
  const profile = b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  const map = mapJson({ sources: ['../src/shim.ts'], ignoreList: [0] }, [[[0, 0, 0, 0]]]);
  const out = await remapProfile(profile, stubHost({}), {
    maps: new Map([['/p/dist/vendor.js', map]]),
  });
  assert.deepEqual(out.frames[0], {
    name: 'shim',
    file: '/p/src/shim.ts',
    line1: 1,
    col1: 1,
    kind: 'library',
  });
});

test('remap: warnings are kept with the ones the profile had, once per map', async () => {
  const b = new ProfileBuilder();
  const f1 = b.frame({ name: 'f', file: '/p/dist/app.js', line1: 1, col1: 1, kind: 'user' });
  const f2 = b.frame({ name: 'g', file: '/p/dist/app.js', line1: 2, col1: 1, kind: 'user' });
  b.addStack([f1, f2], 1);
  b.addLine('/p/dist/app.js', 2, f2, 1);
  b.warn('earlier warning');
  const profile = b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
  const out = await remapProfile(
    profile,
    stubHost({ '/p/dist/app.js': '//# sourceMappingURL=app.js.map', '/p/dist/app.js.map': '{' }),
  );
  assert.equal(out.meta.warnings.length, 2);
  assert.equal(out.meta.warnings[0], 'earlier warning');
  assert.match(
    out.meta.warnings[1],
    /^Source map of \/p\/dist\/app\.js: its source map \/p\/dist\/app\.js\.map is broken/,
  );
  assert.equal(out.frames, profile.frames);
});
