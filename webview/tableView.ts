/**
 * The table view: one row per function, sortable, filtered by the search box. Only the rows in
 * view exist in the DOM (a profile can have tens of thousands of functions). Names are set with
 * textContent: they are data, never HTML.
 */
import type { Frame, WeightUnit } from '../src/core/profile';
import type { TableRow, TableSort } from './layout/table';
import { formatShare, formatWeight } from '../src/core/format';

const ROW_PX = 22;

/** What the table tells its owner. */
export interface TableHandlers {
  select(frameId: number): void;
  /** Double-click or Enter: show the function's callers and callees. */
  open(frameId: number): void;
  openSource(frameId: number): void;
  sort(by: TableSort): void;
}

/** A location for people: "file.js:12" with the folder dimmed by the caller, or the kind. */
export function locationText(frame: Frame): string {
  if (!frame.file) return frame.kind === 'pseudo' ? 'profiler' : frame.kind;
  return frame.line1 ? `${frame.file}:${frame.line1}` : frame.file;
}

/** The table. */
export class TableView {
  private rows: TableRow[] = [];
  private frames: readonly Frame[] = [];
  private unit: WeightUnit = 'none';
  private total = 0;
  private selectedFrame = -1;
  private readonly head: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly empty: HTMLElement;
  private sortBy: TableSort = 'total';
  private exact = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: TableHandlers,
  ) {
    this.head = el('div', 'table-head');
    this.scroller = el('div', 'table-scroll');
    this.scroller.tabIndex = 0;
    // Its rows are virtual: the row selected is said through the live region (panel.ts).
    this.scroller.setAttribute('role', 'group');
    this.scroller.setAttribute(
      'aria-label',
      'Functions table: Up and Down move, Enter opens the sandwich, O the source',
    );
    this.spacer = el('div', 'table-spacer');
    this.body = el('div', 'table-body');
    this.empty = el('div', 'table-empty');
    this.scroller.append(this.spacer, this.body);
    root.append(this.head, this.scroller, this.empty);
    this.scroller.addEventListener('scroll', () => this.renderRows());
    new ResizeObserver(() => this.renderRows()).observe(this.scroller);
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Shows rows (already sorted and filtered). */
  setRows(
    rows: TableRow[],
    frames: readonly Frame[],
    unit: WeightUnit,
    total: number,
    sortBy: TableSort,
    exact: boolean,
    emptyText: string,
  ): void {
    this.rows = rows;
    this.frames = frames;
    this.unit = unit;
    this.total = total;
    this.sortBy = sortBy;
    this.exact = exact;
    this.renderHead();
    this.spacer.style.height = `${rows.length * ROW_PX}px`;
    this.empty.textContent = rows.length ? '' : emptyText;
    this.empty.hidden = rows.length > 0;
    this.renderRows();
  }

  setSelected(frameId: number): void {
    this.selectedFrame = frameId;
    const i = this.rows.findIndex((r) => r.frameId === frameId);
    if (i >= 0) {
      const top = i * ROW_PX;
      const s = this.scroller;
      if (top < s.scrollTop) s.scrollTop = top;
      else if (top + ROW_PX > s.scrollTop + s.clientHeight)
        s.scrollTop = top + ROW_PX - s.clientHeight;
    }
    this.renderRows();
  }

  focus(): void {
    this.scroller.focus();
  }

  private renderHead(): void {
    // A sort from the keyboard keeps the focus on its column's heading.
    const active = document.activeElement;
    const refocus =
      active instanceof HTMLElement && this.head.contains(active) ? active.dataset.sort : undefined;
    this.head.replaceChildren();
    const cols: [string, TableSort | null, string][] = [
      ['Total', 'total', 'num'],
      ['', null, 'num share'],
      ['Self', 'self', 'num'],
      ['', null, 'num share'],
      [this.exact ? 'Calls' : 'Calls', 'calls', 'num'],
      ['Function', 'name', 'name'],
      ['Location', null, 'loc'],
    ];
    for (const [label, sort, cls] of cols) {
      const c = el(
        'div',
        `cell ${cls}${sort ? ' sortable' : ''}${sort === this.sortBy ? ' sorted' : ''}`,
      );
      c.textContent = label + (sort === this.sortBy ? (sort === 'name' ? ' ▲' : ' ▼') : '');
      if (sort) {
        c.setAttribute('role', 'button');
        c.tabIndex = 0;
        c.dataset.sort = sort;
        c.title = `Sort by ${label.toLowerCase()}`;
        c.addEventListener('click', () => this.handlers.sort(sort));
        c.addEventListener('keydown', (e) => {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          this.handlers.sort(sort);
        });
      }
      this.head.append(c);
      if (sort && sort === refocus) c.focus();
    }
  }

  private renderRows(): void {
    const s = this.scroller;
    const first = Math.max(0, Math.floor(s.scrollTop / ROW_PX) - 5);
    const last = Math.min(this.rows.length, Math.ceil((s.scrollTop + s.clientHeight) / ROW_PX) + 5);
    this.body.style.transform = `translateY(${first * ROW_PX}px)`;
    const out: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const r = this.rows[i];
      const f = this.frames[r.frameId];
      const row = el('div', `table-row${r.frameId === this.selectedFrame ? ' selected' : ''}`);
      row.dataset.frame = String(r.frameId);
      const cells: [string, string][] = [
        [formatWeight(r.total, this.unit), 'num'],
        [formatShare(r.total, this.total), 'num share'],
        [formatWeight(r.self, this.unit), 'num'],
        [formatShare(r.self, this.total), 'num share'],
        [r.calls === null ? '–' : r.calls.toLocaleString('en-US'), 'num'],
        [f.name || '(anonymous)', `name kind-${f.kind}`],
        [locationText(f), 'loc'],
      ];
      for (const [text, cls] of cells) {
        const c = el('div', `cell ${cls}`);
        if (cls === 'loc') {
          // The cell is right-to-left so that a long path loses its start, not its file name; the
          // text inside stays left-to-right so slashes do not move.
          const span = el('span', 'ltr');
          span.textContent = text;
          c.append(span);
          c.title = text;
        } else c.textContent = text;
        row.append(c);
      }
      row.addEventListener('click', (e) => {
        if (e.ctrlKey || e.metaKey) this.handlers.openSource(r.frameId);
        else this.handlers.select(r.frameId);
      });
      row.addEventListener('dblclick', () => this.handlers.open(r.frameId));
      out.push(row);
    }
    this.body.replaceChildren(...out);
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.rows.length) return;
    let i = this.rows.findIndex((r) => r.frameId === this.selectedFrame);
    if (e.key === 'ArrowDown') i = Math.min(this.rows.length - 1, i + 1);
    else if (e.key === 'ArrowUp') i = Math.max(0, i - 1);
    else if (e.key === 'Enter' && i >= 0 && !(e.ctrlKey || e.metaKey)) {
      this.handlers.open(this.rows[i].frameId);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    this.handlers.select(this.rows[Math.max(0, i)].frameId);
  }
}

function el(tag: string, className: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}
