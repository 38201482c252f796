/**
 * What a profiler is, for whoever profiles a file (the CLI, the extension): one interface, one
 * class per kind of program (nodeProfiler.ts, pythonProfiler.ts), all of them in one list
 * (profilers.ts). A run goes the same way whichever profiler runs it: `start` runs the program,
 * `done` says how it ended, `profile()` imports what the profiler recorded and remaps it, and
 * `saved()` gives the bytes that keep it in the profiler's own format.
 */
import type { Profile } from '../core/profile';
import type { SourceMapHost } from '../sourcemaps/remap';
import type { NodeRunOptions } from './nodeRunner';
import type { FileRule, ProfileTarget } from './profilable';
import type { PythonRunOptions } from './pythonRunner';
import type { ReadStep } from './readRun';
import type { ProfileRun, RunResult } from './runResult';

/** The settings only one profiler reads, by its id; each profiler takes its own. */
export interface ProfilerSettings {
  /** `memory`: record memory (V8's sampling heap profiler) instead of time. */
  readonly node?: Pick<NodeRunOptions, 'nodePath' | 'helpersDir' | 'transformCacheDir' | 'memory'>;
  readonly python?: Partial<
    Pick<PythonRunOptions, 'mode' | 'python' | 'candidates' | 'clock' | 'helpersDir'>
  >;
}

/** What to run and how, the same for every profiler. */
export interface ProfileOptions {
  /** The file to profile, an absolute path; it names the profile in error messages too. */
  readonly file: string;
  /** Arguments for the program (after the file name). */
  readonly args?: string[];
  /** Working directory of the program; default: this process's. */
  readonly cwd?: string;
  /** Variables added to (or, when undefined, removed from) this process's environment. */
  readonly env?: Record<string, string | undefined>;
  /** Sampling interval in microseconds; default: the profiler's own (1000). */
  readonly intervalUs?: number;
  /** The program's standard input: this process's own, or none (the default). */
  readonly stdin?: 'inherit' | 'ignore';
  /** The program's output as it arrives. */
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called once the process has started (the caller can use the wait for its own work). */
  readonly onSpawn?: () => void;
  /** Reads the files the profile names (source maps, sources of inlined functions). */
  readonly host: SourceMapHost;
  /** Told when reading the profile began and when import and remapping ended. */
  readonly onMark?: (step: ReadStep, at: number) => void;
  /** What only one profiler reads. */
  readonly settings?: ProfilerSettings;
}

/** A run in progress, whichever profiler started it. */
export interface ProfilerRun extends ProfileRun<RunResult> {
  /**
   * The profile shown, once the run is done: imported, and where the profiler's output has source
   * maps, remapped. Rejects with a RunError when the program left no profile to read, or with the
   * import's error.
   */
  profile(): Promise<Profile>;
  /** The bytes that keep `profile` in this profiler's own format (`heatlens profile --out`). */
  saved(profile: Profile): string | Uint8Array;
}

/** One way of running a program under a profiler. */
export interface Profiler {
  /**
   * Its id: the key of its settings, if it has any ({@link ProfilerSettings}), and the prefix of
   * its extension settings (`heatlens.<id>.samplingInterval`).
   */
  readonly id: string;
  /** Its name, for people. */
  readonly label: string;
  /** The files it runs. */
  readonly files: FileRule;
  /** Whether it runs `target` (by extension, `#!` line or the editor's language id). */
  canProfile(target: ProfileTarget): boolean;
  /** Starts a run; errors that stop the program from running at all reject `done`. */
  start(options: ProfileOptions): ProfilerRun;
}
