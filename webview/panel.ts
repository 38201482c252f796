/**
 * The flame graph panel: its page (toolbar, banner, zoom path, the panes of each view), its charts
 * and table, and what happens when the state changes: rendering the view shown, zooming, search,
 * the toggles, the tooltip, opening a source. The state lives in the store (store.ts); main.ts
 * wires the panel to the host's messages and the keyboard.
 *
 * Function names are data: every name reaches the page through textContent or the canvas, never
 * through HTML.
 */
import type { Frame, Profile } from '../src/core/profile';
import type { BoxRef, FlameFocus, FlameView, WebviewToHost } from '../src/shared/protocol';
import type { CompareData } from '../src/shared/wireCompare';
import {
  VIEW_NAMES,
  describeBox,
  describeFunction,
  mainChartLabel,
  openSourceText,
} from './announce';
import { renderBanner } from './banner';
import { CallGraphView } from './callGraphView';
import { ChangesList } from './changes';
import { Chart, type Hit } from './chart';
import { renderCrumbs } from './crumbs';
import { showSearch } from './searchView';
import { defaultSandwichFrame, focusState, mainSource, renderSandwich } from './views';
import { el } from './dom';
import { chartKeysHint, KeyHelp } from './keyHelp';
import { LiveRegion } from './liveRegion';
import { Model } from './model';
import { isOpenable, openSourceMessage } from './openSource';
import { onMainChart, type Store } from './store';
import { TableView } from './tableView';
import { readPalette, type Palette } from './theme';
import { Toolbar } from './toolbar';
import { Tooltip, tooltipContent, type ChartRole, type TooltipContent } from './tooltip';
import { hitOf } from './viewport';

/** The panel's page, charts and behaviour. */
export class Panel {
  readonly toolbar: Toolbar;
  readonly tooltip = new Tooltip();
  /** Where the screen reader hears the box selected, a zoom, a view (announce.ts words it). */
  readonly live = new LiveRegion();
  readonly keyHelp = new KeyHelp();
  readonly mainChart: Chart;
  readonly callersChart: Chart;
  readonly calleesChart: Chart;
  private readonly banner = el('div', { id: 'banner', role: 'note' });
  private readonly crumbs = el('nav', { id: 'crumbs', 'aria-label': 'Zoom path' });
  private readonly stage = el('div', { id: 'stage' });
  private readonly mainPane = el('div', { id: 'mainPane', class: 'pane chart-box' });
  private readonly sandwichPane = el('div', { id: 'sandwichPane', class: 'pane' });
  private readonly sandwichTitle = el('div', { id: 'sandwichTitle', class: 'sandwich-title' });
  private readonly tablePane = el('div', { id: 'tablePane', class: 'pane' });
  private readonly emptyPane = el(
    'div',
    { id: 'empty', class: 'pane' },
    'Waiting for the profile…',
  );
  // Beside the differential chart: the functions only one of the two runs has.
  private readonly changesPane = el('aside', {
    id: 'changesPane',
    'aria-label': 'Functions that appeared or vanished',
  });
  private readonly table: TableView;
  private readonly graphView: CallGraphView;
  private readonly changes: ChangesList;
  private palette: Palette;
  private firstPaintPending = false;

  constructor(
    readonly store: Store,
    private readonly post: (message: WebviewToHost) => void,
  ) {
    this.toolbar = new Toolbar({
      view: (view) => this.setView(view),
      search: (text) => this.setSearch({ search: text }),
      regex: (on) => this.setSearch({ regex: on }),
      myCodeOnly: (on) => this.setFilter({ myCodeOnly: on }),
      invert: (on) => this.setFilter({ inverted: on }),
      openSource: () => this.openSource(this.selectedFrame()),
      help: () => this.openHelp(),
    });
    const callersBox = el('div', { class: 'chart-box half' });
    const calleesBox = el('div', { class: 'chart-box half' });
    this.sandwichPane.append(
      el('div', { class: 'half-label' }, 'Callers'),
      callersBox,
      this.sandwichTitle,
      el('div', { class: 'half-label' }, 'Callees'),
      calleesBox,
    );
    this.stage.append(
      this.mainPane,
      this.changesPane,
      this.sandwichPane,
      this.tablePane,
      this.emptyPane,
    );
    // One landmark holds it all; the heading names the page for a screen reader.
    const app = el('main', { id: 'app' });
    const heading = el('h1', { class: 'visually-hidden' }, 'Heatlens profile');
    app.append(heading, this.toolbar.root, this.banner, this.crumbs, this.stage);
    app.append(this.tooltip.root, this.live.root, chartKeysHint(), this.keyHelp.root);
    document.body.append(app);
    this.palette = readPalette();
    const chart = (box: HTMLElement, flipped = false): Chart => {
      const c: Chart = new Chart(
        box,
        this.palette,
        {
          hover: (hit, e) => this.showTooltip(c, hit, e),
          click: (hit, e) => this.onChartClick(c, hit, e),
        },
        flipped,
      );
      return c;
    };
    this.mainChart = chart(this.mainPane);
    this.callersChart = chart(callersBox, true);
    this.calleesChart = chart(calleesBox);
    this.table = new TableView(this.tablePane, {
      select: (frameId) => {
        this.store.ui.sandwichFrame = frameId;
        this.table.setSelected(frameId);
        this.updateOpenButton();
        this.store.save();
        const m = this.store.model;
        const f = m?.functionFigures(this.store.ui.myCodeOnly, frameId);
        if (m && f) this.live.say(describeFunction(m, m.frames[frameId], f));
      },
      open: (frameId) => {
        this.store.ui.sandwichFrame = frameId;
        this.setView('sandwich');
        this.live.say(`Sandwich of ${this.sandwichTitle.textContent ?? ''}`);
      },
      openSource: (frameId) => this.openSource(this.store.model?.frames[frameId]),
      sort: (by) => {
        this.store.ui.tableSort = by;
        this.store.save();
        this.renderTable();
      },
    });
    this.changes = new ChangesList(this.changesPane, (frame) => this.openSource(frame));
    this.graphView = new CallGraphView(store, post, () => this.updateOpenButton());
    this.stage.append(this.graphView.root);
    new MutationObserver(() => this.refreshTheme()).observe(document.body, {
      attributes: true,
      attributeFilter: ['class', 'data-vscode-theme-kind'],
    });
  }

  /** The search field (the keyboard focuses it). */
  get search(): Toolbar['search'] {
    return this.toolbar.search;
  }

  // ---- Messages from the host -----------------------------------------------------------------

  /** A profile arrived: shows it, in the state saved for it if it is the same one. */
  showProfile(profile: Profile, compare: CompareData | undefined, focus?: FlameFocus): void {
    this.store.open(new Model(profile, compare));
    this.changes.reset();
    this.firstPaintPending = true;
    this.mainChart.setSource(undefined);
    this.callersChart.setSource(undefined);
    this.calleesChart.setSource(undefined);
    if (focus) this.applyFocus(focus);
    else this.render();
    this.store.save();
    // Draw now rather than on the next frame, so first paint is measured where it happens.
    if (onMainChart(this.store.ui.view)) this.mainChart.draw();
  }

  /** No profile to show, and why. */
  showEmpty(message: string): void {
    this.store.model = undefined;
    this.emptyPane.textContent = message;
    this.render();
  }

  /** A profile that could not be read: says why (the state is kept). */
  showBadProfile(message: string): void {
    this.emptyPane.textContent = message;
  }

  /** Shows a function: zoomed to its heaviest call path, or in the sandwich. */
  applyFocus(focus: FlameFocus): void {
    const m = this.store.model;
    if (!m || !m.frames[focus.frameId]) return;
    const onMain = focusState(m, this.store.ui, focus);
    this.store.save();
    if (onMain) this.mainChart.setSource(undefined);
    this.render();
  }

  /** Re-reads the theme's colors and redraws. */
  refreshTheme(): void {
    this.palette = readPalette();
    this.toolbar.paintSwatches(this.palette);
    for (const c of [this.mainChart, this.callersChart, this.calleesChart]) {
      c.setPalette(this.palette);
    }
  }

  /** Marks the first frame drawn after a profile arrived (for the timings and the benchmark). */
  markFirstPaint(sandwich: boolean): void {
    if (!this.firstPaintPending || !this.store.model) return;
    if (sandwich && this.store.ui.view !== 'sandwich') return;
    this.firstPaintPending = false;
    performance.mark('heatlens:first-paint');
  }

  // ---- Rendering ------------------------------------------------------------------------------

  /** Shows a view (those the profile does not have are ignored). */
  setView(view: FlameView): void {
    const { store } = this;
    const ui = store.ui;
    if (view === 'timeOrder' && !store.model?.profile.samples) return;
    if (view === 'diff' && !store.model?.compare) return;
    if (view !== ui.view) {
      ui.view = view;
      store.resetZoom();
    }
    if (view === 'sandwich' && ui.sandwichFrame < 0)
      ui.sandwichFrame = defaultSandwichFrame(this.store.model, this.mainChart);
    store.save();
    this.render();
  }

  /** Re-centres the sandwich on a function. */
  showSandwich(frameId: number): void {
    this.store.ui.sandwichFrame = frameId;
    this.store.save();
    this.render();
    this.live.say(`Sandwich of ${this.sandwichTitle.textContent ?? ''}`);
  }

  /** Shows the state: the toolbar, the panes of the view, the view itself. */
  render(): void {
    const m = this.store.model;
    const ui = this.store.ui;
    this.toolbar.sync(ui, m);
    this.mainPane.hidden = !m || !onMainChart(ui.view);
    const diffShown = !!m?.compare && ui.view === 'diff';
    this.toolbar.diffInfo.hidden = !diffShown;
    this.changesPane.hidden = !diffShown;
    this.stage.classList.toggle('with-changes', diffShown);
    this.sandwichPane.hidden = !m || ui.view !== 'sandwich';
    this.tablePane.hidden = !m || ui.view !== 'table';
    this.graphView.root.hidden = !m || ui.view !== 'callGraph';
    this.emptyPane.hidden = !!m;
    renderBanner(this.banner, m, ui);
    if (!m) return;
    if (onMainChart(ui.view)) this.renderMain(m);
    if (diffShown && m.compare) {
      this.toolbar.showDiff(m.compare, this.palette);
      this.changes.render(m, ui.myCodeOnly);
    } else if (ui.view === 'sandwich') {
      renderSandwich(this.sandwichTitle, this.callersChart, this.calleesChart, m, ui);
    } else if (ui.view === 'callGraph') this.graphView.render(m, ui);
    else this.renderTable();
    this.renderCrumbs();
    this.updateSearch();
    this.updateOpenButton();
  }

  private renderMain(m: Model): void {
    const ui = this.store.ui;
    const chart = this.mainChart;
    const src = mainSource(m, ui);
    const same =
      src &&
      chart.current?.rows === src.rows &&
      chart.current.tree === src.tree &&
      chart.current.nodeColor === src.nodeColor;
    if (!same) chart.setSource(src);
    chart.refreshSize();
    const rows = src?.rows.rows ?? [];
    const valid = (b: BoxRef): boolean =>
      b.row >= 0 && b.row < rows.length && b.index >= 0 && b.index < rows[b.row].node.length;
    ui.zoom = ui.zoom.filter(valid);
    const top = ui.zoom[ui.zoom.length - 1];
    if (!same) {
      if (top) chart.zoomTo(hitOf(rows, top));
      const sel = ui.selected && valid(ui.selected) ? hitOf(rows, ui.selected) : null;
      chart.setSelected(sel);
    }
    if (src && src.rows.max <= src.rows.min) {
      this.emptyPane.hidden = false;
      this.emptyPane.textContent = ui.myCodeOnly
        ? 'No time in your own code: every sample is in libraries, the runtime or the profiler. Turn off "My code only".'
        : 'This profile holds no samples.';
    }
  }

  private renderTable(): void {
    const m = this.store.model;
    const ui = this.store.ui;
    if (!m) return;
    let rows = m.sortedTable(ui.myCodeOnly, ui.tableSort);
    const { result } = m.search(m.base(ui.myCodeOnly), ui.search, ui.regex);
    if (result) rows = rows.filter((r) => result.frames[r.frameId]);
    this.table.setRows(
      rows,
      m.frames,
      m.profile.meta.unit,
      m.total,
      ui.tableSort,
      !!m.profile.callGraph,
      result ? 'No function matches the search.' : 'No functions.',
    );
    this.table.setSelected(ui.sandwichFrame);
  }

  /** The zoom path, and the main chart's name (which says the box zoomed to). */
  private renderCrumbs(): void {
    const ui = this.store.ui;
    this.mainChart.setLabel(mainChartLabel(ui, this.mainChart.current));
    renderCrumbs(
      this.crumbs,
      this.mainChart.current,
      ui,
      !!this.store.model && onMainChart(ui.view),
      {
        zoomOut: (depth) => this.zoomOut(depth),
        zoomTo: (row, index) => this.zoomInto({ row, index }),
      },
    );
  }

  // ---- Zoom, selection, opening sources -------------------------------------------------------

  /** Shows the last box of the zoom path (or everything) and saves. */
  private applyZoom(): void {
    const chart = this.mainChart;
    const src = chart.current;
    if (!src) return;
    const ui = this.store.ui;
    const top = ui.zoom[ui.zoom.length - 1];
    if (top) {
      const hit = hitOf(src.rows.rows, top);
      chart.zoomTo(hit);
      chart.setSelected(hit);
      ui.selected = top;
      const m = this.store.model;
      if (m) this.live.say(`Zoomed to ${describeBox(m, ui, 'main', src, hit)}`);
    } else {
      chart.setViewport(src.rows.min, src.rows.max, 0);
      this.live.say('Zoom reset: showing everything');
    }
    this.store.save();
    this.renderCrumbs();
    this.updateOpenButton();
  }

  /** Keeps the first `depth` steps of the zoom path. */
  zoomOut(depth: number): void {
    this.store.ui.zoom = this.store.ui.zoom.slice(0, depth);
    this.applyZoom();
  }

  /** Zooms the main chart to a box (one more step of the zoom path). */
  zoomInto(box: BoxRef): void {
    this.store.ui.zoom = [...this.store.ui.zoom, { row: box.row, index: box.index }];
    this.applyZoom();
  }

  private onChartClick(chart: Chart, hit: Hit, e: MouseEvent): void {
    const src = chart.current;
    if (!src || !this.store.model) return;
    const frame = hit.node > 0 ? src.frames[src.tree.frame[hit.node]] : undefined;
    if (e.ctrlKey || e.metaKey) {
      this.openSource(frame);
      return;
    }
    // In the sandwich, a click re-centres it on the function clicked.
    if (chart === this.mainChart) this.zoomInto(hit);
    else if (frame) this.showSandwich(src.tree.frame[hit.node]);
    chart.canvas.focus();
  }

  /** A box was selected with the keyboard: shows it, its tooltip, and keeps it. */
  selected(chart: Chart, hit: Hit): void {
    chart.setSelected(hit);
    chart.ensureVisible(hit);
    if (chart === this.mainChart) {
      this.store.ui.selected = { row: hit.row, index: hit.index };
      this.store.save();
    }
    this.showTooltipForSelection(chart, hit);
    this.updateOpenButton();
    const m = this.store.model;
    const src = chart.current;
    if (m && src) this.live.say(describeBox(m, this.store.ui, this.role(chart), src, hit));
  }

  private openSource(frame: Frame | undefined): void {
    const message = openSourceMessage(frame);
    if (message) this.post(message);
  }

  /** Opens the source of the function selected in the view shown, and says so (or why not). */
  openSelectedSource(): void {
    const frame = this.selectedFrame();
    this.live.say(openSourceText(frame, isOpenable(frame)));
    this.openSource(frame);
  }

  /** Shows a view from the keyboard: says which, and puts the focus on its chart or table. */
  showView(view: FlameView): void {
    const m = this.store.model;
    if (!m) return;
    if (view === 'timeOrder' && !m.profile.samples) {
      this.live.say('No time order: this profile has no timed samples.');
      return;
    }
    if (view === 'diff' && !m.compare) {
      this.live.say('No differential view: this is not a comparison of two runs.');
      return;
    }
    this.setView(view);
    if (view === 'table') this.table.focus();
    else if (view === 'callGraph') this.graphView.focus();
    else (view === 'sandwich' ? this.callersChart : this.mainChart).canvas.focus();
    this.live.say(`${VIEW_NAMES[view]} view`);
  }

  /** Opens the keyboard help. */
  openHelp(): void {
    this.tooltip.hide();
    this.keyHelp.open();
  }

  private selectedFrame(): Frame | undefined {
    const m = this.store.model;
    if (!m) return undefined;
    const ui = this.store.ui;
    if (ui.view === 'sandwich' || ui.view === 'table' || ui.view === 'callGraph')
      return m.frames[ui.sandwichFrame];
    const sel = this.mainChart.selection;
    const src = this.mainChart.current;
    return sel && src && sel.node > 0 ? src.frames[src.tree.frame[sel.node]] : undefined;
  }

  private updateOpenButton(): void {
    this.toolbar.setOpenTarget(this.selectedFrame());
  }

  // ---- Search and toggles ---------------------------------------------------------------------

  private setSearch(change: { search?: string; regex?: boolean }): void {
    Object.assign(this.store.ui, change);
    this.store.save();
    this.updateSearch();
    if (this.store.ui.view === 'table') this.renderTable();
  }

  private setFilter(change: { myCodeOnly?: boolean; inverted?: boolean }): void {
    Object.assign(this.store.ui, change);
    this.store.resetZoom();
    this.store.save();
    this.render();
  }

  /** The search's figures beside the field, and its matches highlighted in the charts shown. */
  updateSearch(): void {
    showSearch(this.toolbar, this.store.model, this.store.ui, this);
  }

  // ---- Tooltip --------------------------------------------------------------------------------

  private role(chart: Chart): ChartRole {
    return chart === this.callersChart
      ? 'callers'
      : chart === this.calleesChart
        ? 'callees'
        : 'main';
  }

  private tooltipFor(chart: Chart, hit: Hit): TooltipContent | null {
    const m = this.store.model;
    const src = chart.current;
    return m && src ? tooltipContent(m, this.store.ui, this.role(chart), src, hit) : null;
  }

  private showTooltip(chart: Chart, hit: Hit | null, e: MouseEvent): void {
    this.tooltip.atMouse(hit && this.tooltipFor(chart, hit), e);
  }

  private showTooltipForSelection(chart: Chart, hit: Hit): void {
    const box = chart.boxOf(hit);
    const content = box && this.tooltipFor(chart, hit);
    if (box && content) this.tooltip.atBox(content, chart.canvas, box);
  }
}
