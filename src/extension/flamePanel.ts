import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { line1ToEditorLine0 } from '../core/positions';
import { flameHtml } from '../shared/flameHtml';
import { isWebviewToHost, type FlameFocus, type HostToWebview } from '../shared/protocol';
import { encodeProfile } from '../shared/wire';
import { encodeCompare } from '../shared/wireCompare';
import type { ProfileDiff } from '../core/diff';
import { resolveRecordedPath } from './recordedPath';
import { epochNow, recordFlameTimings, type FlameMarks } from '../timings/timings';

const VIEW_TYPE = 'heatlens.flame';
const DEFAULT_TITLE = 'Heatlens: Flame Graph';
const NO_PROFILE =
  'There is no profile to show in this window yet. Run "Heatlens: Profile Current File" or open a profile file.';

/** Options of {@link FlamePanel.show}. */
export interface FlamePanelOptions {
  /** A frame id to focus (zoom to its heaviest occurrence, or its sandwich with `focusView`). */
  focusFrameId?: number;
  /** 'sandwich' shows the focused function's callers and callees; default 'flame'. */
  focusView?: 'flame' | 'sandwich';
  /** The panel's tab title. */
  title?: string;
  /** Keeps the focus where it is (the editor), e.g. so that its CodeLens refresh is not held up. */
  preserveFocus?: boolean;
  /** Shows the profile as the new run of a comparison: the differential view opens first. */
  compare?: FlameCompare;
  /** When the request arrived, to time the panel's opening (see timings.ts). */
  marks?: FlameMarks;
}

/** A comparison for the flame graph: the old run and the diff of the two (`diffProfiles`). */
export interface FlameCompare {
  readonly before: Profile;
  readonly diff: ProfileDiff;
  readonly beforeLabel: string;
  readonly afterLabel: string;
}

/**
 * Hosts the flame graph page in a webview panel: the shared panel ({@link FlamePanel}) or the
 * editor of a profile file. It sends the profile after the page says it is ready (on every load,
 * also after the panel was hidden and shown again) and answers the page's requests.
 */
export class FlameHost implements vscode.Disposable {
  private profile: Profile | undefined;
  private compare: FlameCompare | undefined;
  private emptyText = NO_PROFILE;
  private pendingFocus: FlameFocus | undefined;
  private pendingMarks: FlameMarks | undefined;
  private ready = false;
  private readonly reported = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    profile?: Profile,
  ) {
    this.profile = profile;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.options = webviewOptions(context);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'theme' })),
    );
  }

  /** The profile shown, if any. */
  get shown(): Profile | undefined {
    return this.profile;
  }

  /** Shows `profile`, or focuses `focus` when it is already shown. */
  setProfile(
    profile: Profile,
    focus?: FlameFocus,
    compare?: FlameCompare,
    marks?: FlameMarks,
  ): void {
    if (profile === this.profile && compare === this.compare && this.ready) {
      if (focus) this.post({ type: 'focus', ...focus });
      return;
    }
    this.profile = profile;
    this.compare = compare;
    this.pendingFocus = focus;
    this.pendingMarks = marks;
    if (this.ready) this.sendProfile();
  }

  /** Shows a sentence instead of a profile (nothing to show, or why a file could not be read). */
  setEmpty(message: string): void {
    this.profile = undefined;
    this.compare = undefined;
    this.emptyText = message;
    if (this.ready) this.sendProfile();
  }

  private sendProfile(): void {
    if (!this.profile) {
      this.post({ type: 'empty', message: this.emptyText });
      return;
    }
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    // Binary: VS Code (since 1.57) carries ArrayBuffers to webviews without turning them into JSON.
    const compare = this.compare;
    this.post({
      type: 'profile',
      profile: encodeProfile(this.profile, { binary: true }),
      focus,
      compare: compare
        ? encodeCompare(
            compare.diff,
            compare.before,
            { beforeLabel: compare.beforeLabel, afterLabel: compare.afterLabel },
            { binary: true },
          )
        : undefined,
    });
    const marks = this.pendingMarks;
    this.pendingMarks = undefined;
    if (marks) {
      marks.posted = epochNow();
      recordFlameTimings({ nodes: this.profile.tree.size, marks });
    }
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private onMessage(message: unknown): void {
    if (!isWebviewToHost(message)) return;
    switch (message.type) {
      case 'ready':
        if (this.pendingMarks) this.pendingMarks.ready = epochNow();
        this.ready = true;
        this.sendProfile();
        break;
      case 'openSource':
        void this.openSource(message.file, message.line1);
        break;
      case 'error':
        if (!this.reported.has(message.message)) {
          this.reported.add(message.message);
          void vscode.window.showErrorMessage(`Heatlens flame graph: ${message.message}`);
        }
        break;
    }
  }

  private async openSource(file: string, line1: number): Promise<void> {
    // Open only files the profile names: the page is sandboxed, but the host trusts no message.
    if (!this.profile?.frames.some((f) => f.file === file) || !path.isAbsolute(file)) return;
    const target = (await resolveRecordedPath(file)) ?? file;
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(target));
      const line0 = Math.min(line1ToEditorLine0(line1), Math.max(0, doc.lineCount - 1));
      const pos = new vscode.Position(line0, 0);
      await vscode.window.showTextDocument(doc, {
        viewColumn: vscode.ViewColumn.One,
        selection: new vscode.Range(pos, pos),
        preserveFocus: false,
      });
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Heatlens could not open ${file}: ${(e as Error).message}. The profile may have been recorded on another machine, or the file has moved since.`,
      );
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    return flameHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
  }

  dispose(): void {
    const list = this.disposables.splice(0);
    for (const d of list) d.dispose();
  }
}

/**
 * The flame graph webview panel. One panel is reused: showing another profile replaces the one
 * shown, and focusing a function in the same profile sends only a small message.
 */
export class FlamePanel implements vscode.Disposable {
  private static current: FlamePanel | undefined;
  private readonly host: FlameHost;
  private readonly subscription: vscode.Disposable;

  /** Shows `profile` in the panel (creating or revealing it). */
  static show(
    context: vscode.ExtensionContext,
    profile: Profile,
    options: FlamePanelOptions = {},
  ): FlamePanel {
    const focus: FlameFocus | undefined =
      options.focusFrameId !== undefined
        ? { frameId: options.focusFrameId, view: options.focusView }
        : undefined;
    let panel = FlamePanel.current;
    if (panel) {
      panel.panel.reveal(
        panel.panel.viewColumn ?? vscode.ViewColumn.Beside,
        options.preserveFocus ?? false,
      );
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(
        VIEW_TYPE,
        options.title ?? DEFAULT_TITLE,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
        webviewOptions(context),
      );
      panel = new FlamePanel(context, webviewPanel);
    }
    if (options.marks) options.marks.created = epochNow();
    if (options.title) panel.panel.title = options.title;
    panel.host.setProfile(profile, focus, options.compare, options.marks);
    return panel;
  }

  private constructor(
    context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    profile?: Profile,
  ) {
    FlamePanel.current = this;
    this.host = new FlameHost(context, panel, profile);
    this.subscription = panel.onDidDispose(() => this.dispose());
  }

  /** Takes over a panel VS Code restored after a reload (see {@link registerFlameSerializer}). */
  static revive(
    context: vscode.ExtensionContext,
    webviewPanel: vscode.WebviewPanel,
    profile: Profile | undefined,
  ): FlamePanel {
    FlamePanel.current?.dispose();
    return new FlamePanel(context, webviewPanel, profile);
  }

  dispose(): void {
    if (FlamePanel.current === this) FlamePanel.current = undefined;
    this.subscription.dispose();
    this.host.dispose();
    this.panel.dispose();
  }
}

/** The options every Heatlens webview needs: scripts, and only the extension's own files. */
export function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
  };
}

/**
 * Restores the flame graph panel after VS Code reloads the window. The page restores its own UI
 * state (`getState`); the host sends it the current profile, or says there is none. Needs the
 * activation event `onWebviewPanel:heatlens.flame` in package.json.
 */
export function registerFlameSerializer(
  context: vscode.ExtensionContext,
  getProfile: () => Profile | undefined,
): vscode.Disposable {
  const registration = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      FlamePanel.revive(context, panel, getProfile());
    },
  });
  context.subscriptions.push(registration);
  return registration;
}
