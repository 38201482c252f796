/**
 * The flame graph panel's client. It receives the profile once (wire.ts), derives the views
 * (model.ts, layout/), draws them on canvases (chart.ts) and a virtual table (tableView.ts), and
 * talks to the host only through the typed messages of src/shared/protocol.ts.
 *
 * Function names are data: every name reaches the page through textContent or the canvas, never
 * through HTML.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './flame.css';
import type { CallTree, Frame, Profile } from '../src/core/profile';
import type {
  BoxRef,
  FlameFocus,
  FlameUiState,
  FlameView,
  HostToWebview,
  WebviewToHost,
} from '../src/shared/protocol';
import { decodeProfile } from '../src/shared/wire';
import { decodeCompare, type CompareData } from '../src/shared/wireCompare';
import { Chart, type ChartSource, type Hit } from './chart';
import { formatChange, formatDelta } from '../src/core/diff';
import { isSignificant, type ItemGrains } from '../src/core/significance';
import { nodeGrains } from './layout/diffColors';
import { formatShare, formatWeight } from '../src/core/format';
import { firstEndingAfter, intervalAt, type IntervalRows } from './layout/intervals';
import { pathTo } from './layout/tree';
import { Model } from './model';
import { TableView } from './tableView';
import { readPalette, type Palette } from './theme';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Read-only figures for tests and the benchmark (no way to change the page through it). */
interface DebugHook {
  lastDraw(): ReturnType<Chart['draw']> | undefined;
  /** Centre of the widest visible box of a function in the main chart (CSS px, page coords). */
  locate(name: string): { x: number; y: number; node: number } | null;
  viewport(): { x0: number; x1: number; scrollY: number } | null;
  /** Draws the main chart synchronously at a viewport and returns the draw's figures. */
  drawAt(x0: number, x1: number, scrollY?: number): ReturnType<Chart['draw']> | null;
  onPaint?: () => void;
}

const vscode = acquireVsCodeApi();

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

window.addEventListener('error', (e) => post({ type: 'error', message: String(e.message) }));
window.addEventListener('unhandledrejection', (e) =>
  post({ type: 'error', message: String((e.reason as Error)?.message ?? e.reason) }),
);

// ---- DOM -------------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K];
function el(tag: string, attrs?: Record<string, string>, text?: string): HTMLElement;
function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

interface Checkbox extends HTMLElement {
  checked: boolean;
}
interface TextField extends HTMLElement {
  value: string;
  invalid: boolean;
}
interface Button extends HTMLElement {
  disabled: boolean;
  secondary: boolean;
}

const VIEW_LABELS: [FlameView, string][] = [
  ['diff', 'Differential'],
  ['flame', 'Flame graph'],
  ['timeOrder', 'Time order'],
  ['sandwich', 'Sandwich'],
  ['table', 'Table'],
];

const app = el('div', { id: 'app' });
const toolbar = el('div', { id: 'toolbar', role: 'toolbar' });
const viewButtons = new Map<FlameView, Button>();
const views = el('div', { class: 'views', role: 'tablist' });
for (const [view, label] of VIEW_LABELS) {
  const b = el('vscode-button', { 'data-view': view, role: 'tab' }, label) as Button;
  b.addEventListener('click', () => setView(view));
  viewButtons.set(view, b);
  views.append(b);
}
const search = el('vscode-textfield', {
  id: 'search',
  placeholder: 'Search functions',
  'aria-label': 'Search functions',
}) as TextField;
const regex = el('vscode-checkbox', { id: 'regex', label: 'Regex' }) as Checkbox;
const searchInfo = el('span', { id: 'searchInfo', 'aria-live': 'polite' });
const mine = el('vscode-checkbox', { id: 'mine', label: 'My code only' }) as Checkbox;
const invert = el('vscode-checkbox', { id: 'invert', label: 'Invert' }) as Checkbox;
const openButton = el(
  'vscode-button',
  { id: 'openSource', secondary: '', title: 'Open the selected function (Ctrl/Cmd+click a box)' },
  'Open source',
) as Button;
toolbar.append(
  views,
  el('span', { class: 'sep' }),
  search,
  regex,
  searchInfo,
  el('span', { class: 'grow' }),
  mine,
  invert,
  openButton,
);
// The differential view's line: which runs, and how they are normalised.
const diffInfo = el('div', { id: 'diffInfo', role: 'note' });
const diffRuns = el('span', { class: 'runs' });
const diffLegend = el('span', { class: 'legend', 'aria-hidden': 'true' });
// Legend swatches: the chart's own colors (most intense red, neutral, most intense green).
const swatches: [HTMLElement, number][] = [];
for (const [cls, text, level] of [
  ['slower', 'slower', 4],
  ['neutral', 'within noise', 0],
  ['faster', 'faster', -4],
] as const) {
  const swatch = el('span', { class: `swatch ${cls}` });
  swatches.push([swatch, level]);
  diffLegend.append(swatch, el('span', {}, text));
}

function paintSwatches(): void {
  for (const [swatch, level] of swatches) {
    swatch.style.background = palette.fills[palette.diffNeutral + level];
  }
}
const diffNorm = el('span', { id: 'diffNorm' });
// What "within noise" means here: short on the line, the whole sentence on hover.
const diffNoise = el('span', { id: 'diffNoise' });
diffInfo.append(diffRuns, diffNorm, diffNoise, diffLegend);
toolbar.append(diffInfo);
const banner = el('div', { id: 'banner', role: 'note' });
const crumbs = el('nav', { id: 'crumbs', 'aria-label': 'Zoom path' });
const stage = el('div', { id: 'stage' });
const mainPane = el('div', { id: 'mainPane', class: 'pane chart-box' });
const sandwichPane = el('div', { id: 'sandwichPane', class: 'pane' });
const callersLabel = el('div', { class: 'half-label' }, 'Callers');
const callersBox = el('div', { class: 'chart-box half' });
const sandwichTitle = el('div', { id: 'sandwichTitle', class: 'sandwich-title' });
const calleesLabel = el('div', { class: 'half-label' }, 'Callees');
const calleesBox = el('div', { class: 'chart-box half' });
sandwichPane.append(callersLabel, callersBox, sandwichTitle, calleesLabel, calleesBox);
const tablePane = el('div', { id: 'tablePane', class: 'pane' });
const emptyPane = el('div', { id: 'empty', class: 'pane' }, 'Waiting for the profile…');
// Beside the differential chart: the functions only one of the two runs has.
const changesPane = el('aside', {
  id: 'changesPane',
  'aria-label': 'Functions that appeared or vanished',
});
stage.append(mainPane, changesPane, sandwichPane, tablePane, emptyPane);
const tooltip = el('div', { id: 'tooltip', role: 'tooltip' });
app.append(toolbar, banner, crumbs, stage);
document.body.append(app, tooltip);

// ---- State -----------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const DEFAULT_STATE: FlameUiState = {
  view: 'flame',
  zoom: [],
  selected: null,
  search: '',
  regex: false,
  myCodeOnly: false,
  inverted: false,
  sandwichFrame: -1,
  tableSort: 'total',
  profileKey: '',
};
const saved = vscode.getState() as Partial<FlameUiState> | undefined;
let ui: Mutable<FlameUiState> = { ...DEFAULT_STATE, ...(saved ?? {}) };
let model: Model | undefined;
let palette: Palette = readPalette();
let firstPaintPending = false;

function save(): void {
  vscode.setState(ui);
}

function profileKey(p: Profile, compare?: CompareData): string {
  return [
    p.meta.profiler,
    p.meta.sourceFile ?? '',
    p.meta.startEpochMs ?? '',
    p.tree.size,
    p.frames.length,
    p.tree.total[0] ?? 0,
    compare ? `${compare.beforeLabel}|${compare.beforeTotal}|${compare.normalisation}` : '',
  ].join('|');
}

// ---- Charts ----------------------------------------------------------------------------------

let hoverChart: Chart | undefined;
const mainChart = new Chart(mainPane, palette, {
  hover: (hit, e) => showTooltip(mainChart, hit, e),
  click: (hit, e) => onChartClick(mainChart, hit, e),
});
const callersChart = new Chart(
  callersBox,
  palette,
  {
    hover: (hit, e) => showTooltip(callersChart, hit, e),
    click: (hit, e) => onChartClick(callersChart, hit, e),
  },
  true,
);
const calleesChart = new Chart(calleesBox, palette, {
  hover: (hit, e) => showTooltip(calleesChart, hit, e),
  click: (hit, e) => onChartClick(calleesChart, hit, e),
});
const table = new TableView(tablePane, {
  select: (frameId) => {
    ui.sandwichFrame = frameId;
    table.setSelected(frameId);
    updateOpenButton();
    save();
  },
  open: (frameId) => {
    ui.sandwichFrame = frameId;
    setView('sandwich');
  },
  openSource: (frameId) => openSource(model?.frames[frameId]),
  sort: (by) => {
    ui.tableSort = by;
    save();
    renderTable();
  },
});

/** Which chart a tree node belongs to, for the tooltip's figures. */
function chartKind(chart: Chart): 'main' | 'callers' | 'callees' {
  return chart === callersChart ? 'callers' : chart === calleesChart ? 'callees' : 'main';
}

/** The views drawn on the main chart (zoom, crumbs, keyboard). */
function onMainChart(view: FlameView): boolean {
  return view === 'flame' || view === 'diff' || view === 'timeOrder';
}

function mainSource(m: Model): ChartSource | undefined {
  if (ui.view === 'diff') {
    const d = m.diff(ui.myCodeOnly);
    if (!d) return undefined;
    return {
      rows: m.layout(d.tree),
      tree: d.tree,
      frames: m.frames,
      rootLabel: 'all',
      nodeColor: d.colors,
    };
  }
  if (ui.view === 'timeOrder') {
    const rows = m.timeOrder(ui.myCodeOnly);
    if (!rows) return undefined;
    return { rows, tree: m.base(ui.myCodeOnly), frames: m.frames, rootLabel: 'all' };
  }
  const tree = m.flameTree(ui.myCodeOnly, ui.inverted);
  return { rows: m.layout(tree), tree, frames: m.frames, rootLabel: 'all' };
}

function withoutRoot(rows: IntervalRows): IntervalRows {
  return { rows: rows.rows.slice(1), min: rows.min, max: rows.max };
}

// ---- Rendering -------------------------------------------------------------------------------

function setView(view: FlameView): void {
  if (view === 'timeOrder' && !model?.profile.samples) return;
  if (view === 'diff' && !model?.compare) return;
  if (view !== ui.view) {
    ui.view = view;
    ui.zoom = [];
    ui.selected = null;
  }
  if (view === 'sandwich' && ui.sandwichFrame < 0) ui.sandwichFrame = defaultSandwichFrame();
  save();
  render();
}

function defaultSandwichFrame(): number {
  const sel = mainChart.selection;
  const src = mainChart.current;
  if (sel && src && sel.node > 0) return src.tree.frame[sel.node];
  // The function with the most self time in the user's code, else any.
  const rows = model?.sortedTable(false, 'self') ?? [];
  const user = rows.find((r) => model?.frames[r.frameId].kind === 'user');
  return (user ?? rows[0])?.frameId ?? -1;
}

function render(): void {
  const m = model;
  for (const [view, b] of viewButtons) {
    if (view === 'diff') b.hidden = !m?.compare;
    b.secondary = view !== ui.view;
    b.setAttribute('aria-selected', String(view === ui.view));
    if (view === 'timeOrder') {
      b.disabled = !m?.profile.samples;
      b.title = m?.profile.samples
        ? ''
        : 'This profile has no timed samples (a call-graph profile).';
    }
  }
  mine.checked = ui.myCodeOnly;
  invert.checked = ui.inverted;
  invert.toggleAttribute('disabled', ui.view !== 'flame');
  regex.checked = ui.regex;
  if (search.value !== ui.search) search.value = ui.search;
  mainPane.hidden = !m || !onMainChart(ui.view);
  const diffShown = !!m?.compare && ui.view === 'diff';
  diffInfo.hidden = !diffShown;
  changesPane.hidden = !diffShown;
  stage.classList.toggle('with-changes', diffShown);
  sandwichPane.hidden = !m || ui.view !== 'sandwich';
  tablePane.hidden = !m || ui.view !== 'table';
  emptyPane.hidden = !!m;
  renderBanner();
  if (!m) return;
  if (onMainChart(ui.view)) renderMain(m);
  if (diffShown) renderDiffInfo(m);
  else if (ui.view === 'sandwich') renderSandwich(m);
  else renderTable();
  renderCrumbs();
  updateSearch();
  updateOpenButton();
}

function renderMain(m: Model): void {
  const src = mainSource(m);
  const same =
    src &&
    mainChart.current?.rows === src.rows &&
    mainChart.current.tree === src.tree &&
    mainChart.current.nodeColor === src.nodeColor;
  if (!same) mainChart.setSource(src);
  mainChart.refreshSize();
  const rows = src?.rows.rows ?? [];
  const valid = (b: BoxRef): boolean =>
    b.row >= 0 && b.row < rows.length && b.index >= 0 && b.index < rows[b.row].node.length;
  ui.zoom = ui.zoom.filter(valid);
  const top = ui.zoom[ui.zoom.length - 1];
  if (!same) {
    if (top) mainChart.zoomTo(hitOf(rows, top));
    const sel = ui.selected && valid(ui.selected) ? hitOf(rows, ui.selected) : null;
    mainChart.setSelected(sel);
  }
  if (src && src.rows.max <= src.rows.min) {
    emptyPane.hidden = false;
    emptyPane.textContent = ui.myCodeOnly
      ? 'No time in your own code: every sample is in libraries, the runtime or the profiler. Turn off "My code only".'
      : 'This profile holds no samples.';
  }
}

function hitOf(rows: IntervalRows['rows'], b: BoxRef): Hit {
  return { row: b.row, index: b.index, node: rows[b.row].node[b.index] };
}

function renderSandwich(m: Model): void {
  const frameId = ui.sandwichFrame;
  const frame = m.frames[frameId];
  sandwichTitle.replaceChildren();
  if (!frame) {
    callersChart.setSource(undefined);
    calleesChart.setSource(undefined);
    sandwichTitle.textContent = 'Pick a function in the flame graph or the table.';
    return;
  }
  const s = m.sandwich(ui.myCodeOnly, frameId);
  if (!(s.total > 0) && ui.myCodeOnly && frame.kind !== 'user') {
    callersChart.setSource(undefined);
    calleesChart.setSource(undefined);
    sandwichTitle.append(
      el('span', { class: 'fn-name' }, frame.name || '(anonymous)'),
      el('span', { class: 'fn-figures' }, ' is hidden by "My code only": turn it off to see it.'),
    );
    return;
  }
  const name = el('span', { class: 'fn-name' }, frame.name || '(anonymous)');
  const figures = el(
    'span',
    { class: 'fn-figures' },
    ` total ${formatWeight(s.total, m.profile.meta.unit)} (${formatShare(s.total, m.total)}) · self ${formatWeight(s.self, m.profile.meta.unit)} (${formatShare(s.self, m.total)})` +
      (s.exact ? ' · exact call-graph figures, one level of callers and callees' : ''),
  );
  sandwichTitle.append(name, figures);
  const callers = withoutRoot(m.layout(s.callers));
  const callees = withoutRoot(m.layout(s.callees));
  if (callersChart.current?.tree !== s.callers) {
    callersChart.setSource({ rows: callers, tree: s.callers, frames: m.frames, rootLabel: '' });
  }
  if (calleesChart.current?.tree !== s.callees) {
    calleesChart.setSource({ rows: callees, tree: s.callees, frames: m.frames, rootLabel: '' });
  }
  callersChart.refreshSize();
  calleesChart.refreshSize();
}

function renderTable(): void {
  const m = model;
  if (!m) return;
  let rows = m.sortedTable(ui.myCodeOnly, ui.tableSort);
  const { result } = m.search(m.base(ui.myCodeOnly), ui.search, ui.regex);
  if (result) rows = rows.filter((r) => result.frames[r.frameId]);
  table.setRows(
    rows,
    m.frames,
    m.profile.meta.unit,
    m.total,
    ui.tableSort,
    !!m.profile.callGraph,
    result ? 'No function matches the search.' : 'No functions.',
  );
  table.setSelected(ui.sandwichFrame);
}

function renderBanner(): void {
  banner.replaceChildren();
  const m = model;
  if (!m) {
    banner.hidden = true;
    return;
  }
  if (m.profile.treeIsApproximate) {
    banner.append(
      el('strong', {}, 'Approximated from a call graph. '),
      document.createTextNode(
        'This profiler records who called whom, not whole stacks, so the flame graph spreads each ' +
          "function's time over its callers in proportion. The table and sandwich views show the exact figures.",
      ),
    );
  }
  for (const w of m.profile.meta.warnings) banner.append(el('div', { class: 'warning' }, w));
  const note = budgetNote(m);
  if (note) banner.append(el('div', { class: 'warning budget' }, note));
  banner.hidden = !banner.childNodes.length;
}

/** What a view's work budget left out of the chart shown now (hostile profiles only), or null. */
function budgetNote(m: Model): string | null {
  const n = (v: number) => v.toLocaleString('en-US');
  if (ui.view === 'flame' && ui.inverted) {
    const cut = m.invert(m.base(ui.myCodeOnly)).cut;
    if (!cut) return null;
    return cut.nodesFull
      ? `Inverted view limited to ${n(cut.nodes)} nodes; some chains of callers stop early (their ` +
          'time stays on the last caller shown). The non-inverted flame graph shows every frame.'
      : `Inverted view limited to ${n(cut.depth)} callers per stack (the deepest stack has ` +
          `${n(cut.maxDepth)} frames); deeper callers' time stays on the last caller shown. The ` +
          'non-inverted flame graph shows every frame.';
  }
  if (ui.view === 'timeOrder') {
    const cut = m.timeOrder(ui.myCodeOnly)?.cut;
    if (!cut) return null;
    return (
      `Time order limited to the outermost ${n(cut.depth)} frames of each stack (the deepest has ` +
      `${n(cut.maxDepth)}) to stay under ${n(cut.intervals)} boxes. The flame graph shows every frame.`
    );
  }
  return null;
}

function renderCrumbs(): void {
  crumbs.replaceChildren();
  const m = model;
  const src = mainChart.current;
  if (!m || !src || !onMainChart(ui.view)) {
    crumbs.hidden = true;
    return;
  }
  crumbs.hidden = false;
  const rows = src.rows.rows;
  const top = ui.zoom[ui.zoom.length - 1];
  const all = el('button', { class: 'crumb', title: 'Show everything' }, 'All');
  all.addEventListener('click', () => zoomOut(0));
  crumbs.append(all);
  if (!top) {
    crumbs.append(
      el(
        'span',
        { class: 'hint' },
        ' Click a box to zoom · Ctrl/Cmd+click opens the source · Escape goes back',
      ),
    );
    return;
  }
  const zoomed = hitOf(rows, top);
  // Ancestors of the zoomed box, each a crumb that zooms to it.
  const path = pathTo(src.tree, zoomed.node);
  const rowOffset = ui.view === 'timeOrder' ? 1 : 0; // time order has no root row
  const start = rows[top.row].start[top.index];
  path.forEach((node, k) => {
    const depth = src.tree.depth[node];
    const r = depth - rowOffset;
    const label = src.frames[src.tree.frame[node]].name || '(anonymous)';
    crumbs.append(el('span', { class: 'crumb-sep' }, '›'));
    const b = el('button', { class: `crumb${k === path.length - 1 ? ' current' : ''}` }, label);
    b.addEventListener('click', () => {
      const i = intervalAt(rows[r], start);
      if (i < 0) return;
      ui.zoom = [...ui.zoom, { row: r, index: i }];
      applyZoom();
    });
    crumbs.append(b);
  });
}

// ---- Differential view -----------------------------------------------------------------------

function renderDiffInfo(m: Model): void {
  const c = m.compare;
  if (!c) return;
  diffRuns.textContent = `${c.afterLabel} compared with ${c.beforeLabel}`;
  diffNorm.textContent = c.description;
  diffNoise.textContent = `colored only beyond noise (|z| ≥ ${c.critical.nodes.toFixed(1)})`;
  diffNoise.title = c.noiseDescription;
  paintSwatches();
  renderChanges(m);
}

/** The model and filters the side list was last built for (it is rebuilt only when they change). */
let renderedChanges: { model: Model; mine: boolean; all: boolean } | undefined;
/**
 * Whether the side list also shows functions outside the person's code (Node's internals, the
 * standard library) that came or went: off by default, since those come and go between any two
 * runs of the same program (what ran while a sample was taken during start-up).
 */
let allChanges = false;
/** Items shown in each of the appeared and vanished lists. */
const LISTED = 200;

function renderChanges(m: Model): void {
  const c = m.compare;
  const all = allChanges && !ui.myCodeOnly;
  if (
    !c ||
    (renderedChanges?.model === m &&
      renderedChanges.mine === ui.myCodeOnly &&
      renderedChanges.all === all)
  ) {
    return;
  }
  renderedChanges = { model: m, mine: ui.myCodeOnly, all };
  changesPane.replaceChildren();
  let hidden = 0;
  const section = (
    title: string,
    list: CompareData['appeared'],
    count: number,
    appeared: boolean,
  ): void => {
    // The person's own code (heaviest first); the rest only on request, after it, dimmed.
    const mine = list.filter((f) => f.kind === 'user');
    const shown = all ? [...mine, ...list.filter((f) => f.kind !== 'user')] : mine;
    const total = all ? count : mine.length;
    hidden += count - mine.length;
    const id = appeared ? 'appeared' : 'vanished';
    const head = el('h2', { class: 'changes-title', id: `${id}Title` }, `${title} (${total})`);
    const ul = el('ul', { class: 'changes', id, 'aria-labelledby': `${id}Title` });
    for (const f of shown.slice(0, LISTED)) ul.append(changeItem(c, f, appeared));
    changesPane.append(head, ul);
    const rest = total - Math.min(shown.length, LISTED);
    if (!shown.length) changesPane.append(el('p', { class: 'changes-none' }, 'None.'));
    else if (rest > 0) {
      changesPane.append(
        el('p', { class: 'changes-none' }, `and ${rest.toLocaleString('en-US')} more`),
      );
    }
  };
  section('Appeared', c.appeared, c.appearedCount, true);
  section('Vanished', c.vanished, c.vanishedCount, false);
  if (!ui.myCodeOnly && (hidden > 0 || allChanges)) {
    const toggle = el(
      'button',
      { id: 'allChanges', class: 'changes-toggle', 'aria-pressed': String(allChanges) },
      allChanges
        ? 'Show only my code'
        : `Show ${hidden.toLocaleString('en-US')} more outside my code (runtime, libraries)`,
    );
    toggle.addEventListener('click', () => {
      allChanges = !allChanges;
      renderChanges(m);
    });
    changesPane.append(toggle);
  }
}

/** One function of the appeared or vanished list: a button that opens its source. */
function changeItem(c: CompareData, f: CompareData['appeared'][number], appeared: boolean) {
  const li = el('li');
  const frame = { name: f.name, file: f.file, line1: f.line1, col1: null, kind: f.kind };
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
  b.addEventListener('click', () => openSource(frame));
  li.append(b);
  return li;
}

/** Before, after and the change of a box of the differential view, and of its function. */
function diffTooltipLines(
  m: Model,
  src: ChartSource,
  node: number,
): { title: string; lines: string[] } | null {
  const c = m.compare;
  const d = m.diff(ui.myCodeOnly);
  if (!c || !d) return null;
  const unit = c.unit;
  const tree = src.tree;
  const fw = (v: number): string => formatWeight(v, unit);
  const change = (before: number, after: number, zCritical: number, grains?: ItemGrains) =>
    formatChange(
      after - before,
      before > 0 ? (after - before) / before : null,
      unit,
      isSignificant(before, after, c.noise, zCritical, grains),
    );
  // Functions are judged once, by the comparison itself, as in the editor's CodeLens.
  const functionChange = (before: number, after: number, significant: boolean): string =>
    formatChange(after - before, before > 0 ? (after - before) / before : null, unit, significant);
  const lines: string[] = [];
  const frame = node > 0 ? src.frames[tree.frame[node]] : undefined;
  if (frame) {
    lines.push(
      frame.file
        ? `${frame.file}${frame.line1 ? `:${frame.line1}` : ''}`
        : frame.kind === 'pseudo'
          ? 'Profiler pseudo-frame'
          : `${frame.kind} code`,
    );
  }
  const bt = d.beforeTotal[node];
  const at = tree.total[node];
  const z = c.critical.nodes;
  const here = change(bt, at, z, nodeGrains(d.test, node, bt, at));
  lines.push(`${node > 0 ? 'Total here' : 'Total'}: before ${fw(bt)} · after ${fw(at)} · ${here}`);
  if (node > 0) {
    const bs = d.beforeSelf[node];
    const as = tree.self[node];
    lines.push(`Self here: before ${fw(bs)} · after ${fw(as)} · ${change(bs, as, z)}`);
    const fid = tree.frame[node];
    const inlined = c.inlinedBefore.has(fid);
    if (!(bt > 0)) {
      lines.push(
        inlined
          ? 'Call path not in the earlier run: V8 ran this function inlined there'
          : 'Call path not sampled in the earlier run',
      );
    }
    const before = c.beforeByFrame.get(fid);
    const after = m.functionFigures(false, fid);
    if (before && after) {
      lines.push(
        `Function total: before ${fw(before.total)}${inlined ? ' (on its lines)' : ''} · after ${fw(after.total)} · ${functionChange(before.total, after.total, c.changedFrames.has(fid))}`,
      );
    } else if (after) lines.push('Function: not sampled in the earlier run');
  }
  lines.push(
    c.normalisation === 'typical'
      ? 'Before weights normalised by the typical change'
      : c.normalisation === 'total'
        ? 'Before weights normalised by total'
        : 'As measured',
  );
  if (isOpenable(frame)) lines.push('Ctrl/Cmd+click: open the source');
  return { title: frame ? frame.name || '(anonymous)' : 'All', lines };
}

// ---- Interaction -----------------------------------------------------------------------------

function applyZoom(): void {
  const src = mainChart.current;
  if (!src) return;
  const top = ui.zoom[ui.zoom.length - 1];
  if (top) {
    const hit = hitOf(src.rows.rows, top);
    mainChart.zoomTo(hit);
    mainChart.setSelected(hit);
    ui.selected = top;
  } else {
    mainChart.setViewport(src.rows.min, src.rows.max, 0);
  }
  save();
  renderCrumbs();
  updateOpenButton();
}

function zoomOut(depth: number): void {
  ui.zoom = ui.zoom.slice(0, depth);
  applyZoom();
}

function onChartClick(chart: Chart, hit: Hit, e: MouseEvent): void {
  const src = chart.current;
  if (!src || !model) return;
  const frame = hit.node > 0 ? src.frames[src.tree.frame[hit.node]] : undefined;
  if (e.ctrlKey || e.metaKey) {
    openSource(frame);
    return;
  }
  if (chart === mainChart) {
    ui.zoom = [...ui.zoom, { row: hit.row, index: hit.index }];
    applyZoom();
  } else if (frame) {
    // In the sandwich, a click re-centres it on the function clicked.
    ui.sandwichFrame = src.tree.frame[hit.node];
    save();
    render();
  }
  chart.canvas.focus();
}

function isOpenable(frame: Frame | undefined): frame is Frame & { file: string } {
  if (!frame?.file) return false;
  // Local paths only: node:internal modules, http: URLs and the like cannot be opened.
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(frame.file);
}

function openSource(frame: Frame | undefined): void {
  if (!isOpenable(frame)) return;
  post({ type: 'openSource', file: frame.file, line1: frame.line1 ?? 1 });
}

function selectedFrame(): Frame | undefined {
  const m = model;
  if (!m) return undefined;
  if (ui.view === 'sandwich' || ui.view === 'table') return m.frames[ui.sandwichFrame];
  const sel = mainChart.selection;
  const src = mainChart.current;
  return sel && src && sel.node > 0 ? src.frames[src.tree.frame[sel.node]] : undefined;
}

function updateOpenButton(): void {
  const f = selectedFrame();
  openButton.disabled = !isOpenable(f);
  openButton.title = isOpenable(f)
    ? `Open ${f.file}:${f.line1 ?? 1} (Ctrl/Cmd+click a box does the same)`
    : 'Select a function of a local file first';
}

openButton.addEventListener('click', () => openSource(selectedFrame()));

function keyChart(): Chart | undefined {
  if (onMainChart(ui.view)) return mainChart;
  if (ui.view === 'sandwich') {
    return document.activeElement === callersChart.canvas ? callersChart : calleesChart;
  }
  return undefined;
}

/** The box a key moves the selection to. Up goes to the caller row on screen. */
function neighbour(chart: Chart, sel: Hit, key: string, flipped: boolean): Hit | null {
  const rows = chart.current?.rows.rows;
  if (!rows) return null;
  const row = rows[sel.row];
  const start = row.start[sel.index];
  const end = row.end[sel.index];
  const toParent = key === (flipped ? 'ArrowDown' : 'ArrowUp');
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    let i = sel.index + (key === 'ArrowLeft' ? -1 : 1);
    // Skip boxes of zero width.
    while (i >= 0 && i < row.node.length && row.end[i] <= row.start[i])
      i += key === 'ArrowLeft' ? -1 : 1;
    return i >= 0 && i < row.node.length ? { row: sel.row, index: i, node: row.node[i] } : null;
  }
  const r = sel.row + (toParent ? -1 : 1);
  const target = rows[r];
  if (!target) return null;
  if (toParent) {
    const i = intervalAt(target, start);
    return i < 0 ? null : { row: r, index: i, node: target.node[i] };
  }
  const i = firstEndingAfter(target, start);
  return i < target.node.length && target.start[i] < end
    ? { row: r, index: i, node: target.node[i] }
    : null;
}

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement | null;
  const inSearch = !!target?.closest?.('vscode-textfield');
  if ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !inSearch)) {
    e.preventDefault();
    search.focus();
    return;
  }
  if (e.key === 'Escape') {
    if (inSearch && ui.search) {
      ui.search = '';
      search.value = '';
      save();
      updateSearch();
      return;
    }
    if (onMainChart(ui.view) && ui.zoom.length) {
      e.preventDefault();
      zoomOut(ui.zoom.length - 1);
    }
    return;
  }
  if (inSearch || ui.view === 'table') return;
  const chart = keyChart();
  if (!chart?.current) return;
  const flipped = chart === callersChart;
  if (e.key.startsWith('Arrow')) {
    e.preventDefault();
    const sel = chart.selection;
    const next = sel ? neighbour(chart, sel, e.key, flipped) : firstBox(chart.current.rows);
    if (!next) return;
    chart.setSelected(next);
    chart.ensureVisible(next);
    if (chart === mainChart) {
      ui.selected = { row: next.row, index: next.index };
      save();
    }
    showTooltipForSelection(chart, next);
    updateOpenButton();
  } else if (e.key === 'Enter') {
    const sel = chart.selection;
    if (!sel) return;
    e.preventDefault();
    if (chart === mainChart) {
      ui.zoom = [...ui.zoom, { row: sel.row, index: sel.index }];
      applyZoom();
    } else if (sel.node > 0) {
      ui.sandwichFrame = chart.current.tree.frame[sel.node];
      save();
      render();
    }
  } else if (e.key === '+' || e.key === '=') chart.zoomBy(0.8);
  else if (e.key === '-') chart.zoomBy(1.25);
});

function firstBox(rows: IntervalRows): Hit | null {
  const row = rows.rows[0];
  return row && row.node.length ? { row: 0, index: 0, node: row.node[0] } : null;
}

// ---- Search ----------------------------------------------------------------------------------

search.addEventListener('input', () => {
  ui.search = search.value;
  save();
  updateSearch();
  if (ui.view === 'table') renderTable();
});
regex.addEventListener('change', () => {
  ui.regex = regex.checked;
  save();
  updateSearch();
  if (ui.view === 'table') renderTable();
});

function updateSearch(): void {
  const m = model;
  searchInfo.textContent = '';
  search.invalid = false;
  if (!m) return;
  // The share is measured on the tree of the current view (so "my code only" is respected).
  const shareTree =
    ui.view === 'flame' ? m.flameTree(ui.myCodeOnly, ui.inverted) : m.base(ui.myCodeOnly);
  const { result, error } = m.search(shareTree, ui.search, ui.regex);
  if (error) {
    search.invalid = true;
    searchInfo.textContent = error;
  } else if (result) {
    searchInfo.textContent = result.functionCount
      ? `${result.functionCount} function${result.functionCount === 1 ? '' : 's'} · ${formatShare(result.total, m.total)} · ${formatWeight(result.total, m.profile.meta.unit)}`
      : 'No match';
    searchInfo.title =
      'Share of the time with a matching function on the stack (nested matches counted once)';
  }
  const highlightFor = (chart: Chart): void => {
    const src = chart.current;
    if (!src) return;
    chart.setHighlight(
      result ? (m.search(src.tree, ui.search, ui.regex).result?.nodes ?? null) : null,
    );
  };
  if (onMainChart(ui.view)) highlightFor(mainChart);
  if (ui.view === 'sandwich') {
    highlightFor(callersChart);
    highlightFor(calleesChart);
  }
}

// ---- Toggles ---------------------------------------------------------------------------------

mine.addEventListener('change', () => {
  ui.myCodeOnly = mine.checked;
  ui.zoom = [];
  ui.selected = null;
  save();
  render();
});
invert.addEventListener('change', () => {
  ui.inverted = invert.checked;
  ui.zoom = [];
  ui.selected = null;
  save();
  render();
});

// ---- Tooltip ---------------------------------------------------------------------------------

function tooltipLines(chart: Chart, hit: Hit): { title: string; lines: string[] } | null {
  const m = model;
  const src = chart.current;
  if (!m || !src) return null;
  const unit = m.profile.meta.unit;
  const w = (v: number): string => `${formatWeight(v, unit)} (${formatShare(v, m.total)})`;
  const tree: CallTree = src.tree;
  const node = hit.node;
  if (chart === mainChart && ui.view === 'diff') return diffTooltipLines(m, src, node);
  if (node === 0) return { title: 'All', lines: [`Total: ${w(tree.total[0])}`] };
  const frame = src.frames[tree.frame[node]];
  const lines: string[] = [];
  lines.push(
    frame.file
      ? `${frame.file}${frame.line1 ? `:${frame.line1}` : ''}`
      : frame.kind === 'pseudo'
        ? 'Profiler pseudo-frame'
        : `${frame.kind} code`,
  );
  const approx = m.profile.treeIsApproximate && chartKind(chart) === 'main' ? ' (approximate)' : '';
  const inverted = chart === mainChart && ui.view === 'flame' && ui.inverted;
  if (inverted) {
    lines.push(`Time in this call path: ${w(tree.total[node])}${approx}`);
  } else if (chart === mainChart && ui.view === 'timeOrder') {
    const row = src.rows.rows[hit.row];
    const d = row.end[hit.index] - row.start[hit.index];
    lines.push(`Duration here: ${w(d)}`);
    lines.push(
      `From ${formatWeight(row.start[hit.index] - src.rows.min, unit)} to ${formatWeight(row.end[hit.index] - src.rows.min, unit)}`,
    );
  } else {
    lines.push(`Total here: ${w(tree.total[node])}${approx}`);
    lines.push(`Self here: ${w(tree.self[node])}${approx}`);
  }
  const f = m.functionFigures(ui.myCodeOnly, tree.frame[node]);
  if (f) {
    lines.push(`Function total: ${w(f.total)} · self: ${w(f.self)}`);
    lines.push(
      f.calls === null
        ? 'Calls: not counted (a sampling profiler sees time, not calls)'
        : `Calls: ${f.calls.toLocaleString('en-US')}`,
    );
  }
  if (isOpenable(frame)) lines.push('Ctrl/Cmd+click: open the source');
  return { title: frame.name || '(anonymous)', lines };
}

function fillTooltip(chart: Chart, hit: Hit): boolean {
  const content = tooltipLines(chart, hit);
  if (!content) return false;
  const title = el('div', { class: 'tt-title' }, content.title);
  tooltip.replaceChildren(title, ...content.lines.map((l) => el('div', { class: 'tt-line' }, l)));
  return true;
}

function placeTooltip(x: number, y: number): void {
  tooltip.hidden = false;
  const r = tooltip.getBoundingClientRect();
  const left = x + 14 + r.width > window.innerWidth ? Math.max(0, x - 14 - r.width) : x + 14;
  const top = y + 16 + r.height > window.innerHeight ? Math.max(0, y - 8 - r.height) : y + 16;
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${top}px`;
}

function showTooltip(chart: Chart, hit: Hit | null, e: MouseEvent): void {
  hoverChart = chart;
  if (!hit || !fillTooltip(chart, hit)) {
    tooltip.hidden = true;
    return;
  }
  placeTooltip(e.clientX, e.clientY);
}

function showTooltipForSelection(chart: Chart, hit: Hit): void {
  const box = chart.boxOf(hit);
  if (!box || !fillTooltip(chart, hit)) return;
  const r = chart.canvas.getBoundingClientRect();
  placeTooltip(r.left + box.x + Math.min(box.w / 2, 40), r.top + box.y + box.h);
}

document.addEventListener('scroll', () => (tooltip.hidden = true), true);
void hoverChart;

// ---- Theme -----------------------------------------------------------------------------------

function refreshTheme(): void {
  palette = readPalette();
  paintSwatches();
  for (const c of [mainChart, callersChart, calleesChart]) c.setPalette(palette);
}
new MutationObserver(refreshTheme).observe(document.body, {
  attributes: true,
  attributeFilter: ['class', 'data-vscode-theme-kind'],
});

// ---- Messages --------------------------------------------------------------------------------

function applyFocus(focus: FlameFocus): void {
  const m = model;
  if (!m || !m.frames[focus.frameId]) return;
  if (focus.view === 'sandwich') {
    ui.sandwichFrame = focus.frameId;
    ui.view = 'sandwich';
    ui.zoom = [];
    save();
    render();
    return;
  }
  // A comparison stays in the differential view: it shows the same tree.
  ui.view = ui.view === 'diff' && m.compare ? 'diff' : 'flame';
  ui.inverted = false;
  if (ui.myCodeOnly && m.frames[focus.frameId].kind !== 'user') ui.myCodeOnly = false;
  const tree = m.flameTree(ui.myCodeOnly, false);
  const node = m.heaviestNodeOf(tree, focus.frameId);
  const layout = m.layout(tree);
  ui.zoom = node > 0 ? [{ row: tree.depth[node], index: layout.indexInRow[node] }] : [];
  ui.selected = ui.zoom[0] ?? null;
  ui.sandwichFrame = focus.frameId;
  save();
  mainChart.setSource(undefined);
  render();
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'profile': {
      performance.mark('heatlens:profile-received');
      let profile: Profile;
      let compare: CompareData | undefined;
      try {
        profile = decodeProfile(msg.profile);
        compare = msg.compare ? decodeCompare(msg.compare, profile) : undefined;
      } catch (e) {
        emptyPane.textContent = (e as Error).message;
        post({ type: 'error', message: (e as Error).message });
        return;
      }
      model = new Model(profile, compare);
      const key = profileKey(profile, compare);
      // A new comparison opens on the differential view.
      if (ui.profileKey !== key) {
        ui = { ...DEFAULT_STATE, view: compare ? 'diff' : 'flame', profileKey: key };
      }
      if (ui.view === 'timeOrder' && !profile.samples) ui.view = 'flame';
      if (ui.view === 'diff' && !compare) ui.view = 'flame';
      renderedChanges = undefined;
      firstPaintPending = true;
      mainChart.setSource(undefined);
      callersChart.setSource(undefined);
      calleesChart.setSource(undefined);
      if (msg.focus) applyFocus(msg.focus);
      else render();
      save();
      // Draw now rather than on the next frame, so first paint is measured where it happens.
      if (onMainChart(ui.view)) mainChart.draw();
      break;
    }
    case 'focus':
      applyFocus(msg);
      break;
    case 'theme':
      refreshTheme();
      break;
    case 'empty':
      model = undefined;
      emptyPane.textContent = msg.message;
      render();
      break;
  }
});

const debug: DebugHook = {
  lastDraw: () => mainChart.lastStats,
  locate(name) {
    const src = mainChart.current;
    if (!src) return null;
    let best: { x: number; y: number; node: number; w: number } | null = null;
    src.rows.rows.forEach((row, r) => {
      for (let i = 0; i < row.node.length; i++) {
        const node = row.node[i];
        if (node === 0 || src.frames[src.tree.frame[node]].name !== name) continue;
        const box = mainChart.boxOf({ row: r, index: i, node });
        if (box && (!best || box.w > best.w)) {
          const rect = mainChart.canvas.getBoundingClientRect();
          best = {
            x: rect.left + box.x + box.w / 2,
            y: rect.top + box.y + box.h / 2,
            node,
            w: box.w,
          };
        }
      }
    });
    if (!best) return null;
    const { x, y, node } = best;
    return { x, y, node };
  },
  viewport: () => (mainChart.current ? mainChart.viewport : null),
  drawAt(x0, x1, scrollY) {
    if (!mainChart.current) return null;
    mainChart.setViewport(x0, x1, scrollY);
    return mainChart.draw();
  },
};
(window as unknown as { heatlensDebug: DebugHook }).heatlensDebug = debug;
mainChart.onDrawn = () => {
  if (firstPaintPending && model) {
    firstPaintPending = false;
    performance.mark('heatlens:first-paint');
  }
  debug.onPaint?.();
};
for (const c of [callersChart, calleesChart]) {
  c.onDrawn = () => {
    if (firstPaintPending && model && ui.view === 'sandwich') {
      firstPaintPending = false;
      performance.mark('heatlens:first-paint');
    }
  };
}

render();
post({ type: 'ready' });
