import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Normalisation } from '../core/diff';
import { ShownComparison } from './compare';
import type { Change } from '../shared/compareText';
import {
  functionDeltaTitle,
  functionMatters,
  normalisationName,
  significanceSummary,
} from '../shared/compareText';
import type { Presenter } from './controller';
import { FlamePanel } from './flamePanel';
import type { RunHistory, RunRecord } from './history';
import { pathKey } from '../core/paths';
import { beforeLineMapper } from '../store/runSources';
import { runDescription, runLabel, runTime, RunsTreeProvider, type RunsNode } from './runsView';
import { setting } from './settings';

/** What the run history offers to tests and other extensions (part of the activate() API). */
export interface HistoryApi {
  /** Stored runs, newest first; only those of `file` when given. */
  list(file?: string): Promise<readonly RunRecord[]>;
  /** What the editor shows of the comparison now shown, for one file; undefined when none. */
  comparison(file: string): ComparisonSnapshot | undefined;
}

/** The comparison shown, as the editor shows it for one file (lines and functions are 1-based). */
export interface ComparisonSnapshot {
  readonly before: string;
  readonly after: string;
  readonly normalisation: 'normalised by typical change' | 'normalised by total' | 'absolute';
  /** The status bar's verdict ("no change beyond noise", "1 line changed beyond noise"). */
  readonly verdict: string;
  readonly lines: readonly {
    line1: number;
    change: Change;
    label?: string;
    significant: boolean;
    z: number;
  }[];
  readonly functions: readonly {
    line1: number;
    name: string;
    title: string;
    significant: boolean;
    z: number;
  }[];
}

/** The view's id (package.json `contributes.views`). */
export const RUNS_VIEW = 'heatlens.runs';

/**
 * Registers the Runs view and the history and comparison commands. Returns the history part of
 * the extension's API.
 */
export function registerHistory(
  context: vscode.ExtensionContext,
  presenter: Presenter,
  history: RunHistory,
): HistoryApi {
  return new HistoryCommands(context, presenter, history).register();
}

/** The Runs view and the history and comparison commands: one method per command. */
class HistoryCommands {
  /** The last normalisation asked for with the toggle; 'auto' until then. */
  private preferred: Normalisation | 'auto' = 'auto';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly presenter: Presenter,
    private readonly history: RunHistory,
  ) {}

  /** Creates the view, registers the commands, and returns the history part of the API. */
  register(): HistoryApi {
    const history = this.history;
    const tree = new RunsTreeProvider(history);
    const view = vscode.window.createTreeView(RUNS_VIEW, {
      treeDataProvider: tree,
      canSelectMany: true,
      showCollapseAll: true,
    });
    void this.updateContext();
    const command = (id: string, run: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, run);
    this.context.subscriptions.push(
      tree,
      view,
      history,
      history.onDidChange(() => void this.updateContext()),
      command('heatlens.history.open', (node) => this.openRun(node)),
      command('heatlens.history.delete', (node, selected) => this.deleteRuns(node, selected)),
      command('heatlens.history.clear', () => this.clearRuns()),
      command('heatlens.history.compareWithPrevious', (node) => this.compareWithItsPrevious(node)),
      command('heatlens.compareRuns', (node) => this.compareWith(node)),
      command('heatlens.history.compareWith', (node) => this.compareWith(node)),
      command('heatlens.compareWithPrevious', (uri) => this.compareFileWithPrevious(uri)),
      command('heatlens.toggleCompareNormalisation', () => this.toggleNormalisation()),
    );
    return {
      list: (file) => history.list(file),
      comparison: (file) => this.snapshot(file),
    };
  }

  /** Which files have two runs to compare: enables "Compare with Previous Run" in their title bar. */
  private async updateContext(): Promise<void> {
    const counts = new Map<string, { file: string; n: number }>();
    for (const r of await this.history.list()) {
      const c = counts.get(pathKey(r.file)) ?? { file: r.file, n: 0 };
      c.n++;
      counts.set(pathKey(r.file), c);
    }
    const comparable = [...counts.values()].filter((c) => c.n >= 2).map((c) => c.file);
    await vscode.commands.executeCommand('setContext', 'heatlens.comparableFiles', comparable);
  }

  /** Shows the comparison of two runs, the older one as before. */
  private async compare(a: RunRecord, b: RunRecord): Promise<void> {
    const history = this.history;
    const [before, after] = a.startedAt <= b.startedAt ? [a, b] : [b, a];
    let comparison: ShownComparison;
    try {
      const [bp, ap, bs, as] = await Promise.all([
        history.load(before.id),
        history.load(after.id),
        history.loadSources(before.id),
        history.loadSources(after.id),
      ]);
      // Lines follow the edits made between the runs where both kept the file's text.
      const mapBeforeLine = beforeLineMapper(bs, as);
      const side = (record: RunRecord, profile: typeof bp) => ({
        profile,
        record,
        label: runLabel(record),
      });
      try {
        comparison = new ShownComparison(
          side(before, bp),
          side(after, ap),
          this.preferred,
          mapBeforeLine,
        );
      } catch {
        // Units that do not convert (samples against time) compare only normalised by total.
        comparison = new ShownComparison(side(before, bp), side(after, ap), 'auto', mapBeforeLine);
      }
    } catch (err) {
      void vscode.window.showErrorMessage(`Heatlens: ${(err as Error).message}`);
      return;
    }
    showComparisonFlame(this.context, comparison);
    this.presenter.showComparison(comparison);
  }

  /** The run of a Runs view node, else one picked from the history. */
  private async recordOf(node: unknown, placeHolder: string): Promise<RunRecord | undefined> {
    if (isRunNode(node)) return node.record;
    return this.pickRun(await this.history.list(), placeHolder);
  }

  private async pickRun(
    runs: readonly RunRecord[],
    placeHolder: string,
    firstFile?: string,
  ): Promise<RunRecord | undefined> {
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(
        'Heatlens has no stored runs. Run "Heatlens: Profile Current File" first.',
      );
      return undefined;
    }
    // Runs of the same file first: the usual comparison is of one program before and after an edit.
    const key = firstFile && pathKey(firstFile);
    const sorted = key
      ? [
          ...runs.filter((r) => pathKey(r.file) === key),
          ...runs.filter((r) => pathKey(r.file) !== key),
        ]
      : runs;
    const picked = await vscode.window.showQuickPick(
      sorted.map((record) => ({
        label: `${path.basename(record.file)}  ${runTime(record.startedAt)}`,
        description: runDescription(record),
        detail: vscode.workspace.asRelativePath(record.file),
        record,
      })),
      { placeHolder, matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.record;
  }

  /** Compares a run (from the view, or picked) with another one picked from the history. */
  private async compareWith(node: unknown): Promise<void> {
    const all = await this.history.list();
    const first = isRunNode(node)
      ? node.record
      : await this.pickRun(
          all,
          'Pick the first run to compare',
          vscode.window.activeTextEditor?.document.uri.fsPath,
        );
    if (!first) return;
    const second = await this.pickRun(
      all.filter((r) => r.id !== first.id),
      `Compare ${runLabel(first)} with…`,
      first.file,
    );
    if (second) await this.compare(first, second);
  }

  /** `heatlens.history.open`: shows a stored run and its flame graph. */
  private async openRun(node: unknown): Promise<void> {
    const record = await this.recordOf(node, 'Pick a run to open');
    if (!record) return;
    try {
      const profile = await this.history.load(record.id);
      this.presenter.show(profile, {
        label: runLabel(record),
        file: record.file,
        durationMs: record.durationMs,
        outcome: record.outcome,
      });
      await vscode.commands.executeCommand('heatlens.showFlameGraph');
    } catch (err) {
      void vscode.window.showErrorMessage(`Heatlens: ${(err as Error).message}`);
    }
  }

  /** `heatlens.history.delete`: the runs selected in the view, else one picked. */
  private async deleteRuns(node: unknown, selected: unknown): Promise<void> {
    const nodes = Array.isArray(selected) && selected.length ? selected : [node];
    const records = nodes.filter(isRunNode).map((n) => n.record);
    if (records.length === 0) {
      const r = await this.recordOf(undefined, 'Pick a run to delete');
      if (r) records.push(r);
    }
    for (const r of records) await this.history.delete(r.id);
  }

  /** `heatlens.history.clear`: every stored run, once the person confirms. */
  private async clearRuns(): Promise<void> {
    const runs = await this.history.list();
    if (runs.length === 0) return;
    const choice = await vscode.window.showWarningMessage(
      `Delete all ${runs.length} stored Heatlens ${runs.length === 1 ? 'run' : 'runs'}?`,
      { modal: true },
      'Delete All',
    );
    if (choice === 'Delete All') await this.history.clear();
  }

  /** `heatlens.history.compareWithPrevious`: a run against the run of its file before it. */
  private async compareWithItsPrevious(node: unknown): Promise<void> {
    const record = await this.recordOf(node, 'Pick a run to compare with the run before it');
    if (!record) return;
    const previous = await this.history.previous(record);
    if (!previous) {
      void vscode.window.showInformationMessage(
        `Heatlens has no run of ${path.basename(record.file)} before ${runTime(record.startedAt)} to compare with.`,
      );
      return;
    }
    await this.compare(previous, record);
  }

  /** `heatlens.compareWithPrevious`: the last two runs of a file. */
  private async compareFileWithPrevious(uri: unknown): Promise<void> {
    // The file of the editor (or of the editor title menu it was run from), else the last run's.
    const file =
      uri instanceof vscode.Uri && uri.scheme === 'file'
        ? uri.fsPath
        : vscode.window.activeTextEditor?.document.uri.scheme === 'file'
          ? vscode.window.activeTextEditor.document.uri.fsPath
          : (await this.history.list())[0]?.file;
    const runs = file ? await this.history.list(file) : [];
    if (runs.length < 2) {
      const name = file ? path.basename(file) : 'this file';
      void vscode.window.showInformationMessage(
        `Heatlens needs two runs of ${name} to compare; it has ${runs.length}. ` +
          'Run "Heatlens: Profile Current File" (again) first.',
      );
      return;
    }
    await this.compare(runs[1], runs[0]);
  }

  /** `heatlens.toggleCompareNormalisation`: the comparison shown, normalised the next way. */
  private async toggleNormalisation(): Promise<void> {
    const shown = this.presenter.comparison;
    if (!shown) {
      void vscode.window.showInformationMessage(
        'Heatlens is not showing a comparison. Run "Heatlens: Compare with Previous Run" first.',
      );
      return;
    }
    // Round the normalisations this comparison has: by the typical change (when known),
    // as measured (when the units convert), by total.
    const d = shown.diff;
    const order = (['typical', 'none', 'total'] as const).filter(
      (n) => (n !== 'typical' || d.typical !== null) && (n !== 'none' || d.beforeUnit === d.unit),
    );
    const next: Normalisation = order[(order.indexOf(d.normalisation) + 1) % order.length];
    let toggled: ShownComparison;
    try {
      toggled = shown.withNormalisation(next);
    } catch (err) {
      void vscode.window.showWarningMessage(`Heatlens: ${(err as Error).message}`);
      return;
    }
    this.preferred = next;
    if (flamePanelOpen()) showComparisonFlame(this.context, toggled);
    this.presenter.showComparison(toggled);
  }

  /** What the editor shows of the comparison for one file (the API's `comparison`). */
  private snapshot(file: string): ComparisonSnapshot | undefined {
    const shown = this.presenter.comparison;
    if (!shown) return undefined;
    const results = shown.forFile(file);
    if (!results) return undefined;
    const doc = vscode.workspace.textDocuments.find(
      (d) => d.uri.scheme === 'file' && pathKey(d.uri.fsPath) === pathKey(file),
    );
    const lines = shown.marks(file, doc?.lineCount);
    const threshold = setting('codeLens.threshold') / 100;
    return {
      before: shown.before.label,
      after: shown.after.label,
      normalisation: normalisationName(shown.diff) as ComparisonSnapshot['normalisation'],
      verdict: significanceSummary(shown.diff),
      lines: lines.map((m) => ({
        line1: m.item.line0 + 1,
        change: m.change,
        label: m.label,
        significant: m.item.delta.significant,
        z: m.item.delta.z,
      })),
      functions: results.functions
        .filter((f) => functionMatters(f.fn, shown.diff, threshold))
        .map((f) => ({
          line1: f.line0 + 1,
          name: f.fn.name,
          title: functionDeltaTitle(f.fn, shown.diff.unit),
          significant: f.fn.totalSignificant,
          z: f.fn.totalZ,
        })),
    };
  }
}

function isRunNode(node: unknown): node is Extract<RunsNode, { kind: 'run' }> {
  return (
    !!node &&
    typeof node === 'object' &&
    (node as { kind?: unknown }).kind === 'run' &&
    typeof (node as { record?: { id?: unknown } }).record?.id === 'string'
  );
}

/** True when the flame graph panel is open in some tab. */
function flamePanelOpen(): boolean {
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some(
      (t) =>
        t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('heatlens.flame'),
    ),
  );
}

/**
 * Opens the flame graph panel on a comparison: the differential view of the new run. The focus
 * stays in the editor, where the deltas are; this matters for CodeLens too: VS Code cancels a
 * pending CodeLens refresh when the editor loses focus and reruns it only when focus returns.
 */
export function showComparisonFlame(
  context: vscode.ExtensionContext,
  comparison: ShownComparison,
): FlamePanel {
  return FlamePanel.show(context, comparison.after.profile, {
    title: `Heatlens: ${path.basename(comparison.after.record?.file ?? comparison.after.label)} (compared)`,
    preserveFocus: true,
    compare: {
      before: comparison.before.profile,
      diff: comparison.diff,
      beforeLabel: comparison.before.label,
      afterLabel: comparison.after.label,
    },
  });
}
