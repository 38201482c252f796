// remapProfile over real fixtures: a TypeScript program (test/fixtures/sourcemaps/src) bundled by
// esbuild with a linked, an inline and a minified map, and profiled by `node --cpu-prof` (see
// make.sh there). Files come through a stubbed host: a Map of path -> text.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { profileTotal, type Profile } from '../core/profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { pathToFileUrl } from '../util/fileUrl';
import { remapProfile, type SourceMapHost } from './remap';
import { repoRoot } from '../../test/support/repoRoot';

const fixtures = join(repoRoot(), 'test/fixtures/sourcemaps');
const dist = join(fixtures, 'dist');
const hotTs = join(fixtures, 'src/hot.ts');

/** A host over a Map of path -> text that records every path asked for. */
function stubHost(files: Map<string, string>): SourceMapHost & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readFile(path) {
      reads.push(path);
      return files.get(path);
    },
  };
}

function fixtureFiles(...names: string[]): Map<string, string> {
  return new Map(names.map((n) => [join(dist, n), readFileSync(join(dist, n), 'utf8')]));
}

/**
 * A fixture profile with the recording machine's fixture folder replaced by this one, and the
 * script renamed when asked (the inline bundle is the same code as app.js, byte for byte).
 */
function loadProfile(name: string, script?: { from: string; to: string }): Profile {
  let text = readFileSync(join(fixtures, name), 'utf8');
  const recorded = /"url":"(file:\/\/[^"]*)\/dist\/[^"/]+\.js"/.exec(text);
  assert.ok(recorded, `${name} has no frame in dist/`);
  text = text.split(`${recorded[1]}/`).join(`${pathToFileUrl(fixtures)}/`);
  if (script) text = text.split(`/dist/${script.from}"`).join(`/dist/${script.to}"`);
  return importCpuprofile(text, { sourceFile: name });
}

/** Self weight per frame id. */
function frameSelf(p: Profile): Float64Array {
  const self = new Float64Array(p.frames.length);
  for (let n = 1; n < p.tree.size; n++) self[p.tree.frame[n]] += p.tree.self[n];
  return self;
}

function hottestFrame(p: Profile) {
  const self = frameSelf(p);
  let best = 0;
  for (let i = 1; i < self.length; i++) if (self[i] > self[best]) best = i;
  return { frame: p.frames[best], self: self[best] };
}

/** Line self weight of one file, line1 -> weight. */
function lineWeights(p: Profile, file: string): Map<number, number> {
  const out = new Map<number, number>();
  const L = p.lines;
  for (let i = 0; i < L.count; i++) {
    if (L.files[L.file[i]] === file) out.set(L.line1[i], (out.get(L.line1[i]) ?? 0) + L.self[i]);
  }
  return out;
}

function hottestLine(weights: Map<number, number>): number {
  return [...weights].sort((a, b) => b[1] - a[1])[0][0];
}

function lineTotal(p: Profile): number {
  let sum = 0;
  for (let i = 0; i < p.lines.count; i++) sum += p.lines.self[i];
  return sum;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

test('a linked map puts the hot function and the hot line on their TypeScript lines', async () => {
  const profile = loadProfile('app.cpuprofile');
  // Before: the hot function is in the bundle.
  assert.equal(hottestFrame(profile).frame.file, join(dist, 'app.js'));
  const host = stubHost(fixtureFiles('app.js', 'app.js.map'));

  const remapped = await remapProfile(profile, host);

  const hot = hottestFrame(remapped);
  assert.equal(hot.frame.name, 'countPrimes');
  assert.equal(hot.frame.file, hotTs);
  assert.equal(hot.frame.line1, 13); // `export function countPrimes(limit: number): number {`
  assert.equal(hot.frame.kind, 'user');
  assert.deepEqual(remapped.meta.warnings, []);

  // The line table lands on hot.ts: the modulo test is the hot line, and nothing of the mapped
  // code stays on the bundle.
  const lines = lineWeights(remapped, hotTs);
  assert.equal(hottestLine(lines), 18); // `if (n % d === 0) {`
  assert.ok(
    [...lines.keys()].every((l) => l >= 13 && l <= 30),
    [...lines.keys()].join(),
  );
  assert.equal(lineWeights(remapped, join(dist, 'app.js')).size, 0);

  // Weights, samples and line weights survive; other modules land on their own files.
  assert.ok(close(profileTotal(remapped), profileTotal(profile)));
  assert.ok(close(lineTotal(remapped), lineTotal(profile)));
  assert.equal(remapped.samples?.count, profile.samples?.count);
  const files = new Set(remapped.frames.map((f) => f.file));
  assert.ok(files.has(join(fixtures, 'src/main.ts')));
  // Only the module's top level stays on the bundle: esbuild maps nothing of its first line.
  assert.deepEqual(
    remapped.frames.filter((f) => f.file === join(dist, 'app.js')).map((f) => [f.name, f.line1]),
    [['(anonymous)', 1]],
  );

  // Only the bundle and its map were read: nothing for node: frames or pseudo frames.
  assert.deepEqual(host.reads.sort(), [join(dist, 'app.js'), join(dist, 'app.js.map')]);
  assert.ok(remapped.frames.some((f) => f.file?.startsWith('node:')));
});

test('an inline data: map gives the same answer as the linked one', async () => {
  const linked = await remapProfile(
    loadProfile('app.cpuprofile'),
    stubHost(fixtureFiles('app.js', 'app.js.map')),
  );
  const host = stubHost(fixtureFiles('app-inline.js'));
  const inline = await remapProfile(
    loadProfile('app.cpuprofile', { from: 'app.js', to: 'app-inline.js' }),
    host,
  );
  assert.deepEqual(host.reads, [join(dist, 'app-inline.js')]);
  assert.deepEqual(inline.meta.warnings, []);
  const renamed = inline.frames.map((f) =>
    f.file === join(dist, 'app-inline.js') ? { ...f, file: join(dist, 'app.js') } : f,
  );
  assert.deepEqual(renamed, linked.frames);
  assert.deepEqual(lineWeights(inline, hotTs), lineWeights(linked, hotTs));
});

test('a minified bundle gets its original names back and its line ticks stay in the function', async () => {
  const profile = loadProfile('app.min.cpuprofile');
  const before = hottestFrame(profile).frame;
  assert.equal(before.file, join(dist, 'app.min.js'));
  assert.notEqual(before.name, 'countPrimes');

  const remapped = await remapProfile(
    profile,
    stubHost(fixtureFiles('app.min.js', 'app.min.js.map')),
  );

  const hot = hottestFrame(remapped).frame;
  assert.deepEqual(
    { name: hot.name, file: hot.file, line1: hot.line1 },
    { name: 'countPrimes', file: hotTs, line1: 13 },
  );
  const names = new Set(remapped.frames.filter((f) => f.file?.endsWith('.ts')).map((f) => f.name));
  for (const n of ['countPrimes', 'primeReport', 'run']) assert.ok(names.has(n), [...names].join());
  // The whole bundle is one line: its ticks map from each function's own column, so countPrimes'
  // weight stays in hot.ts, in the function, instead of landing on the first mapping of the
  // line (in format.ts).
  const hotId = remapped.frames.indexOf(hot);
  const L = remapped.lines;
  let weight = 0;
  for (let i = 0; i < L.count; i++) {
    if (L.frame[i] !== hotId) continue;
    assert.equal(L.files[L.file[i]], hotTs);
    assert.ok(L.line1[i] >= 13 && L.line1[i] <= 26, `line ${L.line1[i]}`);
    weight += L.self[i];
  }
  assert.ok(close(weight, hottestFrame(remapped).self));
});

test('a map beside the script is found without a comment', async () => {
  const files = fixtureFiles('app.js', 'app.js.map');
  const script = join(dist, 'app.js');
  files.set(script, files.get(script)!.replace(/\/\/# sourceMappingURL=.*\n?$/, ''));
  const remapped = await remapProfile(loadProfile('app.cpuprofile'), stubHost(files));
  assert.equal(hottestFrame(remapped).frame.file, hotTs);
});

test('maps handed over in memory take precedence over the disk', async () => {
  const mapText = readFileSync(join(dist, 'app.js.map'), 'utf8');
  const json = JSON.parse(mapText) as { sources: string[] };
  json.sources = json.sources.map((s) => s.replace('hot.ts', 'renamed.ts'));
  const host = stubHost(fixtureFiles('app.js', 'app.js.map'));
  const remapped = await remapProfile(loadProfile('app.cpuprofile'), host, {
    maps: new Map([[join(dist, 'app.js'), JSON.stringify(json)]]),
  });
  assert.equal(hottestFrame(remapped).frame.file, join(fixtures, 'src/renamed.ts'));
  assert.deepEqual(host.reads, []);
});

test('a broken map gives one warning naming the script and leaves frames unmapped', async (t) => {
  const script = join(dist, 'app.js');
  const mapFile = join(dist, 'app.js.map');
  const cases: { name: string; map: string | undefined; says: RegExp }[] = [
    {
      name: 'bad JSON',
      map: '{"version":3,"sources":[',
      says: /app\.js\.map is broken: it is not valid JSON/,
    },
    {
      name: 'bad mappings characters',
      map: JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA;!!' }),
      says: /"mappings" holds a character that is not base64 VLQ/,
    },
    {
      name: 'a source index out of range',
      map: JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA;AEAA' }),
      says: /source index 2 \(the map has 1 sources\) on generated line 2/,
    },
    {
      name: 'the map file named by the comment is missing',
      map: undefined,
      says: /names .*app\.js\.map, which cannot be read/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const files = fixtureFiles('app.js');
      if (c.map !== undefined) files.set(mapFile, c.map);
      const profile = loadProfile('app.cpuprofile');
      const remapped = await remapProfile(profile, stubHost(files));
      assert.equal(remapped.meta.warnings.length, 1, remapped.meta.warnings.join('\n'));
      const [warning] = remapped.meta.warnings;
      assert.ok(warning.includes(script), warning);
      assert.match(warning, c.says);
      assert.deepEqual(remapped.frames, profile.frames);
      assert.ok(close(profileTotal(remapped), profileTotal(profile)));
      assert.equal(hottestFrame(remapped).frame.file, script);
    });
  }
});

test('a script without any map is silent and comes back as the same profile', async () => {
  const files = fixtureFiles('app.js');
  const script = join(dist, 'app.js');
  files.set(script, files.get(script)!.replace(/\/\/# sourceMappingURL=.*\n?$/, ''));
  const profile = loadProfile('app.cpuprofile');
  const host = stubHost(files);
  const remapped = await remapProfile(profile, host);
  assert.equal(remapped, profile);
  assert.deepEqual(host.reads.sort(), [script, `${script}.map`]);

  // A script that cannot be read at all (the profile came from another machine): silent too.
  const none = await remapProfile(profile, stubHost(new Map()));
  assert.equal(none, profile);
});
