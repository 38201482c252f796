// hotFiles and heatElsewhere over real recordings: a TypeScript program bundled by esbuild and
// profiled by `node --cpu-prof` (test/fixtures/sourcemaps, make.sh), before and after its source
// map carries the time to the TypeScript files, and a single-file program (test/fixtures/node).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importCpuprofile } from '../formats/cpuprofile';
import { pathToFileUrl } from '../util/fileUrl';
import { remapProfile } from '../sourcemaps/remap';
import { repoRoot } from '../../test/support/repoRoot';
import { heatElsewhere, hotFiles } from './hotFiles';
import { lineHeatForFile } from './lineHeat';
import type { Profile } from './profile';

const fixtures = join(repoRoot(), 'test/fixtures/sourcemaps');
const bundle = join(fixtures, 'dist/app.js');

/** app.cpuprofile with the recording machine's fixture folder replaced by this one. */
function bundleProfile(): Profile {
  let text = readFileSync(join(fixtures, 'app.cpuprofile'), 'utf8');
  const recorded = /"url":"(file:\/\/[^"]*)\/dist\/app\.js"/.exec(text);
  assert.ok(recorded, 'app.cpuprofile names dist/app.js');
  text = text.split(`${recorded[1]}/`).join(`${pathToFileUrl(fixtures)}/`);
  return importCpuprofile(text, { sourceFile: 'app.cpuprofile' });
}

async function remapped(): Promise<Profile> {
  return remapProfile(bundleProfile(), {
    async readFile(path) {
      return path.startsWith(fixtures) ? readFileSync(path, 'utf8') : undefined;
    },
  });
}

test('a bundle run through its source map: the time went to src/hot.ts, the bundle stays cold', async () => {
  const profile = await remapped();
  const found = heatElsewhere(profile, (f) => f === bundle);
  assert.ok(found, 'the hottest file is not the bundle');
  assert.equal(found.hottest.file, join(fixtures, 'src/hot.ts'));
  assert.equal(found.ranSelf, 0, 'no line of dist/app.js keeps time once mapped');
  // Every figure is the sum of the gutter's: the file's lines, and its hottest line.
  const lines = lineHeatForFile(profile, found.hottest.file);
  const sum = lines.reduce((s, l) => s + l.self, 0);
  assert.ok(Math.abs(found.hottest.self - sum) <= 1e-9 * sum, `${found.hottest.self} vs ${sum}`);
  const top = [...lines].sort((a, b) => b.self - a.self)[0];
  assert.equal(found.hottest.hottestLine1, top.line1);
  assert.equal(found.hottest.hottestLineSelf, top.self);
  // The hot line is the modulo test inside countPrimes (see src/hot.ts).
  const source = readFileSync(found.hottest.file, 'utf8').split('\n');
  assert.match(source[top.line1 - 1], /%/, `line ${top.line1}: ${source[top.line1 - 1]}`);
  assert.equal(profile.frames[found.hottest.hottestFrameId!].name, 'countPrimes');
});

test('the same bundle without its map: the bundle is the hot file, nothing to tell', () => {
  const profile = bundleProfile();
  assert.equal(hotFiles(profile)[0].file, bundle);
  assert.equal(
    heatElsewhere(profile, (f) => f === bundle),
    undefined,
  );
});

test('files are the user code only, heaviest first', async () => {
  const profile = await remapped();
  const files = hotFiles(profile);
  assert.ok(files.length >= 2, `several source files (${files.map((f) => f.file).join(', ')})`);
  for (const f of files) {
    assert.ok(
      profile.frames.some((fr) => fr.file === f.file && fr.kind === 'user'),
      `${f.file} is user code`,
    );
    assert.ok(!/^node:/.test(f.file), `${f.file} is not a runtime module`);
  }
  for (let i = 1; i < files.length; i++) assert.ok(files[i - 1].self >= files[i].self);
});

test('a single-file program: the file that ran is the hottest', () => {
  const text = readFileSync(join(repoRoot(), 'test/fixtures/node/hot.cpuprofile'), 'utf8');
  const profile = importCpuprofile(text, { sourceFile: 'hot.cpuprofile' });
  const ran = hotFiles(profile)[0].file;
  assert.match(ran, /hot\.js$/);
  assert.equal(
    heatElsewhere(profile, (f) => f === ran),
    undefined,
  );
});
