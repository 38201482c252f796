/**
 * The HTML report's source view: the hot files the report carries, listed by their heat, and the
 * chosen file read-only with each measured line's time and share beside it and its heat level as
 * a background and a bar (as the editor's gutter: the same levels, src/core/heatLevels.ts). Below
 * the list, the files the profile names whose source is not in the report, and why.
 *
 * The texts and paths are data from the profile and the person's files: they reach the page only
 * through textContent.
 */
import { formatShare, formatWeight } from '../src/core/format';
import { HEAT_THRESHOLDS, heatLevel } from '../src/core/heatLevels';
import type { ReportData, ReportSource } from '../src/shared/reportData';
import { el } from './dom';

/** A file's lines, as the editor splits them. */
function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The label beside a measured line: "12.3 ms · 4.5%". */
export function lineLabel(self: number, data: Pick<ReportData, 'unit' | 'total'>): string {
  return `${formatWeight(self, data.unit)} · ${formatShare(self, data.total)}`;
}

/** The hot files and the file shown. */
export class SourceView {
  readonly root = el('div', { id: 'sources', role: 'tabpanel', 'aria-label': 'Hot files' });
  private readonly list = el('nav', { id: 'sourceList', 'aria-label': 'Hot files' });
  private readonly view = el('div', { id: 'sourceView', tabindex: '0' });
  private readonly buttons = new Map<string, HTMLElement>();

  constructor(private readonly data: ReportData) {
    this.root.append(this.list, this.view);
    this.renderList();
    const first = data.sources[0];
    if (first) this.show(first.file);
    else this.view.append(el('div', { class: 'source-empty' }, this.emptyText()));
  }

  /** How many files the report carries. */
  get count(): number {
    return this.data.sources.length;
  }

  /**
   * Shows `file` at `line1` (its hottest line when not given); when the report does not carry
   * the file, says so (and why, when it was left out).
   */
  show(file: string, line1?: number): void {
    const source = this.data.sources.find((s) => s.file === file);
    for (const [f, b] of this.buttons) b.setAttribute('aria-current', String(f === file));
    this.view.replaceChildren(el('div', { class: 'source-path' }, file));
    if (!source) {
      const leftOut = this.data.leftOut.find((l) => l.file === file);
      this.view.append(
        el(
          'div',
          { class: 'source-empty' },
          leftOut
            ? `The source of this file is not in the report: it ${leftOut.why}.`
            : this.data.sourcesOmitted
              ? 'The sources were left out of this report when it was made.'
              : 'The source of this file is not in the report.',
        ),
      );
      return;
    }
    const target = line1 ?? hottestLine(source);
    const row = this.renderFile(source, target);
    // After layout: the row's place is known once it is in the page.
    requestAnimationFrame(() => row?.scrollIntoView({ block: 'center' }));
  }

  private emptyText(): string {
    if (this.data.sourcesOmitted)
      return 'The sources were left out of this report when it was made.';
    return this.data.leftOut.length
      ? 'None of the files the profile names could be put in the report (see the list).'
      : 'The profile names no source file of your code with time on its lines.';
  }

  private renderList(): void {
    for (const source of this.data.sources) {
      const button = el('button', { class: 'source-file', type: 'button', title: source.file });
      const name = el('span', { class: 'name' });
      name.append(el('span', {}, source.file));
      button.append(
        name,
        el(
          'span',
          { class: 'figure' },
          `${lineLabel(source.weight, this.data)} on ${source.line1.length} ${source.line1.length === 1 ? 'line' : 'lines'}`,
        ),
      );
      button.addEventListener('click', () => this.show(source.file));
      this.buttons.set(source.file, button);
      this.list.append(button);
    }
    if (!this.data.sources.length) {
      this.list.append(el('div', { class: 'source-empty' }, this.emptyText()));
    }
    if (this.data.leftOut.length) {
      const box = el('div', { class: 'source-left-out' });
      box.append(el('div', {}, 'Not in this report:'));
      const ul = el('ul');
      for (const l of this.data.leftOut) ul.append(el('li', {}, `${l.file}: ${l.why}`));
      box.append(ul);
      this.list.append(box);
    }
  }

  /** Writes the file's lines; returns the row of `target`. */
  private renderFile(source: ReportSource, target: number): HTMLElement | undefined {
    const heat = new Map<number, number>();
    source.line1.forEach((l, i) => heat.set(l, (heat.get(l) ?? 0) + source.self[i]));
    const fragment = document.createDocumentFragment();
    let targetRow: HTMLElement | undefined;
    splitLines(source.text).forEach((text, i) => {
      const line1 = i + 1;
      const self = heat.get(line1) ?? 0;
      const row = el('div', { class: `src-line${this.levelClass(self)}` });
      row.append(
        el('span', { class: 'bar', 'aria-hidden': 'true' }),
        el('span', { class: 'ln' }, String(line1)),
        el('span', { class: 'heat' }, self > 0 ? lineLabel(self, this.data) : ''),
        el('span', { class: 'code' }, text || ' '),
      );
      if (line1 === target) {
        row.classList.add('target');
        targetRow = row;
      }
      fragment.append(row);
    });
    this.view.append(fragment);
    return targetRow;
  }

  /** ` heat-N` (1..5) for a line at or above the lowest level's share, else ''. */
  private levelClass(self: number): string {
    const { total } = this.data;
    if (!(total > 0) || self / total < HEAT_THRESHOLDS[0]) return '';
    return ` heat-${heatLevel(self, total, 0, 'run') + 1}`;
  }
}

/** The file's hottest line (1 when it has none). */
function hottestLine(source: ReportSource): number {
  let best = 0;
  for (let i = 0; i < source.self.length; i++) if (source.self[i] > source.self[best]) best = i;
  return source.line1[best] ?? 1;
}
