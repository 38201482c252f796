import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import type { Presenter } from './controller';
import { FlameHost } from './flamePanel';
import { loadProfileFile } from './loadProfile';
import { offerOutsideFiles } from './openedSources';

/** The view type of the profile file editor (package.json `customEditors`). */
export const PROFILE_EDITOR = 'heatlens.profile';
/**
 * The same editor for names any file may have (`*.txt`, `*.json`, `*.gz`): offered under
 * "Reopen Editor With...", never the default for them.
 */
export const PROFILE_EDITOR_ANY = 'heatlens.profileAny';

/** A profile file opened in the editor: what was read, or why it could not be. */
class ProfileDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<Profile>();
  /** Fires when the profile is mapped again (the person let Heatlens read outside files). */
  readonly onDidChangeProfile = this.changed.event;

  constructor(
    readonly uri: vscode.Uri,
    public profile: Profile | undefined,
    readonly label: string,
    readonly problem: string | undefined,
  ) {}

  replaceProfile(profile: Profile): void {
    this.profile = profile;
    this.changed.fire(profile);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The read-only editor of profile files (.cpuprofile, pstats, callgrind, speedscope, collapsed
 * stacks, pprof, Chrome traces): the flame graph fills the editor, and the source files the
 * profile names light up (heat, CodeLens) while its tab is active.
 */
export class ProfileEditorProvider implements vscode.CustomReadonlyEditorProvider<ProfileDocument> {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly presenter: Presenter,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** Registers the provider under both view types; the page reloads its state when shown again. */
  static register(
    context: vscode.ExtensionContext,
    presenter: Presenter,
    output: vscode.OutputChannel,
  ): vscode.Disposable {
    const provider = new ProfileEditorProvider(context, presenter, output);
    const options = { supportsMultipleEditorsPerDocument: true };
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(PROFILE_EDITOR, provider, options),
      vscode.window.registerCustomEditorProvider(PROFILE_EDITOR_ANY, provider, options),
    );
  }

  async openCustomDocument(
    uri: vscode.Uri,
    _context: vscode.CustomDocumentOpenContext,
    token: vscode.CancellationToken,
  ): Promise<ProfileDocument> {
    const name = path.basename(uri.fsPath);
    if (uri.scheme !== 'file') {
      return new ProfileDocument(
        uri,
        undefined,
        name,
        'Heatlens reads profiles from local files only.',
      );
    }
    try {
      const loaded = await loadProfileFile(uri.fsPath, this.output, token);
      if (!loaded) return new ProfileDocument(uri, undefined, name, 'No profile was chosen.');
      const document = new ProfileDocument(uri, loaded.profile, loaded.label, undefined);
      // Shown now with the workspace's source maps; the files outside only if the person says so.
      void offerOutsideFiles(name, loaded.remap, this.output).then(
        (all) => all && document.replaceProfile(all),
        (err: unknown) => this.output.appendLine(`[heatlens] ${name}: ${String(err)}`),
      );
      return document;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.appendLine(`[heatlens] ${name}: ${message}`);
      void vscode.window.showErrorMessage(`Heatlens could not open ${name}: ${message}`);
      return new ProfileDocument(uri, undefined, name, message);
    }
  }

  resolveCustomEditor(document: ProfileDocument, panel: vscode.WebviewPanel): void {
    const host = new FlameHost(this.context, panel, document.profile);
    if (!document.profile) {
      host.setEmpty(
        `Heatlens could not show ${path.basename(document.uri.fsPath)}: ${document.problem ?? 'unknown error'}`,
      );
    }
    const light = () => {
      if (document.profile && this.presenter.current?.profile !== document.profile) {
        this.presenter.show(document.profile, { label: document.label, file: document.uri.fsPath });
      }
    };
    light();
    const subscriptions = [
      panel.onDidChangeViewState(() => {
        if (panel.active) light();
      }),
      document.onDidChangeProfile((profile) => {
        host.setProfile(profile);
        if (panel.active) light();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      host.dispose();
    });
  }
}
