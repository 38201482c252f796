import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { diffProfiles } from '../core/diff';
import { lineHeatForFile } from '../core/lineHeat';
import { ProfileBuilder, type Frame, type Profile } from '../core/profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { beforeLineMapper, readRunSources } from './runSources';
import { SOURCES_FILE_SUFFIX } from './runFiles';
import { GRACE_MS, RunStore } from './runStore';
import { repoRoot } from '../../test/support/repoRoot';

const root = repoRoot();
const scratch = mkdtempSync(join(tmpdir(), 'hl-runsources-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A profile with one frame per (file, kind, self weight on line 1). */
function profileOf(frames: [string, Frame['kind'], number][]): Profile {
  const b = new ProfileBuilder();
  for (const [file, kind, w] of frames) {
    const f = b.frame({ name: `f${file}`, file, line1: 1, col1: 1, kind });
    b.addStack([f], w);
    b.addLine(file, 1, f, w);
  }
  return b.build({ profiler: 'test', clock: 'cpu', unit: 'microseconds' });
}

describe('readRunSources: the texts kept with a run', () => {
  const dir = join(scratch, 'src');
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  mkdirSync(dir, { recursive: true });
  const main = file('main.js', 'main\n');
  const light = file('light.js', 'light\n');
  const heavy = file('heavy.js', 'heavy\n');
  const big = file('big.js', 'x'.repeat(200));
  const lib = file('lib.js', 'lib\n');
  const missing = join(dir, 'missing.js');

  it('reads the user files that exist, the profiled file first, then by weight', async () => {
    const p = profileOf([
      [light, 'user', 1],
      [heavy, 'user', 9],
      [lib, 'library', 50],
      [missing, 'user', 5],
      ['node:fs', 'user', 5],
      [main, 'user', 0.5],
    ]);
    const sources = await readRunSources(p, main);
    assert.deepEqual(Object.keys(sources), [main, heavy, light]);
    assert.equal(sources[heavy], 'heavy\n');
  });

  it('skips files over the size limit and stops at the file and total limits', async () => {
    const p = profileOf([
      [big, 'user', 100],
      [heavy, 'user', 9],
      [light, 'user', 1],
    ]);
    const limits = { maxFileBytes: 100, maxFiles: 50, maxTotalBytes: 1000 };
    assert.deepEqual(Object.keys(await readRunSources(p, undefined, limits)), [heavy, light]);
    assert.deepEqual(Object.keys(await readRunSources(p, undefined, { ...limits, maxFiles: 1 })), [
      heavy,
    ]);
    assert.deepEqual(
      Object.keys(await readRunSources(p, undefined, { ...limits, maxTotalBytes: 6 })),
      [heavy],
      'heavy.js (6 bytes) fits, light.js would pass the total',
    );
  });
});

describe('RunStore: source texts beside a run', () => {
  const profile = profileOf([['/w/a.js', 'user', 1]]);
  const run = (startedAt: number) => ({
    file: '/w/a.js',
    command: ['node', '/w/a.js'],
    startedAt,
    durationMs: 1,
    profiler: 'test',
    outcome: 'exited',
  });

  it('round trips, a run without texts has none, and the texts go with the run', async () => {
    const dir = join(scratch, 'runs');
    const logs: string[] = [];
    const store = new RunStore(dir, (m) => logs.push(m));
    const texts = { '/w/a.js': 'const a = 1;\r\nfoo();\n', '/w/b.js': '' };
    const withTexts = (await store.add(profile, run(1000), 10, texts)).record!;
    const without = (await store.add(profile, run(2000), 10)).record!;
    assert.deepEqual(await store.loadSources(withTexts.id), texts);
    assert.equal(await store.loadSources(without.id), undefined);
    assert.equal(existsSync(join(dir, without.id + SOURCES_FILE_SUFFIX)), false);

    // A fresh store (an older or newer Heatlens) reads them back.
    assert.deepEqual(await new RunStore(dir, () => {}).loadSources(withTexts.id), texts);

    const sidecar = join(dir, withTexts.id + SOURCES_FILE_SUFFIX);
    assert.ok(existsSync(sidecar));
    await store.delete(withTexts.id);
    assert.equal(existsSync(sidecar), false);
    assert.deepEqual(logs, []);
  });

  it('damaged texts compare by number (logged); orphaned texts are removed', async () => {
    const dir = join(scratch, 'runs-damaged');
    const logs: string[] = [];
    const store = new RunStore(dir, (m) => logs.push(m));
    const r = (await store.add(profile, run(1000), 10, { '/w/a.js': 'x' })).record!;
    writeFileSync(join(dir, r.id + SOURCES_FILE_SUFFIX), 'not gzip');
    assert.equal(await store.loadSources(r.id), undefined);
    assert.match(logs.join('\n'), /source texts of stored run .* are damaged/);
    writeFileSync(
      join(dir, r.id + SOURCES_FILE_SUFFIX),
      gzipSync(JSON.stringify({ version: 99, files: {} })),
    );
    assert.equal(await store.loadSources(r.id), undefined);

    const orphan = join(dir, 'zzz-0000' + SOURCES_FILE_SUFFIX);
    writeFileSync(orphan, gzipSync('{}'));
    // Young, it may be another window's run on its way in: kept. Old, a crash's leftover.
    assert.equal((await new RunStore(dir, () => {}).list()).length, 1);
    assert.equal(existsSync(orphan), true);
    const old = new Date(Date.now() - 2 * GRACE_MS);
    utimesSync(orphan, old, old);
    const fresh = new RunStore(dir, () => {});
    assert.equal((await fresh.list()).length, 1);
    assert.equal(existsSync(orphan), false);
  });
});

describe('comparing real runs across an edit that moved the code', () => {
  const compareDir = join(root, 'test', 'fixtures', 'compare');
  const text = readFileSync(join(compareDir, 'workload.js'), 'utf8');
  const raw = readFileSync(join(compareDir, 'before.cpuprofile'), 'utf8');
  const before = importCpuprofile(raw, { sourceFile: join(compareDir, 'before.cpuprofile') });
  // The same run as if three lines had been added at the top of workload.js: every position in
  // that file moves down by three.
  const SHIFT = 3;
  const json = JSON.parse(raw) as {
    nodes: {
      callFrame: { url: string; lineNumber: number };
      positionTicks?: { line: number }[];
    }[];
  };
  for (const n of json.nodes) {
    if (!n.callFrame.url.endsWith('/workload.js')) continue;
    if (n.callFrame.lineNumber >= 0) n.callFrame.lineNumber += SHIFT;
    for (const t of n.positionTicks ?? []) t.line += SHIFT;
  }
  const shifted = importCpuprofile(JSON.stringify(json), { sourceFile: 'shifted.cpuprofile' });
  const file = before.frames.find((f) => f.file?.endsWith('/workload.js'))!.file!;
  const hot = [...lineHeatForFile(before, file)].sort((x, y) => y.self - x.self);
  assert.ok(hot.length >= 3, 'the fixture has weight on several lines of workload.js');
  const lines = text.split('\n');
  const shiftedText = ['// one', '// two', '// three', ...lines].join('\n');

  it('without the texts lines misalign; with them every line keeps its weight', () => {
    const byNumber = diffProfiles(before, shifted).linesForFile(file);
    assert.ok(byNumber.some((l) => l.delta !== 0));
    const map = beforeLineMapper({ [file]: text }, { [file]: shiftedText });
    const d = diffProfiles(before, shifted, { mapBeforeLine: map });
    // The same run: its typical change is exactly none.
    assert.equal(d.normalisation, 'typical');
    assert.equal(d.scale, 1);
    const mapped = d.linesForFile(file);
    assert.deepEqual(
      mapped.map((l) => [l.line1, l.delta]),
      lineHeatForFile(shifted, file).map((l) => [l.line1, 0]),
    );
    assert.ok(mapped.every((l) => l.before === l.after && l.after > 0));
    assert.ok(d.functions.every((f) => f.totalDelta === 0));
  });

  it('a line edited between the runs loses its before weight: nothing sampled before', () => {
    const edited = [...shiftedText.split('\n')];
    const hottest = hot[0];
    edited[hottest.line1 - 1 + SHIFT] += ' // edited';
    const map = beforeLineMapper({ [file]: text }, { [file]: edited.join('\r\n') })!;
    assert.equal(map(file, hottest.line1), null);
    assert.equal(map(file, hot[1].line1), hot[1].line1 + SHIFT);
    const line = diffProfiles(before, shifted, { mapBeforeLine: map })
      .linesForFile(file)
      .find((l) => l.line1 === hottest.line1 + SHIFT)!;
    assert.deepEqual([line.before, line.after, line.ratio], [0, hottest.self, null]);
  });

  it('files without a text in both runs compare by number', () => {
    const map = beforeLineMapper({ [file]: text }, { '/other.js': 'x' });
    assert.equal(map, undefined);
    assert.equal(beforeLineMapper(undefined, { [file]: text }), undefined);
    const partial = beforeLineMapper({ [file]: text, '/b.js': 'b' }, { [file]: shiftedText })!;
    assert.equal(partial('/b.js', 7), 7);
    assert.equal(partial(file, 1), 1 + SHIFT);
  });
});
