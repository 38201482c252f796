import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { importProfileFile } from '../formats/detect';
import { ProfileFormatError } from '../formats/errors';
import { ImportCanceled, importInWorker } from './importInWorker';

let root = __dirname;
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
// Built by scripts/build.mjs beside the extension bundle.
const workerFile = join(root, 'dist/importWorker.js');

function cancellable() {
  const listeners: (() => void)[] = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested(listener: () => void) {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
  };
  const cancel = () => {
    token.isCancellationRequested = true;
    for (const l of [...listeners]) l();
  };
  return { token, cancel };
}

test('a profile imported in the worker equals the one imported here, frozen as built', async () => {
  for (const rel of [
    'examples/profiles/primes.cpuprofile',
    'test/fixtures/callgrind/callgrind.out.hot',
    'test/fixtures/python/cprofile.prof',
  ]) {
    const file = join(root, rel);
    const seen: number[] = [];
    const profile = await importInWorker(file, { workerFile, onProgress: (f) => seen.push(f) });
    const here = importProfileFile(basename(file), new Uint8Array(readFileSync(file)));
    assert.deepEqual(profile, here, rel);
    assert.ok(profile.tree.total instanceof Float64Array);
    assert.ok(Object.isFrozen(profile) && Object.isFrozen(profile.frames[0]));
    assert.ok(Object.isFrozen(profile.meta.warnings));
    assert.ok(seen.length >= 2, `${seen}`);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
    );
    assert.equal(seen[seen.length - 1], 1);
  }
});

test('a damaged file rejects with the importer ProfileFormatError and message', async () => {
  const file = join(root, 'test/fixtures/bad/truncated.cpuprofile');
  let expected: Error | undefined;
  try {
    importProfileFile(basename(file), new Uint8Array(readFileSync(file)));
  } catch (e) {
    expected = e as Error;
  }
  assert.ok(expected instanceof ProfileFormatError);
  await assert.rejects(importInWorker(file, { workerFile }), (e: unknown) => {
    assert.ok(e instanceof ProfileFormatError);
    assert.equal(e.message, expected.message);
    assert.equal(e.file, 'truncated.cpuprofile');
    return true;
  });
  // A missing file: the reader's message names it (io/regularFile.ts), no raw ENOENT.
  await assert.rejects(importInWorker(join(root, 'no such file.cpuprofile'), { workerFile }), {
    message: /"no such file\.cpuprofile" does not exist/,
  });
});

test('cancelling stops the worker and rejects as cancelled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-worker-'));
  try {
    // A profile large enough (about 40 MB) that the import is still running when cancelled.
    const primes = readFileSync(join(root, 'examples/profiles/primes.cpuprofile'), 'utf8');
    const json = JSON.parse(primes);
    const copies = 2000;
    json.samples = Array.from({ length: copies }, () => json.samples).flat();
    json.timeDeltas = Array.from({ length: copies }, () => json.timeDeltas).flat();
    const file = join(dir, 'big.cpuprofile');
    writeFileSync(file, JSON.stringify(json));
    const { token, cancel } = cancellable();
    const seen: number[] = [];
    const pending = importInWorker(file, {
      workerFile,
      token,
      onProgress: (f) => {
        seen.push(f);
        if (seen.length === 1) cancel();
      },
    });
    await assert.rejects(pending, (e: unknown) => e instanceof ImportCanceled);
    assert.ok(seen.length >= 1);
    const already = cancellable();
    already.cancel();
    await assert.rejects(importInWorker(file, { workerFile, token: already.token }), {
      name: 'Canceled',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
