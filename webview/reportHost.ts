/**
 * The HTML report's stand-in for the extension host. The report runs the flame graph panel's own
 * client (main.ts) unchanged: this module, evaluated before it, gives it an `acquireVsCodeApi`
 * that answers `ready` with the `profile` message the extension would send, built from the page's
 * data block (src/shared/reportData.ts), keeps the UI state in memory, and turns `openSource` into
 * the report's source view (reportSources.ts) instead of the editor. It also adds the report's bar
 * (the Profile, Call graph and Hot files tabs) and picks the dark or light theme the browser prefers.
 */
import type { HostToWebview, WebviewToHost } from '../src/shared/protocol';
import { REPORT_DATA_ID, type ReportData } from '../src/shared/reportData';
import { el } from './dom';
import type { Host } from './messages';
import { SourceView } from './reportSources';

/** The data block, or why it cannot be read. */
function readData(): ReportData | string {
  const block = document.getElementById(REPORT_DATA_ID);
  if (!block) return 'This report has no profile in it.';
  try {
    const data = JSON.parse(block.textContent ?? '') as ReportData;
    if (data?.version !== 1 || !data.profile) {
      return 'This report was written by another version of Heatlens; open it with that version.';
    }
    return data;
  } catch (e) {
    return `This report's profile could not be read (${(e as Error).message}).`;
  }
}

/** The body class VS Code would set, from the browser's preference. */
function followColorScheme(): void {
  const light = window.matchMedia('(prefers-color-scheme: light)');
  const apply = (): void => {
    document.body.classList.toggle('vscode-light', light.matches);
    document.body.classList.toggle('vscode-dark', !light.matches);
  };
  apply();
  light.addEventListener('change', apply);
}

/**
 * The call graph as drawn when the report was written: an image of the SVG in the data block
 * (an image runs no script and loads nothing; the page's policy allows `blob:` images only).
 */
function callGraphPane(data: ReportData): HTMLElement {
  const pane = el('section', { id: 'reportGraph', 'aria-label': 'Call graph' });
  if (!data.callGraphSvg) {
    pane.append(
      el('p', {}, 'This report holds no drawing of the call graph (it was written without one).'),
    );
    return pane;
  }
  const url = URL.createObjectURL(new Blob([data.callGraphSvg], { type: 'image/svg+xml' }));
  pane.append(
    el(
      'p',
      { class: 'report-note' },
      'The call graph as Graphviz drew it when the report was written: functions of at least ' +
        "0.5% of the total, calls of at least 0.1% (gprof2dot's thresholds). Other thresholds " +
        'and focus: open the profile in VS Code, or `heatlens convert <profile> --to svg`.',
    ),
    el('img', { src: url, alt: `Call graph of ${data.title}` }),
  );
  return pane;
}

/** The report's bar and its tabs; returns the function that shows the source view. */
function addBar(data: ReportData, sources: SourceView): (file: string, line1: number) => void {
  const bar = el('header', { id: 'reportBar' });
  const tabs = el('div', { role: 'tablist', 'aria-label': 'Report' });
  const tab = (id: string, label: string): HTMLElement => {
    const b = el('button', { class: 'report-tab', role: 'tab', type: 'button' }, label);
    b.id = id;
    return b;
  };
  const profileTab = tab('reportProfileTab', 'Profile');
  const graphTab = tab('reportGraphTab', 'Call graph');
  const sourcesTab = tab('reportSourcesTab', `Hot files (${sources.count})`);
  const graph = callGraphPane(data);
  tabs.append(profileTab, graphTab, sourcesTab);
  bar.append(
    el('span', { class: 'report-title' }, `Heatlens report · ${data.title}`),
    tabs,
    el(
      'span',
      { class: 'report-note' },
      data.sourcesOmitted
        ? 'Made without sources.'
        : `Holds the source of ${sources.count} ${sources.count === 1 ? 'file' : 'files'}.`,
    ),
  );
  type Shown = 'profile' | 'graph' | 'sources';
  let shown: Shown = 'profile';
  const select = (what: Shown): void => {
    shown = what;
    profileTab.setAttribute('aria-selected', String(what === 'profile'));
    graphTab.setAttribute('aria-selected', String(what === 'graph'));
    sourcesTab.setAttribute('aria-selected', String(what === 'sources'));
    sources.root.hidden = what !== 'sources';
    graph.hidden = what !== 'graph';
    const app = document.getElementById('app');
    if (app) app.hidden = what !== 'profile';
  };
  // The panel's keys (arrows, /, Escape) act on the hidden charts: while another view shows,
  // keys stay with the page (arrows scroll it, Ctrl+F is the browser's find in the sources).
  window.addEventListener(
    'keydown',
    (e) => {
      if (shown !== 'profile') e.stopPropagation();
    },
    true,
  );
  profileTab.addEventListener('click', () => select('profile'));
  graphTab.addEventListener('click', () => select('graph'));
  sourcesTab.addEventListener('click', () => select('sources'));
  document.body.append(bar, graph, sources.root);
  select('profile');
  return (file, line1) => {
    select('sources');
    sources.show(file, line1);
  };
}

/** Installs the stand-in (see the module comment). */
function installReportHost(): void {
  const data = readData();
  followColorScheme();
  let showSource: ((file: string, line1: number) => void) | undefined;
  if (typeof data !== 'string') {
    document.title = `Heatlens report: ${data.title}`;
    showSource = addBar(data, new SourceView(data));
  }
  let state: unknown;
  const deliver = (message: HostToWebview): void => window.postMessage(message, '*');
  const host: Host = {
    getState: () => state,
    setState: (s) => {
      state = s;
    },
    postMessage(message: WebviewToHost) {
      if (message.type === 'ready') {
        deliver(
          typeof data === 'string'
            ? { type: 'empty', message: data }
            : { type: 'profile', profile: data.profile, focus: data.focus },
        );
      } else if (message.type === 'openSource') {
        showSource?.(message.file, message.line1);
      } else if (message.type === 'error') {
        console.error(`Heatlens report: ${message.message}`);
      }
    },
  };
  (window as unknown as { acquireVsCodeApi: () => Host }).acquireVsCodeApi = () => host;
}

installReportHost();
