import * as vscode from 'vscode';
import { MarkdownBuilder, safeMarkdown } from './markdown';
import {
  diffProfiles,
  type DiffOptions,
  type FunctionDelta,
  type LineDelta,
  type Normalisation,
  type ProfileDiff,
} from '../core/diff';
import { filesInProfile } from '../core/lineHeat';
import type { Profile } from '../core/profile';
import { line1ToEditorLine0 } from '../core/positions';
import {
  functionDeltaTitle,
  functionMatters,
  lineHoverLines,
  markLines,
  type Change,
  type MarkedLine,
} from '../shared/compareText';
import type { RunRecord } from './history';
import { pathKey } from '../core/paths';
import { shiftWithEdit } from './results';
import { setting } from './settings';
import { COMPARE_COLORS, type ThemeKind } from '../shared/palette';

/** One run of a comparison: its profile, its history record and how it is named. */
export interface CompareSide {
  readonly profile: Profile;
  readonly record?: RunRecord;
  /** "primes.js, 14:03:12". */
  readonly label: string;
}

/** A changed line of a file, at its current place in the document (follows edits). */
export interface DeltaLine {
  line0: number;
  delta: LineDelta;
}

/** A function of a file with its change, at its current place in the document. */
export interface DeltaFunction {
  line0: number;
  fn: FunctionDelta;
}

/** What a comparison says about one file. */
export interface CompareFileResults {
  readonly path: string;
  lines: DeltaLine[];
  functions: DeltaFunction[];
}

/** Two runs compared, indexed by file for the editor. Replaces single-run heat while shown. */
export class ShownComparison {
  readonly diff: ProfileDiff;
  private readonly files = new Map<string, CompareFileResults>();

  /**
   * Throws when the runs cannot be compared with this normalisation (see diffProfiles).
   * `mapBeforeLine` follows the edits made between the runs (see DiffOptions); without it lines
   * match by number.
   */
  constructor(
    readonly before: CompareSide,
    readonly after: CompareSide,
    normalisation: Normalisation | 'auto' = 'auto',
    private readonly mapBeforeLine?: DiffOptions['mapBeforeLine'],
  ) {
    this.diff = diffProfiles(before.profile, after.profile, { normalisation, mapBeforeLine });
    const paths = new Set([...filesInProfile(before.profile), ...filesInProfile(after.profile)]);
    for (const file of paths) {
      this.entry(file).lines = this.diff.linesForFile(file).map((delta) => ({
        line0: line1ToEditorLine0(delta.line1),
        delta,
      }));
    }
    for (const fn of this.diff.functions) {
      if (!fn.file || fn.line1 === null) continue;
      this.entry(fn.file).functions.push({ line0: line1ToEditorLine0(fn.line1), fn });
    }
  }

  private entry(file: string): CompareFileResults {
    const key = pathKey(file);
    let e = this.files.get(key);
    if (!e) this.files.set(key, (e = { path: file, lines: [], functions: [] }));
    return e;
  }

  /** The same two runs with another normalisation. */
  withNormalisation(normalisation: Normalisation): ShownComparison {
    return new ShownComparison(this.before, this.after, normalisation, this.mapBeforeLine);
  }

  /** Results for a document, or undefined when neither run ran code in it. */
  forDocument(doc: vscode.TextDocument): CompareFileResults | undefined {
    return doc.uri.scheme === 'file' ? this.forFile(doc.uri.fsPath) : undefined;
  }

  /** Results for a file path. */
  forFile(file: string): CompareFileResults | undefined {
    return this.files.get(pathKey(file));
  }

  /** Every file with figures, for tests and the API. */
  get paths(): string[] {
    return [...this.files.values()].map((f) => f.path);
  }

  /** Moves a file's deltas with an edit (see ShownProfile.applyEdit). */
  applyEdit(
    doc: vscode.TextDocument,
    changes: readonly vscode.TextDocumentContentChangeEvent[],
  ): boolean {
    return shiftWithEdit(this.forDocument(doc), changes);
  }

  /**
   * The lines of a file worth marking, with their change and label (see markLines); lines past
   * `lineCount` (the document is shorter than when it ran) are left out.
   */
  marks(file: string, lineCount = Infinity): MarkedLine<DeltaLine>[] {
    const results = this.forFile(file);
    if (!results) return [];
    return markLines(
      results.lines.filter((l) => l.line0 < lineCount),
      this.diff,
      setting('heat.minShare') / 100,
      Math.max(0, setting('heat.labelCount')),
      setting('compare.showNoise'),
    );
  }
}

function gutterIcon(change: Exclude<Change, 'same'>, theme: ThemeKind): vscode.Uri {
  // An up or down triangle: the direction reads without relying on red and green alone.
  const shape = change === 'slower' ? '8,2 14,14 2,14' : '2,2 14,2 8,14';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">` +
    `<polygon points="${shape}" fill="${COMPARE_COLORS[theme][change]}"/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

/**
 * Paints a comparison on editors: a tinted line, a gutter triangle and an overview-ruler mark on
 * lines that got slower (red, up) or faster (green, down) beyond noise, and an after-line label
 * with the change ("+12.3 ms · +40%") on the lines that changed most; labels of changes within
 * noise are muted and say so ("+0.8 ms · +3.1% · within noise").
 */
export class DeltaPainter implements vscode.Disposable {
  private readonly slower: vscode.TextEditorDecorationType;
  private readonly faster: vscode.TextEditorDecorationType;
  private readonly labels: vscode.TextEditorDecorationType;

  constructor() {
    const lineType = (change: 'slower' | 'faster') =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(`heatlens.compare.${change}Background`),
        overviewRulerColor: new vscode.ThemeColor(`heatlens.compare.${change}Ruler`),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        gutterIconSize: 'contain',
        dark: { gutterIconPath: gutterIcon(change, 'dark') },
        light: { gutterIconPath: gutterIcon(change, 'light') },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    this.slower = lineType('slower');
    this.faster = lineType('faster');
    this.labels = vscode.window.createTextEditorDecorationType({
      after: { margin: '0 0 0 2em', fontStyle: 'normal' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
  }

  /** Paints (or clears, when `shown` is undefined or says nothing of the file) one editor. */
  paint(editor: vscode.TextEditor, shown: ShownComparison | undefined): void {
    const doc = editor.document;
    const marks =
      shown && setting('heat.enabled') && doc.uri.scheme === 'file'
        ? shown.marks(doc.uri.fsPath, doc.lineCount)
        : [];
    const ranges = (change: Change) =>
      marks
        .filter((m) => m.change === change)
        .map((m) => new vscode.Range(m.item.line0, 0, m.item.line0, 0));
    editor.setDecorations(this.slower, ranges('slower'));
    editor.setDecorations(this.faster, ranges('faster'));
    editor.setDecorations(
      this.labels,
      marks
        .filter((m) => m.label !== undefined)
        .map((m) => {
          const end = editor.document.lineAt(m.item.line0).range.end;
          return {
            range: new vscode.Range(end, end),
            renderOptions: {
              after: {
                contentText: m.label,
                color: new vscode.ThemeColor(`heatlens.compare.${m.change}Foreground`),
              },
            },
          };
        }),
    );
  }

  dispose(): void {
    this.slower.dispose();
    this.faster.dispose();
    this.labels.dispose();
  }
}

/** A hover on a compared line: before, after, the change and whether it is beyond noise. */
export class DeltaHoverProvider implements vscode.HoverProvider {
  constructor(private readonly current: () => ShownComparison | undefined) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const shown = this.current();
    const hit = shown?.forDocument(doc)?.lines.find((l) => l.line0 === pos.line);
    if (!shown || !hit) return undefined;
    // Figures and fixed words only, escaped all the same (markdown.ts); the bold title is ours.
    const md = new MarkdownBuilder();
    const [first, ...rest] = lineHoverLines(hit.delta, shown.diff);
    md.add(safeMarkdown`**Heatlens** · ${first.replace(/^\*\*Heatlens\*\* · /, '')}`);
    for (const line of rest) md.add(safeMarkdown`\n\n${line}`);
    return new vscode.Hover(md.build(), doc.lineAt(pos.line).range);
  }
}

/**
 * CodeLens above the functions of a comparison that matter in either run, with their change
 * (and "within noise" when it is).
 */
export class DeltaCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly current: () => ShownComparison | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const shown = this.current();
    if (!shown || !setting('codeLens.enabled')) return [];
    const results = shown.forDocument(doc);
    if (!results) return [];
    const threshold = setting('codeLens.threshold') / 100;
    const seen = new Set<string>();
    const lenses: vscode.CodeLens[] = [];
    for (const { line0, fn } of results.functions) {
      if (line0 >= doc.lineCount || !functionMatters(fn, shown.diff, threshold)) continue;
      const key = `${line0}:${fn.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line0, 0, line0, 0), {
          title: functionDeltaTitle(fn, shown.diff.unit),
          tooltip: `Heatlens: ${shown.after.label} compared with ${shown.before.label}. Open the differential flame graph.`,
          command: 'heatlens.showFlameGraph',
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
