/**
 * Separates the lines Node's inspector writes on the program's stderr ("Debugger listening on
 * ws://...", "For help, see: ...", "Debugger attached.", "Waiting for the debugger to
 * disconnect...") from the program's own output, which passes through unchanged and as soon as it
 * arrives: only a trailing partial line that could still become one of those lines is held back
 * until its end arrives.
 */

/** A line Node's inspector printed, by kind. */
export type InspectorLine =
  | { kind: 'listening'; url: string }
  | { kind: 'help' }
  | { kind: 'attached' }
  | { kind: 'waitingForDisconnect' }
  | { kind: 'ending' };

const patterns: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => InspectorLine]> = [
  [/^Debugger listening on (ws:\/\/\S+)$/, (m) => ({ kind: 'listening', url: m[1] })],
  [/^For help, see: https?:\/\/\S+$/, () => ({ kind: 'help' })],
  [/^Debugger attached\.$/, () => ({ kind: 'attached' })],
  [/^Waiting for the debugger to disconnect\.\.\.$/, () => ({ kind: 'waitingForDisconnect' })],
  [/^Debugger ending on ws:\/\/\S+$/, () => ({ kind: 'ending' })],
];

/** Line starts that may continue with a URL (no spaces) before the line ends. */
const urlHeads = ['Debugger listening on ws://', 'For help, see: http', 'Debugger ending on ws://'];
const fixedHeads = ['Debugger attached.', 'Waiting for the debugger to disconnect...'];

/** Whether `partial` (a line without its end yet) could still become an inspector line. */
function mayBecomeInspectorLine(partial: string): boolean {
  for (const head of [...urlHeads, ...fixedHeads]) if (head.startsWith(partial)) return true;
  for (const head of urlHeads) {
    if (partial.startsWith(head) && !/\s/.test(partial.slice(head.length))) return true;
  }
  return false;
}

/** Parses one line (without its line break) as an inspector line, or undefined. */
export function parseInspectorLine(line: string): InspectorLine | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  for (const [pattern, make] of patterns) {
    const m = pattern.exec(text);
    if (m) return make(m);
  }
  return undefined;
}

/** Streams stderr text, dropping inspector lines (reported to `onInspectorLine`). */
export class InspectorOutputFilter {
  private held = '';

  constructor(
    private readonly emit: (text: string) => void,
    private readonly onInspectorLine: (line: InspectorLine) => void,
  ) {}

  /** Feeds decoded text; emits the program's part of it. */
  push(chunk: string): void {
    const text = this.held + chunk;
    this.held = '';
    let out = '';
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      const parsed = parseInspectorLine(line);
      if (parsed) this.onInspectorLine(parsed);
      else out += text.slice(start, nl + 1);
      start = nl + 1;
    }
    const rest = text.slice(start);
    if (rest && mayBecomeInspectorLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest)) {
      this.held = rest;
    } else out += rest;
    if (out) this.emit(out);
  }

  /** The stream ended: a held partial line was the program's after all (or a final inspector line). */
  end(): void {
    const rest = this.held;
    this.held = '';
    if (!rest) return;
    const parsed = parseInspectorLine(rest);
    if (parsed) this.onInspectorLine(parsed);
    else this.emit(rest);
  }
}
