import * as vscode from 'vscode';
import { callersAndCallees } from '../core/callers';
import { formatCalls, formatShare, formatWeight } from '../core/format';
import { code, MarkdownBuilder, safeMarkdown } from './markdown';
import type { ShownProfile } from './results';

/** A hover on a hot line: its own time and share, the function it ran in, and the top callers. */
export class HeatHoverProvider implements vscode.HoverProvider {
  constructor(private readonly current: () => ShownProfile | undefined) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const shown = this.current();
    const results = shown?.forDocument(doc);
    if (!shown || !results || shown.total <= 0) return undefined;
    const hits = results.lines.filter((l) => l.line0 === pos.line);
    if (hits.length === 0) return undefined;
    const unit = shown.profile.meta.unit;
    const self = hits.reduce((s, l) => s + l.self, 0);
    const placed = hits.reduce((s, l) => s + l.placed, 0);
    const external = hits.reduce((s, l) => s + l.external, 0);
    // Names and paths come from the profile: every value goes in escaped (see markdown.ts).
    const md = new MarkdownBuilder();
    // Say what the figure is: a line measurement, or a function's figure on its definition line.
    const what = shown.defLineHeat
      ? 'this function, in total (the profiler records functions, not lines)'
      : self > 0 && placed >= self * 0.999
        ? "this function's own time (no line figures for it)"
        : 'this line';
    const figure = (v: number) =>
      `${formatWeight(v, unit)} (${formatShare(v, shown.total)} of ${formatWeight(shown.total, unit)})`;
    md.add(safeMarkdown`**Heatlens** · ${what}: ${figure(self)}\n\n`);
    if (external > 0) {
      md.add(
        safeMarkdown`Below this line, in code outside yours (libraries, the standard library): ${figure(external)}\n\n`,
      );
    }
    const frameIds = [...new Set(hits.flatMap((l) => l.frameIds))];
    for (const id of frameIds.slice(0, 3)) {
      const frame = shown.frame(id);
      const { callers } = callersAndCallees(shown.profile, id);
      md.add(safeMarkdown`In ${code(frame.name || '(anonymous)')}`);
      if (callers.length) {
        md.add(safeMarkdown`, called from:\n\n`);
        for (const c of callers.slice(0, 5)) {
          const where = c.frame.file ? ` ${basename(c.frame.file)}:${c.frame.line1 ?? '?'}` : '';
          const calls = c.calls !== null ? `, ${formatCalls(c.calls)}` : '';
          md.add(
            safeMarkdown`- ${code(c.frame.name || '(anonymous)')}${where} · ${formatWeight(c.weight, unit)} (${formatShare(c.weight, shown.total)}${calls})\n`,
          );
        }
      }
      md.add(safeMarkdown`\n\n`);
    }
    return new vscode.Hover(md.build(), doc.lineAt(pos.line).range);
  }
}

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}
