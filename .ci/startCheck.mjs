// CI's check of README's first command: runs `npm start` exactly as a newcomer would, waits until
// it prints its URL (the first run installs everything: up to START_TIMEOUT_MIN minutes), then
// checks what the newcomer would see: the URL answers with VS Code's workbench page for the
// examples folder, and the running code-server has Heatlens installed (its extensions folder
// lists this repository's version, `code-server --list-extensions` names it, and the server
// serves the installed extension's manifest). Then it stops `npm start` as Ctrl+C does (SIGINT to
// its process group) and checks that code-server is gone.
//
// Exit code 0 when all of that holds; 1 with the reason otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { e2ePaths } from '../scripts/e2eEnv.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const timeoutMin = Number(process.env.START_TIMEOUT_MIN ?? 45);
const t0 = Date.now();
const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = (msg) => process.stderr.write(`[ci start] ${msg}\n`);

const child = spawn('npm', ['start'], {
  cwd: root,
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stdout = '';
child.stdout.on('data', (b) => {
  stdout += b.toString();
  process.stdout.write(b);
});
child.stderr.on('data', (b) => process.stderr.write(b));
const exited = new Promise((resolve) =>
  child.on('exit', (code, signal) => resolve(signal ?? code)),
);

let stopping;
/** Ctrl+C: SIGINT to the process group of `npm start`; waits for it to exit. */
function stop() {
  stopping ??= (async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // gone already
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 30_000);
    const how = await exited;
    clearTimeout(timer);
    return how;
  })();
  return stopping;
}

/** Stops `npm start`, says why, and exits with 1. */
async function fail(msg) {
  log(`FAILED: ${msg}`);
  await stop();
  process.exit(1);
}

const guard = setTimeout(
  () => void fail(`npm start printed no URL within ${timeoutMin} minutes`),
  timeoutMin * 60_000,
);
child.on('exit', (code, signal) => {
  if (stopping) return;
  clearTimeout(guard);
  log(`FAILED: npm start exited (${signal ?? `exit code ${code}`}) before it was stopped`);
  process.exit(1);
});

const urlPattern = /http:\/\/127\.0\.0\.1:(\d+)\/\?folder=(\S+)/;
const url = await new Promise((resolve) => {
  const poll = setInterval(() => {
    const m = urlPattern.exec(stdout);
    if (m) {
      clearInterval(poll);
      resolve(m);
    }
  }, 100);
});
clearTimeout(guard);
log(`npm start printed its URL after ${seconds()} s: ${url[0]}`);

/**
 * GET `url`. A request that finds its kept-alive connection closed by the server (code-server
 * closes idle ones after 5 s, and the checks between two requests can take longer on a loaded
 * machine) fails with "fetch failed"; it is tried again on a new connection, twice at most.
 */
async function get(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url);
    } catch (err) {
      if (attempt >= 3) throw err;
      log(`GET ${url}: ${err.cause ?? err}; trying again`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The checks of what a newcomer sees; throws the first thing that is wrong. */
async function check() {
  // 1. The page: VS Code's workbench, for the examples folder.
  const page = await get(url[0]);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`${url[0]} answered ${page.status}`);
  if (!html.includes('workbench-web-configuration'))
    throw new Error(`${url[0]} is not VS Code's workbench page`);
  const folder = decodeURIComponent(url[2]);
  if (folder !== join(root, 'examples')) throw new Error(`the folder is ${folder}, not examples/`);
  log(`${url[0]} answers 200 with the workbench page (${html.length} bytes)`);

  // 2. Heatlens is installed in that code-server.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  const paths = e2ePaths();
  const extensionsDir = join(paths.cache, 'start', 'extensions');
  const listed = JSON.parse(readFileSync(join(extensionsDir, 'extensions.json'), 'utf8'));
  const entry = listed.find((e) => e.identifier?.id === id);
  if (!entry) throw new Error(`${id} is not in ${extensionsDir}/extensions.json`);
  if (entry.version !== pkg.version)
    throw new Error(`${id} ${entry.version} is installed, not ${pkg.version}`);
  const cli = spawnSync(
    paths.node24,
    [
      paths.codeServerEntry,
      '--extensions-dir',
      extensionsDir,
      '--list-extensions',
      '--show-versions',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, XDG_CONFIG_HOME: join(paths.cache, 'start', 'xdg-config') },
    },
  );
  if (!cli.stdout.split('\n').includes(`${id}@${pkg.version}`))
    throw new Error(
      `code-server --list-extensions does not name ${id}@${pkg.version}:\n${cli.stdout}${cli.stderr}`,
    );
  const manifestPath = join(
    extensionsDir,
    entry.relativeLocation ?? `${id}-${pkg.version}`,
    'package.json',
  );
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing`);
  const served = await get(
    `http://127.0.0.1:${url[1]}/vscode-remote-resource?path=${encodeURIComponent(manifestPath)}`,
  );
  const manifest = served.ok ? await served.json() : undefined;
  if (manifest?.name !== pkg.name || manifest?.version !== pkg.version)
    throw new Error(`the server does not serve the installed manifest (${served.status})`);
  log(`${id}@${pkg.version} is installed in this code-server and served by it`);
}

try {
  await check();
} catch (err) {
  // fetch's own message ("fetch failed") says nothing: its cause says what the socket did.
  const cause = err instanceof Error && err.cause ? ` (${String(err.cause)})` : '';
  await fail(`${err instanceof Error ? err.message : String(err)}${cause}`);
}

// 3. Ctrl+C stops it, code-server included.
const how = await stop();
const stillUp = await fetch(`http://127.0.0.1:${url[1]}/healthz`)
  .then(() => true)
  .catch(() => false);
if (stillUp) await fail(`code-server still answers on port ${url[1]} after npm start was stopped`);
log(`stopped with Ctrl+C (npm start ended by ${how}); code-server is gone. All good.`);
process.exit(0);
