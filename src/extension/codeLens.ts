import * as vscode from 'vscode';
import { formatCalls, formatShare, formatWeight } from '../core/format';
import type { FunctionStat } from '../core/functionStats';
import type { ShownProfile } from './results';
import { setting } from './settings';

/** The CodeLens title for a function: total and self share and time, and calls when counted. */
export function functionLensTitle(stat: FunctionStat, shown: ShownProfile): string {
  const unit = shown.profile.meta.unit;
  const parts = [
    `$(flame) ${formatShare(stat.total, shown.total)} total (${formatWeight(stat.total, unit)})`,
    `${formatShare(stat.self, shown.total)} self (${formatWeight(stat.self, unit)})`,
  ];
  if (stat.calls !== null) parts.push(formatCalls(stat.calls));
  return parts.join(' · ');
}

/** CodeLens above the functions whose total share passes `heatlens.codeLens.threshold`. */
export class HeatCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly current: () => ShownProfile | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const shown = this.current();
    if (!shown || !setting('codeLens.enabled') || shown.total <= 0) return [];
    const results = shown.forDocument(doc);
    if (!results) return [];
    const threshold = setting('codeLens.threshold') / 100;
    const lenses: vscode.CodeLens[] = [];
    const seen = new Set<string>();
    for (const { line0, stat } of results.functions) {
      if (line0 >= doc.lineCount || stat.total / shown.total < threshold) continue;
      // Several frames can start on one line (a callback defined inline): one lens per function.
      const key = `${line0}:${stat.frame.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line0, 0, line0, 0), {
          title: functionLensTitle(stat, shown),
          tooltip: `Heatlens: open the flame graph zoomed to ${stat.frame.name || '(anonymous)'} (its callers and callees: the Sandwich view)`,
          command: 'heatlens.showFlameGraph',
          // The flame graph, as README promises: zoomed to the function's heaviest stack.
          arguments: [stat.frameId, 'flame'],
        }),
      );
    }
    // Functions V8 inlined have figures of their own in the model (sourcemaps/inlined.ts): they
    // get their lens here like any other.
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
