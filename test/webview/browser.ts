// Loads the built flame graph webview (dist/webview.js) in headless Debian Chromium through
// playwright-core, on the page the extension serves (src/shared/flameHtml.ts, same CSP), with a
// stand-in for `acquireVsCodeApi` that records what the page posts. Used by the webview tests and
// bench/flame.mjs.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flameHtml } from '../../src/shared/flameHtml';
import { repoRoot } from '../support/repoRoot';

/** The part of playwright-core's API used here (its typings are not needed by tsc). */
export interface Page {
  goto(url: string): Promise<unknown>;
  addInitScript(script: string): Promise<void>;
  addScriptTag(options: { content: string }): Promise<unknown>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  waitForFunction<A = undefined>(
    fn: (arg: A) => unknown,
    arg?: A,
    options?: { timeout?: number },
  ): Promise<unknown>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  locator(selector: string): Locator;
  mouse: {
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    click(x: number, y: number): Promise<void>;
    wheel(dx: number, dy: number): Promise<void>;
  };
  keyboard: {
    press(key: string): Promise<void>;
    down(key: string): Promise<void>;
    up(key: string): Promise<void>;
  };
  on(event: 'dialog', fn: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  close(): Promise<void>;
}
export interface Locator {
  click(options?: { timeout?: number }): Promise<void>;
  fill(text: string): Promise<void>;
  textContent(): Promise<string | null>;
  count(): Promise<number>;
  first(): Locator;
  isVisible(): Promise<boolean>;
}
export interface Browser {
  newContext(options?: {
    viewport?: { width: number; height: number };
    deviceScaleFactor?: number;
    /** Lets the tests inject scripts (axe-core) past the page's CSP. */
    bypassCSP?: boolean;
  }): Promise<{ newPage(): Promise<Page>; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Chromium flags for running headless as root, without a GPU and without background traffic. */
export const CHROMIUM_ARGS = [
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

/** Where Chromium is, or why the browser tests cannot run here. */
export function findBrowser(): { chromium: string; playwright: string } | { skip: string } {
  const chromium = process.env.HEATLENS_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    return { skip: `no Chromium at ${chromium}: install it with \`apt-get install -y chromium\`` };
  }
  const root = repoRoot();
  const candidates = [
    join(root, 'node_modules', 'playwright-core'),
    join(
      process.env.HEATLENS_E2E_CACHE || join(homedir(), '.cache', 'heatlens-e2e'),
      'tools',
      'node_modules',
      'playwright-core',
    ),
  ];
  const playwright = candidates.find((p) => existsSync(join(p, 'package.json')));
  if (!playwright) return { skip: 'playwright-core is not installed: run `npm ci`' };
  return { chromium, playwright };
}

/** Launches headless Chromium with a fresh profile folder. */
export async function launch(found: { chromium: string; playwright: string }): Promise<Browser> {
  const req = createRequire(join(found.playwright, 'package.json'));
  const { chromium } = req(found.playwright) as {
    chromium: { launch(o: object): Promise<Browser> };
  };
  return chromium.launch({
    executablePath: found.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** test-output/<name>/, created on demand. */
export function outputDir(name: string): string {
  const dir = join(repoRoot(), 'test-output', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes the panel's page (as the extension builds it) into `dir` and returns its URL. */
export function writePage(dir: string): string {
  const root = repoRoot();
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'webview.js'))) {
    throw new Error('dist/webview.js is missing: run `node scripts/build.mjs` first');
  }
  const html = flameHtml({
    cspSource: 'file:',
    nonce: 'dGVzdC1ub25jZS0xMjM0',
    scriptUri: pathToFileURL(join(dist, 'webview.js')).href,
    styleUri: pathToFileURL(join(dist, 'webview.css')).href,
  });
  const file = join(dir, 'panel.html');
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

/**
 * The stand-in for VS Code's `acquireVsCodeApi`, installed before the page's own scripts: it
 * records posted messages in `window.__posted` and keeps the state in `window.__state`.
 */
export const VSCODE_API_STUB = `
  window.__posted = [];
  window.__state = window.__initialState;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__state,
    setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
  });
`;

/** `--vscode-*` variables and body class of four real themes (values from VS Code's defaults). */
export const THEMES: Record<
  'dark' | 'light' | 'hcDark' | 'hcLight',
  { bodyClass: string; vars: Record<string, string> }
> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editor-foreground': '#cccccc',
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': "'DejaVu Sans Mono', monospace",
      '--vscode-focusBorder': '#0078d4',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-textLink-foreground': '#4daafc',
      '--vscode-editorHoverWidget-background': '#202020',
      '--vscode-editorHoverWidget-border': '#454545',
      '--vscode-inputValidation-warningBackground': '#352a05',
      '--vscode-inputValidation-warningBorder': '#b89500',
      '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-settings-textInputBackground': '#313131',
      '--vscode-settings-textInputForeground': '#cccccc',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-editor-background': '#ffffff',
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': "'DejaVu Sans Mono', monospace",
      '--vscode-focusBorder': '#005fb8',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-textLink-foreground': '#005fb8',
      '--vscode-editorHoverWidget-background': '#f8f8f8',
      '--vscode-editorHoverWidget-border': '#c8c8c8',
      '--vscode-inputValidation-warningBackground': '#f6f5d2',
      '--vscode-inputValidation-warningBorder': '#b89500',
      '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-settings-textInputBackground': '#ffffff',
      '--vscode-settings-textInputForeground': '#3b3b3b',
      '--vscode-settings-textInputBorder': '#cecece',
      '--vscode-settings-checkboxBackground': '#f8f8f8',
      '--vscode-settings-checkboxBorder': '#cecece',
      '--vscode-settings-checkboxForeground': '#3b3b3b',
      '--vscode-checkbox-background': '#f8f8f8',
      '--vscode-checkbox-border': '#cecece',
      '--vscode-checkbox-foreground': '#3b3b3b',
    },
  },
  hcDark: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-editor-background': '#000000',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffff',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': "'DejaVu Sans Mono', monospace",
      '--vscode-focusBorder': '#f38518',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-panel-border': '#6fc3df',
      '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-editorHoverWidget-background': '#0c141f',
      '--vscode-editorHoverWidget-border': '#6fc3df',
      '--vscode-list-activeSelectionBackground': '#000000',
      '--vscode-list-focusOutline': '#f38518',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-settings-textInputBackground': '#000000',
      '--vscode-settings-textInputForeground': '#ffffff',
    },
  },
  hcLight: {
    bodyClass: 'vscode-high-contrast-light',
    vars: {
      '--vscode-editor-background': '#ffffff',
      '--vscode-editor-foreground': '#292929',
      '--vscode-foreground': '#292929',
      '--vscode-descriptionForeground': '#292929',
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': "'DejaVu Sans Mono', monospace",
      '--vscode-focusBorder': '#006bbd',
      '--vscode-contrastBorder': '#0f4a85',
      '--vscode-panel-border': '#0f4a85',
      '--vscode-textLink-foreground': '#0f4a85',
      '--vscode-editorHoverWidget-background': '#ffffff',
      '--vscode-editorHoverWidget-border': '#0f4a85',
      '--vscode-list-activeSelectionBackground': '#ffffff',
      '--vscode-list-focusOutline': '#006bbd',
      '--vscode-button-background': '#0f4a85',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#0f4a85',
      '--vscode-button-secondaryBackground': '#ffffff',
      '--vscode-button-secondaryForeground': '#292929',
      '--vscode-settings-textInputBackground': '#ffffff',
      '--vscode-settings-textInputForeground': '#292929',
      '--vscode-settings-textInputBorder': '#0f4a85',
      '--vscode-settings-checkboxBackground': '#ffffff',
      '--vscode-settings-checkboxBorder': '#0f4a85',
      '--vscode-settings-checkboxForeground': '#292929',
      '--vscode-checkbox-background': '#ffffff',
      '--vscode-checkbox-border': '#0f4a85',
      '--vscode-checkbox-foreground': '#292929',
    },
  },
};

/** Applies a theme the way VS Code does: variables on <html>, a class on <body>. */
export async function applyTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  await page.evaluate((t) => {
    for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
    document.body.className = t.bodyClass;
  }, THEMES[theme]);
}

/** Reads a JSON fixture-like file relative to the repo root. */
export function readRepoFile(rel: string): Buffer {
  return readFileSync(join(repoRoot(), rel));
}

/**
 * Posts a host message to the page as VS Code delivers it: the base64 byte fields of a wire
 * profile (and of a comparison) become ArrayBuffers in the page (playwright carries only JSON into
 * the page).
 */
export async function postToPage(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => {
    const bin = (s: string): ArrayBuffer => {
      const raw = atob(s);
      const out = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      return out.buffer;
    };
    const p = (m as { profile?: Record<string, Record<string, unknown>> }).profile;
    if (p) {
      for (const k of ['parent', 'frame', 'self', 'children']) p.tree[k] = bin(p.tree[k] as string);
      if (p.samples)
        for (const k of ['node', 'weight', 'start']) p.samples[k] = bin(p.samples[k] as string);
    }
    const c = (m as { compare?: Record<string, unknown> }).compare;
    if (c) for (const k of ['beforeTotalPerNode', 'beforeSelfPerNode']) c[k] = bin(c[k] as string);
    window.postMessage(m, '*');
  }, message);
}

export { repoRoot };

/** A page of the panel showing a profile, with what went wrong on it. */
export interface OpenedPanel {
  page: Page;
  /** Page errors, console errors and warnings. */
  problems: string[];
  /** Messages of alert() and the like (none may open). */
  dialogs: string[];
  close(): Promise<void>;
}

/**
 * Opens the panel's page in a new context, in a theme, and posts a profile message (a profile,
 * and a comparison when there is one) as the host does; resolves once the first frame is drawn.
 */
export async function openPanel(
  browser: Browser,
  url: string,
  message: unknown,
  options: { theme?: keyof typeof THEMES; bypassCSP?: boolean } = {},
): Promise<OpenedPanel> {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 640 },
    bypassCSP: options.bypassCSP,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.addInitScript('window.__initialState = null;');
  await page.addInitScript(VSCODE_API_STUB);
  await page.goto(url);
  await applyTheme(page, options.theme ?? 'dark');
  await page.waitForFunction(() =>
    (window as unknown as { __posted: { type: string }[] }).__posted.some(
      (m) => m.type === 'ready',
    ),
  );
  await postToPage(page, message);
  await page.waitForFunction(() => performance.getEntriesByName('heatlens:first-paint').length > 0);
  return { page, problems, dialogs, close: () => context.close() };
}
