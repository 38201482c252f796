import { isTimeUnit } from '../formats/exportUnits';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { callersAndCallees, type Neighbour } from '../core/callers';
import { formatCalls, formatShare, formatWeight } from '../core/format';
import { functionStats } from '../core/functionStats';
import type { Profile } from '../core/profile';
import { line1ToEditorLine0 } from '../core/positions';
import { HeatCodeLensProvider } from './codeLens';
import {
  DeltaCodeLensProvider,
  DeltaHoverProvider,
  DeltaPainter,
  type ShownComparison,
} from './compare';
import { changeList, compareStatusText } from '../shared/compareText';
import { describeNoise, describeNormalisation } from '../core/diff';
import { HeatPainter } from './heat';
import { HeatHoverProvider } from './hover';
import { ShownProfile, type RunInfo } from './results';
import { affects } from './settings';
import { resolveRecordedPath } from './recordedPath';
import { noIcons } from '../shared/markdownText';

/**
 * The documents Heatlens gives CodeLens and hovers: files on disk in any language. Profiles of
 * other tools name sources Heatlens does not run (Go through pprof, C through callgrind or perf),
 * and those light up like the rest; a document the shown profile does not name gets nothing.
 */
export const DECORATED_LANGUAGES: vscode.DocumentSelector = [{ scheme: 'file' }];

/**
 * Owns what the editor shows of the current profile: heat on every visible editor, CodeLens,
 * hovers and the status bar item. Everything it registers is disposed with it.
 *
 * It shows either one run (heat) or a comparison of two runs (deltas), never both: showing one
 * replaces the other, and Clear clears whichever is shown.
 */
export class Presenter implements vscode.Disposable {
  private shown: ShownProfile | undefined;
  private compared: ShownComparison | undefined;
  private readonly painter = new HeatPainter();
  private readonly lenses = new HeatCodeLensProvider(() => this.shown);
  private readonly deltaPainter = new DeltaPainter();
  private readonly deltaLenses = new DeltaCodeLensProvider(() => this.compared);
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private repaintTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.status = vscode.window.createStatusBarItem(
      'heatlens.status',
      vscode.StatusBarAlignment.Left,
      50,
    );
    this.status.name = 'Heatlens';
    this.disposables.push(
      this.painter,
      this.lenses,
      this.deltaPainter,
      this.deltaLenses,
      this.status,
      vscode.languages.registerCodeLensProvider(DECORATED_LANGUAGES, this.lenses),
      vscode.languages.registerCodeLensProvider(DECORATED_LANGUAGES, this.deltaLenses),
      vscode.languages.registerHoverProvider(
        DECORATED_LANGUAGES,
        new HeatHoverProvider(() => this.shown),
      ),
      vscode.languages.registerHoverProvider(
        DECORATED_LANGUAGES,
        new DeltaHoverProvider(() => this.compared),
      ),
      // Heat stays on a file across tab switches and re-opening: repaint whatever becomes visible.
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const e of editors) this.paint(e);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown?.applyEdit(e.document, e.contentChanges)) this.scheduleRepaint();
        if (this.compared?.applyEdit(e.document, e.contentChanges)) this.scheduleRepaint();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          affects(e, 'heat.enabled', 'heat.labelCount', 'heat.minShare', 'heat.scale') ||
          affects(e, 'compare.showNoise')
        )
          this.repaint();
        if (affects(e, 'codeLens.enabled', 'codeLens.threshold')) this.refreshLenses();
      }),
    );
  }

  get current(): ShownProfile | undefined {
    return this.shown;
  }

  /** The comparison shown instead of a single run, if any. */
  get comparison(): ShownComparison | undefined {
    return this.compared;
  }

  /** Shows a profile: heat, CodeLens and status bar. Replaces what was shown before. */
  show(profile: Profile, run: RunInfo): ShownProfile {
    this.shown = new ShownProfile(profile, run);
    this.compared = undefined;
    this.repaint();
    this.refreshLenses();
    this.updateStatus();
    return this.shown;
  }

  /** Shows a comparison of two runs (deltas per line and function). Replaces what was shown. */
  showComparison(comparison: ShownComparison): void {
    this.shown = undefined;
    this.compared = comparison;
    this.repaint();
    this.refreshLenses();
    this.updateStatus();
  }

  /** Removes every decoration, lens and the status item. */
  clear(): void {
    this.shown = undefined;
    this.compared = undefined;
    this.repaint();
    this.refreshLenses();
    this.status.hide();
  }

  /** Shows a function's callers and callees; picking one opens its source. */
  async showFunction(frameId: number): Promise<void> {
    const shown = this.shown;
    if (!shown) {
      void vscode.window.showInformationMessage(
        'Heatlens: there is no profile to show. Run "Heatlens: Profile Current File" first.',
      );
      return;
    }
    const frame = shown.frame(frameId);
    const stat = functionStats(shown.profile).find((s) => s.frameId === frameId);
    const unit = shown.profile.meta.unit;
    const { callers, callees } = callersAndCallees(shown.profile, frameId);
    type Item = vscode.QuickPickItem & { neighbour?: Neighbour };
    const item = (n: Neighbour): Item => ({
      label: noIcons(n.frame.name || '(anonymous)'),
      description: n.frame.file
        ? noIcons(`${vscode.workspace.asRelativePath(n.frame.file)}:${n.frame.line1 ?? '?'}`)
        : n.frame.kind,
      detail: `${formatWeight(n.weight, unit)} · ${formatShare(n.weight, shown.total)}${n.calls !== null ? ` · ${formatCalls(n.calls)}` : ''}`,
      neighbour: n,
    });
    const items: Item[] = [
      { label: 'Callers', kind: vscode.QuickPickItemKind.Separator },
      ...(callers.length
        ? callers.map(item)
        : [{ label: '(no callers: called from the top level)' }]),
      { label: 'Callees', kind: vscode.QuickPickItemKind.Separator },
      ...(callees.length ? callees.map(item) : [{ label: '(calls nothing that was sampled)' }]),
    ];
    const title = stat
      ? `${frame.name || '(anonymous)'}: ${formatShare(stat.total, shown.total)} total (${formatWeight(stat.total, unit)}), ${formatShare(stat.self, shown.total)} self (${formatWeight(stat.self, unit)})`
      : frame.name;
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Pick a caller or callee to open its source',
      matchOnDescription: true,
    });
    const target = picked?.neighbour?.frame;
    if (target?.file && target.line1 !== null) await openAt(target.file, target.line1);
  }

  /** Opens the hottest function of the shown profile. */
  async showHottest(): Promise<void> {
    const hottest = this.shown?.hottestFunction();
    if (hottest) await this.showFunction(hottest.frameId);
  }

  private updateStatus(): void {
    const compared = this.compared;
    if (compared) {
      this.status.text = compareStatusText(compared.diff);
      this.status.tooltip =
        `Heatlens: ${compared.after.label} compared with ${compared.before.label}, ` +
        `${describeNormalisation(compared.diff)}.\n${describeNoise(compared.diff)}\n` +
        changeList(compared.diff)
          .map((c) => `${c}\n`)
          .join('') +
        'Click to switch the normalisation (typical change, absolute, by total).';
      this.status.command = 'heatlens.toggleCompareNormalisation';
      this.status.show();
      return;
    }
    const shown = this.shown;
    if (!shown) return this.status.hide();
    const hottest = shown.hottestFunction();
    // A time profile says how long the run took; a memory (or count) profile says its total in
    // its own unit, as the labels, CodeLens and the CLI do.
    const unit = shown.profile.meta.unit;
    const duration =
      shown.run.durationMs !== undefined && isTimeUnit(unit)
        ? formatWeight(shown.run.durationMs * 1000, 'microseconds')
        : formatWeight(shown.total, unit);
    this.status.text = `$(flame) ${duration}${hottest ? ` · ${noIcons(hottest.frame.name)} ${formatShare(hottest.self, shown.total)} self` : ''}`;
    this.status.tooltip = `Heatlens: ${shown.run.label}${hottest ? `\nHottest function: ${hottest.frame.name}, ${formatShare(hottest.self, shown.total)} of the run in its own code, ${formatShare(hottest.total, shown.total)} with what it calls` : ''}\nClick for its callers and callees.`;
    this.status.command = 'heatlens.showHottest';
    this.status.show();
  }

  private paint(editor: vscode.TextEditor): void {
    this.painter.paint(editor, this.shown);
    this.deltaPainter.paint(editor, this.compared);
  }

  private repaint(): void {
    for (const editor of vscode.window.visibleTextEditors) this.paint(editor);
  }

  private refreshLenses(): void {
    this.lenses.refresh();
    this.deltaLenses.refresh();
  }

  private scheduleRepaint(): void {
    // Decorations already move with the text; repainting (for labels and merged lines) can wait
    // until the person stops typing.
    if (this.repaintTimer) clearTimeout(this.repaintTimer);
    this.repaintTimer = setTimeout(() => {
      this.repaintTimer = undefined;
      this.repaint();
      this.refreshLenses();
    }, 300);
  }

  dispose(): void {
    if (this.repaintTimer) clearTimeout(this.repaintTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Opens a file at a 1-based line. A profile recorded elsewhere names paths that do not exist
 * here: the workspace's copy opens instead (recordedPath.ts), or a message says what is missing.
 */
export async function openAt(file: string, line1: number): Promise<void> {
  const local = await resolveRecordedPath(file);
  if (!local) {
    // The path comes from the profile: a notification renders `[text](link)` as a link, so it
    // names only the file's base name, without brackets or parentheses.
    const name = path.basename(file).replace(/[[\]()]/g, '');
    void vscode.window.showWarningMessage(
      `Heatlens: the profile's file "${name}" is not on this machine or in the workspace, so it cannot be opened.`,
    );
    return;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(local));
  const line0 = Math.min(line1ToEditorLine0(line1), doc.lineCount - 1);
  const pos = new vscode.Position(line0, 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
}
