// The environment for an npm run nested inside another (`npm start` installing code-server under
// Node 24, `npm test` running `npm ci`). An npm script inherits the outer npm's description of
// itself: `npm_config_user_agent` names the outer npm's Node (code-server's postinstall reads the
// Node version from it and refuses Node 20), `npm_config_node_gyp` and the node-gyp-bin folder on
// PATH point at the outer npm's node-gyp, `npm_config_nodedir` at the outer Node's headers,
// `npm_config_prefix`/`local_prefix` at the outer project, `NODE` and `npm_node_execpath` at the
// outer Node, and `npm_lifecycle_*`/`npm_package_*` describe the outer script. A nested npm reads
// every `npm_config_*` variable as configuration, so it would act for that other Node and project.
//
// Only settings that say how to reach the registry (and where the user keeps npm's files) describe
// the machine rather than the outer run, so only those are kept; a nested npm re-reads the user's
// .npmrc itself.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** npm settings (lowercase, `_` for `-`) that describe the network and the user, not the run. */
const KEEP = new Set([
  'registry',
  'proxy',
  'http_proxy',
  'https_proxy',
  'noproxy',
  'no_proxy',
  'cafile',
  'ca',
  'cert',
  'key',
  'strict_ssl',
  'local_address',
  'maxsockets',
  'fetch_retries',
  'fetch_retry_factor',
  'fetch_retry_mintimeout',
  'fetch_retry_maxtimeout',
  'fetch_timeout',
  'offline',
  'prefer_offline',
  'prefer_online',
  'cache',
  'userconfig',
  'globalconfig',
  '_auth',
  '_authtoken',
  'always_auth',
  'color',
  'update_notifier',
]);

/** Whether an `npm_config_*` variable is kept for a nested npm (see KEEP). */
function keepConfig(name) {
  const key = name.slice('npm_config_'.length).toLowerCase().replace(/-/g, '_');
  // Scoped registries (`@scope:registry`) and per-registry credentials (`//host/:_authToken`).
  return KEEP.has(key) || key.endsWith(':registry') || key.startsWith('//');
}

/**
 * `env` without what an outer npm run added about itself: every `npm_*` variable except the
 * network and user settings in KEEP, `NODE`, `INIT_CWD`, and the PATH entries npm prepends (the
 * `node_modules/.bin` folders of `projectRoot` and its parents, npm's node-gyp-bin).
 * @param {NodeJS.ProcessEnv} env
 * @param {string} projectRoot the folder of the package.json whose script may be running
 * @returns {NodeJS.ProcessEnv}
 */
export function cleanNpmEnv(env, projectRoot) {
  const out = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (/^npm_config_/i.test(name)) {
      if (keepConfig(name)) out[name] = value;
      continue;
    }
    if (/^npm_/i.test(name) || name === 'NODE' || name === 'INIT_CWD') continue;
    out[name] = value;
  }
  const pathKey = Object.keys(out).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  if (out[pathKey]) out[pathKey] = cleanPath(out[pathKey], projectRoot);
  return out;
}

/** PATH without the entries npm prepends to run a script of the project at `projectRoot`. */
function cleanPath(path, projectRoot) {
  const added = new Set();
  let dir = projectRoot.replace(/\/+$/, '') || '/';
  for (;;) {
    added.add(`${dir === '/' ? '' : dir}/node_modules/.bin`);
    if (dir === '/') break;
    dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  }
  return path
    .split(':')
    .filter((p) => !added.has(p.replace(/\/+$/, '')) && !/\/node-gyp-bin\/?$/.test(p))
    .join(':');
}

/**
 * The `npm ci` step of `npm start` and `npm test` (scripts/progress.mjs's step shape), when the
 * repository's packages are not installed yet; none when they are.
 */
export function npmCiSteps(root) {
  if (existsSync(join(root, 'node_modules'))) return [];
  return [
    {
      id: 'npm-ci',
      title: "Installing the repository's npm packages (npm ci)",
      estimate: 60,
      run: (p) =>
        p.spawn('npm', ['ci', '--no-audit', '--no-fund'], {
          cwd: root,
          env: cleanNpmEnv(process.env, root),
        }),
    },
  ];
}
