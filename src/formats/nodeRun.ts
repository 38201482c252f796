/**
 * The profile of a Node run Heatlens made: the main thread's V8 profile and each worker thread's
 * (V8 profiles each isolate on its own), read and merged into one (see core/threads.ts). A CPU
 * run's profiles are `.cpuprofile`s; a memory run's are `.heapprofile`s, in bytes.
 */
import type { Profile } from '../core/profile';
import { withThreads } from '../core/threads';
import { importCpuprofile, type CpuprofileOptions } from './cpuprofile';
import { importHeapProfile } from './heapProfile';

/** A worker thread's profile as the runner took it. */
export interface NodeWorkerProfile {
  readonly title: string;
  readonly url: string;
  readonly profileText: string;
}

/**
 * `startTime` of a V8 profile's JSON, in microseconds of the process's monotonic clock (the
 * same clock for every isolate of a process). A quoted key followed by a colon cannot occur
 * inside a JSON string, so the first match is the key.
 */
function startTimeOf(text: string): number | undefined {
  const m = /"startTime":\s*(-?\d+(?:\.\d+)?)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Reads the main thread's profile and every worker's, merged: workers under "worker: <title>". */
export function importNodeRun(
  profileText: string,
  workers: readonly NodeWorkerProfile[],
  options: CpuprofileOptions = {},
): Profile {
  const main = importCpuprofile(profileText, options);
  if (!workers.length) return main;
  const mainStart = startTimeOf(profileText) ?? 0;
  const threads = workers.map((w) => {
    const profile = importCpuprofile(w.profileText, { ...options, sourceFile: undefined });
    const start = startTimeOf(w.profileText);
    return {
      label: `worker: ${w.title}`,
      profile,
      startOffset: start === undefined ? 0 : Math.max(0, start - mainStart),
    };
  });
  return withThreads(main, threads);
}

/**
 * Reads a memory run's heap profiles, merged as {@link importNodeRun} merges CPU profiles. Heap
 * samples have no time: every thread's tree simply hangs under its pseudo-frame.
 */
export function importNodeHeapRun(
  profileText: string,
  workers: readonly NodeWorkerProfile[],
  options: CpuprofileOptions = {},
): Profile {
  const main = importHeapProfile(profileText, options);
  if (!workers.length) return main;
  const threads = workers.map((w) => ({
    label: `worker: ${w.title}`,
    profile: importHeapProfile(w.profileText, { ...options, sourceFile: undefined }),
    startOffset: 0,
  }));
  return withThreads(main, threads);
}
