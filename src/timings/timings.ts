/**
 * Stage timings of "Profile Current File", for measuring how long a person waits for the heat
 * (bench/latency.mjs). Nothing is recorded unless the extension host was started with
 * `HEATLENS_TIMINGS` naming a file: then each run appends one JSON line to it with the moments
 * (epoch milliseconds, see runners/runMarks.ts) of its stages. Reading the clock costs nothing
 * measurable, so the moments are always taken; only the write depends on the variable.
 */
import { appendFile } from 'node:fs';
import type { RunMarks } from '../runners/runMarks';

export { epochNow } from '../runners/runMarks';

/** The moments of one run as the extension saw them, around the runner's own. */
export interface CommandMarks {
  /** The command's handler was entered. */
  command: number;
  /** The runner's moments (spawn, program start and end, profile, exit). */
  run?: RunMarks;
  /**
   * Reading the profile began: when the runner handed it over, which is usually before the
   * process has exited (see `RunMarks.profiled` and `RunMarks.done`).
   */
  reading?: number;
  /** The profile was imported into the model. */
  imported?: number;
  /** Source maps were applied. */
  remapped?: number;
  /** Decorations, CodeLens and status bar were handed to VS Code. */
  shown?: number;
}

/** Set by the bundle's first statement (scripts/build.mjs); absent outside the bundle. */
declare const __heatlensBundleStart: number | undefined;

/**
 * When this extension host loaded and activated the extension: `loaded` is when the bundle's code
 * began to run (after VS Code read and compiled it), then activate() ran from `started` to
 * `finished`.
 */
export const activation: { loaded?: number; started?: number; finished?: number } = {
  loaded: typeof __heatlensBundleStart === 'number' ? __heatlensBundleStart : undefined,
};

/** Appends one run's moments to the `HEATLENS_TIMINGS` file, if there is one. */
export function recordTimings(entry: {
  file: string;
  /** The id of the profiler that ran it. */
  runtime: string;
  outcome: string;
  durationMs: number;
  /** Nodes of the profile's call tree. */
  nodes: number;
  marks: CommandMarks;
}): void {
  append({ kind: 'profile', ...entry, activation });
}

/** The moments of one opening of the flame graph panel, as the extension saw them. */
export interface FlameMarks {
  /** The command (a CodeLens click, the palette) reached the extension. */
  command: number;
  /** The webview panel was created (or revealed). */
  created?: number;
  /** The page said it was ready for the profile. */
  ready?: number;
  /** The profile was encoded and handed to VS Code for the page. */
  posted?: number;
}

/** Appends one flame graph opening to the `HEATLENS_TIMINGS` file, if there is one. */
export function recordFlameTimings(entry: { nodes: number; marks: FlameMarks }): void {
  append({ kind: 'flame', ...entry });
}

function append(record: object): void {
  const target = process.env.HEATLENS_TIMINGS;
  if (!target) return;
  appendFile(target, `${JSON.stringify(record)}\n`, () => undefined);
}
