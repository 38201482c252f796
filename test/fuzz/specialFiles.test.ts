/**
 * Special files through every surface that reads a path: given to the CLI as a profile or as a
 * program, named by a profile as a script, named by a script's sourceMappingURL, named by a run's
 * frames for its kept sources. FIFOs (nobody writing), devices that never end (/dev/zero,
 * /dev/urandom) or are empty (/dev/null), /dev/stdin, folders, sockets, links to each, a link
 * loop and a missing path: each must get a clear answer at once (never a hang, never an
 * unbounded read), and no message may quote what a file holds.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProfileBuilder } from '../../src/core/profile';
import { readRunSources } from '../../src/store/runSources';
import { repoRoot } from '../support/repoRoot';

const cli = join(repoRoot(), 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hl-special-'));
/** A hang is the defect: a command still running after this long fails instead. */
const HANG_GUARD_MS = 120_000;

let server: Server | undefined;
const special: [string, string][] = [];

before(async () => {
  const fifo = join(dir, 'fifo.js');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'folder.js');
  mkdirSync(folder);
  const socket = join(dir, 'socket.js');
  server = createServer().listen(socket);
  await new Promise((r) => server!.once('listening', r));
  const loop = join(dir, 'loop.js');
  symlinkSync(loop, loop);
  special.push(
    ['a FIFO', fifo],
    ['/dev/zero', '/dev/zero'],
    ['/dev/urandom', '/dev/urandom'],
    ['/dev/null', '/dev/null'],
    ['/dev/stdin', '/dev/stdin'],
    ['a folder', folder],
    ['a socket', socket],
    ['a link loop', loop],
    ['a missing path', join(dir, 'missing.js')],
  );
  for (const [what, target] of [...special]) {
    if (what === 'a link loop' || what === 'a missing path') continue;
    const link = join(dir, `link-to-${special.length}.js`);
    symlinkSync(target, link);
    special.push([`a link to ${what}`, link]);
  }
});

after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function heatlens(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: '',
    timeout: HANG_GUARD_MS,
    killSignal: 'SIGKILL',
  });
  assert.equal(r.signal, null, `heatlens ${args.join(' ')} hung`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A .cpuprofile whose one frame is in `script`. */
function profileNaming(script: string): string {
  const frame = (name: string, url: string, line: number) => ({
    functionName: name,
    scriptId: '1',
    url,
    lineNumber: line,
    columnNumber: 0,
  });
  const file = join(dir, `names-${Math.random().toString(36).slice(2)}.cpuprofile`);
  writeFileSync(
    file,
    JSON.stringify({
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1), children: [2] },
        { id: 2, callFrame: frame('hot', `file://${script}`, 0), hitCount: 2 },
      ],
      startTime: 0,
      endTime: 2000,
      samples: [2, 2],
      timeDeltas: [1000, 1000],
    }),
  );
  return file;
}

describe('special files, every surface', () => {
  it('heatlens summary and convert: refused with a reason naming the file', () => {
    for (const [what, file] of special) {
      for (const args of [
        ['summary', file],
        ['convert', file, '--to', 'collapsed', '--out', join(dir, 'out.folded')],
      ]) {
        const r = heatlens(...args);
        assert.equal(r.code, 1, `${args[0]} of ${what}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /regular files only|no such file|folder|cannot read/, what);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    }
  });

  it('heatlens profile: refused before anything runs', () => {
    for (const [what, file] of special) {
      const r = heatlens('profile', file);
      assert.ok(r.code === 1 || r.code === 2, `${what}: ${r.code} ${r.stderr}`);
      assert.match(r.stderr, /cannot profile/, what);
    }
  });

  it('named by a profile as its script: the summary comes, unmapped', () => {
    for (const [what, file] of special) {
      const r = heatlens('summary', profileNaming(file), '--json');
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      const json = JSON.parse(r.stdout) as { functions: { name: string }[] };
      assert.ok(
        json.functions.some((f) => f.name === 'hot'),
        what,
      );
    }
  });

  it("named by a script's sourceMappingURL: one warning saying what it is", () => {
    for (const [what, file] of special) {
      const script = join(dir, `mapped-${Math.random().toString(36).slice(2)}.js`);
      writeFileSync(script, `function hot() {}\n//# sourceMappingURL=${file}\n`);
      const r = heatlens('summary', profileNaming(script), '--json');
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings.join('\n');
      assert.match(
        warnings,
        /not a regular file|does not exist|is a folder|cannot be read/,
        `${what}: ${warnings}`,
      );
    }
  });

  it("named by a run's frames: its kept sources skip them", async () => {
    const b = new ProfileBuilder();
    for (const [, file] of special) {
      const f = b.frame({ name: 'hot', file, line1: 1, col1: 1, kind: 'user' });
      b.addStack([f], 1);
      b.addLine(file, 1, f, 1);
    }
    const profile = b.build({ profiler: 'v8', clock: 'wall', unit: 'microseconds' });
    const sources = await readRunSources(profile);
    assert.deepEqual(Object.keys(sources), []);
  });
});
