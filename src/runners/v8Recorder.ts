/**
 * What a Node run records over its inspector session, on the main thread (nodeRunner.ts) and on
 * every worker thread (workerSessions.ts): V8's CPU profiler, or in memory mode its sampling heap
 * profiler. Either is started by a few requests before the program is let go, and hands its
 * profile over as the `profile` field of the reply to one request at the end (however the run
 * ends: the same end paths for both).
 *
 * The heap profiler (measured on Node 20.20 and 24.21):
 * - `HeapProfiler.startSampling` needs no `HeapProfiler.enable`.
 * - `includeObjectsCollectedByMajorGC` / `MinorGC` keep the samples of objects the collector freed:
 *   the profile is then every allocation over the run (a function allocating 200 arrays of 32768
 *   small integers showed 52.4 MB, 200 × 262,160 bytes). Without them it is the objects still
 *   alive when sampling stops. One recording gives one of the two, never both.
 * - `HeapProfiler.stopSampling` collects the garbage before it reports: 10 MB of large arrays
 *   dropped just before the end, which no collection had freed yet, were not in a live profile.
 *   That collection is most of the stop's cost (about 100 ms for examples/js/alloc.mjs, in both
 *   modes, against 2-4 ms for `Profiler.stop`).
 * - `HeapProfiler.collectGarbage` is never sent: once the program is over Node waits for the
 *   debugger to disconnect without running tasks, and V8 runs that collection as a task, so the
 *   reply never came.
 */
import type { HeapRecording } from './runResult';

/** One inspector request. */
export interface InspectorRequest {
  readonly method: string;
  readonly params?: object;
}

/** How a profiler is started and stopped over an inspector session. */
export interface V8Recorder {
  /** `cpu`: a `.cpuprofile`; `heap`: a `.heapprofile`, in bytes. */
  readonly kind: 'cpu' | 'heap';
  /** Sent in order (together: the inspector answers them in order) before the program runs. */
  readonly start: readonly InspectorRequest[];
  /** The request whose reply holds the profile in its `profile` field. */
  readonly stop: string;
  /** What a profile lost with a worker holds, for the warning: "time" or "allocations". */
  readonly holds: string;
}

/** V8's CPU profiler, sampling every `intervalUs` microseconds. */
export function cpuRecorder(intervalUs: number): V8Recorder {
  return {
    kind: 'cpu',
    start: [
      { method: 'Profiler.enable' },
      { method: 'Profiler.setSamplingInterval', params: { interval: intervalUs } },
      { method: 'Profiler.start' },
    ],
    stop: 'Profiler.stop',
    holds: 'time',
  };
}

/** V8's sampling heap profiler, recording what `memory` says (see the module comment). */
export function heapRecorder(memory: HeapRecording): V8Recorder {
  const collected = memory.record === 'allocated';
  return {
    kind: 'heap',
    start: [
      {
        method: 'HeapProfiler.startSampling',
        params: {
          samplingInterval: memory.samplingInterval,
          includeObjectsCollectedByMajorGC: collected,
          includeObjectsCollectedByMinorGC: collected,
        },
      },
    ],
    stop: 'HeapProfiler.stopSampling',
    holds: 'allocations',
  };
}

/** The recorder of a run: the heap profiler in memory mode, else the CPU profiler. */
export function recorderFor(command: {
  readonly intervalUs: number;
  readonly memory: HeapRecording | undefined;
}): V8Recorder {
  return command.memory ? heapRecorder(command.memory) : cpuRecorder(command.intervalUs);
}
