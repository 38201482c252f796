/**
 * The HTML report's stand-in for the extension host. The report runs the flame graph panel's own
 * client (main.ts) unchanged: this module, evaluated before it, gives it an `acquireVsCodeApi`
 * that answers `ready` with the `profile` message the extension would send, built from the page's
 * data block (src/shared/reportData.ts), keeps the UI state in memory, and turns `openSource` into
 * the report's source view (reportSources.ts) instead of the editor. It also adds the report's bar
 * (the Profile and Hot files tabs) and picks the dark or light theme the browser prefers.
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

/** The report's bar and its two tabs; returns the function that shows the source view. */
function addBar(data: ReportData, sources: SourceView): (file: string, line1: number) => void {
  const bar = el('header', { id: 'reportBar' });
  const tabs = el('div', { role: 'tablist', 'aria-label': 'Report' });
  const profileTab = el('button', { class: 'report-tab', role: 'tab', type: 'button' }, 'Profile');
  const sourcesTab = el(
    'button',
    { class: 'report-tab', role: 'tab', type: 'button' },
    `Hot files (${sources.count})`,
  );
  profileTab.id = 'reportProfileTab';
  sourcesTab.id = 'reportSourcesTab';
  tabs.append(profileTab, sourcesTab);
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
  const select = (showSources: boolean): void => {
    profileTab.setAttribute('aria-selected', String(!showSources));
    sourcesTab.setAttribute('aria-selected', String(showSources));
    sources.root.hidden = !showSources;
    const app = document.getElementById('app');
    if (app) app.hidden = showSources;
  };
  // The panel's keys (arrows, /, Escape) act on the hidden charts: while the source view shows,
  // keys stay with the page (arrows scroll it, Ctrl+F is the browser's find in the sources).
  window.addEventListener(
    'keydown',
    (e) => {
      if (!sources.root.hidden) e.stopPropagation();
    },
    true,
  );
  profileTab.addEventListener('click', () => select(false));
  sourcesTab.addEventListener('click', () => select(true));
  document.body.append(bar, sources.root);
  select(false);
  return (file, line1) => {
    select(true);
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
