/**
 * What a Node run that ended says about its end: the error text of a failed run (Node's own
 * report, its error line first) and the warning of a run that left no profile, and the empty
 * profile it then yields (a CPU profile, or in memory mode a heap profile).
 */
import { tail } from './tail';

/** A `.cpuprofile` with no samples: what a run yields when the profile could not be taken. */
export const emptyProfileText = JSON.stringify({
  nodes: [
    {
      id: 1,
      callFrame: {
        functionName: '(root)',
        scriptId: '0',
        url: '',
        lineNumber: -1,
        columnNumber: -1,
      },
      hitCount: 0,
      children: [],
    },
  ],
  startTime: 0,
  endTime: 0,
  samples: [],
  timeDeltas: [],
});

/** A `.heapprofile` with no allocations: a memory run's profile when it could not be taken. */
export const emptyHeapProfileText = JSON.stringify({
  head: {
    callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
    selfSize: 0,
    id: 1,
    children: [],
  },
  samples: [],
});

/**
 * The error text of a failed run: Node's report of an uncaught error starts with "file:line", the
 * source line and a caret; a one-line summary (the "Error: message" line) goes first, so that
 * whoever shows only the first line shows the message.
 */
export function errorTextFromStderr(stderrTail: string): string {
  const text = tail(stderrTail);
  const summary = /^(?:[A-Z][\w$]*)?(?:Error|Exception)(?: \[[^\]\n]*\])?:.*$/m.exec(text);
  if (!summary || summary.index === 0) return text;
  return `${summary[0]}\n\n${text}`;
}

/** How the process ended, and what the run saw. */
export interface ProcessEnd {
  /** The file's base name. */
  readonly name: string;
  readonly code: number | null;
  readonly signal: string | null;
  /** The outcome is 'failed'. */
  readonly failed: boolean;
  /** The profiler handed over a profile. */
  readonly profiled: boolean;
  /** The end of the program's stderr. */
  readonly stderrTail: string;
}

/**
 * The error text of a failed run, and the warning of a run that ended before its profile was
 * taken (V8 keeps the samples in the process: a program killed by a signal takes them along).
 */
export function endTexts(end: ProcessEnd): { errorText?: string; warning?: string } {
  const { name, code, signal, failed } = end;
  const said = errorTextFromStderr(end.stderrTail);
  if (!end.profiled) {
    const how = signal ? `was killed by ${signal}` : `ended (exit code ${code})`;
    const text =
      `${name} ${how} before Heatlens could collect its profile, so nothing was recorded` +
      (signal === 'SIGKILL' ? ' (SIGKILL often means the system ran out of memory).' : '.');
    return { errorText: failed ? (said ? `${text}\n${said}` : text) : undefined, warning: text };
  }
  if (!failed) return {};
  return {
    errorText:
      said || (signal ? `${name} was killed by ${signal}.` : `${name} exited with code ${code}.`),
  };
}
