// Entry of the extension-host test suite (docs/ARCHITECTURE.md, "Tests and checks"): VS Code
// loads this file from the `extensionTestsPath` of the page's payload and calls run(). Mocha runs
// the *.suite.js files beside it; the outcome also goes to $HEATLENS_HOST_RESULTS as JSON, so the
// node test that drives the browser can report each failure.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** One failed test: its full title and error. */
interface Failure {
  title: string;
  error: string;
}

/** Runs the suites; rejects when any test fails (VS Code then reports a non-zero exit code). */
export async function run(): Promise<void> {
  // A hang guard only (no test asserts speed): profiling a program runs it to the end.
  // HEATLENS_HOST_GREP (passed on by extensionHost.test.ts) runs only the tests whose title has it.
  const grep = process.env.HEATLENS_HOST_GREP || undefined;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 180_000, grep });
  for (const name of readdirSync(__dirname).sort()) {
    if (name.endsWith('.suite.js')) mocha.addFile(join(__dirname, name));
  }
  const passed: string[] = [];
  const failed: Failure[] = [];
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => passed.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) =>
      failed.push({ title: t.fullTitle(), error: err.stack ?? String(err) }),
    );
  });
  const out = process.env.HEATLENS_HOST_RESULTS;
  if (out) writeFileSync(out, JSON.stringify({ passed, failed }, null, 2));
  if (failed.length) throw new Error(`${failed.length} extension-host test(s) failed`);
}
