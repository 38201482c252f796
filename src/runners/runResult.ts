/**
 * What every profiler's run is and reports, whichever program it ran: one result type, which each
 * runner extends with the profile data it hands over (Node: the V8 profile text and source maps;
 * Python: the bytes the helper wrote), and one run type.
 */
import type { RunMarks } from './runMarks';

/** How a run ended: 'failed' is an uncaught error, a non-zero exit code or death by a signal. */
export type RunOutcome = 'exited' | 'failed' | 'cancelled';

/**
 * What V8's sampling heap profiler recorded in a Node memory run. V8 gives one of the two per
 * recording, not both: `allocated`, every allocation over the run (objects the collector freed
 * included); `live`, the objects still alive when the program ended.
 */
export interface HeapRecording {
  readonly record: 'allocated' | 'live';
  /** The mean number of bytes between two sampled allocations. */
  readonly samplingInterval: number;
}

/** How a run ended, as every profiler reports it. */
export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  /** 'failed': an uncaught error, a syntax error, a non-zero exit or death by a signal. */
  outcome: RunOutcome;
  /** For 'failed': what went wrong, usually the end of the program's stderr (its own report). */
  errorText?: string;
  /** Time the program ran under the profiler, in milliseconds (wall clock). */
  durationMs: number;
  /** The command line that ran (executable first). */
  command: string[];
  /** The sampling interval requested, in microseconds, where the profiler reports it. */
  intervalUs?: number;
  /** A Node memory run: what was recorded (then there is no `intervalUs`). */
  memory?: HeapRecording;
  /** Things the person should know about this run. */
  warnings: string[];
  /** When each stage of the run happened (for latency measurements). */
  marks: RunMarks;
}

/** A run in progress. */
export interface ProfileRun<Result extends RunResult = RunResult> {
  /** Resolves when the program and its profile are done; rejects with a RunError. */
  readonly done: Promise<Result>;
  /** Stops the program, keeping what was profiled so far; a second call kills it at once. */
  cancel(): void;
  /** Stops reporting output and cancels the run if it is still going. */
  dispose(): void;
}

/** How the run ended, after "the program": "was cancelled", "exited with code 3"… */
export function describeEnd(result: RunResult): string {
  if (result.outcome === 'cancelled') return 'was cancelled';
  if (result.signal) return `was killed by ${result.signal}`;
  if (result.exitCode !== null && result.exitCode !== 0)
    return `exited with code ${result.exitCode}`;
  return result.outcome === 'failed' ? 'failed' : 'exited';
}
