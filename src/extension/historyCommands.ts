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
  const tree = new RunsTreeProvider(history);
  const view = vscode.window.createTreeView(RUNS_VIEW, {
    treeDataProvider: tree,
    canSelectMany: true,
    showCollapseAll: true,
  });
  // Which files have two runs to compare: enables "Compare with Previous Run" in their title bar.
  const updateContext = async () => {
    const counts = new Map<string, { file: string; n: number }>();
    for (const r of await history.list()) {
      const c = counts.get(pathKey(r.file)) ?? { file: r.file, n: 0 };
      c.n++;
      counts.set(pathKey(r.file), c);
    }
    const comparable = [...counts.values()].filter((c) => c.n >= 2).map((c) => c.file);
    await vscode.commands.executeCommand('setContext', 'heatlens.comparableFiles', comparable);
  };
  void updateContext();
  // The last normalisation asked for with the toggle; 'auto' until then.
  let preferred: Normalisation | 'auto' = 'auto';

  const compare = async (a: RunRecord, b: RunRecord): Promise<void> => {
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
          preferred,
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
    showComparisonFlame(context, comparison);
    presenter.showComparison(comparison);
  };

  const recordOf = async (node: unknown, placeHolder: string): Promise<RunRecord | undefined> => {
    if (isRunNode(node)) return node.record;
    return pickRun(await history.list(), placeHolder);
  };

  const pickRun = async (
    runs: readonly RunRecord[],
    placeHolder: string,
    firstFile?: string,
  ): Promise<RunRecord | undefined> => {
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
  };

  /** Compares a run (from the view, or picked) with another one picked from the history. */
  const compareWith = async (node: unknown): Promise<void> => {
    const all = await history.list();
    const first = isRunNode(node)
      ? node.record
      : await pickRun(
          all,
          'Pick the first run to compare',
          vscode.window.activeTextEditor?.document.uri.fsPath,
        );
    if (!first) return;
    const second = await pickRun(
      all.filter((r) => r.id !== first.id),
      `Compare ${runLabel(first)} with…`,
      first.file,
    );
    if (second) await compare(first, second);
  };

  context.subscriptions.push(
    tree,
    view,
    history,
    history.onDidChange(() => void updateContext()),
    vscode.commands.registerCommand('heatlens.history.open', async (node?: unknown) => {
      const record = await recordOf(node, 'Pick a run to open');
      if (!record) return;
      try {
        const profile = await history.load(record.id);
        presenter.show(profile, {
          label: runLabel(record),
          file: record.file,
          durationMs: record.durationMs,
          outcome: record.outcome,
        });
        await vscode.commands.executeCommand('heatlens.showFlameGraph');
      } catch (err) {
        void vscode.window.showErrorMessage(`Heatlens: ${(err as Error).message}`);
      }
    }),
    vscode.commands.registerCommand(
      'heatlens.history.delete',
      async (node?: unknown, selected?: unknown) => {
        const nodes = Array.isArray(selected) && selected.length ? selected : [node];
        const records = nodes.filter(isRunNode).map((n) => n.record);
        if (records.length === 0) {
          const r = await recordOf(undefined, 'Pick a run to delete');
          if (r) records.push(r);
        }
        for (const r of records) await history.delete(r.id);
      },
    ),
    vscode.commands.registerCommand('heatlens.history.clear', async () => {
      const runs = await history.list();
      if (runs.length === 0) return;
      const choice = await vscode.window.showWarningMessage(
        `Delete all ${runs.length} stored Heatlens ${runs.length === 1 ? 'run' : 'runs'}?`,
        { modal: true },
        'Delete All',
      );
      if (choice === 'Delete All') await history.clear();
    }),
    vscode.commands.registerCommand(
      'heatlens.history.compareWithPrevious',
      async (node?: unknown) => {
        const record = await recordOf(node, 'Pick a run to compare with the run before it');
        if (!record) return;
        const previous = await history.previous(record);
        if (!previous) {
          void vscode.window.showInformationMessage(
            `Heatlens has no run of ${path.basename(record.file)} before ${runTime(record.startedAt)} to compare with.`,
          );
          return;
        }
        await compare(previous, record);
      },
    ),
    vscode.commands.registerCommand('heatlens.compareRuns', (node?: unknown) => compareWith(node)),
    vscode.commands.registerCommand('heatlens.history.compareWith', (node?: unknown) =>
      compareWith(node),
    ),
    vscode.commands.registerCommand('heatlens.compareWithPrevious', async (uri?: unknown) => {
      // The file of the editor (or of the editor title menu it was run from), else the last run's.
      const file =
        uri instanceof vscode.Uri && uri.scheme === 'file'
          ? uri.fsPath
          : vscode.window.activeTextEditor?.document.uri.scheme === 'file'
            ? vscode.window.activeTextEditor.document.uri.fsPath
            : (await history.list())[0]?.file;
      const runs = file ? await history.list(file) : [];
      if (runs.length < 2) {
        const name = file ? path.basename(file) : 'this file';
        void vscode.window.showInformationMessage(
          `Heatlens needs two runs of ${name} to compare; it has ${runs.length}. ` +
            'Run "Heatlens: Profile Current File" (again) first.',
        );
        return;
      }
      await compare(runs[1], runs[0]);
    }),
    vscode.commands.registerCommand('heatlens.toggleCompareNormalisation', async () => {
      const shown = presenter.comparison;
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
      preferred = next;
      if (flamePanelOpen()) showComparisonFlame(context, toggled);
      presenter.showComparison(toggled);
    }),
  );

  return {
    list: (file) => history.list(file),
    comparison(file) {
      const shown = presenter.comparison;
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
    },
  };
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
