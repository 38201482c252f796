// `npm start`: the newcomer's first command. Installs what is missing (npm ci, then the real VS
// Code of scripts/e2eEnv.mjs), builds and packages the extension, installs the .vsix into a local
// code-server whose user data and extensions live in the cache (never in the repo), opens the
// examples workspace, binds 127.0.0.1 only, prints the URL and runs until Ctrl+C.
//
// Environment: PORT (default: a free port), HEATLENS_E2E_CACHE (default ~/.cache/heatlens-e2e),
// HEATLENS_START_FOLDER (default: <repo>/examples).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureE2eEnv } from './e2eEnv.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const t0 = Date.now();

function log(msg) {
  process.stderr.write(`[start] ${msg}\n`);
}

function step(what, cmd, args, opts = {}) {
  log(`${what}: ${[cmd, ...args].join(' ')}`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    log(
      `${what} failed (exit code ${r.status ?? r.signal}). Fix the error above and run \`npm start\` again.`,
    );
    process.exit(1);
  }
  log(`  ${what} took ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

/** The settings a fresh user-data folder gets: quiet, offline, no trust prompt. */
export const quietSettings = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The profiled program's inspector port would otherwise show up as a forwarded port.
  'remote.autoForwardPorts': false,
};

function readStamp(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A hash of everything that goes into the .vsix or decides how it is built. */
function inputsHash() {
  const h = createHash('sha256');
  const add = (rel) => {
    const p = join(root, rel);
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) add(join(rel, name));
      return;
    }
    h.update(rel + '\0')
      .update(readFileSync(p))
      .update('\0');
  };
  for (const rel of [
    'src',
    'webview',
    'media',
    'package.json',
    'package-lock.json',
    '.vscodeignore',
  ])
    add(rel);
  for (const rel of ['scripts/build.mjs', 'README.md', 'CHANGELOG.md', 'LICENSE']) add(rel);
  return h.digest('hex');
}

async function freePort() {
  if (process.env.PORT) return Number(process.env.PORT);
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitHealthy(url, child) {
  for (;;) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(url);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

// 1. Dependencies of the repo, then the real VS Code (Chromium is not needed: you bring a browser).
if (!existsSync(join(root, 'node_modules'))) step('Installing dependencies', 'npm', ['ci']);
let env;
try {
  const r = ensureE2eEnv({ needChromium: false });
  env = r.paths;
} catch (err) {
  log(`Installing code-server failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

// 2. Build and package the extension.
// What `npm run package` does, without rebuilding the tests (that would empty out/ under a test
// run in another terminal), and skipped when nothing that goes into the .vsix changed.
const vsix = join(root, 'dist', 'heatlens.vsix');
const home = join(env.cache, 'start');
mkdirSync(home, { recursive: true });
const hash = inputsHash();
const packagedStamp = join(home, 'packaged-inputs.sha256');
if (existsSync(vsix) && readStamp(packagedStamp) === hash) {
  log('The extension is unchanged since the last package: using dist/heatlens.vsix.');
} else {
  step('Building the extension', process.execPath, [
    'scripts/build.mjs',
    '--production',
    '--no-tests',
  ]);
  step('Packaging the extension', process.execPath, [
    join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
    '-o',
    vsix,
  ]);
  writeFileSync(packagedStamp, hash + '\n');
}

// 3. Install it into code-server's own extensions folder, unless this exact .vsix already is.
const dirs = {
  userData: join(home, 'user-data'),
  extensions: join(home, 'extensions'),
  xdgConfig: join(home, 'xdg-config'),
  xdgData: join(home, 'xdg-data'),
  tmp: join(home, 'tmp'),
};
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
const childEnv = {
  ...process.env,
  XDG_CONFIG_HOME: dirs.xdgConfig,
  XDG_DATA_HOME: dirs.xdgData,
  TMPDIR: dirs.tmp,
};
const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
const stamp = join(home, 'installed-inputs.sha256');
if (readStamp(stamp) !== hash) {
  step(
    'Installing the .vsix into code-server',
    env.node24,
    [env.codeServerEntry, ...common, '--force', '--install-extension', vsix],
    { env: childEnv },
  );
  writeFileSync(stamp, hash + '\n');
} else {
  log('The same .vsix is already installed in code-server.');
}

// 4. Settings: telemetry off, no trust prompt, nothing that reaches for the network.
const settingsFile = join(dirs.userData, 'User', 'settings.json');
mkdirSync(join(dirs.userData, 'User'), { recursive: true });
let settings = {};
try {
  settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
} catch {
  // missing or hand-edited with comments: start from ours
}
writeFileSync(settingsFile, JSON.stringify({ ...settings, ...quietSettings }, null, 2) + '\n');

// 5. Start code-server in its own process group; Ctrl+C stops the whole group.
const port = await freePort();
const folder = resolve(
  process.env.HEATLENS_START_FOLDER ??
    join(root, existsSync(join(root, 'examples')) ? 'examples' : '.'),
);
const config = join(home, 'config.yaml');
writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
const child = spawn(
  env.node24,
  [
    env.codeServerEntry,
    '--config',
    config,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...common,
    folder,
  ],
  { env: childEnv, detached: true, stdio: ['ignore', 'inherit', 'inherit'] },
);
let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping code-server (process group ${child.pid})`);
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 5000).unref();
}
process.on('SIGINT', () => stop('Ctrl+C'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
child.on('exit', (code, signal) => {
  if (!stopping)
    log(`code-server exited by itself (${signal ?? `exit code ${code}`}); see its log above.`);
  process.exit(stopping ? 0 : 1);
});

const base = `http://127.0.0.1:${port}`;
if (await waitHealthy(`${base}/healthz`, child)) {
  const url = `${base}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`\nHeatlens is running in VS Code (code-server) at:\n\n    ${url}\n`);
  console.log(
    'Open it in a browser, open a file of the examples, and run "Heatlens: Profile Current File"',
  );
  console.log('from the command palette (F1). Press Ctrl+C here to stop.\n');
}
