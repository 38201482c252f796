// The story of the Python issue, on the examples workspace's slow service: list_accounts holds
// about 70% of the time, re.compile is called 130 times from it and costs about a third of the
// run, and the heat lands inside list_accounts. Run with the real runner in two modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { callersAndCallees } from '../../src/core/callers';
import { functionStats } from '../../src/core/functionStats';
import { lineHeatForFile } from '../../src/core/lineHeat';
import { profileTotal, type Profile } from '../../src/core/profile';
import { importPstats } from '../../src/formats/pstats';
import { importPythonSamples } from '../../src/formats/pysamples';
import { resolvePython, startPythonProfile } from '../../src/runners/pythonRunner';
import { repoRoot } from '../support/repoRoot';

const service = join(repoRoot(), 'examples', 'python', 'service.py');

async function profile(mode: 'sampling' | 'cprofile'): Promise<Profile> {
  const python = await resolvePython(['python3', 'python']);
  const run = startPythonProfile({ file: service, mode, python, cwd: dirname(service) });
  const result = await run.done;
  run.dispose();
  assert.equal(result.outcome, 'exited', result.errorText);
  return result.format === 'pstats'
    ? importPstats(result.profileBytes, { sourceFile: service })
    : importPythonSamples(new TextDecoder().decode(result.profileBytes), { sourceFile: service });
}

function lineOf(name: string): number {
  const lines = readFileSync(service, 'utf8').split('\n');
  return lines.findIndex((l) => l.startsWith(`def ${name}(`)) + 1;
}

test('sampling: list_accounts holds most of the run, re.compile about a third, heat inside it', async () => {
  const p = await profile('sampling');
  const total = profileTotal(p);
  const stats = functionStats(p);
  const list = stats.find((s) => s.frame.name === 'list_accounts' && s.frame.file === service);
  assert.ok(list, 'list_accounts is in the profile');
  const share = list.total / total;
  assert.ok(share > 0.5 && share < 0.85, `list_accounts holds ${(share * 100).toFixed(1)}%`);
  const compile = stats.find(
    (s) => s.frame.name === 'compile' && /re[\\/]__init__\.py$/.test(s.frame.file ?? ''),
  );
  assert.ok(compile, 're.compile is in the profile');
  const cshare = compile.total / total;
  assert.ok(cshare > 0.2 && cshare < 0.5, `re.compile holds ${(cshare * 100).toFixed(1)}%`);
  assert.equal(compile.frame.kind, 'library', 'the standard library is library code');
  // Line heat inside list_accounts (from its def to the next def).
  const start = lineOf('list_accounts');
  const end = lineOf('render');
  const inside = lineHeatForFile(p, service).filter((h) => h.line1 > start && h.line1 < end);
  assert.ok(inside.length > 0, 'heat on lines inside list_accounts');
});

test('cprofile: re.compile called 130 times from list_accounts, with exact counts', async () => {
  const p = await profile('cprofile');
  assert.ok(p.callGraph, 'cProfile gives an exact call graph');
  assert.ok(p.treeIsApproximate, 'the tree from a call graph is an approximation');
  const total = profileTotal(p);
  const stats = functionStats(p);
  const list = stats.find((s) => s.frame.name === 'list_accounts');
  assert.ok(list, 'list_accounts is in the profile');
  assert.equal(list.calls, 1);
  const share = list.total / total;
  assert.ok(share > 0.5 && share < 0.95, `list_accounts holds ${(share * 100).toFixed(1)}%`);
  const { callees } = callersAndCallees(p, list.frameId);
  const compile = callees.find((c) => c.frame.name === 'compile');
  assert.ok(compile, `re.compile is a callee (callees: ${callees.map((c) => c.frame.name)})`);
  assert.equal(compile.calls, 130);
  const cshare = compile.weight / total;
  // cProfile inflates call-heavy code such as re's parser: allow more than the sampler's third.
  assert.ok(cshare > 0.2 && cshare < 0.7, `re.compile holds ${(cshare * 100).toFixed(1)}%`);
});
