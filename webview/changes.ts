/**
 * Beside the differential chart: the functions only one of the two runs has (appeared, vanished),
 * the person's own code first, each a button that opens its source.
 */
import type { Frame } from '../src/core/profile';
import { formatDelta } from '../src/core/diff';
import { formatWeight } from '../src/core/format';
import type { CompareData } from '../src/shared/wireCompare';
import { el } from './dom';
import type { Model } from './model';
import { isOpenable } from './openSource';

/** Items shown in each of the appeared and vanished lists. */
const LISTED = 200;

type Change = CompareData['appeared'][number];

/** The appeared and vanished lists in their pane. */
export class ChangesList {
  /** The model and filters the list was last built for (it is rebuilt only when they change). */
  private rendered: { model: Model; mine: boolean; all: boolean } | undefined;
  /**
   * Whether the list also shows functions outside the person's code (Node's internals, the
   * standard library) that came or went: off by default, since those come and go between any two
   * runs of the same program (what ran while a sample was taken during start-up).
   */
  private all = false;

  constructor(
    private readonly pane: HTMLElement,
    private readonly openSource: (frame: Frame) => void,
  ) {}

  /** Forgets what was shown (a new profile arrived). */
  reset(): void {
    this.rendered = undefined;
  }

  /** Shows the lists of a comparison, filtered by "my code only". */
  render(m: Model, myCodeOnly: boolean): void {
    const c = m.compare;
    const all = this.all && !myCodeOnly;
    const r = this.rendered;
    if (!c || (r?.model === m && r.mine === myCodeOnly && r.all === all)) return;
    this.rendered = { model: m, mine: myCodeOnly, all };
    this.pane.replaceChildren();
    let hidden = 0;
    hidden += this.section(c, 'Appeared', c.appeared, c.appearedCount, true, all);
    hidden += this.section(c, 'Vanished', c.vanished, c.vanishedCount, false, all);
    if (!myCodeOnly && (hidden > 0 || this.all)) {
      const toggle = el(
        'button',
        { id: 'allChanges', class: 'changes-toggle', 'aria-pressed': String(this.all) },
        this.all
          ? 'Show only my code'
          : `Show ${hidden.toLocaleString('en-US')} more outside my code (runtime, libraries)`,
      );
      toggle.addEventListener('click', () => {
        this.all = !this.all;
        this.render(m, myCodeOnly);
      });
      this.pane.append(toggle);
    }
  }

  /** One list; returns how many of its functions are outside the person's code. */
  private section(
    c: CompareData,
    title: string,
    list: readonly Change[],
    count: number,
    appeared: boolean,
    all: boolean,
  ): number {
    // The person's own code (heaviest first); the rest only on request, after it, dimmed.
    const mine = list.filter((f) => f.kind === 'user');
    const shown = all ? [...mine, ...list.filter((f) => f.kind !== 'user')] : mine;
    const total = all ? count : mine.length;
    const id = appeared ? 'appeared' : 'vanished';
    const head = el('h2', { class: 'changes-title', id: `${id}Title` }, `${title} (${total})`);
    const ul = el('ul', { class: 'changes', id, 'aria-labelledby': `${id}Title` });
    for (const f of shown.slice(0, LISTED)) ul.append(this.item(c, f, appeared));
    this.pane.append(head, ul);
    const rest = total - Math.min(shown.length, LISTED);
    if (!shown.length) this.pane.append(el('p', { class: 'changes-none' }, 'None.'));
    else if (rest > 0) {
      this.pane.append(
        el('p', { class: 'changes-none' }, `and ${rest.toLocaleString('en-US')} more`),
      );
    }
    return count - mine.length;
  }

  /** One function of the appeared or vanished list: a button that opens its source. */
  private item(c: CompareData, f: Change, appeared: boolean): HTMLLIElement {
    const li = el('li');
    const frame: Frame = { name: f.name, file: f.file, line1: f.line1, col1: null, kind: f.kind };
    const where = f.file
      ? `${f.file.replace(/^.*[\\/]/, '')}${f.line1 ? `:${f.line1}` : ''}`
      : f.kind === 'pseudo'
        ? 'profiler pseudo-frame'
        : `${f.kind} code`;
    // Compact: the section says it was not sampled in the other run; the place line says whether
    // it is within noise.
    const delta = appeared
      ? `+${formatWeight(f.total, c.unit)}`
      : formatDelta(-f.total, f.total > 0 ? -1 : 0, c.unit);
    const b = el('button', {
      class: `change ${appeared ? 'slower' : 'faster'} kind-${f.kind}${f.significant ? '' : ' noise'}`,
      title:
        (f.significant
          ? ''
          : `Within noise: so few samples that ${appeared ? 'the earlier' : 'this'} run may have ` +
            'run it unsampled. ') +
        (isOpenable(frame) ? `Open ${f.file}:${f.line1 ?? 1}` : `${where}: not a local file`),
    });
    b.append(
      el('span', { class: 'change-name' }, f.name || '(anonymous)'),
      el('span', { class: 'change-delta' }, delta),
      el('span', { class: 'change-where' }, f.significant ? where : `${where} · within noise`),
    );
    b.addEventListener('click', () => this.openSource(frame));
    li.append(b);
    return li;
  }
}
