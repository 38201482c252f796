// The first step of `npm test`: installs what the tests need on a fresh machine, with progress
// (scripts/progress.mjs), and does nothing but a few checks when it is all there:
// - the repository's npm packages (`npm ci`) when node_modules is missing;
// - as root on Debian, the Debian packages the tests use (chromium, libkrb5-dev, python3-yappi,
//   golang-go), waiting for another apt run's locks (scripts/apt.mjs);
// - the real VS Code of the end-to-end tests, cached outside the repo (scripts/e2eEnv.mjs).
// Where a Debian package cannot be installed (not root, no apt-get), it says so and the tests
// that need it skip with that reason.
import { planE2eEnv } from './e2eEnv.mjs';
import { npmCiSteps } from './npmEnv.mjs';
import { Progress } from './progress.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const log = (msg) => process.stderr.write(`[prepare] ${msg}\n`);

const e2e = planE2eEnv({
  needChromium: true,
  needPlaywright: true,
  debian: ['python3-yappi', 'golang-go'],
});
const steps = [];
steps.push(...npmCiSteps(root));
steps.push(...e2e.steps);
for (const note of e2e.notes) log(note);
if (e2e.skip) log(`the end-to-end and webview tests will skip: ${e2e.skip}`);
try {
  if (steps.length) {
    const progress = new Progress('prepare', steps, { timingsFile: e2e.paths.timings });
    for (const step of steps) await progress.run(step.id, () => step.run(progress));
  }
  if (!e2e.skip) e2e.finish();
} catch (err) {
  log(`${err instanceof Error ? err.message : err}`);
  log('Fix the error above and run `npm test` again: the steps that finished are kept.');
  process.exit(1);
}
