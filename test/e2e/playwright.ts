// The small part of playwright-core's API the end-to-end harness uses. playwright-core is not a
// dependency of the repo: scripts/e2eEnv.mjs installs it into the cache outside the repo and the
// harness loads it from there at run time, so its own typings are not reachable by `tsc`.

/** A string or regular expression to match text with. */
export type TextMatch = string | RegExp;

/** playwright-core's `chromium` entry. */
export interface BrowserType {
  launch(options: {
    executablePath: string;
    headless: boolean;
    args: string[];
    env?: Record<string, string | undefined>;
    timeout?: number;
  }): Promise<Browser>;
}

/** A running browser. */
export interface Browser {
  newContext(options?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** An isolated browser profile. */
export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A frame of a page (the page's main frame or an iframe, such as a webview's). */
export interface Frame {
  url(): string;
  name(): string;
  $(selector: string): Promise<unknown | null>;
  locator(selector: string, options?: { hasText?: TextMatch }): Locator;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Evaluates a script's text in the frame's page (not subject to its CSP). */
  evaluate<R>(expression: string): Promise<R>;
}

/** A browser tab. */
export interface Page {
  goto(
    url: string,
    options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' },
  ): Promise<unknown>;
  waitForSelector(
    selector: string,
    options?: { timeout?: number; state?: 'attached' | 'detached' | 'visible' | 'hidden' },
  ): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  locator(selector: string, options?: { hasText?: TextMatch }): Locator;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  frames(): Frame[];
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  on(event: 'console', listener: (msg: ConsoleMessage) => void): void;
  on(event: 'pageerror', listener: (err: Error) => void): void;
  on(event: 'crash' | 'close', listener: () => void): void;
  keyboard: Keyboard;
  close(): Promise<void>;
}

/** Keyboard input, as a person types. */
export interface Keyboard {
  press(key: string): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

/** A lazy element query. */
export interface Locator {
  locator(selector: string, options?: { hasText?: TextMatch }): Locator;
  first(): Locator;
  nth(index: number): Locator;
  count(): Promise<number>;
  click(options?: { timeout?: number; button?: 'left' | 'right' | 'middle' }): Promise<void>;
  hover(options?: { timeout?: number; position?: { x: number; y: number } }): Promise<void>;
  waitFor(options?: {
    state?: 'attached' | 'detached' | 'visible' | 'hidden';
    timeout?: number;
  }): Promise<void>;
  textContent(): Promise<string | null>;
  innerText(): Promise<string>;
  isVisible(): Promise<boolean>;
  getAttribute(name: string): Promise<string | null>;
}

/** A browser console message. */
export interface ConsoleMessage {
  type(): string;
  text(): string;
}
