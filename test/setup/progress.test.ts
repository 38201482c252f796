// The progress of a first install (scripts/progress.mjs): which step of how many, elapsed time
// and a rough estimate of what is left, a line every few seconds in a log (never a flood), and
// this machine's own durations as the next estimates.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../support/repoRoot';

interface Step {
  id: string;
  title: string;
  estimate: number;
}
interface ProgressLike {
  run<T>(id: string, fn: (p: ProgressLike) => Promise<T>): Promise<T>;
  spawn(cmd: string, args: string[], options?: { quiet?: boolean }): Promise<void>;
  steps: Step[];
}
type ProgressClass = new (
  tag: string,
  steps: Step[],
  options: { timingsFile?: string; stream: unknown; interactive: boolean; logEveryS: number },
) => ProgressLike;

async function Progress(): Promise<ProgressClass> {
  const url = pathToFileURL(join(repoRoot(), 'scripts', 'progress.mjs')).href;
  return ((await import(url)) as { Progress: ProgressClass }).Progress;
}

/** A log that is not a terminal: what CI and `npm start > file` see. */
function logStream() {
  const text: string[] = [];
  return { text, stream: { isTTY: false, write: (t: string) => text.push(t) } };
}

describe('install progress', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-progress-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const timingsFile = join(dir, 'timings.json');

  it('says which step of how many, its elapsed time and what is left, a line every interval', async () => {
    const P = await Progress();
    const log = logStream();
    const steps = [
      { id: 'download', title: 'Downloading a runtime', estimate: 20 },
      { id: 'compile', title: 'Compiling modules', estimate: 300 },
    ];
    const progress = new P('start', steps, {
      timingsFile,
      stream: log.stream,
      interactive: false,
      logEveryS: 1,
    });
    const t0 = Date.now();
    await progress.run('download', (p) => p.spawn('sh', ['-c', 'echo fetched; sleep 2.5']));
    const seconds = (Date.now() - t0) / 1000;
    await progress.run('compile', (p) =>
      p.spawn('sh', ['-c', 'echo compiler chatter'], { quiet: true }),
    );
    const lines = log.text.join('').split('\n');
    assert.equal(
      lines[0],
      '[start] step 1/2: Downloading a runtime (usually about 0:20; about 5:20 for the 2 steps left)',
    );
    assert.ok(lines.includes('fetched'), 'the command output is passed on');
    const ticks = lines.filter((l) => l.startsWith('[start] 1/2 Downloading a runtime: '));
    assert.ok(ticks.length >= 1, 'at least one progress line while the step runs');
    assert.ok(ticks.length <= Math.ceil(seconds) + 1, `${ticks.length} lines in ${seconds} s`);
    assert.match(ticks[0], /: 0:0\d elapsed, about 0:1\d left; about 5:1\d for all steps$/);
    assert.ok(lines.some((l) => /^\[start\] {3}Downloading a runtime: done in 0:0[2-9]$/.test(l)));
    assert.ok(lines.includes('[start] step 2/2: Compiling modules (usually about 5:00)'));
    assert.ok(!lines.includes('compiler chatter'), 'a quiet step keeps its output back');
    // This machine's durations replace the defaults next time.
    const timings = JSON.parse(readFileSync(timingsFile, 'utf8')) as Record<string, number>;
    assert.ok(timings.download >= 2 && timings.compile >= 0, JSON.stringify(timings));
    const next = new P('start', steps, {
      timingsFile,
      stream: logStream().stream,
      interactive: false,
      logEveryS: 1,
    });
    assert.deepEqual(
      next.steps.map((s) => s.estimate),
      [timings.download, timings.compile],
    );
  });

  it("a failing step shows the output it kept back and names the command's exit code", async () => {
    const P = await Progress();
    const log = logStream();
    const progress = new P('test', [{ id: 'x', title: 'Failing', estimate: 5 }], {
      stream: log.stream,
      interactive: false,
      logEveryS: 30,
    });
    await assert.rejects(
      progress.run('x', (p) =>
        p.spawn('sh', ['-c', 'echo what went wrong; exit 3'], { quiet: true }),
      ),
      /sh -c echo what went wrong; exit 3 failed with exit code 3/,
    );
    assert.ok(log.text.join('').includes('what went wrong\n'));
  });
});
