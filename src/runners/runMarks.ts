/**
 * Wall-clock moments of one profiled run, kept by the runners so that the time from a command to
 * the heat on the lines can be split into its stages (bench/latency.mjs reads them). Epoch
 * milliseconds with sub-millisecond precision: the extension host, the CLI, the profiled program
 * and the browser showing VS Code all read the same system clock, so their moments line up.
 */
import { performance } from 'node:perf_hooks';

/** The moments of a run; a field is absent when the run never got there. */
export interface RunMarks {
  /** The runner was asked to start. */
  requested?: number;
  /** The OS started the process (its `spawn` event). */
  spawned?: number;
  /** The program's own code was let go (Node: `Runtime.runIfWaitingForDebugger`). */
  started?: number;
  /** The program's code was over (Node: `NodeRuntime.waitingForDisconnect`). */
  ended?: number;
  /** The runner had the profile's bytes (Node: the `Profiler.stop` reply). */
  profiled?: number;
  /** The process exited. */
  exited?: number;
  /** Its output pipes were done (or given up on). */
  closed?: number;
  /** The runner's result was ready. */
  done?: number;
}

/** Now, in epoch milliseconds with the precision of `performance.now()`. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
