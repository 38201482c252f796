/**
 * The panel's keys, as a list (KEYS: what the help shows and README's "Keyboard" section says) and
 * the help itself: a modal dialog that `?` or the toolbar's "Keys" button opens, Escape closes,
 * and that gives the focus back to where it was.
 */
import { el } from './dom';

/** One line of the help: the keys (each one a <kbd>) and what they do. */
export interface KeyLine {
  readonly keys: readonly string[];
  readonly action: string;
}

/** Every key of the panel (keyboard.ts handles them; the table's own keys are tableView.ts'). */
export const KEYS: readonly KeyLine[] = [
  {
    keys: ['Tab', 'Shift+Tab'],
    action:
      'Move between the toolbar, the zoom path and the chart (the sandwich has two: callers, then callees)',
  },
  {
    keys: ['Left', 'Right', 'Up', 'Down'],
    action:
      'Move from frame to frame in the chart; each frame is read out. In the table: Up and Down move between functions',
  },
  {
    keys: ['Enter'],
    action:
      'Zoom to the selected frame; in the sandwich, show its callers and callees; in the table, open its sandwich',
  },
  { keys: ['Backspace', 'Escape'], action: 'Zoom back one step (Escape in the search clears it)' },
  { keys: ['0'], action: 'Reset the zoom: show everything' },
  { keys: ['+', '-'], action: 'Zoom in, zoom out (around the middle of the chart)' },
  { keys: ['O', 'Ctrl+Enter'], action: "Open the selected function's source" },
  { keys: ['/', 'Ctrl+F'], action: 'Search functions' },
  {
    keys: ['1', '2', '3', '4', '5', '6'],
    action:
      'Show a view: 1 flame graph, 2 time order, 3 sandwich, 4 table, 5 differential, 6 call graph',
  },
  { keys: ['?'], action: 'Show this list of keys (Escape closes it)' },
];

/**
 * What a chart's keys are, in a few words: the charts' description (`aria-describedby`), read by
 * a screen reader after a chart's name.
 */
export function chartKeysHint(): HTMLElement {
  return el(
    'p',
    { id: 'chartKeys', class: 'visually-hidden' },
    'Arrow keys move between frames, Enter zooms, Backspace zooms back, O opens the source, question mark lists every key.',
  );
}

/** The help dialog. */
export class KeyHelp {
  readonly root = el('dialog', { id: 'keyHelp', 'aria-labelledby': 'keyHelpTitle' });
  private readonly closeButton = el('button', { type: 'button', class: 'help-close' }, 'Close');
  private returnTo: HTMLElement | null = null;

  constructor() {
    const body = el('tbody');
    for (const line of KEYS) {
      const keys = el('td', { class: 'help-keys' });
      line.keys.forEach((k, i) => {
        if (i) keys.append(' ');
        keys.append(el('kbd', {}, k));
      });
      const row = el('tr');
      row.append(keys, el('td', {}, line.action));
      body.append(row);
    }
    const head = el('tr');
    head.append(el('th', { scope: 'col' }, 'Keys'), el('th', { scope: 'col' }, 'Action'));
    const table = el('table', { class: 'help-table' });
    table.append(el('thead'), body);
    table.tHead!.append(head);
    this.root.append(
      el('h2', { id: 'keyHelpTitle' }, 'Keyboard shortcuts'),
      el('p', {}, 'On a Mac, Cmd works where Ctrl is written.'),
      table,
      this.closeButton,
    );
    this.closeButton.addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (e) => {
      if (e.key === '?') {
        e.preventDefault();
        this.close();
      }
    });
    this.root.addEventListener('close', () => {
      const back = this.returnTo;
      this.returnTo = null;
      if (back?.isConnected) back.focus();
    });
  }

  get isOpen(): boolean {
    return this.root.open;
  }

  /** Opens the help, the focus on its Close button. */
  open(): void {
    if (this.root.open) return;
    const active = document.activeElement;
    this.returnTo = active instanceof HTMLElement && active !== document.body ? active : null;
    this.root.showModal();
    this.closeButton.focus();
  }

  close(): void {
    if (this.root.open) this.root.close();
  }
}
