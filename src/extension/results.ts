import * as vscode from 'vscode';
import type { Frame, Profile } from '../core/profile';
import { profileTotal } from '../core/profile';
import { functionStats, type FunctionStat } from '../core/functionStats';
import { filesInProfile, lineHeatForFile } from '../core/lineHeat';
import { line1ToEditorLine0 } from '../core/positions';
import { shiftItems, type LineEdit } from '../core/lineShift';
import { pathKey } from '../core/paths';

/** One hot line of a file, at its current place in the document (0-based, follows edits). */
export interface HotLine {
  line0: number;
  /** Self weight; for `defLineHeat` profiles, the function's total. */
  self: number;
  /** The part of `self` that is not a line measurement: a function's figure on its `def` line. */
  placed: number;
  /** Time below the line in code outside the user's (Python sampler), not part of `self`. */
  external: number;
  frameIds: number[];
}

/** One function defined in a file, at its current place in the document. */
export interface HotFunction {
  line0: number;
  stat: FunctionStat;
}

/** What one profile says about one file. */
export interface FileResults {
  readonly path: string;
  lines: HotLine[];
  functions: HotFunction[];
}

/** What we know of the run that produced a profile, for the status bar and messages. */
export interface RunInfo {
  readonly label: string;
  readonly file?: string;
  readonly durationMs?: number;
  readonly outcome?: string;
}

/** The profile currently shown in the editor, indexed by file. */
export class ShownProfile {
  readonly total: number;
  /** True when heat marks functions' definition lines by total share (no line data). */
  defLineHeat = false;
  private readonly files = new Map<string, FileResults>();
  private readonly moved = new Map<string, FileResults | null>();

  constructor(
    readonly profile: Profile,
    readonly run: RunInfo,
  ) {
    this.total = profileTotal(profile);
    const stats = functionStats(profile);
    const byFile = new Map<string, HotFunction[]>();
    for (const stat of stats) {
      const f = stat.frame;
      if (!f.file || f.line1 === null || f.kind === 'pseudo' || f.kind === 'runtime') continue;
      const key = pathKey(f.file);
      let list = byFile.get(key);
      if (!list) byFile.set(key, (list = []));
      list.push({ line0: line1ToEditorLine0(f.line1), stat });
    }
    for (const file of filesInProfile(profile)) {
      const key = pathKey(file);
      const lines = lineHeatForFile(profile, file).map((h) => ({
        line0: line1ToEditorLine0(h.line1),
        self: h.self,
        placed: h.placed,
        external: h.external,
        frameIds: [...h.frameIds],
      }));
      this.files.set(key, { path: file, lines, functions: byFile.get(key) ?? [] });
      byFile.delete(key);
    }
    for (const [key, functions] of byFile) {
      this.files.set(key, { path: functions[0].stat.frame.file!, lines: [], functions });
    }
    // Deterministic profilers (cProfile, yappi) have no line data: mark each function's `def`
    // line by its total share instead, so the heat still points at where the time goes.
    if (profile.callGraph) {
      for (const results of this.files.values()) {
        // A module's top level spans the whole file: heat on its line 1 would say nothing.
        results.lines = results.functions
          .filter((f) => f.stat.frame.name !== '<module>')
          .map((f) => ({
            line0: f.line0,
            self: f.stat.total,
            placed: f.stat.total,
            external: 0,
            frameIds: [f.stat.frameId],
          }));
        this.defLineHeat = true;
      }
    }
  }

  /** Results for a document, or undefined when the profile never ran code in it. */
  forDocument(doc: vscode.TextDocument): FileResults | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    const key = pathKey(doc.uri.fsPath);
    return this.files.get(key) ?? this.recordedElsewhere(doc, key);
  }

  /**
   * A profile recorded on another machine (or in another clone) names other absolute paths. A
   * recorded path that ends with the document's workspace-relative path (`js/primes.js`) clearly
   * means this document when exactly one recorded path does.
   */
  private recordedElsewhere(doc: vscode.TextDocument, key: string): FileResults | undefined {
    let hit = this.moved.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const relative = vscode.workspace.asRelativePath(doc.uri, false);
    hit = null;
    if (relative !== doc.uri.fsPath && /[\\/]/.test(relative)) {
      const tail = pathKey('/' + relative.replace(/\\/g, '/'));
      const matches = [...this.files].filter(([k]) => k.replace(/\\/g, '/').endsWith(tail));
      if (matches.length === 1) hit = matches[0][1];
    }
    this.moved.set(key, hit);
    return hit ?? undefined;
  }

  /** Every file the profile has line or function figures for. */
  get paths(): string[] {
    return [...this.files.values()].map((f) => f.path);
  }

  /**
   * The hottest user function: the one with the most self time, where the time is actually
   * spent (its callers have more total time, but the fix is rarely in them).
   */
  hottestFunction(): FunctionStat | undefined {
    let best: FunctionStat | undefined;
    for (const s of functionStats(this.profile)) {
      if (s.frame.kind !== 'user' || s.frame.name === '(anonymous)' || s.frame.name === '')
        continue;
      if (s.frame.name === '<module>') continue;
      if (!best || s.self > best.self) best = s;
    }
    return best;
  }

  frame(id: number): Frame {
    return this.profile.frames[id];
  }

  /**
   * Moves the figures of a file with an edit, so heat stays on the code it belongs to: lines
   * inserted above shift it down, deleted lines take their heat with them.
   */
  applyEdit(doc: vscode.TextDocument, changes: readonly vscode.TextDocumentContentChangeEvent[]) {
    return shiftWithEdit(this.forDocument(doc), changes);
  }
}

/**
 * Moves a file's line and function figures (heat or deltas) with an edit; false when the file
 * has none.
 */
export function shiftWithEdit<L extends { line0: number }, F extends { line0: number }>(
  results: { lines: L[]; functions: F[] } | undefined,
  changes: readonly vscode.TextDocumentContentChangeEvent[],
): boolean {
  if (!results) return false;
  const edits: LineEdit[] = changes.map((c) => ({
    startLine0: c.range.start.line,
    startChar0: c.range.start.character,
    endLine0: c.range.end.line,
    endChar0: c.range.end.character,
    text: c.text,
  }));
  results.lines = shiftItems(results.lines, edits);
  results.functions = shiftItems(results.functions, edits);
  return true;
}
