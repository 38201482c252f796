import * as vscode from 'vscode';
import * as path from 'node:path';
import { formatWeight } from '../core/format';
import type { RunHistory, RunRecord } from './history';
import { codeBlock, MarkdownBuilder, safeMarkdown } from './markdown';
import { pathKey } from '../core/paths';

/** A row of the Runs view: a profiled file, or one run of it. */
export type RunsNode =
  | { readonly kind: 'file'; readonly file: string; readonly runs: readonly RunRecord[] }
  | { readonly kind: 'run'; readonly record: RunRecord };

/** "Jul 3, 14:03:12": when a run started, short enough for a tree row. */
export function runTime(startedAt: number): string {
  return new Date(startedAt).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** "primes.js, Jul 3, 14:03:12": how a run is named in comparisons and the flame graph. */
export function runLabel(record: RunRecord): string {
  return `${path.basename(record.file)}, ${runTime(record.startedAt)}`;
}

/** "1.23 s · v8", "840 ms · cprofile · failed": what a run row says after its time. */
export function runDescription(record: RunRecord): string {
  const parts = [formatWeight(record.durationMs * 1000, 'microseconds')];
  parts.push(
    record.mode && record.mode !== record.profiler
      ? `${record.profiler} (${record.mode})`
      : record.profiler,
  );
  if (record.outcome !== 'exited') parts.push(record.outcome);
  return parts.join(' · ');
}

/**
 * The "Runs" view: every stored run grouped by the file it profiled, files with the newest run
 * first, runs newest first. Clicking a run opens it; its context menu compares or deletes it.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly history: RunHistory) {
    this.subscription = history.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (node?.kind === 'run') return [];
    if (node?.kind === 'file') return node.runs.map((record) => ({ kind: 'run', record }));
    const groups = new Map<string, RunRecord[]>();
    // list() is newest first, so groups come out ordered by their newest run.
    for (const r of await this.history.list()) {
      const key = pathKey(r.file);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    return [...groups.values()].map((runs) => ({ kind: 'file', file: runs[0].file, runs }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(
        path.basename(node.file),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.id = `file:${pathKey(node.file)}`;
      item.resourceUri = vscode.Uri.file(node.file);
      item.iconPath = vscode.ThemeIcon.File;
      // The folder, workspace-relative when it is in the workspace ("js"), else absolute.
      const dir = path.dirname(vscode.workspace.asRelativePath(node.file, false));
      const count = `${node.runs.length} ${node.runs.length === 1 ? 'run' : 'runs'}`;
      item.description = dir === '.' ? count : `${dir} · ${count}`;
      item.tooltip = node.file;
      item.contextValue = 'heatlensRunFile';
      return item;
    }
    const r = node.record;
    const item = new vscode.TreeItem(runTime(r.startedAt), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.id}`;
    item.description = runDescription(r);
    item.iconPath = new vscode.ThemeIcon(
      r.outcome === 'failed' ? 'error' : r.outcome === 'cancelled' ? 'debug-stop' : 'flame',
    );
    // The file name and the command line are data: escaped (see markdown.ts).
    const md = new MarkdownBuilder();
    md.add(
      safeMarkdown`**${path.basename(r.file)}** · ${new Date(r.startedAt).toLocaleString()}\n\n`,
    );
    md.add(safeMarkdown`${runDescription(r)} · profile total ${formatWeight(r.total, r.unit)}\n\n`);
    if (r.command.length) md.add(codeBlock(r.command.join(' '), 'shell'));
    item.tooltip = md.build();
    item.contextValue = 'heatlensRun';
    item.command = {
      command: 'heatlens.history.open',
      title: 'Open Run',
      arguments: [node],
    };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
