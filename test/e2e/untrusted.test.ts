// End to end: in a workspace that is not trusted (code-server started WITHOUT
// --disable-workspace-trust, so the examples folder opens in Restricted Mode), "Heatlens: Profile
// Current File" refuses to run code and says why. Screenshots: test-output/e2e/untrusted-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, repoRoot, VsCodeSession, waitFor } from './harness';

const prepared = prepareE2e();
const examples = join(repoRoot(), 'examples');

describe('Profile Current File in an untrusted workspace', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;

  before(async () => {
    vs = await VsCodeSession.start(prepared.env!, {
      name: 'untrusted',
      folder: examples,
      packaged: true,
      trusted: false,
    });
  });

  after(async () => {
    await vs?.stop();
  });

  it('refuses to run the program and says why', async () => {
    const s = vs!;
    await s.guard('untrusted', async () => {
      // The workbench shows that the folder is in Restricted Mode.
      await waitFor('the Restricted Mode indicator', () =>
        s.page.evaluate(
          () =>
            /Restricted Mode/i.test(document.querySelector('.part.statusbar')?.textContent ?? '') ||
            undefined,
        ),
      );
      await s.openFile('js/primes.js');
      await s.runCommand('Heatlens: Profile Current File');
      const message = await waitFor('a notification explaining the refusal', async () =>
        (await s.notifications()).find((m) => /trust|restricted/i.test(m)),
      );
      process.stderr.write(`[e2e] untrusted: "${message}"\n`);
      await s.screenshot('1-refused');
      assert.equal(await s.statusBarItem('flame'), undefined, 'no run result in the status bar');
      assert.deepEqual(await s.afterLabels(), [], 'no heat in the editor');
    });
  });
});
