/**
 * The panel's toolbar: the view tabs, the search field, the toggles (regex, my code only, invert),
 * "Open source", and under it the differential view's line (which runs, how they are normalised,
 * what the colors mean). It shows the state it is given and reports what the person does.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { Frame } from '../src/core/profile';
import type { FlameView } from '../src/shared/protocol';
import type { CompareData } from '../src/shared/wireCompare';
import { el, type Button, type Checkbox, type TextField } from './dom';
import type { Model } from './model';
import { isOpenable } from './openSource';
import type { UiState } from './store';
import type { Palette } from './theme';

/** The tabs, in the toolbar's order, with the digit that shows each (keyboard.ts). */
const VIEW_LABELS: [FlameView, string, string][] = [
  ['diff', 'Differential', '5'],
  ['flame', 'Flame graph', '1'],
  ['timeOrder', 'Time order', '2'],
  ['sandwich', 'Sandwich', '3'],
  ['table', 'Table', '4'],
  ['callGraph', 'Call graph', '6'],
];

/** What the person did in the toolbar. */
export interface ToolbarHandlers {
  view(view: FlameView): void;
  search(text: string): void;
  regex(on: boolean): void;
  myCodeOnly(on: boolean): void;
  invert(on: boolean): void;
  openSource(): void;
  /** The keyboard help. */
  help(): void;
}

/** The toolbar's elements and how they show the state. */
export class Toolbar {
  readonly root = el('div', { id: 'toolbar', role: 'toolbar' });
  readonly search = el('vscode-textfield', {
    id: 'search',
    placeholder: 'Search functions',
    'aria-label': 'Search functions',
    'aria-keyshortcuts': '/ Control+F',
  }) as TextField;
  readonly searchInfo = el('span', { id: 'searchInfo', 'aria-live': 'polite' });
  /** The differential view's line (shown only in that view). */
  readonly diffInfo = el('div', { id: 'diffInfo', role: 'note' });
  private readonly viewButtons = new Map<FlameView, Button>();
  private readonly regex = el('vscode-checkbox', { id: 'regex', label: 'Regex' }) as Checkbox;
  private readonly mine = el('vscode-checkbox', { id: 'mine', label: 'My code only' }) as Checkbox;
  private readonly invert = el('vscode-checkbox', { id: 'invert', label: 'Invert' }) as Checkbox;
  private readonly openButton = el(
    'vscode-button',
    {
      id: 'openSource',
      secondary: '',
      title: 'Open the selected function (O; Ctrl/Cmd+click a box)',
      'aria-keyshortcuts': 'O Control+Enter',
    },
    'Open source',
  ) as Button;
  private readonly helpButton = el(
    'vscode-button',
    {
      id: 'keysHelp',
      secondary: '',
      title: 'Keyboard shortcuts (?)',
      'aria-keyshortcuts': 'Shift+?',
      'aria-haspopup': 'dialog',
    },
    'Keys',
  ) as Button;
  private readonly diffRuns = el('span', { class: 'runs' });
  private readonly diffNorm = el('span', { id: 'diffNorm' });
  // What "within noise" means here: short on the line, the whole sentence on hover.
  private readonly diffNoise = el('span', { id: 'diffNoise' });
  // Legend swatches: the chart's own colors (most intense red, neutral, most intense green).
  private readonly swatches: [HTMLElement, number][] = [];

  constructor(handlers: ToolbarHandlers) {
    const views = el('div', { class: 'views', role: 'tablist' });
    for (const [view, label, key] of VIEW_LABELS) {
      const b = el(
        'vscode-button',
        { 'data-view': view, role: 'tab', 'aria-keyshortcuts': key, title: `${label} (${key})` },
        label,
      ) as Button;
      b.addEventListener('click', () => handlers.view(view));
      this.viewButtons.set(view, b);
      views.append(b);
    }
    this.root.append(
      views,
      el('span', { class: 'sep' }),
      this.search,
      this.regex,
      this.searchInfo,
      el('span', { class: 'grow' }),
      this.mine,
      this.invert,
      this.openButton,
      this.helpButton,
    );
    // The inner input's own name (vscode-textfield puts `label` on it, not the host's aria-label).
    this.search.label = 'Search functions';
    const diffLegend = el('span', { class: 'legend', 'aria-hidden': 'true' });
    for (const [cls, text, level] of [
      ['slower', 'slower', 4],
      ['neutral', 'within noise', 0],
      ['faster', 'faster', -4],
    ] as const) {
      const swatch = el('span', { class: `swatch ${cls}` });
      this.swatches.push([swatch, level]);
      diffLegend.append(swatch, el('span', {}, text));
    }
    this.diffInfo.append(this.diffRuns, this.diffNorm, this.diffNoise, diffLegend);
    this.root.append(this.diffInfo);
    this.openButton.addEventListener('click', () => handlers.openSource());
    this.helpButton.addEventListener('click', () => handlers.help());
    this.search.addEventListener('input', () => handlers.search(this.search.value));
    this.regex.addEventListener('change', () => handlers.regex(this.regex.checked));
    this.mine.addEventListener('change', () => handlers.myCodeOnly(this.mine.checked));
    this.invert.addEventListener('change', () => handlers.invert(this.invert.checked));
  }

  /** Shows the state: the tab of the view (and which views this profile has), the toggles. */
  sync(ui: UiState, m: Model | undefined): void {
    for (const [view, b] of this.viewButtons) {
      if (view === 'diff') b.hidden = !m?.compare;
      b.secondary = view !== ui.view;
      b.setAttribute('aria-selected', String(view === ui.view));
      if (view === 'timeOrder') {
        b.disabled = !m?.profile.samples;
        b.title = m?.profile.samples
          ? 'Time order (2)'
          : 'This profile has no timed samples (a call-graph profile).';
      }
    }
    this.mine.checked = ui.myCodeOnly;
    this.invert.checked = ui.inverted;
    // Only the flame graph inverts. Inert elsewhere: out of the Tab order and the accessibility
    // tree (vscode-checkbox's own disabled state reaches neither: its inner input stays enabled).
    this.invert.toggleAttribute('disabled', ui.view !== 'flame');
    this.invert.inert = ui.view !== 'flame';
    this.regex.checked = ui.regex;
    if (this.search.value !== ui.search) this.search.value = ui.search;
  }

  /** The differential view's line for a comparison. */
  showDiff(c: CompareData, palette: Palette): void {
    this.diffRuns.textContent = `${c.afterLabel} compared with ${c.beforeLabel}`;
    this.diffNorm.textContent = c.description;
    this.diffNoise.textContent = `colored only beyond noise (|z| ≥ ${c.critical.nodes.toFixed(1)})`;
    this.diffNoise.title = c.noiseDescription;
    this.paintSwatches(palette);
  }

  /** The legend's colors, from the chart's palette. */
  paintSwatches(palette: Palette): void {
    for (const [swatch, level] of this.swatches) {
      swatch.style.background = palette.fills[palette.diffNeutral + level];
    }
  }

  /** "Open source" for the function selected (disabled unless it is a local file). */
  setOpenTarget(f: Frame | undefined): void {
    this.openButton.disabled = !isOpenable(f);
    this.openButton.title = isOpenable(f)
      ? `Open ${f.file}:${f.line1 ?? 1} (O; Ctrl/Cmd+click a box does the same)`
      : 'Select a function of a local file first';
  }
}
