// The end-to-end harness: a real VS Code (code-server) driven through headless Chromium, as a
// person would use it (command palette, Ctrl+P, clicks), and readers for what a person sees
// (after-line labels, CodeLens, status bar, notifications, webviews). How it works is in
// docs/ARCHITECTURE.md, "Tests and checks"; scripts/e2eEnv.mjs installs the pieces into a cache
// outside the repo and writes the env.json read here.
//
// Every session runs in its own folder under the OS temp dir (user data, extensions, XDG_* and
// TMPDIR: short paths, because code-server puts Unix sockets there), in its own process group,
// and is torn down whether the test passes or fails; on failure the code-server, browser and
// extension-host logs are printed. Screenshots go to test-output/e2e/ (git-ignored).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { format } from 'node:util';
import type { Browser, BrowserType, Frame, Page } from './playwright';
import { repoRoot } from '../support/repoRoot';

/** Paths written by scripts/e2eEnv.mjs into <cache>/env.json. */
export interface E2eEnv {
  node: string;
  codeServerEntry: string;
  playwrightCore: string;
  chromium: string;
}

/** Either a ready environment or the reason the end-to-end tests cannot run on this machine. */
export type E2ePrepared = { env: E2eEnv; skip?: undefined } | { skip: string; env?: undefined };

/** An after-line label (decoration `after.contentText`) as rendered, with its line. */
export interface AfterLabel {
  /** 1-based line number shown in the gutter, or 0 when it could not be read. */
  line: number;
  /** The label text, e.g. "12.3 ms · 8.1%". */
  label: string;
  /** The text of the line the label follows (U+00A0 normalised to spaces). */
  lineText: string;
}

/** A CodeLens as rendered, with the line below it (the line it annotates). */
export interface LensInfo {
  text: string;
  line: number;
  lineText: string;
}

/** Options for {@link VsCodeSession.start}. */
export interface SessionOptions {
  /** Names the screenshots and logs: test-output/e2e/<name>-<step>.png. */
  name: string;
  /** The workspace folder to open. */
  folder: string;
  /** Start with workspace trust disabled (the default) or enabled, leaving the folder untrusted. */
  trusted?: boolean;
  /** A .vsix to install before starting. */
  vsix?: string;
  /** Package the extension (`packageVsix`) into the session's folder and install it. */
  packaged?: boolean;
  /** User settings added to the defaults (for example the Python interpreter). */
  settings?: Record<string, unknown>;
  /** Environment variables for code-server, and so for the extension host it starts. */
  env?: Record<string, string>;
  /**
   * Run an extension-host test suite instead of a normal window (the payload route:
   * docs/ARCHITECTURE.md, "Tests and checks").
   */
  extensionTests?: {
    developmentPath: string;
    testsPath: string;
    environment?: Record<string, string>;
  };
}

/** How long a hang guard waits for something a person would see. Not a speed assertion. */
export const patience = 120_000;

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** test-output/e2e/, created on demand. */
export function outputDir(): string {
  const dir = join(repoRoot(), 'test-output', 'e2e');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function log(msg: string): void {
  process.stderr.write(`[e2e] ${msg}\n`);
}

/**
 * Runs scripts/e2eEnv.mjs (seconds when everything is cached, minutes the first time) and reads
 * env.json. Skips only when Chromium cannot be installed here, and then says why; in CI
 * (CI=true) that is a failure, because CI must run these tests.
 */
export function prepareE2e(): E2ePrepared {
  const root = repoRoot();
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'e2eEnv.mjs')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status === 3) {
    // scripts/e2eEnv.mjs prints the reason on stdout when it exits with 3.
    const reason = `no Chromium, and it cannot be installed here: ${r.stdout.trim()}`;
    if (process.env.CI) throw new Error(`CI must run the end-to-end tests, but ${reason}`);
    log(`SKIPPING the end-to-end tests: ${reason}`);
    return { skip: reason };
  }
  if (r.status !== 0) {
    throw new Error(
      `scripts/e2eEnv.mjs failed (exit code ${r.status ?? r.signal}): see [e2eEnv] above; ` +
        'run `node scripts/e2eEnv.mjs` by hand to retry',
    );
  }
  const cache = process.env.HEATLENS_E2E_CACHE || join(homedir(), '.cache', 'heatlens-e2e');
  return { env: JSON.parse(readFileSync(join(cache, 'env.json'), 'utf8')) as E2eEnv };
}

/**
 * Packages the extension as built in dist/ into `outDir/heatlens.vsix` with vsce (offline), the
 * same manifest and .vscodeignore as `npm run package`. Builds first when dist/ is missing.
 */
export function packageVsix(outDir: string): string {
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'extension.js'))) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs', '--no-tests'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (b.status !== 0)
      throw new Error('Building the extension (scripts/build.mjs) failed: see above');
  }
  const vsix = join(outDir, 'heatlens.vsix');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '-o',
      vsix,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`vsce package failed (exit code ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return vsix;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value other than undefined/false; throws `what` after `patience`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeout = patience,
): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(
        `Waited ${timeout / 1000} s for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string, lines: number): string {
  try {
    const all = readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(unreadable)';
  }
}

function walkFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** Live sessions, so that an unexpected exit of the test process still kills their groups. */
const live = new Set<VsCodeSession>();
process.on('exit', () => {
  for (const s of live) s.killNow();
});

/** One code-server and one headless Chromium page on it. */
export class VsCodeSession {
  /** The page showing the workbench. */
  page!: Page;
  /** The base URL, http://127.0.0.1:<port>. */
  base = '';

  /** The process id of code-server, the root of every process the session starts. */
  get serverPid(): number | undefined {
    return this.server?.pid;
  }
  /** Set by the extension-host test route when the suite reports its exit code. */
  exitCode: Promise<number> | undefined;
  private browser: Browser | undefined;
  private server: ChildProcess | undefined;
  private serverExited: Promise<void> | undefined;
  private readonly browserLog: string;
  private readonly serverLog: string;
  private stopped = false;

  private constructor(
    readonly env: E2eEnv,
    readonly options: SessionOptions,
    readonly runDir: string,
  ) {
    const logs = join(outputDir(), 'logs');
    mkdirSync(logs, { recursive: true });
    // Screenshots of an earlier run of this session would pass for this run's: remove them.
    for (const f of readdirSync(outputDir())) {
      if (f.startsWith(`${options.name}-`) && f.endsWith('.png')) rmSync(join(outputDir(), f));
    }
    this.serverLog = join(logs, `${options.name}-code-server.log`);
    this.browserLog = join(logs, `${options.name}-browser.log`);
    writeFileSync(this.serverLog, '');
    writeFileSync(this.browserLog, '');
  }

  /** Starts code-server and Chromium and opens the folder; waits until the workbench is shown. */
  static async start(env: E2eEnv, options: SessionOptions): Promise<VsCodeSession> {
    const runDir = mkdtempSync(join(tmpdir(), 'hl-e2e-'));
    // The package lives in the session's folder, removed with it by stop().
    const withVsix = options.packaged ? { ...options, vsix: packageVsix(runDir) } : options;
    const s = new VsCodeSession(env, withVsix, runDir);
    live.add(s);
    try {
      await s.startServer();
      await s.startBrowser();
      return s;
    } catch (err) {
      s.dumpLogs(err);
      await s.stop();
      throw err;
    }
  }

  private dirs() {
    const d = (n: string) => join(this.runDir, n);
    return {
      userData: d('user-data'),
      extensions: d('extensions'),
      xdgConfig: d('xdg-config'),
      xdgData: d('xdg-data'),
      xdgRuntime: d('xdg-runtime'),
      xdgCache: d('xdg-cache'),
      tmp: d('tmp'),
    };
  }

  private childEnv(): NodeJS.ProcessEnv {
    const d = this.dirs();
    return {
      ...process.env,
      XDG_CONFIG_HOME: d.xdgConfig,
      XDG_DATA_HOME: d.xdgData,
      XDG_RUNTIME_DIR: d.xdgRuntime,
      XDG_CACHE_HOME: d.xdgCache,
      TMPDIR: d.tmp,
      // The test runner's own variables must not leak into programs profiled in VS Code.
      NODE_TEST_CONTEXT: undefined,
      NODE_OPTIONS: undefined,
      ...this.options.env,
    };
  }

  private async startServer(): Promise<void> {
    const d = this.dirs();
    for (const p of Object.values(d)) mkdirSync(p, { recursive: true, mode: 0o700 });
    const trusted = this.options.trusted ?? true;
    const settings = {
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'security.workspace.trust.enabled': !trusted,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'always',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'chat.disableAIFeatures': true,
      'git.enabled': false,
      'editor.minimap.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      // The profiled program's inspector port would otherwise show up as a forwarded port.
      'remote.autoForwardPorts': false,
      ...this.options.settings,
    };
    mkdirSync(join(d.userData, 'User'), { recursive: true });
    writeFileSync(join(d.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    // Machine-scoped settings (interpreter paths) are read from the server side in code-server.
    mkdirSync(join(d.userData, 'Machine'), { recursive: true });
    writeFileSync(
      join(d.userData, 'Machine', 'settings.json'),
      JSON.stringify(this.options.settings ?? {}, null, 2),
    );
    const common = ['--user-data-dir', d.userData, '--extensions-dir', d.extensions];
    if (this.options.vsix) {
      const r = spawnSync(
        this.env.node,
        [this.env.codeServerEntry, ...common, '--install-extension', this.options.vsix],
        { env: this.childEnv(), encoding: 'utf8' },
      );
      appendFileSync(this.serverLog, `--install-extension:\n${r.stdout}\n${r.stderr}\n`);
      if (r.status !== 0) {
        throw new Error(
          `Installing ${this.options.vsix} into code-server failed:\n${r.stdout}\n${r.stderr}`,
        );
      }
    }
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    const config = join(this.runDir, 'config.yaml');
    writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const args = [
      this.env.codeServerEntry,
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...(trusted ? ['--disable-workspace-trust'] : []),
      ...(this.options.extensionTests ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...common,
      this.options.folder,
    ];
    appendFileSync(this.serverLog, `$ ${this.env.node} ${args.join(' ')}\n`);
    const server = spawn(this.env.node, args, {
      env: this.childEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = server;
    server.stdout?.on('data', (b: Buffer) => appendFileSync(this.serverLog, b));
    server.stderr?.on('data', (b: Buffer) => appendFileSync(this.serverLog, b));
    this.serverExited = new Promise((resolve) => server.once('exit', () => resolve()));
    await waitFor('code-server to answer /healthz', async () => {
      if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}`);
      const r = await fetch(`${this.base}/healthz`).catch(() => undefined);
      return r?.ok;
    });
  }

  private async startBrowser(): Promise<void> {
    const req = createRequire(join(this.env.playwrightCore, 'package.json'));
    const { chromium } = req(this.env.playwrightCore) as { chromium: BrowserType };
    this.browser = await chromium.launch({
      executablePath: this.env.chromium,
      headless: true,
      args: chromiumFlags,
      env: this.childEnv() as Record<string, string | undefined>,
      timeout: patience,
    });
    const context = await this.browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    this.page = page;
    const note = (line: string) => appendFileSync(this.browserLog, line + '\n');
    page.on('console', (m) => note(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => note(`[pageerror] ${e.stack ?? e.message}`));
    page.on('crash', () => note('[page crashed]'));

    let url = `${this.base}/?folder=${encodeURIComponent(this.options.folder)}`;
    const t = this.options.extensionTests;
    if (t) {
      this.exitCode = new Promise<number>((resolve) => {
        void page.exposeFunction('codeAutomationExit', ((code: number) => resolve(code)) as never);
      });
      await page.exposeFunction('codeAutomationLog', ((type: string, args: unknown[]) => {
        // The runner logs printf-style (mocha's reporter: "%d passing (%s)").
        const text = format(...(Array.isArray(args) ? args : [args]));
        note(`[host ${type}] ${text}`);
        process.stderr.write(`[extension host] ${text}\n`);
      }) as never);
      const remote = (p: string) => `vscode-remote://127.0.0.1:${this.base.split(':')[2]}${p}`;
      const payload: [string, string][] = [
        ['extensionDevelopmentPath', remote(t.developmentPath)],
        ['extensionTestsPath', remote(t.testsPath)],
      ];
      if (t.environment) payload.push(['extensionEnvironment', JSON.stringify(t.environment)]);
      url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await page.goto(url, { timeout: patience });
    await this.waitForWorkbench();
  }

  private async waitForWorkbench(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: patience });
    // The explorer shows the folder once the remote file system answers.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', {
      timeout: patience,
    });
  }

  /**
   * Reloads the window ("Developer: Reload Window"): the workbench shuts down as it does when the
   * window closes (workspace storage is saved) and starts afresh with a new extension host.
   */
  async reloadWindow(): Promise<void> {
    await this.page.evaluate(
      () => ((window as unknown as { __beforeReload: boolean }).__beforeReload = true),
    );
    await this.runCommand('Developer: Reload Window');
    await waitFor('the window to reload', () =>
      this.page.evaluate(
        () => !(window as unknown as { __beforeReload?: boolean }).__beforeReload || undefined,
      ),
    );
    await this.waitForWorkbench();
  }

  /** Saves a screenshot as test-output/e2e/<name>-<step>.png and returns its path. */
  async screenshot(step: string): Promise<string> {
    const file = join(outputDir(), `${this.options.name}-${step}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Presses Escape until no quick input or menu is open. */
  async dismiss(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
  }

  /** F1, types the command's title, checks the focused entry is that command, and runs it. */
  async runCommand(title: string): Promise<void> {
    await waitFor(`the command "${title}" in the command palette`, async () => {
      await this.dismiss();
      await this.page.keyboard.press('F1');
      await this.page.waitForSelector('.quick-input-widget .quick-input-box input', {
        state: 'visible',
        timeout: 10_000,
      });
      await this.page.keyboard.insertText(title);
      const found = await waitFor(
        'the palette to filter',
        () =>
          this.page.evaluate((want) => {
            const row = document.querySelector('.quick-input-widget .monaco-list-row.focused');
            const label =
              row?.querySelector('.label-name')?.textContent ??
              row?.getAttribute('aria-label') ??
              '';
            return label.replace(/\u00a0/g, ' ').trim() === want || undefined;
          }, title),
        5_000,
      ).catch(() => false);
      if (!found) return false;
      await this.page.keyboard.press('Enter');
      return true;
    });
  }

  /** Ctrl+P, types the workspace-relative path, and opens it; waits for its tab to be active. */
  async openFile(relPath: string, options: { textEditor?: boolean } = {}): Promise<void> {
    const name = basename(relPath);
    const textEditor = options.textEditor ?? true;
    await waitFor(`"${relPath}" in quick open`, async () => {
      await this.dismiss();
      await this.page.keyboard.press('Control+P');
      await this.page.waitForSelector('.quick-input-widget .quick-input-box input', {
        state: 'visible',
        timeout: 10_000,
      });
      await this.page.keyboard.insertText(relPath);
      const ok = await waitFor(
        'quick open to list the file',
        () =>
          this.page.evaluate(
            ([n, rel]) => {
              const row = document.querySelector('.quick-input-widget .monaco-list-row.focused');
              const label = (row?.querySelector('.label-name')?.textContent ?? '').replace(
                /\u00a0/g,
                ' ',
              );
              const desc = (row?.querySelector('.label-description')?.textContent ?? '').replace(
                /\u00a0/g,
                ' ',
              );
              const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
              return (label === n && (!dir || desc.replace(/\\/g, '/').endsWith(dir))) || undefined;
            },
            [name, relPath] as [string, string],
          ),
        5_000,
      ).catch(() => false);
      if (!ok) return false;
      await this.page.keyboard.press('Enter');
      return true;
    });
    await waitFor(`the editor tab of ${name}`, () =>
      this.page.evaluate(
        ([n, text]) => {
          const tab = document.querySelector('.editor-group-container.active .tab.active');
          const label = tab?.getAttribute('aria-label') ?? '';
          const editor = document.querySelector(
            '.editor-group-container.active .monaco-editor .view-lines .view-line',
          );
          return (label.startsWith(n) && (!text || !!editor)) || undefined;
        },
        [name, textEditor] as [string, boolean],
      ),
    );
  }

  /** The after-line labels (decoration `after` content) in the active editor. */
  async afterLabels(): Promise<AfterLabel[]> {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      if (!editor) return [];
      const numbers = Array.from(
        editor.querySelectorAll('.margin-view-overlays .line-numbers'),
      ).map((e) => ({
        top: e.getBoundingClientRect().top,
        n: Number((e.textContent ?? '').trim()),
      }));
      const out: { line: number; label: string; lineText: string }[] = [];
      for (const line of Array.from(editor.querySelectorAll('.view-lines .view-line'))) {
        const top = line.getBoundingClientRect().top;
        const n = numbers.find((x) => Math.abs(x.top - top) < 2)?.n ?? 0;
        for (const span of Array.from(
          line.querySelectorAll('span[class*="TextEditorDecorationType"]'),
        )) {
          const raw = getComputedStyle(span, '::after').content;
          if (!raw || raw === 'none' || raw === 'normal') continue;
          let label = raw;
          try {
            label = JSON.parse(raw) as string;
          } catch {
            label = raw.replace(/^["']|["']$/g, '');
          }
          out.push({ line: n, label, lineText: (line.textContent ?? '').replace(/\u00a0/g, ' ') });
        }
      }
      return out.sort((a, b) => a.line - b.line);
    });
  }

  /** Lines with a whole-line heat background (`.view-overlays .cdr` with a decoration class). */
  async heatLineCount(): Promise<number> {
    return this.page.evaluate(
      () =>
        document.querySelectorAll(
          '.editor-group-container.active .monaco-editor .view-overlays [class*="TextEditorDecorationType"]',
        ).length,
    );
  }

  /** The CodeLenses in the active editor, each with the line below it. */
  async codeLenses(): Promise<LensInfo[]> {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      if (!editor) return [];
      const numbers = Array.from(
        editor.querySelectorAll('.margin-view-overlays .line-numbers'),
      ).map((e) => ({
        top: e.getBoundingClientRect().top,
        n: Number((e.textContent ?? '').trim()),
      }));
      const lines = Array.from(editor.querySelectorAll('.view-lines .view-line')).map((l) => ({
        top: l.getBoundingClientRect().top,
        text: (l.textContent ?? '').replace(/\u00a0/g, ' '),
      }));
      const out: { text: string; line: number; lineText: string }[] = [];
      for (const lens of Array.from(editor.querySelectorAll('.codelens-decoration'))) {
        const r = lens.getBoundingClientRect();
        const text = ((lens as HTMLElement).innerText ?? lens.textContent ?? '')
          .replace(/\u00a0/g, ' ')
          .trim();
        if (!text) continue;
        const below = lines
          .filter((l) => l.top >= r.top + r.height / 2)
          .sort((a, b) => a.top - b.top)[0];
        const n = below ? (numbers.find((x) => Math.abs(x.top - below.top) < 2)?.n ?? 0) : 0;
        out.push({ text, line: n, lineText: below?.text ?? '' });
      }
      return out.sort((a, b) => a.line - b.line);
    });
  }

  /** The text of the status bar item showing the given codicon (e.g. "flame"), if shown. */
  async statusBarItem(codicon = 'flame'): Promise<string | undefined> {
    return this.page.evaluate((icon) => {
      for (const item of Array.from(document.querySelectorAll('.part.statusbar .statusbar-item'))) {
        if (!item.querySelector(`.codicon-${icon}`)) continue;
        if ((item as HTMLElement).offsetParent === null) continue;
        const text = ((item as HTMLElement).innerText ?? '').replace(/\u00a0/g, ' ').trim();
        return text || item.getAttribute('aria-label') || '';
      }
      return undefined;
    }, codicon);
  }

  /** The messages of the notification toasts now shown. */
  async notifications(): Promise<string[]> {
    return this.page.evaluate(() =>
      Array.from(
        document.querySelectorAll('.notification-toast .notification-list-item-message'),
      ).map((e) => ((e as HTMLElement).innerText ?? '').replace(/\u00a0/g, ' ').trim()),
    );
  }

  /** Clicks the button with this label on the notification toast whose message matches. */
  async clickNotificationButton(message: RegExp, button: string): Promise<void> {
    await waitFor(`a notification matching ${message} with a "${button}" button`, async () => {
      const toasts = this.page.locator('.notification-toast', { hasText: message });
      if ((await toasts.count()) === 0) return false;
      const btn = toasts.first().locator('.monaco-button', { hasText: button });
      if ((await btn.count()) === 0) return false;
      await btn.first().click({ timeout: 5_000 });
      return true;
    });
  }

  /** The first frame (webviews are nested iframes) holding an element matching `selector`. */
  async findFrame(selector: string): Promise<Frame | undefined> {
    for (const f of this.page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        // a frame navigating away: skip it
      }
    }
    return undefined;
  }

  /** Prints the code-server, browser and extension-host logs (a failure's explanation). */
  dumpLogs(reason?: unknown): void {
    const parts = [`\n===== e2e session "${this.options.name}" failed: ${String(reason)} =====`];
    parts.push(`--- code-server (${this.serverLog}) ---\n${tail(this.serverLog, 150)}`);
    parts.push(`--- browser (${this.browserLog}) ---\n${tail(this.browserLog, 150)}`);
    const logs = walkFiles(join(this.dirs().userData, 'logs')).filter((f) =>
      /exthost|remoteagent|heatlens|output/i.test(f),
    );
    for (const f of logs) {
      if (statSync(f).size === 0) continue;
      parts.push(`--- ${f.slice(this.runDir.length + 1)} ---\n${tail(f, 100)}`);
    }
    process.stderr.write(parts.join('\n') + '\n===== end of logs =====\n');
  }

  /**
   * Runs `fn`; on failure saves a screenshot and prints the logs, then rethrows. Use it around
   * each step of a scenario so that a failing assertion comes with its explanation.
   */
  async guard<T>(step: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      await this.screenshot(`${step}-FAILED`).catch(() => undefined);
      this.dumpLogs(err);
      throw err;
    }
  }

  /** Kills the code-server process group at once (synchronous; for process exit). */
  killNow(): void {
    if (this.server?.pid && this.server.exitCode === null) {
      try {
        process.kill(-this.server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Closes the browser, stops code-server's process group and removes the run folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.browser?.close().catch(() => undefined);
    const server = this.server;
    if (server?.pid && server.exitCode === null && server.signalCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const exited = await Promise.race([
        this.serverExited?.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
      ]);
      if (!exited) this.killNow();
    }
    // Programs started from the window (profiled code) are in the same group; make sure none stays.
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // group empty
      }
    }
    live.delete(this);
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

export { repoRoot };
