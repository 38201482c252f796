import * as vscode from 'vscode';
import type { Frame, Profile } from '../core/profile';
import { profileTotal } from '../core/profile';
import { functionStats, type FunctionStat } from '../core/functionStats';
import { filesInProfile, lineHeatForFile } from '../core/lineHeat';
import { line1ToEditorLine0 } from '../core/positions';
import { pathKey } from './paths';

/** One hot line of a file, at its current place in the document (0-based, follows edits). */
export interface HotLine {
  line0: number;
  self: number;
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
  private readonly files = new Map<string, FileResults>();

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
        frameIds: [...h.frameIds],
      }));
      this.files.set(key, { path: file, lines, functions: byFile.get(key) ?? [] });
      byFile.delete(key);
    }
    for (const [key, functions] of byFile) {
      this.files.set(key, { path: functions[0].stat.frame.file!, lines: [], functions });
    }
  }

  /** Results for a document, or undefined when the profile never ran code in it. */
  forDocument(doc: vscode.TextDocument): FileResults | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    return this.files.get(pathKey(doc.uri.fsPath));
  }

  /** Every file the profile has line or function figures for. */
  get paths(): string[] {
    return [...this.files.values()].map((f) => f.path);
  }

  /** The hottest user function (by total), for the status bar. */
  hottestFunction(): FunctionStat | undefined {
    return functionStats(this.profile).find(
      (s) => s.frame.kind === 'user' && s.frame.name !== '' && s.frame.name !== '(anonymous)',
    );
  }

  frame(id: number): Frame {
    return this.profile.frames[id];
  }

  /**
   * Moves the figures of a file with an edit, so heat stays on the code it belongs to: lines
   * inserted above shift it down, deleted lines take their heat with them.
   */
  applyEdit(doc: vscode.TextDocument, changes: readonly vscode.TextDocumentContentChangeEvent[]) {
    const results = this.forDocument(doc);
    if (!results) return false;
    // Changes in one event do not overlap; apply from the bottom up so ranges stay valid.
    const sorted = [...changes].sort((a, b) => b.range.start.line - a.range.start.line);
    for (const change of sorted) {
      const start = change.range.start.line;
      const end = change.range.end.line;
      const added = countNewlines(change.text);
      const delta = added - (end - start);
      if (delta === 0 && start === end) continue;
      const move = (line0: number): number | undefined => {
        if (line0 < start) return line0;
        if (line0 > end) return line0 + delta;
        if (start === end) {
          // Within one line: text inserted at its very start that ends in a newline pushes the
          // line down; any other edit leaves it where it is.
          return change.range.start.character === 0 && change.text.endsWith('\n')
            ? line0 + delta
            : line0;
        }
        // A multi-line range: the line where it ends survives whole when the range ends at its
        // first character; the line where it starts survives when the range starts after its
        // first character; lines strictly inside are gone.
        if (line0 === end) return change.range.end.character === 0 ? line0 + delta : undefined;
        if (line0 === start) return change.range.start.character === 0 ? undefined : line0;
        return undefined;
      };
      results.lines = results.lines.flatMap((l) => {
        const n = move(l.line0);
        return n === undefined ? [] : [{ ...l, line0: n }];
      });
      results.functions = results.functions.flatMap((f) => {
        const n = move(f.line0);
        return n === undefined ? [] : [{ ...f, line0: n }];
      });
    }
    return true;
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
