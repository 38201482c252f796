/**
 * Runs a JavaScript or TypeScript file under the V8 CPU profiler through the inspector protocol
 * (docs/FORMATS.md, "Inspector route"), or in memory mode under V8's sampling heap profiler
 * (v8Recorder.ts: HeapProfiler.startSampling ... HeapProfiler.stopSampling in place of the
 * Profiler requests; everything else is the same):
 *
 *   node --inspect-brk=127.0.0.1:0 -r <helpers> <file> <args>
 *   -> read "Debugger listening on ws://..." from stderr, connect
 *   -> Profiler.enable, Profiler.setSamplingInterval, Profiler.start,
 *      NodeRuntime.notifyWhenWaitingForDisconnect, Runtime.runIfWaitingForDebugger
 *   -> NodeRuntime.waitingForDisconnect (the program is over) -> Profiler.stop -> close the socket,
 *      and Node exits with the program's own exit code.
 *
 * End detection, measured on Node 20.20 and 24.21: after a normal end, `process.exit(n)`,
 * `process.exitCode = n`, an uncaught exception, an unhandled rejection, a syntax error and work
 * in an 'exit' handler, Node keeps the process alive with the inspector open and sends
 * `NodeRuntime.waitingForDisconnect` (and prints "Waiting for the debugger to disconnect..."),
 * with every sample up to that point still in the profiler. `Runtime.executionContextDestroyed`
 * arrives at the same moment, but it needs `Runtime.enable`, which makes Node serialise every
 * console call to the inspector: 100k `console.log` calls took 16.5 s instead of 1.8 s, so we
 * never enable the Runtime domain. The stderr line is the fallback when the NodeRuntime domain is
 * missing. Uncaught exceptions are printed after we disconnect, so the exit code and the error
 * text are taken once the process has closed.
 *
 * A program that dies of a signal (SIGKILL, an abort on running out of memory) takes the profile
 * with it: V8 keeps the samples in the process. Then `done` still resolves, with outcome
 * 'failed', an errorText saying so, and an empty but valid profile, so that callers have one path
 * for "the program ran"; {@link RunError} is only for "the program could not be started".
 *
 * Cancel: `Profiler.stop` (and `HeapProfiler.stopSampling`) is answered even while the program
 * spins in `while (true) {}` (the inspector interrupts V8), so cancel keeps what was recorded, then ends the whole process tree
 * (SIGTERM, SIGKILL after a grace period; taskkill /T /F on Windows). A second cancel kills at
 * once without waiting for the profile.
 */
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

import { readGeneratedMaps } from './generatedMaps';
import { defaultHelpersDir } from './helpers';
import type { InspectorLine } from './inspectorOutput';
import { InspectorSession } from './inspectorSession';
import { WorkerProfiler, type WorkerProfile } from './workerSessions';
import { cpuRecorder, recorderFor, type V8Recorder } from './v8Recorder';
import {
  defaultIntervalUs,
  nodeCommand,
  type NodeCommand,
  type NodeCommandOptions,
} from './nodeCommand';
import { pipeNodeOutput, spawnNode } from './nodeProcess';
import { adoptChild } from './orphans';
import { childEnd, killProcessTree } from './processTree';
import { epochNow, type RunMarks } from './runMarks';
import { RunError } from './runError';
import type { HeapRecording, ProfileRun, RunResult } from './runResult';
import { emptyHeapProfileText, emptyProfileText, endTexts } from './nodeRunEnd';
import { tail } from './tail';

export { RunError } from './runError';
export { defaultIntervalUs } from './nodeCommand';
export { errorTextFromStderr } from './nodeRunEnd';

/** What to run and how. */
export interface NodeRunOptions extends NodeCommandOptions {
  /** The program's output as it arrives, without the inspector's own messages. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called once the process has started (the caller can use the wait for its own work). */
  onSpawn?: () => void;
  /**
   * The program's standard input: this process's own ('inherit': the CLI hands over its
   * terminal or pipe), or none ('ignore', the default: the program reads end of file at once).
   */
  stdin?: 'inherit' | 'ignore';
}

/** The profile a Node run hands over: what reading it needs (see readRun.ts). */
export interface EarlyProfile {
  /**
   * The V8 `.cpuprofile` JSON, or in memory mode the `.heapprofile` JSON (empty but valid when
   * the program died before it was taken).
   */
  profileText: string;
  /** Memory mode: the profile is a heap profile, in bytes, recorded so. */
  memory?: HeapRecording;
  /** Transformed file path -> raw source map JSON (TypeScript compiled on the fly). */
  generatedMaps: Map<string, string>;
  /** Folders of code Heatlens injected into the program: its frames are runtime, not user code. */
  runtimePaths: string[];
  /** The profiles of the program's worker threads (V8 profiles each isolate on its own). */
  workerProfiles: WorkerProfile[];
}

/** How a Node run ended, and its profile. */
export interface NodeRunResult extends RunResult, EarlyProfile {
  /** The sampling interval requested, in microseconds (CPU runs; undefined in memory mode). */
  intervalUs?: number;
}

/** A Node run in progress. */
export interface NodeRun extends ProfileRun<NodeRunResult> {
  /**
   * The profile as soon as the profiler handed it over, before the process has exited (reading
   * it can overlap the process's teardown): the same text, maps and runtime paths as the result
   * of {@link done}, also for a cancelled or failed run. Undefined when the run ends without a
   * profile (then {@link done} has the empty one, or rejects). Never rejects.
   */
  readonly profiled: Promise<EarlyProfile | undefined>;
}

/** How long a cancelled program may take to hand over its profile before it is killed anyway. */
const cancelStopTimeoutMs = 10_000;

/** How long Node may take to print its inspector address. */
const startupTimeoutMs = 30_000;

/** Output kept for the error text of a failed run. */
const stderrTailChars = 8000;

/** Starts profiling `options.file`; see the module comment for the protocol. */
export function startNodeProfile(options: NodeRunOptions): NodeRun {
  const run = new NodeProfileRun(options);
  return {
    done: run.done,
    profiled: run.profiled,
    cancel: () => run.cancel(),
    dispose: () => run.dispose(),
  };
}

/**
 * Where a run is: one value, moved by `cancel()`, by the program's end (NodeRuntime's
 * `waitingForDisconnect`, or Node's stderr line where that domain is missing) and by the run's
 * end. "Take the profile" is {@link NodeProfileRun.stop}: `Profiler.stop` (within 10 s on
 * cancel), the hand-over, the socket closed; it runs once, whichever asked first.
 *
 * | state     | what goes on                        | cancel()            | the program's end    |
 * | --------- | ----------------------------------- | ------------------- | -------------------- |
 * | starting  | checks, spawn, attach, set-up       | -> cancelled (1)    | -> ended (2)         |
 * | running   | the program runs, profiled          | -> cancelled (3)    | -> ended (2)         |
 * | ended     | its code is over; it exits          | stays (4)           | -                    |
 * | cancelled | profile taken, then the tree killed | -> killed (5)       | stays                |
 * | killed    | the tree is killed, no more waiting | stays               | stays                |
 * | finished  | `done` settled, from any state      | stays               | stays                |
 *
 * (1) kill the tree if the process started; once attached, take the profile first (3).
 * (2) take the profile; Node exits with the program's own code.
 * (3) take the profile, then kill the tree.
 * (4) the profile comes anyway.
 * (5) kill the tree at once, without waiting for the profile.
 * `starting` becomes `running` when the profiler is started and the program let go. A run that
 * ends in `cancelled` or `killed` has the outcome 'cancelled'.
 */
type RunState = 'starting' | 'running' | 'ended' | 'cancelled' | 'killed' | 'finished';

class NodeProfileRun {
  readonly done: Promise<NodeRunResult>;
  readonly profiled: Promise<EarlyProfile | undefined>;
  private state: RunState = 'starting';
  private handOver: (profile: EarlyProfile | undefined) => void = () => undefined;
  /** Undefined once disposed: the output is no longer reported. */
  private onOutput: NodeRunOptions['onOutput'];
  private mapDir: string | undefined;
  private readonly warnings: string[] = [];
  private command: string[] = [];
  private intervalUs = defaultIntervalUs;
  private recorder: V8Recorder = cpuRecorder(defaultIntervalUs);
  private memory: HeapRecording | undefined;
  private child: ChildProcess | undefined;
  private session: InspectorSession | undefined;
  private workers: WorkerProfiler | undefined;
  /** Taking the profile (see {@link stop}), once started. */
  private stopping: Promise<void> | undefined;
  /** Killing the process tree, once started. */
  private treeKill: Promise<void> | undefined;
  private profileText: string | undefined;
  private startedAt: number | undefined;
  private stoppedAt: number | undefined;
  private stderrTail = '';
  /** This Node has no NodeRuntime domain: its "Waiting for the debugger" line says the end. */
  private endFromStderr = false;
  private onInspectorUrl: ((url: string) => void) | undefined;
  private readonly marks: RunMarks = { requested: epochNow() };

  constructor(private readonly options: NodeRunOptions) {
    this.onOutput = options.onOutput;
    this.profiled = new Promise((res) => (this.handOver = res));
    this.done = this.run().finally(() => {
      this.state = 'finished';
      this.handOver(undefined);
    });
  }

  private get isCancelled(): boolean {
    return this.state === 'cancelled' || this.state === 'killed';
  }

  cancel(): void {
    switch (this.state) {
      case 'starting':
      case 'running':
        this.state = 'cancelled';
        if (this.session) void this.stop('cancel');
        else if (this.child) void this.killTree();
        return;
      case 'cancelled':
        // Second request: do not wait for the profile any longer.
        this.state = 'killed';
        void this.killTree();
        return;
      default:
        return;
    }
  }

  dispose(): void {
    this.onOutput = undefined;
    this.cancel();
  }

  /** The program's end was seen: take the profile and let it exit. */
  private programEnded(): void {
    if (this.state === 'starting' || this.state === 'running') this.state = 'ended';
    void this.stop('end');
  }

  private output(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr') {
      this.stderrTail = (this.stderrTail + text).slice(-stderrTailChars);
    }
    if (text) this.onOutput?.(stream, text);
  }

  private async run(): Promise<NodeRunResult> {
    const command = await nodeCommand(this.options);
    this.intervalUs = command.intervalUs;
    this.recorder = recorderFor(command);
    this.memory = command.memory;
    this.warnings.push(...command.warnings);
    this.mapDir = command.mapDir;
    this.command = [command.nodePath, ...command.args];
    try {
      return await this.runProcess(command);
    } finally {
      // The maps were read once the program ended; removing them need not hold the result back.
      if (command.mapDir) {
        void rm(command.mapDir, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }

  /** The inspector's address, once Node printed it; undefined if it exited or took too long. */
  private inspectorAddress(exited: Promise<unknown>): Promise<string | undefined> {
    return new Promise<string | undefined>((res) => {
      const timer = setTimeout(() => res(undefined), startupTimeoutMs);
      this.onInspectorUrl = (u) => {
        clearTimeout(timer);
        res(u);
      };
      void exited.then(() => {
        clearTimeout(timer);
        res(undefined);
      });
    }).finally(() => (this.onInspectorUrl = undefined));
  }

  private async runProcess(command: NodeCommand): Promise<NodeRunResult> {
    const name = basename(command.file);
    if (this.isCancelled) return this.result(null, null, 'cancelled', undefined);

    const child = await spawnNode(command, this.options.stdin, !!this.options.nodePath);
    this.child = child;
    this.marks.spawned = epochNow();
    this.options.onSpawn?.();
    // However this process ends, the program and its inspector end with it.
    const release = adoptChild(child);
    const pipes = pipeNodeOutput(
      child,
      (stream, text) => this.output(stream, text),
      (line) => this.onInspectorLine(line),
    );
    const { exited, closed } = childEnd(child);
    void exited.then(release);

    const url = await this.inspectorAddress(exited);
    const giveUp = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
      await this.killTree();
      const status = await exited;
      await closed;
      pipes.flush();
      return status;
    };
    if (!url || this.isCancelled) {
      const running = child.exitCode === null && child.signalCode === null;
      const { code, signal } = await giveUp();
      if (this.isCancelled) return this.result(code, signal, 'cancelled', undefined);
      const said = tail(this.stderrTail, 2000);
      const what = running
        ? `did not print its inspector address within ${startupTimeoutMs / 1000} s`
        : `ended${code !== null ? ` (exit code ${code})` : signal ? ` (${signal})` : ''} ` +
          'before Heatlens could attach the profiler';
      throw new RunError(
        `Cannot profile ${name}: ${command.nodePath} ${what}${said ? `, saying: ${said}` : '.'}\n` +
          'Check that `heatlens.node.path` names Node.js 20 or newer.',
      );
    }

    try {
      this.session = await InspectorSession.connect(url);
    } catch (error) {
      const { code, signal } = await giveUp();
      if (this.isCancelled) return this.result(code, signal, 'cancelled', undefined);
      throw new RunError(
        `Cannot connect to the inspector of ${name} at ${url}: ${(error as Error).message}`,
      );
    }
    await this.startProfiler(this.session, name);
    if (this.isCancelled && !this.stopping) void this.stop('cancel');

    const { code, signal } = await exited;
    this.stoppedAt ??= performance.now();
    this.marks.exited = epochNow();
    await closed;
    this.marks.closed = epochNow();
    pipes.flush();
    await this.stopping;
    await this.treeKill;
    this.session.close();
    return this.endResult(name, code, signal);
  }

  /**
   * Starts the profiler (and the workers' profilers) and lets the program go. A refusal is a
   * RunError, unless the run was cancelled meanwhile.
   */
  private async startProfiler(session: InspectorSession, name: string): Promise<void> {
    session.on('NodeRuntime.waitingForDisconnect', () => this.programEnded());
    // Workers inherit --inspect-brk and wait for a debugger: attach to each, and profile it.
    const workers = new WorkerProfiler(session, this.recorder);
    this.workers = workers;
    try {
      const workersWarning =
        'This Node.js cannot attach to worker threads (its inspector has no NodeWorker ' +
        'domain): a program that starts workers waits for them forever. Use Node.js 20 or newer.';
      // The set-up requests together (the inspector handles them in order: one round trip, not
      // several), and only once they are answered the request that lets the program go. Sent in the
      // same batch, it was lost now and then (Node not yet waiting for it), leaving the program
      // waiting for a debugger forever.
      await Promise.all([
        workers.enable().then((ok) => {
          if (!ok) this.warnings.push(workersWarning);
        }),
        ...this.recorder.start.map((r) => session.send(r.method, r.params)),
        session
          .send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true })
          .catch(() => (this.endFromStderr = true)),
      ]);
      this.startedAt = performance.now();
      this.marks.started = epochNow();
      if (this.state === 'starting') this.state = 'running';
      await session.send('Runtime.runIfWaitingForDebugger');
    } catch (error) {
      if (!this.isCancelled) {
        await this.killTree();
        throw new RunError(
          `The inspector of ${name} refused to start the profiler: ${(error as Error).message}`,
        );
      }
    }
  }

  /** The result once the process has closed: its outcome, and what went wrong if it failed. */
  private endResult(name: string, code: number | null, signal: string | null): NodeRunResult {
    const generatedMaps = this.mapDir ? readGeneratedMaps(this.mapDir) : new Map<string, string>();
    const outcome = this.isCancelled
      ? 'cancelled'
      : code === 0 && signal === null
        ? 'exited'
        : 'failed';
    const { errorText, warning } = endTexts({
      name,
      code,
      signal,
      failed: outcome === 'failed',
      profiled: this.profileText !== undefined,
      stderrTail: this.stderrTail,
    });
    if (warning) this.warnings.push(warning);
    return this.result(code, signal, outcome, errorText, generatedMaps);
  }

  private onInspectorLine(line: InspectorLine): void {
    if (line.kind === 'listening') this.onInspectorUrl?.(line.url);
    else if (line.kind === 'waitingForDisconnect' && this.endFromStderr) this.programEnded();
  }

  /** Takes the profile (once), then lets the program go: closes the socket, or kills on cancel. */
  private stop(reason: 'end' | 'cancel'): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stoppedAt = performance.now();
    this.marks.ended = epochNow();
    const session = this.session!;
    this.stopping = (async () => {
      // The workers' profiles too (those still running: the others handed theirs over already),
      // within a limit: a worker blocked outside JavaScript must not hold the run open.
      let workerTimer: ReturnType<typeof setTimeout> | undefined;
      const workers = Promise.race([
        this.workers?.stopAll(),
        new Promise<void>((res) => {
          workerTimer = setTimeout(res, cancelStopTimeoutMs);
        }),
      ]).finally(() => clearTimeout(workerTimer));
      const profile = session.sendForRawField(this.recorder.stop, 'profile');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit =
        reason === 'cancel'
          ? new Promise<undefined>((res) => {
              timer = setTimeout(() => res(undefined), cancelStopTimeoutMs);
            })
          : undefined;
      try {
        const both = Promise.all([profile, workers]).then(([text]) => text);
        const text = await (limit ? Promise.race([both, limit]) : both);
        if (text === undefined) {
          this.warnings.push(
            `The program did not hand over its profile within ${cancelStopTimeoutMs / 1000} s ` +
              'of Cancel (busy outside JavaScript?); it was stopped without one.',
          );
        } else {
          this.profileText = text;
          this.marks.profiled = epochNow();
          // Reading can start while the process exits. Every script in this profile ran, so its
          // map was written (before its code ran), by the time the profiler stopped.
          this.handOver({
            profileText: text,
            memory: this.memory,
            generatedMaps: this.mapDir ? readGeneratedMaps(this.mapDir) : new Map(),
            runtimePaths: [this.options.helpersDir ?? defaultHelpersDir()],
            workerProfiles: [...(this.workers?.profiles ?? [])],
          });
        }
      } catch {
        // The program died first (a signal): reported with the exit status.
      } finally {
        clearTimeout(timer);
      }
      session.close();
      if (reason === 'cancel') await this.killTree();
    })();
    return this.stopping;
  }

  private killTree(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return Promise.resolve();
    this.treeKill ??= killProcessTree(pid);
    return this.treeKill;
  }

  private result(
    exitCode: number | null,
    signal: string | null,
    outcome: RunResult['outcome'],
    errorText: string | undefined,
    generatedMaps = new Map<string, string>(),
  ): NodeRunResult {
    if (outcome === 'cancelled' && this.profileText === undefined && !this.warnings.length) {
      this.warnings.push('Cancelled before the profiler had recorded anything.');
    }
    for (const w of this.workers?.warnings ?? []) {
      if (!this.warnings.includes(w)) this.warnings.push(w);
    }
    const durationMs =
      this.startedAt === undefined ? 0 : (this.stoppedAt ?? performance.now()) - this.startedAt;
    return {
      profileText: this.profileText ?? (this.memory ? emptyHeapProfileText : emptyProfileText),
      memory: this.memory,
      exitCode,
      signal,
      outcome,
      errorText,
      durationMs,
      command: this.command,
      intervalUs: this.memory ? undefined : this.intervalUs,
      warnings: this.warnings,
      generatedMaps,
      runtimePaths: [this.options.helpersDir ?? defaultHelpersDir()],
      marks: { ...this.marks, done: epochNow() },
      workerProfiles: [...(this.workers?.profiles ?? [])],
    };
  }
}
