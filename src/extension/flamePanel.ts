import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { line1ToEditorLine0 } from '../core/positions';
import { flameHtml } from '../shared/flameHtml';
import { isWebviewToHost, type FlameFocus, type HostToWebview } from '../shared/protocol';
import { encodeProfile } from '../shared/wire';

const VIEW_TYPE = 'heatlens.flame';
const DEFAULT_TITLE = 'Heatlens: Flame Graph';

/** Options of {@link FlamePanel.show}. */
export interface FlamePanelOptions {
  /** A frame id to focus (zoom to its heaviest occurrence, or its sandwich with `focusView`). */
  focusFrameId?: number;
  /** 'sandwich' shows the focused function's callers and callees; default 'flame'. */
  focusView?: 'flame' | 'sandwich';
  /** The panel's tab title. */
  title?: string;
}

/**
 * The flame graph webview panel. One panel is reused: showing another profile replaces the one
 * shown, and focusing a function in the same profile sends only a small message.
 */
export class FlamePanel implements vscode.Disposable {
  private static current: FlamePanel | undefined;
  private profile: Profile | undefined;
  private pendingFocus: FlameFocus | undefined;
  private ready = false;
  private readonly reported = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

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
      panel.panel.reveal(panel.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(
        VIEW_TYPE,
        options.title ?? DEFAULT_TITLE,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        webviewOptions(context),
      );
      panel = new FlamePanel(context, webviewPanel);
    }
    if (options.title) panel.panel.title = options.title;
    panel.setProfile(profile, focus);
    return panel;
  }

  private constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
  ) {
    FlamePanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.options = webviewOptions(context);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'theme' })),
    );
  }

  /** Takes over a panel VS Code restored after a reload (see {@link registerFlameSerializer}). */
  static revive(
    context: vscode.ExtensionContext,
    webviewPanel: vscode.WebviewPanel,
    profile: Profile | undefined,
  ): FlamePanel {
    FlamePanel.current?.dispose();
    const panel = new FlamePanel(context, webviewPanel);
    panel.profile = profile;
    return panel;
  }

  private setProfile(profile: Profile, focus: FlameFocus | undefined): void {
    if (profile === this.profile && this.ready) {
      if (focus) this.post({ type: 'focus', ...focus });
      return;
    }
    this.profile = profile;
    this.pendingFocus = focus;
    if (this.ready) this.sendProfile();
  }

  private sendProfile(): void {
    if (!this.profile) {
      this.post({
        type: 'empty',
        message:
          'There is no profile to show in this window yet. Run "Heatlens: Profile Current File" or open a profile file.',
      });
      return;
    }
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    // Binary: VS Code (since 1.57) carries ArrayBuffers to webviews without turning them into JSON.
    this.post({ type: 'profile', profile: encodeProfile(this.profile, { binary: true }), focus });
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private onMessage(message: unknown): void {
    if (!isWebviewToHost(message)) return;
    switch (message.type) {
      case 'ready':
        // Sent on every load of the page (also after the panel was hidden and shown again).
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
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
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
    if (FlamePanel.current === this) FlamePanel.current = undefined;
    const list = this.disposables.splice(0);
    for (const d of list) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
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
