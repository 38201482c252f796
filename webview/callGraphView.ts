/**
 * The "Call graph" view: the gprof2dot-style graph of the profile, laid out by Graphviz
 * in WebAssembly (src/shared/graphLayout.ts) and drawn as SVG (callGraphDraw.ts). Above it, the
 * thresholds (gprof2dot's -n and -e), a focus on the selected function (its callers and callees
 * N levels away), Fit, and a line that says what is shown.
 *
 * A click selects a function (the selection the table and the sandwich share), Ctrl/Cmd+click or
 * Enter opens its source, the toolbar's search outlines the functions it matches, the arrows move to the nearest function that way, the wheel zooms and a
 * drag pans. Past {@link MAX_SHOWN} functions over the thresholds only the heaviest are laid out,
 * and the line says so: dot's layout grows faster than the graph (bench/callGraph.mjs).
 */
import './callGraph.css';
import { functionGraph, treeFunctionGraph, type FunctionGraph } from '../src/core/functionGraph';
import { pruneGraph, type ShownGraph } from '../src/core/graphPrune';
import { nodeLabelLines } from '../src/core/graphLabels';
import { MAX_SHOWN, layoutGraph, type GraphLayout } from '../src/shared/graphLayout';
import type { CallGraphUiState, WebviewToHost } from '../src/shared/protocol';
import {
  GRAPH_FONT_SIZE,
  GRAPH_LINE,
  GRAPH_PAD_X,
  GRAPH_PAD_Y,
  drawGraph,
  svgEl,
} from './callGraphDraw';
import { el } from './dom';
import { compileSearch } from './layout/search';
import { isMyCode } from './layout/transforms';
import type { Model } from './model';
import { openSourceMessage } from './openSource';
import type { Store, UiState } from './store';
import { SvgPanZoom } from './svgPanZoom';
import { themeKind, type ThemeKind } from './theme';

export const DEFAULT_GRAPH_STATE: CallGraphUiState = {
  nodeThreshold: 0.5,
  edgeThreshold: 0.1,
  focus: false,
  depth: 2,
};

interface Drawn {
  key: string;
  graph: ShownGraph;
  layout?: GraphLayout;
}

/** A labelled number field. */
function numberField(label: string, attrs: Record<string, string>): HTMLInputElement {
  return el('input', { type: 'number', 'aria-label': label, title: label, ...attrs });
}

export class CallGraphView {
  readonly root = el('div', { id: 'graphPane', class: 'pane' });
  private readonly nodeInput = numberField('Hide functions under this share of the total (%)', {
    id: 'graphNodeThreshold',
    min: '0',
    max: '100',
    step: '0.1',
  });
  private readonly edgeInput = numberField('Hide calls under this share of the total (%)', {
    id: 'graphEdgeThreshold',
    min: '0',
    max: '100',
    step: '0.05',
  });
  private readonly focusBox = el('input', { type: 'checkbox', id: 'graphFocus' });
  private readonly depthInput = numberField('Levels of callers and callees around the selection', {
    id: 'graphDepth',
    min: '0',
    max: '50',
    step: '1',
  });
  private readonly status = el('span', { id: 'graphStatus', 'aria-live': 'polite' });
  private readonly box = el('div', { class: 'graph-box', tabindex: '0' });
  private readonly svg = svgEl('svg', { class: 'callgraph', role: 'group' }) as SVGSVGElement;
  private readonly panZoom: SvgPanZoom;
  private drawn: Drawn | undefined;
  private generation = 0;
  private model: Model | undefined;
  private ui: UiState | undefined;
  private themeDrawn: ThemeKind | '' = '';
  private drawnProfile: Model['profile'] | undefined;
  /** A layout finished while the pane was hidden: fit it when it shows. */
  private fitPending = false;

  /**
   * `store`: the state (its `sandwichFrame` is the selection the table and sandwich share);
   * `post`: to the host (opening a source); `selected`: called after the selection changed.
   */
  constructor(
    private readonly store: Store,
    private readonly post: (message: WebviewToHost) => void,
    private readonly selected: () => void,
  ) {
    const fit = el('button', { type: 'button', class: 'graph-button' }, 'Fit');
    const bar = el('div', { class: 'graph-controls' });
    const label = (text: string, input: HTMLElement) => {
      const l = el('label', {}, text);
      l.append(input);
      return l;
    };
    bar.append(
      label('Functions ≥ ', this.nodeInput),
      el('span', {}, '%'),
      label('Calls ≥ ', this.edgeInput),
      el('span', {}, '%'),
      label('', this.focusBox),
      el('label', { for: 'graphFocus' }, 'Focus on the selection,'),
      label('levels ', this.depthInput),
      fit,
      this.status,
    );
    this.box.setAttribute('aria-label', 'Call graph: arrows move, Enter opens the source');
    this.box.append(this.svg);
    this.root.append(bar, this.box);
    this.panZoom = new SvgPanZoom(this.svg, this.box);
    const onChange = () => this.settingsChanged();
    for (const input of [this.nodeInput, this.edgeInput, this.depthInput, this.focusBox])
      input.addEventListener('change', onChange);
    fit.addEventListener('click', () => this.panZoom.fit());
    this.svg.addEventListener('click', (e) => this.onClick(e));
    this.box.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => {
      if (this.fitPending && this.box.clientWidth > 0) {
        this.fitPending = false;
        this.panZoom.fit();
      } else this.panZoom.apply();
    }).observe(this.box);
    // The toolbar's search and regex: the panel keeps them in the state before this runs.
    for (const type of ['input', 'change'])
      document.addEventListener(type, () => this.markSearch());
    new MutationObserver(() => this.redrawTheme()).observe(document.body, {
      attributes: true,
      attributeFilter: ['class'],
    });
  }

  /** The settings in force. */
  private get settings(): CallGraphUiState {
    return { ...DEFAULT_GRAPH_STATE, ...(this.ui?.graph ?? {}) };
  }

  private settingsChanged(): void {
    if (!this.ui || !this.model) return;
    const read = (input: HTMLInputElement, fallback: number, max: number) => {
      const v = Number(input.value);
      return input.value !== '' && v >= 0 && v <= max ? v : fallback;
    };
    const s = this.settings;
    this.ui.graph = {
      nodeThreshold: read(this.nodeInput, s.nodeThreshold, 100),
      edgeThreshold: read(this.edgeInput, s.edgeThreshold, 100),
      focus: this.focusBox.checked,
      depth: Math.round(read(this.depthInput, s.depth, 50)),
    };
    this.store.save();
    this.render(this.model, this.ui);
  }

  /** The whole graph of the profile, or of "my code only" for a sampled profile. */
  private fullGraph(m: Model, mine: boolean): FunctionGraph {
    return mine && !m.profile.callGraph
      ? treeFunctionGraph(m.profile, m.myCode().tree)
      : functionGraph(m.profile);
  }

  /** Shows the graph for the state (laid out again only when what is shown changed). */
  /** Moves the keyboard focus into the drawing (the digit key that shows this view). */
  focus(): void {
    this.box.focus();
  }

  render(m: Model, ui: UiState): void {
    this.model = m;
    this.ui = ui;
    const s = this.settings;
    this.nodeInput.value = String(s.nodeThreshold);
    this.edgeInput.value = String(s.edgeThreshold);
    this.focusBox.checked = s.focus;
    this.depthInput.value = String(s.depth);
    const focus = s.focus && ui.sandwichFrame >= 0;
    const key = [
      s.nodeThreshold,
      s.edgeThreshold,
      focus ? `${ui.sandwichFrame}:${s.depth}` : '',
      ui.myCodeOnly,
    ].join('|');
    if (this.drawn?.key === key && this.drawn.graph && m.profile === this.drawnProfile) {
      this.markSelection();
      return;
    }
    const mine = ui.myCodeOnly;
    const graph = pruneGraph(this.fullGraph(m, mine), {
      nodeThreshold: s.nodeThreshold,
      edgeThreshold: s.edgeThreshold,
      focus: focus ? { frameId: ui.sandwichFrame, depth: s.depth } : null,
      maxNodes: MAX_SHOWN,
      keep: mine && m.profile.callGraph ? (f) => isMyCode(m.frames[f]) : undefined,
    });
    this.drawn = { key, graph };
    this.drawnProfile = m.profile;
    void this.layOut(m, graph, ++this.generation);
  }

  /** Label sizes measured in the SVG's font, in points. */
  private measure(m: Model, graph: ShownGraph): (i: number) => { width: number; height: number } {
    const ctx = document.createElement('canvas').getContext('2d')!;
    const family =
      getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-font-family') ||
      getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-family') ||
      'monospace';
    return (i) => {
      const n = graph.nodes[i];
      const lines = nodeLabelLines(n, m.frames[n.frameId]);
      let width = 0;
      lines.forEach((line, k) => {
        ctx.font = `${k === 0 ? '600 ' : ''}${GRAPH_FONT_SIZE}px ${family}`;
        width = Math.max(width, ctx.measureText(line.slice(0, 200)).width);
      });
      return {
        width: Math.ceil(width + 2 * GRAPH_PAD_X),
        height: lines.length * GRAPH_LINE + 2 * GRAPH_PAD_Y,
      };
    };
  }

  private async layOut(m: Model, graph: ShownGraph, generation: number): Promise<void> {
    this.svg.replaceChildren();
    if (!graph.nodes.length) {
      this.status.textContent = graph.functions
        ? 'No function reaches the threshold: lower it.'
        : 'This profile has no functions.';
      return;
    }
    this.status.textContent = `Laying out ${graph.nodes.length.toLocaleString('en-US')} functions…`;
    let layout: GraphLayout;
    try {
      layout = await layoutGraph(graph, m.frames, this.measure(m, graph));
    } catch (err) {
      if (generation === this.generation)
        this.status.textContent = err instanceof Error ? err.message : String(err);
      return;
    }
    if (generation !== this.generation || !this.drawn) return;
    this.drawn.layout = layout;
    this.draw();
    this.panZoom.setSize(layout.width, layout.height);
    this.fitPending = this.box.clientWidth === 0;
    this.panZoom.fit();
    this.status.textContent = this.describe(graph, layout);
  }

  /** What the line says: how much is shown, the cycles, the cap, the layout's time. */
  private describe(graph: ShownGraph, layout: GraphLayout): string {
    const n = (v: number) => v.toLocaleString('en-US');
    const parts = [
      `${n(graph.nodes.length)} of ${n(graph.functions)} functions`,
      `${n(graph.edges.length)} calls`,
    ];
    if (graph.cycles)
      parts.push(`${n(graph.cycles)} cycle${graph.cycles === 1 ? '' : 's'} (dashed)`);
    if (!graph.exact) parts.push('from the sampled stacks: no call counts');
    parts.push(`laid out in ${Math.round(layout.ms)} ms`);
    let text = parts.join(' · ');
    if (graph.capped) {
      text =
        `Showing the ${n(graph.nodes.length)} heaviest of ${n(graph.eligible)} functions over the ` +
        `threshold (more would take Graphviz too long): raise the threshold or focus on a function. ${text}`;
    }
    return text;
  }

  /** Draws the laid-out graph in the theme's heat colors. */
  private draw(): void {
    const d = this.drawn;
    const m = this.model;
    if (!d?.layout || !m) return;
    this.themeDrawn = themeKind();
    this.svg.replaceChildren(
      drawGraph(d.graph, d.layout, m.frames, this.themeDrawn, m.profile.meta.unit),
    );
    this.markSelection();
  }

  private redrawTheme(): void {
    if (this.drawn?.layout && themeKind() !== this.themeDrawn) this.draw();
  }

  /** The search's matches outlined, the other functions dimmed (nothing when no search). */
  private markSearch(): void {
    if (this.root.hidden || !this.ui || !this.model) return;
    const { match } = compileSearch(this.ui.search, this.ui.regex);
    const frames = this.model.frames;
    for (const g of Array.from(this.svg.querySelectorAll<SVGElement>('g.node'))) {
      const hit = !!match && match(frames[Number(g.dataset.frame)].name);
      g.classList.toggle('match', hit);
      g.classList.toggle('dim', !!match && !hit);
    }
  }

  /** The selected function's box: outlined, and the one Tab reaches. */
  private markSelection(): void {
    const selected = this.ui?.sandwichFrame ?? -1;
    for (const g of Array.from(this.svg.querySelectorAll<SVGElement>('g.node'))) {
      const on = Number(g.dataset.frame) === selected;
      g.classList.toggle('selected', on);
      g.setAttribute('aria-pressed', String(on));
    }
    this.markSearch();
  }

  private nodeOf(target: EventTarget | null): SVGElement | null {
    return (target as Element | null)?.closest?.('g.node') ?? null;
  }

  private onClick(e: MouseEvent): void {
    const node = this.nodeOf(e.target);
    if (!node) return;
    const frameId = Number(node.dataset.frame);
    if (e.ctrlKey || e.metaKey) {
      this.openSource(frameId);
      return;
    }
    this.choose(frameId);
  }

  private openSource(frameId: number): void {
    const message = openSourceMessage(this.model?.frames[frameId]);
    if (message) this.post(message);
  }

  /** Selects a function and keeps its box in view. */
  private choose(frameId: number): void {
    this.store.ui.sandwichFrame = frameId;
    this.store.save();
    this.selected();
    this.markSelection();
    const i = this.drawn?.graph.nodes.findIndex((n) => n.frameId === frameId) ?? -1;
    const box = i >= 0 ? this.drawn?.layout?.nodes[i] : undefined;
    if (box) this.panZoom.reveal(box.x, box.y, box.width, box.height);
    // Focus mode follows the selection.
    if (this.settings.focus && this.model && this.ui) this.render(this.model, this.ui);
  }

  /** Arrows: the nearest function that way; Enter: open its source; + and -: zoom. */
  private onKey(e: KeyboardEvent): void {
    const d = this.drawn;
    if (!d?.layout || !this.ui) return;
    if (e.key === '+' || e.key === '=') this.panZoom.zoomBy(1.25);
    else if (e.key === '-') this.panZoom.zoomBy(0.8);
    else if (e.key === 'Enter' && this.ui.sandwichFrame >= 0) {
      e.preventDefault();
      this.openSource(this.ui.sandwichFrame);
    } else if (e.key.startsWith('Arrow')) {
      e.preventDefault();
      const next = nearest(d, this.ui.sandwichFrame, e.key);
      if (next >= 0) this.choose(next);
    }
  }
}

/** The frame of the nearest node from the selected one in an arrow's direction (the heaviest first). */
function nearest(d: Drawn, from: number, key: string): number {
  const { graph, layout } = d;
  if (!layout) return -1;
  const i = graph.nodes.findIndex((n) => n.frameId === from);
  if (i < 0) return graph.nodes[0]?.frameId ?? -1;
  const a = layout.nodes[i];
  const [dx, dy] =
    key === 'ArrowUp'
      ? [0, -1]
      : key === 'ArrowDown'
        ? [0, 1]
        : key === 'ArrowLeft'
          ? [-1, 0]
          : [1, 0];
  let best = -1;
  let bestScore = Infinity;
  layout.nodes.forEach((b, j) => {
    if (j === i) return;
    const along = (b.x - a.x) * dx + (b.y - a.y) * dy;
    if (along <= 1) return;
    const across = Math.abs((b.x - a.x) * dy - (b.y - a.y) * dx);
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = j;
    }
  });
  return best >= 0 ? graph.nodes[best].frameId : from;
}
