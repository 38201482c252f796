import * as vscode from 'vscode';
import { formatShare, formatWeight } from '../core/format';
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
  if (stat.calls !== null) parts.push(`${stat.calls.toLocaleString('en-US')} calls`);
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

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const shown = this.current();
    if (!shown || !setting('codeLens.enabled') || shown.total <= 0) return [];
    const results = shown.forDocument(doc);
    if (!results) return [];
    const threshold = setting('codeLens.threshold') / 100;
    const lenses: vscode.CodeLens[] = [];
    const seen = new Set<string>();
    const lensLines = new Set<number>();
    for (const { line0, stat } of results.functions) {
      if (line0 >= doc.lineCount || stat.total / shown.total < threshold) continue;
      // Several frames can start on one line (a callback defined inline): one lens per function.
      const key = `${line0}:${stat.frame.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lensLines.add(line0);
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
    lenses.push(...(await this.inlinedLenses(doc, shown, threshold, lensLines)));
    return lenses;
  }

  /**
   * V8 inlines small hot functions into their callers, so their time is sampled in the caller's
   * frame and they get no figures of their own, although the heat sits on their lines. For a
   * function the language server knows (document symbols) that has no lens yet, sum the line
   * heat inside it (nested functions excluded) and say where it ran.
   */
  private async inlinedLenses(
    doc: vscode.TextDocument,
    shown: ShownProfile,
    threshold: number,
    lensLines: Set<number>,
  ): Promise<vscode.CodeLens[]> {
    const results = shown.forDocument(doc);
    if (!results || results.lines.length === 0) return [];
    let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
    try {
      symbols = await vscode.commands.executeCommand(
        'vscode.executeDocumentSymbolProvider',
        doc.uri,
      );
    } catch {
      return [];
    }
    const functions = flattenFunctions(symbols ?? []);
    const lenses: vscode.CodeLens[] = [];
    const unit = shown.profile.meta.unit;
    for (const fn of functions) {
      const first = fn.range.start.line;
      const head = fn.selectionRange.end.line;
      if ([...lensLines].some((l) => l >= first && l <= head)) continue;
      const nested = functions.filter((o) => o !== fn && fn.range.contains(o.range));
      let self = 0;
      const ranIn = new Map<number, number>();
      for (const l of results.lines) {
        if (!fn.range.contains(new vscode.Position(l.line0, 0)) && l.line0 !== first) continue;
        if (nested.some((o) => o.range.start.line <= l.line0 && l.line0 <= o.range.end.line))
          continue;
        self += l.self;
        for (const id of l.frameIds) ranIn.set(id, (ranIn.get(id) ?? 0) + l.self);
      }
      if (self / shown.total < threshold) continue;
      const hosts = [...ranIn]
        .sort((a, b) => b[1] - a[1])
        .map(([id]) => shown.frame(id).name || '(anonymous)')
        .filter((name) => name !== fn.name);
      const where = hosts.length ? ` · ran inlined in ${hosts.slice(0, 2).join(', ')}` : '';
      lenses.push(
        new vscode.CodeLens(new vscode.Range(first, 0, first, 0), {
          title: `$(flame) ${formatShare(self, shown.total)} on its lines (${formatWeight(self, unit)})${where}`,
          tooltip:
            'Heatlens: the profiler sampled these lines inside another function, because V8 ' +
            'inlined this one into it. The figure is the time spent on its lines. Click for the ' +
            'flame graph zoomed to the function it ran in.',
          command: 'heatlens.showFlameGraph',
          arguments: [[...ranIn].sort((a, b) => b[1] - a[1])[0]?.[0], 'flame'],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const FUNCTION_KINDS = new Set([
  vscode.SymbolKind.Function,
  vscode.SymbolKind.Method,
  vscode.SymbolKind.Constructor,
]);

/** Every function-like document symbol, nested ones included. */
function flattenFunctions(
  symbols: readonly (vscode.DocumentSymbol | vscode.SymbolInformation)[],
): vscode.DocumentSymbol[] {
  const out: vscode.DocumentSymbol[] = [];
  const visit = (list: readonly (vscode.DocumentSymbol | vscode.SymbolInformation)[]) => {
    for (const s of list) {
      if (!('children' in s)) continue; // SymbolInformation: no ranges of bodies to work with.
      if (FUNCTION_KINDS.has(s.kind)) out.push(s);
      visit(s.children);
    }
  };
  visit(symbols);
  return out;
}
