// `heatlens convert --to dot|svg` in-process (src/cli/main.ts): the call graph written for
// Graphviz and drawn by it, the thresholds, and the usage errors around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main';
import type { CliIo } from '../src/cli/terminal';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();
const service = join(root, 'examples/profiles/service.prof');

async function heatlens(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
  };
  return { code: await main(argv, io), out, err };
}

test('convert --to dot and --to svg: the call graph, with gprof2dot thresholds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-dot-'));
  try {
    const dot = join(dir, 'service.dot');
    const r = await heatlens('convert', service, '--to', 'dot', '--out', dot);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.match(
      r.err,
      /wrote .*service\.dot \(dot, .*\); 45 of 204 functions drawn \(at least 0\.5% of the total; edges of at least 0\.1%\)/,
    );
    const text = readFileSync(dot, 'utf8');
    assert.match(text, /^digraph \{\n/);
    assert.match(text, /label="×130, 48\.17%"/);
    const fewer = await heatlens(
      'convert',
      service,
      '--to',
      'dot',
      '--out',
      dot,
      '--node-threshold',
      '20',
      '--edge-threshold=5',
    );
    assert.equal(fewer.code, 0, fewer.err);
    assert.match(
      fewer.err,
      /; 1\d of 204 functions drawn \(at least 20% of the total; edges of at least 5%\)/,
    );
    const svg = join(dir, 'service.svg');
    const s = await heatlens('convert', service, '--to', 'svg', '--out', svg);
    assert.equal(s.code, 0, s.err);
    const image = readFileSync(svg, 'utf8');
    assert.match(image, /<svg width=/);
    assert.ok(image.includes('list_accounts'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('thresholds: a percentage, and only for drawings', async () => {
  const bad = await heatlens('convert', service, '--to', 'dot', '--node-threshold', 'half');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--node-threshold takes a percentage from 0 to 100, not "half"/);
  const wrong = await heatlens('convert', service, '--to', 'pstats', '--edge-threshold', '1');
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /--node-threshold and --edge-threshold go with --to dot or --to svg/);
  const help = await heatlens('--help');
  assert.match(
    help.out.replace(/\s+/g, ' '),
    /dot \(\.dot: the call graph, for Graphviz as gprof2dot\)/,
  );
  assert.match(help.out, /--node-threshold <%>, --edge-threshold <%>/);
});
