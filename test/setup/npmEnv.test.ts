// What an npm nested in `npm start` or `npm test` sees (scripts/npmEnv.mjs). The outer npm
// describes itself in the environment (its Node in npm_config_user_agent, its node-gyp, its
// nodedir and prefix, the running script): a nested npm read that as its own configuration, so
// code-server's postinstall under Node 24 saw "node/v20" and refused to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
type CleanNpmEnv = (env: NodeJS.ProcessEnv, projectRoot: string) => NodeJS.ProcessEnv;

async function cleanNpmEnv(): Promise<CleanNpmEnv> {
  const url = pathToFileURL(join(root, 'scripts', 'npmEnv.mjs')).href;
  return ((await import(url)) as { cleanNpmEnv: CleanNpmEnv }).cleanNpmEnv;
}

/**
 * The environment `npm start` gives its script, as npm 11 sets it, for another Node. `path` is
 * the PATH before npm prepended its entries.
 */
function outerNpmEnv(project: string, path = process.env.PATH): NodeJS.ProcessEnv {
  const gypBin = '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin';
  return {
    ...process.env,
    PATH: [
      `${project}/node_modules/.bin`,
      `${dirname(project)}/node_modules/.bin`,
      '/node_modules/.bin',
      gypBin,
      path,
    ].join(':'),
    npm_config_user_agent: 'npm/10.0.0 node/v18.0.0 linux x64 workspaces/false',
    npm_config_node_gyp: '/elsewhere/node-gyp/bin/node-gyp.js',
    npm_config_nodedir: '/elsewhere/node18-headers',
    npm_config_prefix: '/elsewhere/prefix',
    npm_config_global_prefix: '/elsewhere/prefix',
    npm_config_local_prefix: project,
    npm_config_registry: 'https://registry.example.test/',
    'npm_config_//registry.example.test/:_authToken': 'secret',
    npm_execpath: '/elsewhere/npm-cli.js',
    npm_node_execpath: '/elsewhere/node',
    NODE: '/elsewhere/node',
    INIT_CWD: project,
    npm_lifecycle_event: 'start',
    npm_lifecycle_script: 'node scripts/start.mjs',
    npm_package_name: 'heatlens',
    npm_package_json: join(project, 'package.json'),
    npm_command: 'run-script',
  };
}

describe('the environment of a nested npm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-npmenv-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a nested npm's install scripts see the Node it runs on, not the outer npm's", async () => {
    const env = (await cleanNpmEnv())(outerNpmEnv(root), root);
    // What code-server's postinstall reads, printed by a script the nested npm runs.
    writeFileSync(
      join(dir, 'show.js'),
      'const e = process.env;\n' +
        "console.log([e.npm_config_user_agent, e.npm_config_node_gyp, e.npm_config_nodedir, e.npm_config_prefix].join('\\n'));\n",
    );
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'nested', private: true, scripts: { show: 'node show.js' } }),
    );
    const r = spawnSync('npm', ['run', '--silent', 'show'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [agent, gyp, nodedir, prefix] = r.stdout.trim().split('\n');
    const version = process.version.replace(/\./g, '\\.');
    assert.match(agent, new RegExp(`^npm/\\S+ node/${version} `));
    for (const value of [gyp, nodedir, prefix]) assert.doesNotMatch(value, /\/elsewhere\//);
  });

  it('keeps how to reach the registry and drops what describes the outer run', async () => {
    // A PATH of its own: under `npm test` the test's own PATH has npm's entries too.
    const path = '/usr/local/bin:/usr/bin:/bin';
    const env = (await cleanNpmEnv())(outerNpmEnv(root, path), root);
    assert.equal(env.npm_config_registry, 'https://registry.example.test/');
    assert.equal(env['npm_config_//registry.example.test/:_authToken'], 'secret');
    for (const name of [
      'npm_config_user_agent',
      'npm_config_node_gyp',
      'npm_config_nodedir',
      'npm_config_prefix',
      'npm_config_global_prefix',
      'npm_config_local_prefix',
      'npm_execpath',
      'npm_node_execpath',
      'NODE',
      'INIT_CWD',
      'npm_lifecycle_event',
      'npm_lifecycle_script',
      'npm_package_name',
      'npm_package_json',
      'npm_command',
    ])
      assert.equal(env[name], undefined, name);
    assert.equal(env.PATH, path, 'the PATH entries npm prepended are gone');
    assert.equal(env.HOME, process.env.HOME);
  });
});
