// How long a person waits for the heat, measured in a real VS Code (code-server + headless
// Chromium, the end-to-end tests' harness): from the Enter that runs "Heatlens: Profile Current
// File" to the first heat decoration painted in the editor, for short JavaScript, TypeScript and
// Python programs, warm (a later run in the same window) and cold (the first command after the
// window opens), split into stages by the moments the extension records when the extension host
// has HEATLENS_TIMINGS set (src/timings/timings.ts, src/runners/runMarks.ts). Then the flame
// graph panel: from a click on a CodeLens to the panel's first painted frame, on a profile of
// about 100k nodes.
//
// Run by bench/latency.mjs (which bundles this file); prints one JSON object on its last line.
// Options: --warm N (warm runs per language), --cold N (cold windows per language), --langs
// js,ts,py, --flame-seconds S (how long the wide program runs; 0 skips the flame panel),
// --min-nodes N (run the wide program longer until its profile has N nodes), --write-programs
// DIR (only write the short programs there, for the CLI benchmark), --vsix FILE (install this
// package instead of packaging the checkout's dist/).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareE2e, VsCodeSession, waitFor } from '../test/e2e/harness';

type Lang = 'js' | 'ts' | 'py';

interface Options {
  warm: number;
  cold: number;
  langs: Lang[];
  flameSeconds: number;
  /** The wide program runs longer (up to twice more) until its profile has this many nodes. */
  minNodes: number;
  /** Only write the programs into this folder (for the CLI benchmark) and stop. */
  writePrograms?: string;
  /** The package to install (default: package the checkout's dist/ as it is). */
  vsix?: string;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const langs = (get('langs') ?? 'js,ts,py').split(',').filter(Boolean) as Lang[];
  return {
    warm: Number(get('warm') ?? 5),
    cold: Number(get('cold') ?? 3),
    langs,
    flameSeconds: Number(get('flame-seconds') ?? 8),
    minNodes: Number(get('min-nodes') ?? 90_000),
    writePrograms: get('write-programs'),
    vsix: get('vsix'),
  };
}

const log = (text: string) => process.stderr.write(`[latency] ${text}\n`);
// The global `performance` (not node:perf_hooks' export): functions passed to page.evaluate are
// sent as text and must name only what the browser has.
const now = () => performance.timeOrigin + performance.now();

// --- the workspace ------------------------------------------------------------------------------

/**
 * The programs: each spends about 0.2 s computing, whatever the machine's load, and notes when its
 * own code began and ended (epoch ms) in `<file>.times`, so that the program's own time is told
 * apart from the runtime's start-up and Heatlens' TypeScript loader.
 */
const files: Record<string, string> = {
  'short.js': `// About 0.2 s of arithmetic: the kind of short program people profile while they work.
const begin = performance.timeOrigin + performance.now();

function mix(n) {
  let x = 1;
  for (let i = 0; i < n; i++) x = (x * 48271 + i) % 2147483647;
  return x;
}

function main() {
  const end = performance.now() + 200;
  let total = 0;
  while (performance.now() < end) total += mix(20000);
  return total;
}

console.log(main());
const end = performance.timeOrigin + performance.now();
require('fs').writeFileSync(__filename + '.times', JSON.stringify({ begin, end }));
`,
  'lib.ts': `/** What a run adds up. */
export interface Tally {
  total: number;
  rounds: number;
}

/** An empty tally. */
export function tally(): Tally {
  return { total: 0, rounds: 0 };
}
`,
  'short.ts': `// About 0.2 s of arithmetic, in TypeScript across two modules.
import { writeFileSync } from 'node:fs';
import { tally, type Tally } from './lib';

const begin: number = performance.timeOrigin + performance.now();

function mix(n: number): number {
  let x: number = 1;
  for (let i = 0; i < n; i++) x = (x * 48271 + i) % 2147483647;
  return x;
}

function main(ms: number): Tally {
  const end = performance.now() + ms;
  const t = tally();
  while (performance.now() < end) {
    t.total += mix(20000);
    t.rounds++;
  }
  return t;
}

console.log(main(200));
const end: number = performance.timeOrigin + performance.now();
writeFileSync(__filename + '.times', JSON.stringify({ begin, end }));
`,
  'short.py': `# About 0.2 s of arithmetic.
import json
import time

begin = time.time() * 1000


def mix(n):
    x = 1
    for i in range(n):
        x = (x * 48271 + i) % 2147483647
    return x


def main():
    end = time.perf_counter() + 0.2
    total = 0
    while time.perf_counter() < end:
        total += mix(2000)
    return total


print(main())
with open(__file__ + '.times', 'w') as f:
    json.dump({'begin': begin, 'end': time.time() * 1000}, f)
`,
};

const programOf: Record<Lang, string> = { js: 'short.js', ts: 'short.ts', py: 'short.py' };

/**
 * A program whose profile is a very wide and deep tree: thousands of functions calling each other
 * at random, thirty deep, so nearly every sample takes a new path (about 100k nodes in 5 s on a
 * loaded 2-core machine at a 100 µs interval). `main` holds all of it: its CodeLens is clicked.
 */
function wideProgram(functions: number, seconds: number): string {
  const lines = [
    '// Functions calling each other at random: a profile whose call tree has ~100k nodes.',
    'function main(ms) {',
    '  const end = Date.now() + ms;',
    '  let calls = 0;',
    '  while (Date.now() < end) {',
    '    fns[next() % fns.length](30);',
    '    calls++;',
    '  }',
    '  return calls;',
    '}',
    'let seed = 12345;',
    'function next() {',
    '  seed = (seed * 1103515245 + 12345) & 0x7fffffff;',
    '  return seed;',
    '}',
    'function spin(n) {',
    '  let x = 0;',
    '  for (let i = 0; i < n; i++) x += i & 7;',
    '  return x;',
    '}',
  ];
  for (let i = 0; i < functions; i++) {
    lines.push(
      `function f${i}(d) { spin(100); return d > 0 ? fns[next() % fns.length](d - 1) : 0; }`,
    );
  }
  lines.push(
    `const fns = [${Array.from({ length: functions }, (_, i) => `f${i}`).join(', ')}];`,
    `console.log(main(${Math.round(seconds * 1000)}));`,
  );
  return `${lines.join('\n')}\n`;
}

// --- what the page and the extension record ----------------------------------------------------

/** The moments one run left in the HEATLENS_TIMINGS file (see src/timings/timings.ts). */
interface TimingsEntry {
  file: string;
  runtime: string;
  outcome: string;
  durationMs: number;
  nodes?: number;
  activation: { loaded?: number; started?: number; finished?: number };
  marks: {
    command: number;
    run?: Record<string, number | undefined>;
    reading?: number;
    imported?: number;
    remapped?: number;
    shown?: number;
  };
}

/** The stages of one run, in milliseconds. */
export interface Sample {
  lang: Lang;
  cold: boolean;
  /** Enter -> the command's handler: VS Code's dispatch and, on a cold window, activation. */
  dispatch: number;
  /** Of `dispatch` (cold only): Enter -> the bundle's first statement (VS Code reading it). */
  toBundle: number;
  /** Of `dispatch` (cold only): the bundle's modules running, up to activate(). */
  load: number;
  /** Of `dispatch` (cold only): the extension's activate(). */
  activate: number;
  /** Handler -> the runtime is let go (checks, spawn, runtime start, profiler start). */
  spawn: number;
  /** The runtime loading the program up to its first line (Heatlens' TypeScript loader too). */
  startup: number;
  /** The program's own code, first line to last (its own clock). */
  program: number;
  /** The program's last line -> the runner has the profile and the process is over. */
  transfer: number;
  /** Of `transfer`: last line -> Heatlens sees the end; -> has the profile; -> process done. */
  toEnd: number;
  toProfile: number;
  toExit: number;
  /**
   * Reading began -> imported into the model. Reading begins when the runner hands the profile
   * over, so `import` and `remap` overlap `toExit` (the process exiting) when they start first.
   */
  import: number;
  remap: number;
  /** Model and runner's result both ready -> decorations handed to VS Code. */
  show: number;
  /** Decorations handed over -> painted in the browser. */
  paint: number;
  /** Enter -> heat painted. */
  total: number;
  /** total - program: what the person waits beyond the program itself. */
  latency: number;
  /** The program's last line -> heat painted. */
  afterEnd: number;
}

/** Installed in the page before a run: notes the Enter and the first heat decoration painted. */
function installProbe(): void {
  // `asked` to `answered`: Heatlens' question (the Python mode) was on screen, waiting for the
  // person; that time is theirs, not Heatlens'.
  const state = { enter: 0, dom: 0, painted: 0, asked: 0, answered: 0 };
  (window as unknown as { __heatlensLatency: typeof state }).__heatlensLatency = state;
  const stamp = () => performance.timeOrigin + performance.now();
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Enter') return;
    if (!state.enter) state.enter = performance.timeOrigin + e.timeStamp;
    else if (state.asked && !state.answered) state.answered = performance.timeOrigin + e.timeStamp;
  };
  window.addEventListener('keydown', onKey, true);
  const question = () =>
    Array.from(document.querySelectorAll('.quick-input-widget')).some(
      (w) =>
        (w as HTMLElement).offsetParent !== null &&
        /how should Python files be profiled/.test(w.textContent ?? ''),
    );
  const heat =
    '.editor-group-container .monaco-editor .view-overlays [class*="TextEditorDecorationType"], ' +
    '.editor-group-container .monaco-editor .view-lines span[class*="TextEditorDecorationType"]';
  const observer = new MutationObserver(() => {
    if (state.enter && !state.asked && question()) state.asked = stamp();
    if (state.dom || !state.enter || !document.querySelector(heat)) return;
    state.dom = stamp();
    observer.disconnect();
    // Painted: a task queued from the next animation frame runs after that frame's rendering.
    // (A message, because the workbench's page never ran this probe's setTimeout callbacks.)
    const channel = new MessageChannel();
    channel.port1.onmessage = () => (state.painted = stamp());
    requestAnimationFrame(() => channel.port2.postMessage(0));
  });
  observer.observe(document.body, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['class'],
  });
}

function readEntries(file: string): TimingsEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"profile"'))
    .map((l) => JSON.parse(l) as TimingsEntry);
}

function stages(
  lang: Lang,
  cold: boolean,
  page: { enter: number; painted: number },
  own: { begin: number; end: number },
  e: TimingsEntry,
): Sample {
  const m = e.marks;
  const run = m.run ?? {};
  const need = (v: number | undefined, what: string): number => {
    if (typeof v !== 'number') throw new Error(`the timings have no ${what}: ${JSON.stringify(e)}`);
    return v;
  };
  const started = need(run.started, 'program start');
  const ended = need(run.ended, 'program end');
  const profiled = need(run.profiled, 'profile');
  const done = need(run.done, 'runner result');
  const imported = need(m.imported, 'import');
  const remapped = need(m.remapped, 'remap');
  const shown = need(m.shown, 'show');
  const a = e.activation;
  const activated =
    cold && a.started !== undefined && a.finished !== undefined && a.started >= page.enter;
  return {
    lang,
    cold,
    dispatch: m.command - page.enter,
    toBundle: activated && a.loaded !== undefined ? a.loaded - page.enter : 0,
    load: activated && a.loaded !== undefined ? a.started! - a.loaded : 0,
    activate: activated ? a.finished! - a.started! : 0,
    spawn: started - m.command,
    startup: own.begin - started,
    program: own.end - own.begin,
    transfer: done - own.end,
    toEnd: ended - own.end,
    toProfile: profiled - ended,
    toExit: done - profiled,
    import: imported - (m.reading ?? done),
    remap: remapped - imported,
    show: shown - Math.max(remapped, done),
    paint: page.painted - shown,
    total: page.painted - page.enter,
    latency: page.painted - page.enter - (own.end - own.begin),
    afterEnd: page.painted - own.end,
  };
}

/** Runs "Heatlens: Profile Current File" on the open file and measures it. */
async function profileAndMeasure(
  s: VsCodeSession,
  lang: Lang,
  cold: boolean,
  folder: string,
  timings: string,
): Promise<Sample> {
  const before = readEntries(timings).length;
  const ownTimes = join(folder, `${programOf[lang]}.times`);
  rmSync(ownTimes, { force: true });
  await s.page.evaluate(installProbe);
  await s.runCommand('Heatlens: Profile Current File');
  type Probe = { enter: number; painted: number; asked: number; answered: number };
  let answering = false;
  const probe = await waitFor(
    'the heat to be painted',
    async () => {
      const p = await s.page.evaluate(
        () => (window as unknown as { __heatlensLatency: Probe }).__heatlensLatency,
      );
      if (p.asked && !answering) {
        // The Python mode is asked once per workspace (when not remembered): answer it.
        answering = true;
        await s.page.keyboard.insertText('Sampling');
        await s.page.keyboard.press('Enter');
      }
      return p.painted ? p : undefined;
    },
    // A hang guard: on a loaded machine a cold window has taken over 20 s to run the command.
    180_000,
  ).catch(async (e: unknown) => {
    const state = await s.page.evaluate(() =>
      JSON.stringify((window as unknown as { __heatlensLatency: unknown }).__heatlensLatency),
    );
    throw new Error(`${String(e)}; the probe saw ${state}`);
  });
  const entry = await waitFor('the run in the timings file', () => readEntries(timings)[before]);
  const own = JSON.parse(readFileSync(ownTimes, 'utf8')) as { begin: number; end: number };
  const sample = stages(lang, cold, probe, own, entry);
  if (probe.asked && probe.answered) {
    // The person's own time at the question, taken out of the stage it fell in.
    const waited = probe.answered - probe.asked;
    sample.spawn -= waited;
    sample.total -= waited;
    sample.latency -= waited;
    log(`${lang}: ${waited.toFixed(0)} ms at the Python mode question, not counted`);
  }
  log(
    `${lang} ${cold ? 'cold' : 'warm'}: ${Object.entries(sample)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${k} ${(v as number).toFixed(0)}`)
      .join(', ')}`,
  );
  return sample;
}

async function clearWindow(s: VsCodeSession): Promise<void> {
  await s.runCommand('Heatlens: Clear');
  await s.runCommand('Notifications: Clear All Notifications');
  await waitFor('no heat left', async () => (await s.heatLineCount()) === 0);
}

/** The Python mode is asked once per workspace: answer it before anything is measured. */
async function choosePythonSampling(s: VsCodeSession): Promise<void> {
  await s.runCommand('Heatlens: Choose Python Profiler');
  await s.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible' });
  await s.page.locator('.quick-input-widget .quick-input-box input').first().click();
  await s.page.keyboard.insertText('Sampling');
  await waitFor('"Sampling" focused in the quick pick', () =>
    s.page.evaluate(() => {
      const row = document.querySelector('.quick-input-widget .monaco-list-row.focused');
      return (
        (row?.querySelector('.label-name')?.textContent ?? '').trim() === 'Sampling' || undefined
      );
    }),
  );
  await s.page.keyboard.press('Enter');
}

// --- a window that has finished opening -------------------------------------------------------

/** CPU ticks (user + system) so far of code-server and every process below it (Linux /proc). */
function treeTicks(root: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, ... utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // Exited meanwhile.
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    let p = pid;
    for (let hops = 0; p > 1 && p !== root && hops < 64; hops++) p = parent.get(p) ?? 0;
    if (p === root) sum += t;
  }
  return sum;
}

/**
 * Waits until the window has finished opening as far as the server side goes: code-server, its
 * extension host and what the built-in extensions started (the TypeScript server...) used under
 * a tenth of a core for a whole second. Returns how long that took.
 */
async function waitForQuiet(s: VsCodeSession, limitMs = 60_000): Promise<number> {
  const root = s.serverPid;
  if (root === undefined) return 0;
  const t0 = now();
  let last = treeTicks(root);
  let quiet = 0;
  while (now() - t0 < limitMs) {
    await new Promise((r) => setTimeout(r, 250));
    const ticks = treeTicks(root);
    // 100 ticks per second: under 10% of a core is under 2.5 ticks per 250 ms.
    quiet = ticks - last <= 2 ? quiet + 1 : 0;
    last = ticks;
    if (quiet >= 4) break;
  }
  return now() - t0;
}

// --- the flame graph panel ----------------------------------------------------------------------

/** Installed in the page: notes a click (the CodeLens) to measure from. */
function installClickProbe(): void {
  const state = { click: 0 };
  (window as unknown as { __heatlensClick: typeof state }).__heatlensClick = state;
  window.addEventListener(
    'mousedown',
    (e) => {
      if (!state.click) state.click = performance.timeOrigin + e.timeStamp;
    },
    true,
  );
}

/** In the webview's frame: resolves with the moment a canvas first shows pixels. */
function paintedCanvas(): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      for (const c of Array.from(document.querySelectorAll('canvas'))) {
        if (c.width === 0 || c.height === 0 || c.offsetParent === null) continue;
        const data = c.getContext('2d')?.getImageData(0, 0, c.width, Math.min(c.height, 200)).data;
        if (!data) continue;
        for (let i = 3; i < data.length; i += 4) {
          if (data[i] !== 0) return resolve(performance.timeOrigin + performance.now());
        }
      }
      requestAnimationFrame(check);
    };
    check();
  });
}

interface FlameSample {
  nodes: number;
  /** Click -> the extension's command (VS Code's dispatch of the CodeLens command). */
  dispatch: number;
  /** Command -> webview panel created. */
  create: number;
  /** Panel created -> the page's script said it is ready (page and script load). */
  load: number;
  /** Of `load`: panel created -> the page's document starts loading (VS Code's webview frames). */
  toPage: number;
  /** Of `load`: the page's start -> its script fetched. */
  fetch: number;
  /** Of `load`: script fetched -> ready (evaluating the script, its first render). */
  run: number;
  /** Ready -> profile encoded and posted by the extension. */
  encode: number;
  /** Posted -> received by the page (structured clone across the frames). */
  deliver: number;
  /** Received -> first frame drawn (decode, model, layout, draw). */
  draw: number;
  /** Click -> a canvas shows pixels. */
  total: number;
}

/** The flame records of the timings file (see src/timings/timings.ts). */
function readFlameEntries(
  file: string,
): { nodes: number; marks: { command: number; created: number; ready: number; posted: number } }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"flame"'))
    .map((l) => JSON.parse(l));
}

async function clickLensAndMeasure(s: VsCodeSession, timings: string): Promise<FlameSample> {
  const before = readFlameEntries(timings).length;
  await s.page.evaluate(installClickProbe);
  await s.page
    .locator('.editor-group-container.active .codelens-decoration a', { hasText: 'total' })
    .first()
    .click({ timeout: 30_000 });
  const frame = await waitFor('the flame graph webview', () => s.findFrame('#sandwichTitle'));
  const painted = await frame.evaluate(paintedCanvas);
  const marks = await waitFor('the first-paint mark in the page', () =>
    frame.evaluate(() => {
      const byName = (n: string) =>
        performance.getEntriesByName(n, 'mark')[0]?.startTime ?? undefined;
      const received = byName('heatlens:profile-received');
      const drawn = byName('heatlens:first-paint');
      if (received === undefined || drawn === undefined) return undefined;
      const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find(
        (r) => /webview\.js/.test(r.name),
      );
      return {
        page: performance.timeOrigin,
        script: performance.timeOrigin + (script?.responseEnd ?? NaN),
        received: performance.timeOrigin + received,
        drawn: performance.timeOrigin + drawn,
      };
    }),
  );
  const click = await s.page.evaluate(
    () => (window as unknown as { __heatlensClick: { click: number } }).__heatlensClick.click,
  );
  const host = await waitFor(
    'the flame record in the timings file',
    () => readFlameEntries(timings)[before],
  );
  const m = host.marks;
  return {
    nodes: host.nodes,
    dispatch: m.command - click,
    create: m.created - m.command,
    load: m.ready - m.created,
    toPage: marks.page - m.created,
    fetch: marks.script - marks.page,
    run: m.ready - marks.script,
    encode: m.posted - m.ready,
    deliver: marks.received - m.posted,
    draw: marks.drawn - marks.received,
    total: painted - click,
  };
}

/**
 * Profiles the wide program at a 50 µs interval (a user setting; on a loaded machine far fewer
 * samples are taken), then clicks the CodeLens above `main` twice: the panel's first opening in
 * the window, and again after closing it. Runs the program longer when its profile has fewer
 * than 90k nodes.
 */
async function measureFlame(
  s: VsCodeSession,
  folder: string,
  timings: string,
  options: Options,
): Promise<FlameSample[]> {
  const out: FlameSample[] = [];
  const settingsFile = join(s.runDir, 'user-data', 'User', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  settings['heatlens.node.samplingInterval'] = 50;
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  let entry: TimingsEntry | undefined;
  for (let attempt = 0; attempt < 3 && (entry?.nodes ?? -1) < options.minNodes; attempt++) {
    writeFileSync(join(folder, 'wide.js'), wideProgram(3000, options.flameSeconds * 2 ** attempt));
    await s.reloadWindow();
    await s.openFile('wide.js');
    await waitForQuiet(s);
    const before = readEntries(timings).length;
    await s.runCommand('Heatlens: Profile Current File');
    entry = await waitFor('the wide run in the timings file', () => readEntries(timings)[before]);
    log(`wide.js ran ${(entry.durationMs / 1000).toFixed(1)} s: ${entry.nodes} nodes`);
  }
  await s.runCommand('Notifications: Clear All Notifications');
  const lensAboveMain = async () =>
    (await s.codeLenses()).some((l) => /function main\b/.test(l.lineText) && /total/.test(l.text));
  await waitFor('a CodeLens above main', lensAboveMain);
  for (let i = 0; i < 2; i++) {
    await waitForQuiet(s, 10_000);
    const m = await clickLensAndMeasure(s, timings);
    out.push(m);
    log(
      `flame panel (${i ? 'again' : 'first'}): ${Object.entries(m)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')}`,
    );
    await s.screenshot(`flame-${i}`);
    await s.runCommand('View: Close All Editors');
    await s.openFile('wide.js');
    await waitFor('a CodeLens above main', lensAboveMain);
  }
  return out;
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.writePrograms) {
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(options.writePrograms, name), text);
    }
    return;
  }
  const prepared = prepareE2e();
  if (prepared.skip) {
    console.log(JSON.stringify({ skipped: prepared.skip }));
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'hl-latency-'));
  const timings = join(folder, '.timings.jsonl');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  const samples: Sample[] = [];
  const flame: FlameSample[] = [];
  let s: VsCodeSession | undefined;
  try {
    s = await VsCodeSession.start(prepared.env!, {
      name: 'latency',
      folder,
      ...(options.vsix ? { vsix: options.vsix } : { packaged: true }),
      env: { HEATLENS_TIMINGS: timings },
    });
    if (options.langs.includes('py')) await choosePythonSampling(s);
    for (const lang of options.langs) {
      for (let c = 0; c < options.cold; c++) {
        await s.reloadWindow();
        await s.openFile(programOf[lang]);
        // A person opens the file, reads it, then runs the command: let the window finish opening
        // (on a loaded machine the extension host alone can take seconds to start).
        const settled = await waitForQuiet(s);
        log(`${lang}: the window settled ${(settled / 1000).toFixed(1)} s after the file opened`);
        const session = s;
        samples.push(
          await session.guard(`${lang}-cold`, () =>
            profileAndMeasure(session, lang, true, folder, timings),
          ),
        );
        await clearWindow(s);
      }
      if (!options.cold) await s.openFile(programOf[lang]);
      for (let w = 0; w < options.warm; w++) {
        await waitForQuiet(s, 10_000);
        const session = s;
        samples.push(
          await session.guard(`${lang}-warm`, () =>
            profileAndMeasure(session, lang, false, folder, timings),
          ),
        );
        await clearWindow(s);
      }
      await s.screenshot(`${lang}-heat`);
      await s.runCommand('View: Close All Editors');
    }
    if (options.flameSeconds > 0) {
      const session = s;
      await session.guard('flame', async () => {
        flame.push(...(await measureFlame(session, folder, timings, options)));
      });
    }
  } finally {
    await s?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ samples, flame }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
