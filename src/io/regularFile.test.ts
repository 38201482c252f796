// What a profile can make Heatlens read: real special files (a FIFO, /dev/zero, a folder, a
// socket) named as scripts and source maps, read through the one reader the CLI and the extension
// use. Each must be refused at once with a reason, and no message may quote a file's contents.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { importCpuprofile } from '../formats/cpuprofile';
import { remapProfile } from '../sourcemaps/remap';
import {
  FileRefused,
  readRegularFile,
  readRegularFileSync,
  readRegularText,
  regularFileHost,
} from './regularFile';

const dir = mkdtempSync(join(tmpdir(), 'hl-regular-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fifo = join(dir, 'pipe.js');
execFileSync('mkfifo', [fifo]);
const folder = join(dir, 'folder.js');
mkdirSync(folder);
const secret = join(dir, 'secret.txt');
writeFileSync(secret, 'root:x:0:0:SECRET-CONTENT:/root:/bin/bash\n');
const zeroLink = join(dir, 'zero.js');
symlinkSync('/dev/zero', zeroLink);

async function refusal(file: string, maxBytes?: number): Promise<FileRefused> {
  try {
    await readRegularFile(file, { maxBytes });
  } catch (error) {
    assert.ok(error instanceof FileRefused, String(error));
    return error;
  }
  assert.fail(`${file} was read`);
}

describe('readRegularFile: regular files only, with a size cap', () => {
  it('reads a regular file', async () => {
    assert.match(new TextDecoder().decode(await readRegularFile(secret)), /^root:x/);
    assert.match(new TextDecoder().decode(readRegularFileSync(secret)), /^root:x/);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const r = await refusal(fifo);
    assert.equal(r.reason, 'special');
    assert.match(r.message, /pipe\.js is not a regular file \(it is a FIFO\)/);
    assert.throws(() => readRegularFileSync(fifo), /it is a FIFO/);
  });

  it('refuses devices, also through a link, and /dev/stdin', async () => {
    assert.match((await refusal('/dev/zero')).message, /it is a device/);
    assert.match((await refusal(zeroLink)).message, /zero\.js is not a regular file/);
    // Under the test runner stdin is a pipe or a terminal, never a regular file.
    assert.equal((await refusal('/dev/stdin')).reason, 'special');
  });

  it('refuses a folder, a socket, a missing file and a file over the cap', async () => {
    assert.equal((await refusal(folder)).reason, 'folder');
    assert.equal((await refusal(join(dir, 'nope.js'))).reason, 'missing');
    assert.match((await refusal(secret, 10)).message, /is larger than/);
    const socketPath = join(dir, 'sock.js');
    const server = createServer().listen(socketPath);
    await new Promise((r) => server.once('listening', r));
    try {
      assert.equal((await refusal(socketPath)).reason, 'special');
    } finally {
      server.close();
    }
  });

  it('reads refused files as missing through readRegularText', async () => {
    assert.equal(await readRegularText(fifo), undefined);
    assert.equal(await readRegularText('/dev/zero'), undefined);
  });
});

/** A .cpuprofile whose one hot frame lies in `script`. */
function profileOf(script: string) {
  const frame = (name: string, url: string, line: number) => ({
    functionName: name,
    scriptId: '1',
    url,
    lineNumber: line,
    columnNumber: 0,
  });
  return importCpuprofile(
    JSON.stringify({
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1), children: [2] },
        { id: 2, callFrame: frame('hot', `file://${script}`, 0), hitCount: 5 },
      ],
      startTime: 0,
      endTime: 5000,
      samples: [2, 2, 2, 2, 2],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
    }),
  );
}

describe('regularFileHost: the source-map step reads only what it may', () => {
  it('a profile naming a FIFO as its script does not hang and is not mapped', async () => {
    const profile = profileOf(fifo);
    const remapped = await remapProfile(profile, regularFileHost());
    assert.equal(remapped, profile);
  });

  it('a sourceMappingURL naming a private file gets a warning that quotes none of it', async () => {
    const script = join(dir, 'app.js');
    writeFileSync(script, `function hot() {}\n//# sourceMappingURL=${secret}\n`);
    const remapped = await remapProfile(profileOf(script), regularFileHost());
    const warnings = remapped.meta.warnings.join('\n');
    assert.match(warnings, /secret\.txt is broken: it is not valid JSON/);
    assert.doesNotMatch(warnings, /root|SECRET/);
  });

  it('a sourceMappingURL naming a FIFO or /dev/zero says what it is, at once', async () => {
    for (const [map, says] of [
      [fifo, /pipe\.js, which is not a regular file \(it is a FIFO\)/],
      ['/dev/zero', /\/dev\/zero, which is not a regular file \(it is a device\)/],
    ] as const) {
      const script = join(dir, 'named.js');
      writeFileSync(script, `function hot() {}\n//# sourceMappingURL=${map}\n`);
      const remapped = await remapProfile(profileOf(script), regularFileHost());
      assert.match(remapped.meta.warnings.join('\n'), says);
    }
  });

  it('paths `allow` refuses are not read, and reported', async () => {
    const script = join(dir, 'outside.js');
    writeFileSync(script, `function hot() {}\n//# sourceMappingURL=${secret}\n`);
    const denied: string[] = [];
    const host = regularFileHost({ allow: () => false, onDenied: (f) => denied.push(f) });
    const profile = profileOf(script);
    assert.equal(await remapProfile(profile, host), profile);
    assert.deepEqual(denied, [script]);
    assert.match(host.whyNot!(script)!, /outside the workspace folders/);
  });
});
