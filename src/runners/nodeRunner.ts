/**
 * Runs a JavaScript or TypeScript file under the V8 CPU profiler through the inspector protocol
 * (docs/FORMATS.md, "Inspector route"):
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
 * Cancel: `Profiler.stop` is answered even while the program spins in `while (true) {}` (the
 * inspector interrupts V8), so cancel keeps what was recorded, then ends the whole process tree
 * (SIGTERM, SIGKILL after a grace period; taskkill /T /F on Windows). A second cancel kills at
 * once without waiting for the profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';

import { mapDirEnv, readGeneratedMaps } from './generatedMaps';
import { defaultHelpersDir } from './helpers';
import { InspectorOutputFilter, type InspectorLine } from './inspectorOutput';
import { InspectorSession } from './inspectorSession';
import { WorkerProfiler, type WorkerProfile } from './workerSessions';
import { packageTypeOf } from './packageType';
import { defaultTransformCacheDir } from './helpers';
import { transformCacheEnv } from './tsTransformCache';
import { adoptChild } from './orphans';
import { childEnd, killProcessTree } from './processTree';
import { epochNow, type RunMarks } from './runMarks';
import { RunError } from './runError';
import type { ProfileRun, RunResult } from './runResult';
import { tail } from './tail';

export { RunError } from './runError';

/** What to run and how. */
export interface NodeRunOptions {
  /** The file to profile; relative paths are resolved against `cwd`. */
  file: string;
  /** Arguments for the program (after the file name). */
  args?: string[];
  /** Working directory of the program; default: this process's. */
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Sampling interval in microseconds; default 1000. */
  intervalUs?: number;
  /** The Node.js executable; default `node` from PATH. */
  nodePath?: string;
  /** The program's output as it arrives, without the inspector's own messages. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called once the process has started (the caller can use the wait for its own work). */
  onSpawn?: () => void;
  /**
   * The program's standard input: this process's own ('inherit': the CLI hands over its
   * terminal or pipe), or none ('ignore', the default: the program reads end of file at once).
   */
  stdin?: 'inherit' | 'ignore';
  /** Where the injected helpers are (dist/inject); default {@link defaultHelpersDir}. */
  helpersDir?: string;
  /**
   * Where the TypeScript loader keeps transformed files between runs (see tsTransformCache.ts);
   * default {@link defaultTransformCacheDir}.
   */
  transformCacheDir?: string;
}

/** The profile a Node run hands over: what reading it needs (see readRun.ts). */
export interface EarlyProfile {
  /** The V8 `.cpuprofile` JSON (empty but valid when the program died before it was taken). */
  profileText: string;
  /** Transformed file path -> raw source map JSON (TypeScript compiled on the fly). */
  generatedMaps: Map<string, string>;
  /** Folders of code Heatlens injected into the program: its frames are runtime, not user code. */
  runtimePaths: string[];
  /** The profiles of the program's worker threads (V8 profiles each isolate on its own). */
  workerProfiles: WorkerProfile[];
}

/** How a Node run ended, and its profile. */
export interface NodeRunResult extends RunResult, EarlyProfile {
  /** The sampling interval requested, in microseconds. */
  intervalUs: number;
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

/** The default sampling interval, in microseconds (Node's own default for `--cpu-prof`). */
export const defaultIntervalUs = 1000;

/** Below this interval the profiler's cost grows and the interval is often not reached. */
const fineIntervalUs = 100;

/** How long a cancelled program may take to hand over its profile before it is killed anyway. */
const cancelStopTimeoutMs = 10_000;

/** How long Node may take to print its inspector address. */
const startupTimeoutMs = 30_000;

/** Output kept for the error text of a failed run. */
const stderrTailChars = 8000;

/** A `.cpuprofile` with no samples: what a run yields when the profile could not be taken. */
const emptyProfileText = JSON.stringify({
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

const typeScriptFile = /\.(?:[cm]?ts|tsx)$/i;

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

class NodeProfileRun {
  readonly done: Promise<NodeRunResult>;
  readonly profiled: Promise<EarlyProfile | undefined>;
  private handOver: (profile: EarlyProfile | undefined) => void = () => undefined;
  private mapDir: string | undefined;
  private readonly warnings: string[] = [];
  private command: string[] = [];
  private intervalUs = defaultIntervalUs;
  private child: ChildProcess | undefined;
  private session: InspectorSession | undefined;
  private workers: WorkerProfiler | undefined;
  private cancelled = false;
  private killing: Promise<void> | undefined;
  private disposed = false;
  private finished = false;
  /** The program's end was seen (waitingForDisconnect): a cancel after it changes nothing. */
  private ended = false;
  private stopping: Promise<void> | undefined;
  private profileText: string | undefined;
  private startedAt: number | undefined;
  private stoppedAt: number | undefined;
  private stderrTail = '';
  private endByStderrLine = false;
  private onInspectorUrl: ((url: string) => void) | undefined;
  private readonly marks: RunMarks = { requested: epochNow() };

  constructor(private readonly options: NodeRunOptions) {
    this.profiled = new Promise((res) => (this.handOver = res));
    this.done = this.run().finally(() => {
      this.finished = true;
      this.handOver(undefined);
    });
  }

  cancel(): void {
    if (this.finished) return;
    if (this.cancelled) {
      // Second request: do not wait for the profile any longer.
      void this.killTree();
      return;
    }
    if (this.ended) return;
    this.cancelled = true;
    if (this.session) void this.stop('cancel');
    else if (this.child) void this.killTree();
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private output(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr') {
      this.stderrTail = (this.stderrTail + text).slice(-stderrTailChars);
    }
    if (!this.disposed && text) this.options.onOutput?.(stream, text);
  }

  private async run(): Promise<NodeRunResult> {
    const options = this.options;
    const requested = options.intervalUs ?? defaultIntervalUs;
    if (!Number.isFinite(requested) || requested <= 0) {
      throw new RunError(
        `The sampling interval must be a positive number of microseconds, not ${requested}.`,
      );
    }
    this.intervalUs = Math.max(1, Math.round(requested));
    if (this.intervalUs < fineIntervalUs) {
      this.warnings.push(
        `A sampling interval of ${this.intervalUs} µs costs more and is often not reached: at ` +
          `100 µs the profiler measured +9% to +27% wall time and +27% to +40% CPU, and even ` +
          `1000 µs came out as 1300-1800 µs on a loaded machine. ${defaultIntervalUs} µs is ` +
          'usually enough.',
      );
    }

    const cwd = resolve(options.cwd ?? process.cwd());
    const file = resolve(cwd, options.file);
    await this.checkFolder(cwd);
    await this.checkFile(file);

    const helpersDir = options.helpersDir ?? defaultHelpersDir();
    const preload: string[] = [];
    let mapDir: string | undefined;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...options.env })) {
      if (v !== undefined) env[k] = v;
    }
    if (typeScriptFile.test(file)) {
      const register = join(helpersDir, 'tsRegister.js');
      const missing = [
        'tsRegister.js',
        'tsHooks.js',
        'tsCompiler.js',
        'esmEntry.js',
        'childGuard.js',
      ].find((name) => !existsSync(join(helpersDir, name)));
      if (missing) {
        throw new RunError(
          `Cannot run ${basename(file)}: Heatlens's TypeScript loader is missing ` +
            `(${join(helpersDir, missing)}). Reinstall the extension, or run ` +
            '`node scripts/build.mjs` in a checkout.',
        );
      }
      preload.push('-r', register);
      // An ES module entry must start in Node's ES module loader, where the hooks apply; any
      // `--import` makes Node start it there (see inject/esmEntry.ts).
      const esm =
        /\.mts$/i.test(file) ||
        (!/\.cts$/i.test(file) && packageTypeOf(dirname(file)) === 'module');
      if (esm) preload.push('--import', pathToFileURL(join(helpersDir, 'esmEntry.js')).href);
      mapDir = this.mapDir = await mkdtemp(join(tmpdir(), 'heatlens-maps-'));
      env[mapDirEnv] = mapDir;
      env[transformCacheEnv] = options.transformCacheDir ?? defaultTransformCacheDir();
    } else {
      const guard = join(helpersDir, 'childGuard.js');
      if (existsSync(guard)) preload.push('-r', guard);
      else {
        this.warnings.push(
          `Heatlens's helper ${guard} is missing: a program that forks Node children will hang ` +
            'waiting for a debugger. Reinstall the extension.',
        );
      }
    }

    const nodePath = options.nodePath || 'node';
    // The inspector's address with its secret id goes to our stderr pipe only, not to the HTTP
    // listing any local process can read (`/json/list`): nobody else learns how to attach.
    const args = [
      '--inspect-brk=127.0.0.1:0',
      '--inspect-publish-uid=stderr',
      ...preload,
      file,
      ...(options.args ?? []),
    ];
    this.command = [nodePath, ...args];
    try {
      return await this.runProcess(nodePath, args, cwd, env, file, mapDir);
    } finally {
      // The maps were read once the program ended; removing them need not hold the result back.
      if (mapDir) void rm(mapDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async checkFolder(cwd: string): Promise<void> {
    const info = await stat(cwd).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new RunError(
        `The working directory ${cwd} does not exist; check the \`heatlens.cwd\` setting.`,
      );
    }
  }

  private async checkFile(file: string): Promise<void> {
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new RunError(`Cannot profile ${file}: the file does not exist.`);
      }
      throw new RunError(`Cannot profile ${file}: it cannot be read (${code ?? String(error)}).`);
    }
    if (info.isDirectory()) {
      throw new RunError(
        `Cannot profile ${file}: it is a folder. Choose a .js, .mjs, .cjs, .ts, .mts or .cts file.`,
      );
    }
  }

  private spawnError(nodePath: string, error: NodeJS.ErrnoException): RunError {
    const setting = this.options.nodePath
      ? `the \`heatlens.node.path\` setting names ${nodePath}`
      : 'no `node` was found on PATH';
    if (error.code === 'ENOENT') {
      return new RunError(
        `Cannot start Node.js: ${setting}, which does not exist. Install Node.js ` +
          '(https://nodejs.org) or set `heatlens.node.path` to its executable.',
      );
    }
    if (error.code === 'EACCES') {
      return new RunError(
        `Cannot start Node.js: ${nodePath} is not executable. Set \`heatlens.node.path\` to the ` +
          'Node.js executable.',
      );
    }
    return new RunError(`Cannot start ${nodePath}: ${error.message}`);
  }

  private async runProcess(
    nodePath: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
    file: string,
    mapDir: string | undefined,
  ): Promise<NodeRunResult> {
    const name = basename(file);
    if (this.cancelled) return this.result(null, null, 'cancelled', undefined);

    const child = spawn(nodePath, args, {
      cwd,
      env,
      stdio: [this.options.stdin ?? 'ignore', 'pipe', 'pipe'],
      // Its own process group, so that cancel reaches the children it starts.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    await new Promise<void>((resolveSpawn, rejectSpawn) => {
      child.once('spawn', resolveSpawn);
      child.once('error', (error) => rejectSpawn(this.spawnError(nodePath, error)));
    });
    this.child = child;
    this.marks.spawned = epochNow();
    this.options.onSpawn?.();
    // Errors after the start (a failed kill) have nothing to add to the exit status.
    child.on('error', () => undefined);
    // However this process ends, the program and its inspector end with it.
    const release = adoptChild(child);

    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    const filter = new InspectorOutputFilter(
      (text) => this.output('stderr', text),
      (line) => this.onInspectorLine(line),
    );
    child.stdout!.on('data', (chunk: Buffer) => this.output('stdout', outDecoder.write(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => filter.push(errDecoder.write(chunk)));

    const { exited, closed } = childEnd(child);
    void exited.then(release);

    const url = await new Promise<string | undefined>((res) => {
      const timer = setTimeout(() => res(undefined), startupTimeoutMs);
      this.onInspectorUrl = (u) => {
        clearTimeout(timer);
        res(u);
      };
      void exited.then(() => {
        clearTimeout(timer);
        res(undefined);
      });
    });
    this.onInspectorUrl = undefined;

    const giveUp = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
      await this.killTree();
      const status = await exited;
      await closed;
      filter.end();
      this.output('stdout', outDecoder.end());
      return status;
    };
    if (!url || this.cancelled) {
      const running = child.exitCode === null && child.signalCode === null;
      const { code, signal } = await giveUp();
      if (this.cancelled) return this.result(code, signal, 'cancelled', undefined);
      const said = tail(this.stderrTail, 2000);
      const what = running
        ? `did not print its inspector address within ${startupTimeoutMs / 1000} s`
        : `ended${code !== null ? ` (exit code ${code})` : signal ? ` (${signal})` : ''} ` +
          'before Heatlens could attach the profiler';
      throw new RunError(
        `Cannot profile ${name}: ${nodePath} ${what}${said ? `, saying: ${said}` : '.'}\n` +
          'Check that `heatlens.node.path` names Node.js 20 or newer.',
      );
    }

    try {
      this.session = await InspectorSession.connect(url);
    } catch (error) {
      const { code, signal } = await giveUp();
      if (this.cancelled) return this.result(code, signal, 'cancelled', undefined);
      throw new RunError(
        `Cannot connect to the inspector of ${name} at ${url}: ${(error as Error).message}`,
      );
    }
    const session = this.session;
    session.on('NodeRuntime.waitingForDisconnect', () => void this.stop('end'));
    // Workers inherit --inspect-brk and wait for a debugger: attach to each, and profile it.
    const workers = new WorkerProfiler(session, this.intervalUs);
    this.workers = workers;
    try {
      const workersWarning =
        'This Node.js cannot attach to worker threads (its inspector has no NodeWorker ' +
        'domain): a program that starts workers waits for them forever. Use Node.js 20 or newer.';
      // The set-up requests together (the inspector handles them in order: one round trip, not
      // five), and only once they are answered the request that lets the program go. Sent in the
      // same batch, it was lost now and then (Node not yet waiting for it), leaving the program
      // waiting for a debugger forever.
      await Promise.all([
        workers.enable().then((ok) => {
          if (!ok) this.warnings.push(workersWarning);
        }),
        session.send('Profiler.enable'),
        session.send('Profiler.setSamplingInterval', { interval: this.intervalUs }),
        session.send('Profiler.start'),
        session
          .send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true })
          .catch(() => (this.endByStderrLine = true)),
      ]);
      this.startedAt = performance.now();
      this.marks.started = epochNow();
      await session.send('Runtime.runIfWaitingForDebugger');
    } catch (error) {
      if (!this.cancelled) {
        await this.killTree();
        throw new RunError(
          `The inspector of ${name} refused to start the profiler: ${(error as Error).message}`,
        );
      }
    }
    if (this.cancelled && !this.stopping) void this.stop('cancel');

    const { code, signal } = await exited;
    this.stoppedAt ??= performance.now();
    this.marks.exited = epochNow();
    await closed;
    this.marks.closed = epochNow();
    filter.end();
    this.output('stdout', outDecoder.end());
    await this.stopping;
    await this.killing;
    session.close();

    const generatedMaps = mapDir ? readGeneratedMaps(mapDir) : new Map<string, string>();
    const outcome = this.cancelled
      ? 'cancelled'
      : code === 0 && signal === null
        ? 'exited'
        : 'failed';
    let errorText: string | undefined;
    const said = errorTextFromStderr(this.stderrTail);
    if (this.profileText === undefined) {
      const how = signal ? `was killed by ${signal}` : `ended (exit code ${code})`;
      const text =
        `${name} ${how} before Heatlens could collect its profile, so nothing was recorded` +
        (signal === 'SIGKILL' ? ' (SIGKILL often means the system ran out of memory).' : '.');
      if (outcome === 'failed') errorText = said ? `${text}\n${said}` : text;
      this.warnings.push(text);
    } else if (outcome === 'failed') {
      errorText =
        said || (signal ? `${name} was killed by ${signal}.` : `${name} exited with code ${code}.`);
    }
    return this.result(code, signal, outcome, errorText, generatedMaps);
  }

  private onInspectorLine(line: InspectorLine): void {
    if (line.kind === 'listening') this.onInspectorUrl?.(line.url);
    else if (line.kind === 'waitingForDisconnect' && this.endByStderrLine) void this.stop('end');
  }

  /** Takes the profile (once), then lets the program go: closes the socket, or kills on cancel. */
  private stop(reason: 'end' | 'cancel'): Promise<void> {
    if (reason === 'end') this.ended = true;
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
      const profile = session.sendForRawField('Profiler.stop', 'profile');
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
    this.killing ??= killProcessTree(pid);
    return this.killing;
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
      profileText: this.profileText ?? emptyProfileText,
      exitCode,
      signal,
      outcome,
      errorText,
      durationMs,
      command: this.command,
      intervalUs: this.intervalUs,
      warnings: this.warnings,
      generatedMaps,
      runtimePaths: [this.options.helpersDir ?? defaultHelpersDir()],
      marks: { ...this.marks, done: epochNow() },
      workerProfiles: [...(this.workers?.profiles ?? [])],
    };
  }
}
