// `npm start`: the newcomer's first command. Installs what is missing (npm ci, then the real VS
// Code of scripts/e2eEnv.mjs), builds and packages the extension, installs the .vsix into a local
// code-server whose user data and extensions live in the cache (never in the repo), opens the
// examples workspace, binds 127.0.0.1 only, prints the URL and runs until Ctrl+C.
//
// The first run shows which step of how many is running, its elapsed time and a rough estimate
// of what is left (scripts/progress.mjs). A second run finds everything in place (about 50 ms of
// checks and hashing) and is ready as soon as code-server answers.
//
// Environment: PORT (default: a free port), HEATLENS_E2E_CACHE (default ~/.cache/heatlens-e2e),
// HEATLENS_START_FOLDER (default: <repo>/examples).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { planE2eEnv } from './e2eEnv.mjs';
import { cleanNpmEnv, npmCiSteps } from './npmEnv.mjs';
import { Progress } from './progress.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const t0 = Date.now();

function log(msg) {
  process.stderr.write(`[start] ${msg}\n`);
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
      for (const name of readdirSync(p).sort()) {
        if (name !== '__pycache__') add(join(rel, name));
      }
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
    'python',
    'docs/heat-typescript.png',
    'package.json',
    'package-lock.json',
    '.vscodeignore',
    'scripts/build.mjs',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
  ])
    add(rel);
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

/** Resolves true once `url` answers 200, false if `child` exits first. */
async function waitHealthy(url, child) {
  // node:http rather than fetch: loading fetch (undici) costs more CPU than the warm start's
  // own work, and a warm start is mostly this wait.
  const ok = () =>
    new Promise((res) => {
      const req = get(url, (r) => {
        r.resume();
        res(r.statusCode === 200);
      });
      req.on('error', () => res(false));
    });
  for (;;) {
    if (child.exitCode !== null) return false;
    if (await ok()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- 1. Plan: what is missing (cheap checks only, so that a warm start stays fast) ----------

const e2e = planE2eEnv({ needChromium: false, needPlaywright: false });
const home = join(e2e.paths.cache, 'start');
const vsix = join(root, 'dist', 'heatlens.vsix');
const packagedStamp = join(home, 'packaged-inputs.sha256');
const installedStamp = join(home, 'installed-inputs.sha256');
const hash = inputsHash();
const dirs = {
  userData: join(home, 'user-data'),
  extensions: join(home, 'extensions'),
  xdgConfig: join(home, 'xdg-config'),
  xdgData: join(home, 'xdg-data'),
  tmp: join(home, 'tmp'),
};
const childEnv = {
  ...cleanNpmEnv(process.env, root),
  XDG_CONFIG_HOME: dirs.xdgConfig,
  XDG_DATA_HOME: dirs.xdgData,
  TMPDIR: dirs.tmp,
};
const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

/** @type {{ id: string, title: string, estimate: number, run: (p: Progress) => Promise<void> }[]} */
const steps = [];
steps.push(...npmCiSteps(root));
steps.push(...e2e.steps);
if (!(existsSync(vsix) && readStamp(packagedStamp) === hash)) {
  // What `npm run package` does, without rebuilding the tests (that would empty out/ under a test
  // run in another terminal).
  steps.push({
    id: 'package',
    title: 'Building and packaging the extension (dist/heatlens.vsix)',
    estimate: 40,
    run: async (p) => {
      await p.spawn(process.execPath, ['scripts/build.mjs', '--production', '--no-tests'], {
        cwd: root,
        quiet: true,
      });
      await p.spawn(
        process.execPath,
        [
          join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
          'package',
          '--no-dependencies',
          '--allow-missing-repository',
          '--no-rewrite-relative-links',
          '-o',
          vsix,
        ],
        // vsce lists every packaged file: shown only if it fails.
        { cwd: root, quiet: true },
      );
      mkdirSync(home, { recursive: true });
      writeFileSync(packagedStamp, hash + '\n');
    },
  });
}
if (readStamp(installedStamp) !== hash) {
  steps.push({
    id: 'install-vsix',
    title: 'Installing the .vsix into code-server',
    estimate: 15,
    run: async (p) => {
      for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
      await p.spawn(
        e2e.paths.node24,
        [e2e.paths.codeServerEntry, ...common, '--force', '--install-extension', vsix],
        { env: childEnv },
      );
      writeFileSync(installedStamp, hash + '\n');
    },
  });
}

// ---- 2. Run the missing steps, with progress -------------------------------------------------

for (const note of e2e.notes) log(note);
if (steps.length) {
  const progress = new Progress('start', steps, { timingsFile: e2e.paths.timings });
  try {
    for (const step of steps) await progress.run(step.id, () => step.run(progress));
  } catch (err) {
    log(`${err instanceof Error ? err.message : err}`);
    log('Fix the error above and run `npm start` again: the steps that finished are kept.');
    process.exit(1);
  }
}
e2e.finish();

// ---- 3. Settings: telemetry off, no trust prompt, nothing that reaches for the network --------

for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
const settingsFile = join(dirs.userData, 'User', 'settings.json');
mkdirSync(join(dirs.userData, 'User'), { recursive: true });
let settings = {};
try {
  settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
} catch {
  // missing or hand-edited with comments: start from ours
}
writeFileSync(settingsFile, JSON.stringify({ ...settings, ...quietSettings }, null, 2) + '\n');

// ---- 4. Start code-server in its own process group; Ctrl+C stops the whole group -------------

const port = await freePort();
const folder = resolve(
  process.env.HEATLENS_START_FOLDER ??
    join(root, existsSync(join(root, 'examples')) ? 'examples' : '.'),
);
const config = join(home, 'config.yaml');
writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
const child = spawn(
  e2e.paths.node24,
  [
    e2e.paths.codeServerEntry,
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
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const installed = join(dirs.extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!existsSync(join(installed, 'package.json')))
    log(`warning: the extension is not in ${installed}; run \`npm start\` again to reinstall it`);
  console.log(`\nHeatlens is running in VS Code (code-server) at:\n\n    ${url}\n`);
  console.log(
    'Open it in a browser, open a file of the examples, and run "Heatlens: Profile Current File"',
  );
  console.log('from the command palette (F1). Press Ctrl+C here to stop.\n');
}
