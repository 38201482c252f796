/**
 * A raw V8 tick log (`node --prof` writes `isolate-*.log`) made readable: Heatlens' importer
 * (src/formats/v8log.ts) reads the JSON of `node --prof-process --preprocess isolate.log`, which
 * only a Node.js can make (the log's meaning depends on the V8 that wrote it, and its C++ names
 * come from `nm` on this machine). This runs the person's Node on the log, with a time limit and
 * a size cap, writing the JSON to a temporary file that the caller reads and then disposes of.
 * Every failure is a {@link V8LogError} whose message says what happened and what to do.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { killProcessTree } from './processTree';
import { tail } from './tail';

/** How long the tick processor may take by default: a long recording takes tens of seconds. */
export const defaultPreprocessTimeoutMs = 5 * 60 * 1000;

/** The largest JSON accepted by default (a few MB per minute of recording, plus C++ names). */
export const defaultPreprocessMaxBytes = 512 * 1024 * 1024;

/** Options of {@link preprocessV8Log}. */
export interface PreprocessOptions {
  /** The Node.js to run; default `node` from PATH. */
  readonly nodePath?: string;
  readonly timeoutMs?: number;
  /** The most bytes of JSON read before giving up. */
  readonly maxBytes?: number;
  /** Stops the tick processor (Cancel). */
  readonly signal?: AbortSignal;
}

/** The JSON of a log, in a temporary file. */
export interface PreprocessedLog {
  /** The JSON's path. */
  readonly file: string;
  /** What the tick processor said on stderr that the person should know (version mismatches). */
  readonly warnings: readonly string[];
  /** Removes the temporary file. */
  dispose(): Promise<void>;
}

/** A log Node could not turn into JSON; the message is a sentence for a person. */
export class V8LogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'V8LogError';
  }
}

/** stderr lines that say nothing about the log (the tick processor runs on `vm` modules). */
const NOISE = /ExperimentalWarning: VM Modules|Use `node --trace-warnings|^\s*$/;

/** What the tick processor's version check means. */
const OTHER_V8 =
  'the log was written by another V8 than this Node.js has, so its figures may be wrong; ' +
  'open it with the Node.js that recorded it (the editor: heatlens.node.path)';

/** The lines worth a warning: at most three, and how many more there were. */
function stderrWarnings(stderr: string, log: string): string[] {
  const lines = [...new Set(stderr.split('\n').filter((l) => !NOISE.test(l)))];
  const out = lines
    .slice(0, 3)
    .map((l) => l.trim().replace(/^Testing v8 version different from logging version$/, OTHER_V8))
    .map((l) => `Node's tick processor on ${log}: ${l}`);
  if (lines.length > 3) out.push(`Node's tick processor said ${lines.length - 3} more things.`);
  return out;
}

/**
 * Runs `<node> --prof-process --preprocess <log>` and writes its JSON to a temporary file (see
 * the module comment). Rejects with a {@link V8LogError} when Node cannot be started, has no
 * tick processor, fails, takes longer than `timeoutMs`, writes more than `maxBytes` or is
 * cancelled.
 */
export async function preprocessV8Log(
  log: string,
  options: PreprocessOptions = {},
): Promise<PreprocessedLog> {
  const node = options.nodePath || 'node';
  const timeoutMs = options.timeoutMs ?? defaultPreprocessTimeoutMs;
  const maxBytes = options.maxBytes ?? defaultPreprocessMaxBytes;
  const name = `"${basename(log)}"`;
  const yourself =
    `or make the JSON yourself with \`node --prof-process --preprocess ${basename(log)} > ` +
    `${basename(log)}.v8log.json\` and open that`;
  const dir = await mkdtemp(join(tmpdir(), 'heatlens-v8log-'));
  const file = join(dir, 'preprocessed.v8log.json');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const stderr = await run(
      node,
      resolve(log),
      file,
      { timeoutMs, maxBytes, signal: options.signal },
      (why) => {
        throw new V8LogError(`${name} could not be read: ${why}`);
      },
      yourself,
    );
    return { file, warnings: stderrWarnings(stderr, name), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

interface Limits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/** Runs the tick processor with stdout to `out`; resolves to its stderr. */
function run(
  node: string,
  log: string,
  out: string,
  limits: Limits,
  fail: (why: string) => never,
  yourself: string,
): Promise<string> {
  return new Promise<string>((done, reject) => {
    const sink = createWriteStream(out);
    const child = spawn(node, ['--prof-process', '--preprocess', log], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let stderr = '';
    let written = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      if (stopped) return;
      stopped = why;
      if (child.pid !== undefined) void killProcessTree(child.pid);
    };
    const timer = setTimeout(
      () =>
        stop(
          `Node's tick processor did not finish within ${Math.round(limits.timeoutMs / 1000)} s`,
        ),
      limits.timeoutMs,
    );
    const onAbort = () => stop('cancelled');
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    if (limits.signal?.aborted) onAbort();
    // The tick processor prints its version check on stdout, before the JSON: kept apart.
    let before: Buffer | null = Buffer.alloc(0);
    let said = '';
    child.stdout.on('data', (data: Buffer) => {
      written += data.length;
      if (written > limits.maxBytes) {
        stop(`its JSON passed ${Math.round(limits.maxBytes / 1048576)} MB (record a shorter run)`);
        return;
      }
      let chunk = data;
      if (before) {
        before = Buffer.concat([before, data]);
        const at = before[0] === 0x7b ? 0 : before.indexOf('\n{') + 1;
        if (at <= 0 && before.length < 65536) return;
        said = at > 0 ? before.subarray(0, at).toString('utf8') : '';
        chunk = at > 0 ? before.subarray(at) : before;
        before = null;
      }
      if (!sink.write(chunk)) {
        child.stdout.pause();
        sink.once('drain', () => child.stdout.resume());
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 65536) stderr += text;
    });
    const finish = (action: () => void) => {
      clearTimeout(timer);
      if (before?.length) sink.write(before);
      limits.signal?.removeEventListener('abort', onAbort);
      sink.end(() => {
        try {
          action();
        } catch (error) {
          reject(error);
        }
      });
    };
    child.once('error', (error: NodeJS.ErrnoException) =>
      finish(() =>
        fail(
          `Node.js (\`${node}\`) could not be started (${error.code ?? error.message}) to run ` +
            `its tick processor; put node on the PATH (the editor: set heatlens.node.path), ${yourself}.`,
        ),
      ),
    );
    child.once('close', (code, signal) =>
      finish(() => {
        if (stopped) fail(`${stopped}.`);
        if (code !== 0) {
          const said = tail(
            stderr
              .split('\n')
              .filter((l) => !NOISE.test(l))
              .join('\n'),
            600,
          );
          if (/bad option|unknown option/i.test(said))
            fail(
              `this Node.js (\`${node}\`) has no \`--prof-process --preprocess\` (Node 12 and ` +
                `later have it); use a newer Node, ${yourself}.`,
            );
          fail(
            `Node's tick processor (\`${node} --prof-process --preprocess\`) ended with ` +
              `${signal ?? `code ${code}`}${said ? `: ${said}` : ''}. Check that it is a whole ` +
              `log from \`node --prof\`, ${yourself}.`,
          );
        }
        if (written === 0) {
          fail(
            `Node's tick processor wrote nothing for it; check that it is a log from \`node ` +
              `--prof\`, ${yourself}.`,
          );
        }
        done(`${said}\n${stderr}`);
      }),
    );
  });
}
