/**
 * Runs a Python file under a profiler through the helper script shipped with the extension
 * (python/heatlens_profile.py, standard library only):
 *
 *   <python> heatlens_profile.py --mode <mode> --out <tmp>/profile --status <tmp>/status.json
 *            [--clock cpu|wall] --interval-us <n> -- <file> <args>
 *
 * The helper runs the file as `__main__` exactly as `python file.py` would, writes the profile to
 * `--out` (never to stdout, so the program's output passes through untouched) and a small JSON
 * report to `--status`: how the program ended ("exited", "raised", "interrupted",
 * "syntax_error", "missing_file", "no_yappi"), its exit code, and the traceback as Python printed
 * it. The report is what tells `sys.exit(1)` from an uncaught exception without parsing stderr.
 *
 * Modes and what they hand back: `sampling` -> our JSON samples (formats/pysamples.ts),
 * `cprofile` and `yappi` -> pstats (formats/pstats.ts).
 *
 * Cancel: SIGINT to the program's process group (it runs detached, as a group leader), which
 * raises KeyboardInterrupt in the program; the helper writes what was recorded and exits 130.
 * When the program does not end within the grace period (it ignores SIGINT, a non-daemon thread
 * keeps it alive), the stop escalates: "stop" on the control pipe (fd 3, `--control-fd`), on which
 * a thread of the helper writes what was recorded and exits 130, whatever the program does with
 * signals. Only a program that still has not ended (a C call holding the GIL) is killed with its
 * tree; the sampler's latest snapshot (written every second or so) is then what remains. Windows
 * has no SIGINT for another process nor the pipe: the tree is killed at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

import { pythonCommand, type PythonCommandOptions, type PythonProfileMode } from './pythonCommand';
import { RunError } from './runError';
import { adoptChild } from './orphans';
import { childEnd, killProcessTree } from './processTree';
import { epochNow, type RunMarks } from './runMarks';
import type { ProfileRun, RunResult } from './runResult';
import { tail } from './tail';

export { resolvePython } from './findPython';
export {
  defaultPythonHelpersDir,
  defaultPythonIntervalUs,
  pythonHelperName,
  type PythonProfileMode,
} from './pythonCommand';

/** What to run and how. */
export interface PythonRunOptions extends PythonCommandOptions {
  /** The program's output as it arrives. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called once the process has started (the caller can use the wait for its own work). */
  onSpawn?: () => void;
  /** The program's standard input: this process's own, or none (the default). */
  stdin?: 'inherit' | 'ignore';
  /**
   * How long a cancelled program gets to end after SIGINT, and then again after "stop" on the
   * control pipe, before its tree is killed; default 5000 ms.
   */
  cancelGraceMs?: number;
}

/** What the helper writes in each mode. */
export type PythonProfileFormat = 'pysamples' | 'pstats' | 'pymemory';

function formatOf(mode: PythonProfileMode): PythonProfileFormat {
  return mode === 'sampling' ? 'pysamples' : mode === 'memory' ? 'pymemory' : 'pstats';
}

const PROFILE_ENDING: Record<PythonProfileFormat, string> = {
  pysamples: '.pysamples.json',
  pstats: '.prof',
  pymemory: '.pymemory.json',
};

/** How a Python run ended, and its profile. */
export interface PythonRunResult extends RunResult {
  /** The profile as written by the helper; empty when none was written (see `warnings`). */
  profileBytes: Uint8Array;
  /**
   * 'pysamples' for the sampling mode (JSON), 'pstats' for cprofile and yappi (marshal),
   * 'pymemory' for the memory mode (JSON).
   */
  format: PythonProfileFormat;
  mode: PythonProfileMode;
  clock: 'cpu' | 'wall';
  /** The interpreter that ran it (its `sys.executable`). */
  python: string;
}

/**
 * A Python run in progress. Cancel interrupts the program (SIGINT, keeping its profile), then
 * kills its tree after a grace period.
 */
export type PythonProfileRun = ProfileRun<PythonRunResult>;

const defaultCancelGraceMs = 5000;

/** Output kept for the error text of a failed run. */
const stderrTailChars = 8000;

/** The helper's report (see python/heatlens_profile.py). */
interface HelperStatus {
  outcome: 'exited' | 'raised' | 'interrupted' | 'syntax_error' | 'missing_file' | 'no_yappi';
  exit_code: number;
  error: string | null;
  warnings: string[];
  duration_s?: number;
  /** When the program's code began and ended, epoch milliseconds. */
  start_epoch_ms?: number;
  end_epoch_ms?: number;
  executable?: string;
}

async function readStatus(path: string): Promise<HelperStatus | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as HelperStatus;
    return typeof parsed?.outcome === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function yappiHint(python: string): string {
  return (
    `yappi is not installed for ${python}. Install it into that interpreter with ` +
    `\`${python} -m pip install yappi\` (on Debian or Ubuntu, for /usr/bin/python3: ` +
    '`sudo apt install python3-yappi`), or choose the sampling or cprofile mode.'
  );
}

/** Starts profiling `options.file`; see the module comment. */
export function startPythonProfile(options: PythonRunOptions): PythonProfileRun {
  const run = new PythonProfileRunImpl(options);
  return { done: run.done, cancel: () => run.cancel(), dispose: () => run.dispose() };
}

class PythonProfileRunImpl {
  readonly done: Promise<PythonRunResult>;
  private readonly warnings: string[] = [];
  private child: ChildProcess | undefined;
  private cancelled = false;
  private disposed = false;
  private finished = false;
  private killing: Promise<void> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private killedAfterGrace = false;
  /** The helper's control pipe (POSIX): "stop" makes it write what it has and exit. */
  private control: Writable | undefined;
  private escalated = false;
  private stderrTail = '';
  private readonly marks: RunMarks = { requested: epochNow() };

  constructor(private readonly options: PythonRunOptions) {
    this.done = this.run().finally(() => {
      this.finished = true;
      if (this.graceTimer) clearTimeout(this.graceTimer);
    });
  }

  cancel(): void {
    if (this.finished) return;
    if (this.cancelled) {
      // Second request: do not wait for the profile any longer.
      void this.killTree();
      return;
    }
    this.cancelled = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (process.platform === 'win32' || child.pid === undefined) {
      void this.killTree();
      return;
    }
    try {
      process.kill(-child.pid, 'SIGINT');
    } catch {
      // The group is gone already.
    }
    this.graceTimer = setTimeout(() => this.escalate(), this.graceMs());
  }

  private graceMs(): number {
    return this.options.cancelGraceMs ?? defaultCancelGraceMs;
  }

  /**
   * The program did not end on SIGINT: ask the helper, through its control pipe, to write what
   * was recorded and exit; kill the tree if even that does not end it.
   */
  private escalate(): void {
    const control = this.control;
    if (control && !control.destroyed) {
      this.escalated = true;
      control.write('stop\n');
      this.graceTimer = setTimeout(() => this.killAfterGrace(), this.graceMs());
      return;
    }
    this.killAfterGrace();
  }

  private killAfterGrace(): void {
    this.killedAfterGrace = true;
    void this.killTree();
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private killTree(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return Promise.resolve();
    this.killing ??= killProcessTree(pid);
    return this.killing;
  }

  private output(stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    if (stream === 'stderr') this.stderrTail = (this.stderrTail + text).slice(-stderrTailChars);
    if (!this.disposed) this.options.onOutput?.(stream, text);
  }

  private async run(): Promise<PythonRunResult> {
    const options = this.options;
    const { mode, clock, intervalUs, file, name, cwd, helper, python } =
      await pythonCommand(options);
    const dir = await mkdtemp(join(tmpdir(), 'heatlens-py-'));
    try {
      const out = join(dir, `profile${PROFILE_ENDING[formatOf(mode)]}`);
      const statusPath = join(dir, 'status.json');
      const args = [helper, '--mode', mode, '--out', out, '--status', statusPath];
      if (process.platform !== 'win32') args.push('--control-fd', '3');
      if (options.clock) args.push('--clock', options.clock);
      args.push('--interval-us', String(Math.max(1, Math.round(intervalUs))));
      args.push('--', file, ...(options.args ?? []));
      const command = [python, ...args];
      const env: Record<string, string> = {};
      // Unbuffered, so that the output streams while the program runs, as in a terminal.
      for (const [k, v] of Object.entries({
        PYTHONUNBUFFERED: '1',
        ...process.env,
        ...options.env,
      })) {
        if (v !== undefined) env[k] = v;
      }
      if (this.cancelled) return this.result(mode, clock, python, command, null, null, 0);

      const started = performance.now();
      const { code, signal } = await this.spawnAndWait(python, args, cwd, env);
      const wallMs = performance.now() - started;
      const status = await readStatus(statusPath);
      const bytes = await readFile(out).catch(() => undefined);
      const profileBytes = bytes ? new Uint8Array(bytes) : new Uint8Array(0);
      if (bytes) this.marks.profiled = epochNow();
      if (typeof status?.start_epoch_ms === 'number') this.marks.started = status.start_epoch_ms;
      if (typeof status?.end_epoch_ms === 'number') this.marks.ended = status.end_epoch_ms;

      if (
        status?.outcome === 'no_yappi' ||
        (code === 3 && !status && /yappi/.test(this.stderrTail))
      )
        throw new RunError(yappiHint(python));
      if (status?.outcome === 'missing_file')
        throw new RunError(`Cannot profile ${file}: the file does not exist.`);

      // The sampler's and the memory mode's warnings travel inside their profile (and reach
      // meta.warnings on import).
      if (status?.warnings && (formatOf(mode) === 'pstats' || !bytes))
        this.warnings.push(...status.warnings);
      const durationMs = typeof status?.duration_s === 'number' ? status.duration_s * 1000 : wallMs;
      const said = tail(this.stderrTail);
      let outcome: PythonRunResult['outcome'];
      let errorText: string | undefined;
      if (this.cancelled) {
        outcome = 'cancelled';
      } else if (status?.outcome === 'exited' && code === status.exit_code && code === 0) {
        outcome = 'exited';
      } else {
        outcome = 'failed';
        if (status?.error) errorText = status.error.trimEnd();
        else if (signal) errorText = `${name} was killed by ${signal}.`;
        else errorText = `${name} exited with code ${code}.`;
        if (!status?.error && said) errorText += `\n${said}`;
      }
      if (!bytes && status?.outcome !== 'syntax_error') {
        const seconds = `${this.graceMs() / 1000} s`;
        const how = this.killedAfterGrace
          ? `did not stop within ${seconds} of the interrupt${this.escalated ? `, nor within ${seconds} of being asked again (a long call holding the interpreter)` : ''}, so it was killed`
          : signal
            ? `was killed by ${signal}`
            : `ended (exit code ${code}) without going through Heatlens's helper`;
        const lost =
          mode === 'sampling'
            ? 'nothing was recorded'
            : mode === 'memory'
              ? 'its memory is measured at the end, so nothing was recorded'
              : `${mode === 'cprofile' ? 'cProfile' : 'yappi'} cannot be read while it runs, so nothing was recorded`;
        this.warnings.push(`${name} ${how} before its profile was written: ${lost}.`);
      }
      return {
        ...this.result(
          mode,
          clock,
          status?.executable || python,
          command,
          code,
          signal,
          durationMs,
        ),
        profileBytes,
        outcome,
        errorText,
      };
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private result(
    mode: PythonProfileMode,
    clock: 'cpu' | 'wall',
    python: string,
    command: string[],
    exitCode: number | null,
    signal: string | null,
    durationMs: number,
  ): PythonRunResult {
    return {
      profileBytes: new Uint8Array(0),
      format: formatOf(mode),
      mode,
      clock,
      exitCode,
      signal,
      outcome: 'cancelled',
      durationMs,
      command,
      python,
      warnings: [...this.warnings],
      marks: { ...this.marks, done: epochNow() },
    };
  }

  private async spawnAndWait(
    python: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = spawn(python, args, {
      cwd,
      env,
      stdio: [
        this.options.stdin ?? 'ignore',
        'pipe',
        'pipe',
        // The helper's control pipe (see escalate); it also tells the helper when we are gone.
        ...(process.platform !== 'win32' ? (['pipe'] as const) : []),
      ],
      // Its own process group, so that cancel reaches the children it starts.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    await new Promise<void>((resolveSpawn, rejectSpawn) => {
      child.once('spawn', resolveSpawn);
      child.once('error', (error: NodeJS.ErrnoException) =>
        rejectSpawn(
          new RunError(
            `Cannot start the Python interpreter ${python}: ${error.message}. Check the ` +
              'interpreter selected in the Python extension or the `heatlens.python.path` setting.',
          ),
        ),
      );
    });
    this.child = child;
    this.marks.spawned = epochNow();
    this.options.onSpawn?.();
    child.on('error', () => undefined);
    const control = child.stdio[3];
    if (control && 'write' in control) {
      this.control = control as Writable;
      this.control.on('error', () => undefined);
    }
    // However this process ends, the program ends with it.
    const release = adoptChild(child);
    // A cancel that came while the interpreter was starting.
    if (this.cancelled) {
      this.cancelled = false;
      this.cancel();
    }

    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    child.stdout!.on('data', (chunk: Buffer) => this.output('stdout', outDecoder.write(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => this.output('stderr', errDecoder.write(chunk)));
    const { exited, closed } = childEnd(child);
    const status = await exited;
    this.marks.exited = epochNow();
    // A cancelled program ends with its whole tree: what it started may outlive it in its group.
    if (this.cancelled) await this.killTree();
    release();
    this.control?.destroy();
    await closed;
    this.marks.closed = epochNow();
    this.output('stdout', outDecoder.end());
    this.output('stderr', errDecoder.end());
    if (this.graceTimer) clearTimeout(this.graceTimer);
    await this.killing;
    return status;
  }
}
