/**
 * Worker threads under the profiler. The runner starts Node with `--inspect-brk`, which every
 * worker inherits: each worker waits for a debugger to connect before its first line, and
 * without one it waits forever (the program never finishes). V8 profiles each isolate on its
 * own, so each worker needs its own profiler too (the same as the main thread's: the CPU profiler,
 * or in memory mode the heap profiler, v8Recorder.ts). Through the inspector's NodeWorker domain the
 * runner's one session attaches to every worker as it starts (nested workers too), which lets it
 * run, starts its profiler, and takes its profile when the worker ends (a worker, like the main
 * thread, waits for the session to disconnect and says so with `NodeRuntime.waitingForDisconnect`)
 * or when the run stops.
 *
 * `waitForDebuggerOnStart` stays false: with it, Node's own worker for ES module loader hooks
 * (`--import`, which runs our TypeScript loader) waits for us while the main thread waits for it,
 * and neither moves. So a worker's first milliseconds, before its profiler starts, are not
 * recorded. Measured on Node 20.20 and 24.21: workers that end, are terminated by the main
 * thread, or nest all hand over their profiles this way.
 */
import type { InspectorSession } from './inspectorSession';
import type { V8Recorder } from './v8Recorder';

/** One worker's profile, as V8 wrote it. */
export interface WorkerProfile {
  /** The inspector's title: "[worker 1] name". */
  readonly title: string;
  /** The worker's script. */
  readonly url: string;
  /** The V8 profile JSON: a `.cpuprofile`, or in memory mode a `.heapprofile`. */
  readonly profileText: string;
}

interface AttachedWorker {
  readonly sessionId: string;
  readonly title: string;
  readonly url: string;
  stopping?: Promise<void>;
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** Profiles the workers of the program behind `session` (see the module comment). */
export class WorkerProfiler {
  private readonly workers = new Map<string, AttachedWorker>();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  /** Profiles taken so far, in the order the workers ended. */
  readonly profiles: WorkerProfile[] = [];
  /** Things the person should know (a worker that ended before its profile could be taken). */
  readonly warnings: string[] = [];

  constructor(
    private readonly session: InspectorSession,
    private readonly recorder: V8Recorder,
  ) {
    session.on('NodeWorker.attachedToWorker', (params) => void this.attached(params));
    session.on('NodeWorker.receivedMessageFromWorker', (params) => this.received(params));
    session.on('NodeWorker.detachedFromWorker', (params) => this.detached(params));
  }

  /**
   * Asks to be attached to every worker as it starts. False when this Node has no NodeWorker
   * domain (its workers then wait for a debugger that never comes).
   */
  async enable(): Promise<boolean> {
    try {
      await this.session.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
      return true;
    } catch {
      return false;
    }
  }

  /** Takes the profile of every worker still attached (the run is ending). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => this.stop(w)));
  }

  private send(
    sessionId: string,
    method: string,
    params: object = {},
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(`${sessionId}:${id}`, { resolve, reject });
      this.session
        .send('NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch((error: Error) => {
          if (this.pending.delete(`${sessionId}:${id}`)) reject(error);
        });
    });
  }

  private async attached(params: unknown): Promise<void> {
    const p = params as {
      sessionId?: string;
      workerInfo?: { title?: string; url?: string };
      waitingForDebugger?: boolean;
    };
    if (typeof p?.sessionId !== 'string') return;
    // Node's own worker for ES module loader hooks (`module.register`, which our TypeScript
    // loader uses) answers no inspector message while it waits for the main thread, and the
    // run never ended: it is not the program's, so it is let go at once, unprofiled.
    if (p.workerInfo?.url?.startsWith('node:internal/')) {
      await this.session
        .send('NodeWorker.detach', { sessionId: p.sessionId })
        .catch(() => undefined);
      return;
    }
    const worker: AttachedWorker = {
      sessionId: p.sessionId,
      title: p.workerInfo?.title || `worker ${p.sessionId}`,
      url: p.workerInfo?.url ?? '',
    };
    this.workers.set(worker.sessionId, worker);
    try {
      for (const request of this.recorder.start) {
        await this.send(worker.sessionId, request.method, request.params);
      }
      await this.send(worker.sessionId, 'NodeRuntime.notifyWhenWaitingForDisconnect', {
        enabled: true,
      }).catch(() => undefined);
    } finally {
      // Whatever happened above, the worker must not wait for us forever.
      await this.send(worker.sessionId, 'Runtime.runIfWaitingForDebugger').catch(() => undefined);
    }
  }

  private received(params: unknown): void {
    const p = params as { sessionId?: string; message?: string };
    if (typeof p?.sessionId !== 'string' || typeof p.message !== 'string') return;
    let message: {
      id?: number;
      method?: string;
      result?: Record<string, unknown>;
      error?: { message?: string };
    };
    try {
      message = JSON.parse(p.message);
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const key = `${p.sessionId}:${message.id}`;
      const pending = this.pending.get(key);
      if (!pending) return;
      this.pending.delete(key);
      if (message.error) pending.reject(new Error(message.error.message ?? 'worker error'));
      else pending.resolve(message.result ?? {});
      return;
    }
    if (message.method === 'NodeRuntime.waitingForDisconnect') {
      const worker = this.workers.get(p.sessionId);
      if (worker) void this.stop(worker);
    }
  }

  private detached(params: unknown): void {
    const sessionId = (params as { sessionId?: string })?.sessionId;
    if (typeof sessionId !== 'string') return;
    const worker = this.workers.get(sessionId);
    for (const [key, pending] of this.pending) {
      if (key.startsWith(`${sessionId}:`)) {
        this.pending.delete(key);
        pending.reject(new Error('the worker is gone'));
      }
    }
    if (worker && !worker.stopping) this.warnings.push(this.lost(worker));
    this.workers.delete(sessionId);
  }

  /** The warning for a worker whose profile could not be taken. */
  private lost(worker: AttachedWorker): string {
    return (
      `The worker thread ${worker.title} ended before Heatlens could take its profile; its ` +
      `${this.recorder.holds} ${this.recorder.holds === 'time' ? 'is' : 'are'} not in this profile.`
    );
  }

  /** Takes one worker's profile (once), then lets it go. */
  private stop(worker: AttachedWorker): Promise<void> {
    worker.stopping ??= (async () => {
      try {
        const result = await this.send(worker.sessionId, this.recorder.stop);
        if (result.profile) {
          this.profiles.push({
            title: worker.title,
            url: worker.url,
            profileText: JSON.stringify(result.profile),
          });
        }
      } catch {
        this.warnings.push(this.lost(worker));
      }
      await this.session
        .send('NodeWorker.detach', { sessionId: worker.sessionId })
        .catch(() => undefined);
    })();
    return worker.stopping;
  }
}
