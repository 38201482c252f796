/**
 * From a finished run to the profile shown, the same for the CLI and the extension. A Node run is
 * imported (main thread and workers; CPU profiles, or in memory mode heap profiles in bytes, which
 * go through every later step the same way), Heatlens' injected frames are folded (before remapping: they
 * are recognised by their generated paths in dist/inject), then source maps move frames and lines
 * to the sources and inlined functions get their own nodes. A Python run is imported only: its
 * frames name the files as they ran. The files the profile names are read through the caller's
 * `host`, so the caller decides what may be read.
 */
import type { Profile } from '../core/profile';
import { foldInjected } from '../core/foldInjected';
import { importNodeHeapRun, importNodeRun } from '../formats/nodeRun';
import { importPstats } from '../formats/pstats';
import { importPythonMemory } from '../formats/pymemory';
import { importPythonSamples } from '../formats/pysamples';
import { attributeInlined } from '../sourcemaps/inlined';
import { remapProfile, type SourceMapHost } from '../sourcemaps/remap';
import type { EarlyProfile, NodeRun } from './nodeRunner';
import type { PythonRunResult } from './pythonRunner';
import { epochNow } from './runMarks';

/** The moments of reading a run: `reading` began, then it was `imported`, then `remapped`. */
export type ReadStep = 'reading' | 'imported' | 'remapped';

/** How a run's profile is read. */
export interface ReadRunOptions {
  /** Reads the files the profile names (source maps, sources of inlined functions). */
  readonly host: SourceMapHost;
  /** The profiled file, named by the import's error messages; without it they say "The profile". */
  readonly sourceFile?: string;
  /** Told each step's moment (epoch milliseconds, see runMarks.ts), for stage timings. */
  readonly onMark?: (step: ReadStep, at: number) => void;
}

/** Imports, folds, remaps and attributes the profile a Node run handed over (or ended with). */
export async function readNodeProfile(
  handed: EarlyProfile,
  options: ReadRunOptions,
): Promise<Profile> {
  const { host, sourceFile, onMark } = options;
  onMark?.('reading', epochNow());
  // Heatlens' own helpers fold into one pseudo frame before anything else looks at frames.
  const read = handed.memory ? importNodeHeapRun : importNodeRun;
  const raw = foldInjected(
    read(handed.profileText, handed.workerProfiles, {
      sourceFile,
      runtimePaths: handed.runtimePaths,
    }),
    handed.runtimePaths,
  );
  onMark?.('imported', epochNow());
  const remapped = await remapProfile(raw, host, { maps: handed.generatedMaps });
  const attributed = await attributeInlined(remapped, host);
  onMark?.('remapped', epochNow());
  return attributed;
}

/** A Node run's profile, being read since the runner handed it over. */
export interface NodeRunReader {
  /**
   * The profile, once the run is done: the one read at the hand-over, or else (no hand-over: the
   * run stopped without a profile) the result's, which is empty. Rejects with the reading's error.
   */
  profile(): Promise<Profile>;
}

/**
 * Starts reading `run`'s profile as soon as the runner hands it over, while the process is still
 * exiting. A failure is reported when the profile is asked for; a run that ends without asking
 * (it could not start) never leaves a rejection unhandled.
 */
export function readNodeRun(
  run: Pick<NodeRun, 'done' | 'profiled'>,
  options: ReadRunOptions,
): NodeRunReader {
  const early = run.profiled.then((handed) => handed && readNodeProfile(handed, options));
  early.catch(() => undefined);
  return {
    async profile() {
      const result = await run.done;
      return (await early) ?? readNodeProfile(result, options);
    },
  };
}

/**
 * Imports what a Python run wrote: pstats (cProfile, yappi), Heatlens' sampler's samples, or its
 * memory mode's snapshots (held at the peak, the file's default).
 */
export function readPythonRun(
  result: Pick<PythonRunResult, 'format' | 'profileBytes'>,
  options: { readonly sourceFile: string; readonly onMark?: ReadRunOptions['onMark'] },
): Profile {
  const { sourceFile, onMark } = options;
  const profile =
    result.format === 'pstats'
      ? importPstats(result.profileBytes, { sourceFile })
      : result.format === 'pymemory'
        ? importPythonMemory(new TextDecoder().decode(result.profileBytes), { sourceFile })
        : importPythonSamples(new TextDecoder().decode(result.profileBytes), { sourceFile });
  // Python frames name the files as they ran: nothing to remap, so both steps end here.
  const at = epochNow();
  onMark?.('imported', at);
  onMark?.('remapped', at);
  return profile;
}
