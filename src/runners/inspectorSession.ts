/**
 * A minimal client for the Chrome DevTools protocol over the inspector's WebSocket: numbered
 * requests with promised replies, and events by name. Only what the Node runner needs.
 */
import WebSocket from 'ws';

/** A protocol error reply (`{id, error: {code, message}}`), or the socket closing before a reply. */
export class InspectorError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'InspectorError';
  }
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** The reply's `result` is wanted as raw JSON text instead of an object (large profiles). */
  raw?: string;
}

/**
 * `Profiler.stop` replies `{"id":N,"result":{"profile":{...}}}`: tens of megabytes for a long run.
 * Slicing the profile's text out avoids parsing it here and serialising it again for the caller;
 * anything not in that exact shape falls back to a parse.
 */
const rawReplyHead = /^\{"id":(\d+),"result":\{"([A-Za-z]+)":/;

/** One connection to a V8 inspector target. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Array<(params: unknown) => void>>();
  private closed = false;
  private closeListeners: Array<() => void> = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => this.onMessage(String(data)));
    socket.on('close', () => this.handleClose());
    socket.on('error', () => this.handleClose());
  }

  /** Opens the socket; rejects when the target cannot be reached. */
  static connect(url: string): Promise<InspectorSession> {
    return new Promise((resolve, reject) => {
      // A JavaScript string holds at most about 2^29 UTF-16 units: a bigger profile cannot be
      // represented anyway, so let ws accept anything up to that instead of its 100 MiB default.
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0x1fffffe8 });
      const fail = (error: Error) => reject(error);
      socket.once('error', fail);
      socket.once('open', () => {
        socket.off('error', fail);
        resolve(new InspectorSession(socket));
      });
    });
  }

  /** Whether the socket is closed (by us, by the target, or by an error). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request and resolves with its `result`. */
  send<T = unknown>(method: string, params?: object): Promise<T> {
    return this.request(method, params) as Promise<T>;
  }

  /**
   * Sends a request and resolves with the JSON text of `result[key]`, without parsing it when the
   * reply has the expected shape (see {@link rawReplyHead}).
   */
  sendForRawField(method: string, key: string, params?: object): Promise<string> {
    return this.request(method, params, key) as Promise<string>;
  }

  /** Calls `listener` with the params of every event named `method`. */
  on(method: string, listener: (params: unknown) => void): void {
    const list = this.listeners.get(method) ?? [];
    list.push(listener);
    this.listeners.set(method, list);
  }

  /** Calls `listener` once when the socket closes. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Closes the socket; pending requests reject. */
  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closing or never opened: nothing to release.
    }
    this.handleClose();
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      p.reject(new InspectorError(`The inspector connection closed before ${p.method} replied.`));
    }
    this.pending.clear();
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l();
  }

  private request(method: string, params: object | undefined, raw?: string): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(new InspectorError(`The inspector connection is closed (${method}).`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject, raw });
      this.socket.send(JSON.stringify({ id, method, params: params ?? {} }), (error) => {
        if (error && this.pending.delete(id)) reject(error);
      });
    });
  }

  private onMessage(text: string): void {
    const head = rawReplyHead.exec(text.slice(0, 64));
    if (head) {
      const pending = this.pending.get(Number(head[1]));
      if (pending?.raw === head[2] && text.endsWith('}}')) {
        this.pending.delete(Number(head[1]));
        pending.resolve(text.slice(head[0].length, text.length - 2));
        return;
      }
    }
    let message: {
      id?: number;
      method?: string;
      params?: unknown;
      result?: Record<string, unknown>;
      error?: { code?: number; message?: string };
    };
    try {
      message = JSON.parse(text);
    } catch {
      return; // Not protocol JSON: nothing we could route.
    }
    if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.error) {
        pending.reject(
          new InspectorError(
            `${pending.method} failed: ${message.error.message ?? 'unknown error'}`,
            message.error.code,
          ),
        );
      } else if (pending.raw) {
        const value = message.result?.[pending.raw];
        if (value === undefined) {
          pending.reject(new InspectorError(`${pending.method} replied without "${pending.raw}".`));
        } else pending.resolve(JSON.stringify(value));
      } else pending.resolve(message.result ?? {});
      return;
    }
    if (message.method) {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
    }
  }
}
