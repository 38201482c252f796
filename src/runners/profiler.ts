/**
 * The profilers Heatlens runs programs under, one entry each: what it is called, which files it
 * runs (the file-type rule of profilable.ts) and how a run starts. Whoever profiles a file picks
 * the entry that can profile it; adding a profiler is one runner file plus one entry here.
 */
import { startNodeProfile, type NodeRunOptions, type ProfileRun } from './nodeRunner';
import { runtimeOf, type ProfiledRuntime } from './profilable';
import { startPythonProfile, type PythonProfileRun, type PythonRunOptions } from './pythonRunner';

/** A run in progress, whichever profiler started it. */
export interface ProfilerRun<Result> {
  /** Resolves when the program and its profile are done; rejects with a RunError. */
  readonly done: Promise<Result>;
  /** Stops the program, keeping what was profiled so far. */
  cancel(): void;
  /** Stops reporting output and cancels the run if it is still going. */
  dispose(): void;
}

/** One way of running a program under a profiler. */
export interface Profiler<Id extends ProfiledRuntime, Options, Run extends ProfilerRun<unknown>> {
  readonly id: Id;
  /** Its name, for people. */
  readonly label: string;
  /**
   * Whether it runs `file`: by its extension, or for a file without one by its `#!` line
   * (`firstLine`, when the caller has read it).
   */
  canProfile(file: string, firstLine?: string): boolean;
  /** Starts a run; errors that stop the program from running at all reject `done`. */
  start(options: Options): Run;
}

/** Node.js (JavaScript and TypeScript) under V8's CPU profiler, through the inspector. */
export const nodeProfiler: Profiler<'node', NodeRunOptions, ProfileRun> = {
  id: 'node',
  label: 'Node.js (V8 CPU profiler)',
  canProfile: (file, firstLine) => runtimeOf(file, firstLine) === 'node',
  start: startNodeProfile,
};

/** Python under Heatlens' sampler, cProfile or yappi. */
export const pythonProfiler: Profiler<'python', PythonRunOptions, PythonProfileRun> = {
  id: 'python',
  label: 'Python (sampler, cProfile or yappi)',
  canProfile: (file, firstLine) => runtimeOf(file, firstLine) === 'python',
  start: startPythonProfile,
};

/** Every profiler, in the order they are asked whether they can profile a file. */
export const PROFILERS = [nodeProfiler, pythonProfiler] as const;

/** One of {@link PROFILERS}; its `id` tells which. */
export type AnyProfiler = (typeof PROFILERS)[number];

/** The profiler that runs `file`, or undefined when Heatlens does not profile files of its type. */
export function profilerFor(file: string, firstLine?: string): AnyProfiler | undefined {
  return PROFILERS.find((p) => p.canProfile(file, firstLine));
}
