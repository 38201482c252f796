import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { profileTotal, type Profile } from '../core/profile';
import { functionStats } from '../core/functionStats';
import { importProfileFile } from './detect';
import { ProfileFormatError } from './errors';
import { deserializeProfile, isHeatlensRun, serializeProfile } from './heatlensRun';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();

/** Real profiles written by real tools (each folder keeps the script that recorded them). */
const fixtures = [
  ...readdirSync(join(root, 'examples', 'profiles'))
    .filter((n) => n !== 'record.sh')
    .map((n) => join('examples', 'profiles', n)),
  'test/fixtures/node/hot.cpuprofile',
  'test/fixtures/node/recursive.cpuprofile',
  'test/fixtures/callgrind/callgrind.out.hot',
  'test/fixtures/callgrind/callgrind.out.yappi',
  'test/fixtures/pysamples/hot-cpu.pysamples.json',
];

function load(rel: string): Profile {
  return importProfileFile(rel.split('/').pop()!, readFileSync(join(root, rel)));
}

/** Re-serializes a run file's JSON after `change` (for damaged variants). */
function altered(bytes: Uint8Array, change: (v: Record<string, unknown>) => void): Uint8Array {
  const v = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  change(v);
  return new TextEncoder().encode(JSON.stringify(v));
}

/** A base64 Int32Array, for writing damaged trees. */
function int32(values: number[]): string {
  return Buffer.from(Int32Array.from(values).buffer).toString('base64');
}

describe('heatlensRun: stored runs', () => {
  for (const rel of fixtures) {
    it(`round-trips every field of ${rel}`, () => {
      const profile = load(rel);
      const bytes = serializeProfile(profile);
      const back = deserializeProfile(bytes, 'run.heatlens.json');
      // Typed arrays compare element by element; NaN equals NaN (Object.is).
      assert.deepStrictEqual(back, profile);
      assert.equal(profileTotal(back), profileTotal(profile));
      assert.deepStrictEqual(functionStats(back), functionStats(profile));
      // Writing what was read gives the same bytes: nothing drifts over repeated saves.
      assert.deepStrictEqual(serializeProfile(back), bytes);
      assert.ok(
        Object.isFrozen(back) && Object.isFrozen(back.meta) && Object.isFrozen(back.frames),
      );
    });
  }

  it('reads runs stored by earlier versions, and writes the same bytes today', () => {
    // Written by test/fixtures/heatlensRun/make.mjs with the serializer of an earlier version.
    for (const [stored, source] of [
      ['hot.heatlens.json', 'test/fixtures/node/hot.cpuprofile'],
      ['service.heatlens.json', 'examples/profiles/service.prof'],
    ]) {
      const bytes = new Uint8Array(readFileSync(join(root, 'test/fixtures/heatlensRun', stored)));
      const profile = load(source);
      assert.deepStrictEqual(deserializeProfile(bytes, stored), profile, stored);
      assert.deepStrictEqual(
        serializeProfile(profile),
        bytes,
        `${stored}: the format is unchanged`,
      );
    }
  });

  it('keeps the parts the fixtures exercise: samples, line table, call graph', () => {
    const v8 = load('examples/profiles/primes.cpuprofile');
    const py = load('examples/profiles/service.prof');
    assert.ok(v8.samples && v8.samples.count > 0, 'the V8 fixture has samples');
    assert.ok(v8.lines.count > 0, 'the V8 fixture has line ticks');
    assert.ok(py.callGraph && py.callGraph.edges.length > 0, 'the pstats fixture has a call graph');
    assert.ok(py.treeIsApproximate);
    const back = deserializeProfile(serializeProfile(py), 'py.heatlens.json');
    assert.deepStrictEqual(back.callGraph, py.callGraph);
    assert.equal(back.treeIsApproximate, true);
  });

  it('is recognised by its name or its first bytes, and only then', () => {
    const bytes = serializeProfile(load('test/fixtures/node/hot.cpuprofile'));
    assert.equal(isHeatlensRun('x.heatlens.json', new Uint8Array()), true);
    assert.equal(isHeatlensRun('X.HEATLENS.JSON', new Uint8Array()), true);
    assert.equal(isHeatlensRun('anything.json', bytes), true);
    assert.equal(isHeatlensRun(undefined, bytes), true);
    const cpuprofile = readFileSync(join(root, 'test/fixtures/node/hot.cpuprofile'));
    assert.equal(isHeatlensRun('hot.cpuprofile', cpuprofile), false);
    assert.equal(isHeatlensRun('service.prof', readFileSync(join(root, fixtures[1]))), false);
  });
});

describe('heatlensRun: damaged files fail with a message naming the file', () => {
  const good = serializeProfile(load('test/fixtures/node/hot.cpuprofile'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(), /empty/],
    ['cut short', good.subarray(0, good.length >> 1), /not valid JSON/],
    ['another JSON file', new TextEncoder().encode('{"nodes": []}'), /"format"/],
    ['a JSON list', new TextEncoder().encode('[1, 2]'), /not a JSON object/],
    [
      'a tree whose parent comes after the child',
      altered(good, (v) => {
        const t = v.tree as Record<string, unknown>;
        t.size = 3;
        t.parent = int32([-1, 2, 0]);
        t.frame = int32([-1, 0, 0]);
        t.self = Buffer.from(new Float64Array(3).buffer).toString('base64');
        t.children = int32([2, 1]);
      }),
      /node 1 of the call tree has parent 2/,
    ],
    [
      'children that do not match the parents',
      altered(good, (v) => {
        const t = v.tree as Record<string, unknown>;
        t.size = 3;
        t.parent = int32([-1, 0, 1]);
        t.frame = int32([-1, 0, 0]);
        t.self = Buffer.from(new Float64Array(3).buffer).toString('base64');
        t.children = int32([1, 1]);
      }),
      /children of tree node/,
    ],
    [
      'a node naming a frame that does not exist',
      altered(good, (v) => {
        const t = v.tree as Record<string, unknown>;
        const frame = new Int32Array(
          Uint8Array.from(Buffer.from(t.frame as string, 'base64')).buffer,
        );
        frame[1] = 1_000_000;
        t.frame = Buffer.from(frame.buffer).toString('base64');
      }),
      /frame of tree node #1 \(1000000\) is out of range/,
    ],
    [
      'an array shorter than announced',
      altered(good, (v) => {
        (v.tree as Record<string, unknown>).self = 'AAAA';
      }),
      /"tree.self" holds 3 bytes/,
    ],
    [
      'an unknown frame kind',
      altered(good, (v) => {
        ((v.frames as Record<string, unknown>).kind as string[])[0] = 'alien';
      }),
      /unknown kind "alien"/,
    ],
    [
      'a missing unit',
      altered(good, (v) => {
        delete (v.meta as Record<string, unknown>).unit;
      }),
      /"meta.unit"/,
    ],
  ];
  for (const [what, bytes, pattern] of cases) {
    it(what, () => {
      assert.throws(
        () => deserializeProfile(bytes, 'runs/abc.heatlens.json'),
        (err: unknown) => {
          assert.ok(err instanceof ProfileFormatError, String(err));
          assert.match(err.message, /^"runs\/abc\.heatlens\.json" /);
          assert.match(err.message, pattern);
          assert.equal(err.file, 'runs/abc.heatlens.json');
          return true;
        },
      );
    });
  }

  it('a run from a newer Heatlens says to update', () => {
    const newer = altered(good, (v) => {
      v.version = 99;
    });
    assert.throws(() => deserializeProfile(newer, 'new.heatlens.json'), /newer Heatlens.*Update/);
  });
});
