// Progress of a first install (`npm start`, `npm test` on a fresh machine): which step of how
// many, the time it has taken, and a rough estimate of what is left. The estimates are the
// durations measured on a loaded 2-core machine, replaced by this machine's own once it has run a
// step (kept in <cache>/timings.json). On a terminal one status line is redrawn in place every
// second; in a log (CI) a line is written every 30 s, so nothing floods.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** m:ss */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function readTimings(file) {
  try {
    const t = JSON.parse(readFileSync(file, 'utf8'));
    return t && typeof t === 'object' ? t : {};
  } catch {
    return {};
  }
}

/**
 * A list of steps run one after the other, each with an estimate in seconds.
 * `new Progress('start', [{ id, title, estimate }], { timingsFile })`, then `await run(id, fn)`
 * for each; `fn` gets the progress (for `spawn`, `write`, `log`).
 */
export class Progress {
  /**
   * @param {string} tag printed as `[tag]` before each line
   * @param {{ id: string, title: string, estimate: number }[]} steps the steps that will run
   * @param {{ timingsFile?: string, stream?: NodeJS.WriteStream, interactive?: boolean,
   *   logEveryS?: number }} [options]
   */
  constructor(tag, steps, options = {}) {
    this.tag = tag;
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? Boolean(this.stream.isTTY && !process.env.CI);
    this.logEveryS = options.logEveryS ?? 30;
    this.timingsFile = options.timingsFile;
    const known = this.timingsFile ? readTimings(this.timingsFile) : {};
    this.steps = steps.map((s) => ({
      ...s,
      estimate: typeof known[s.id] === 'number' ? known[s.id] : s.estimate,
    }));
    this.current = -1;
    this.stepStart = 0;
    this.started = Date.now();
    this.statusShown = false;
    this.timer = undefined;
  }

  /** Writes a line of our own, above the status line. */
  log(msg) {
    this.write(`[${this.tag}] ${msg}\n`);
  }

  /** Passes on a child's output, keeping the status line (on a terminal) below it. */
  write(text) {
    if (!text) return;
    this.clearStatus();
    this.stream.write(text);
    if (this.interactive && this.current >= 0 && text.endsWith('\n')) this.drawStatus();
  }

  /** The status of the running step: "3/5 Installing X: 1:20 elapsed, about 2:40 left...". */
  status() {
    const step = this.steps[this.current];
    const elapsed = (Date.now() - this.stepStart) / 1000;
    const later = this.steps.slice(this.current + 1).reduce((sum, s) => sum + s.estimate, 0);
    const left = step.estimate - elapsed;
    const here =
      left > 0
        ? `about ${clock(left)} left`
        : `longer than the usual ${clock(step.estimate)}, still working`;
    const all = later > 0 ? `; about ${clock(Math.max(left, 0) + later)} for all steps` : '';
    return `${this.current + 1}/${this.steps.length} ${step.title}: ${clock(elapsed)} elapsed, ${here}${all}`;
  }

  drawStatus() {
    this.stream.write(`\r\x1b[2K[${this.tag}] ${this.status()}`);
    this.statusShown = true;
  }

  clearStatus() {
    if (!this.statusShown) return;
    this.stream.write('\r\x1b[2K');
    this.statusShown = false;
  }

  /** Runs step `id`: announces it with its estimate, ticks while `fn` runs, records its time. */
  async run(id, fn) {
    const index = this.steps.findIndex((s) => s.id === id);
    if (index < 0) throw new Error(`unknown step ${id}`);
    const step = this.steps[index];
    this.current = index;
    this.stepStart = Date.now();
    const later = this.steps.slice(index).reduce((sum, s) => sum + s.estimate, 0);
    this.log(
      `step ${index + 1}/${this.steps.length}: ${step.title} (usually about ${clock(step.estimate)}` +
        `${index + 1 < this.steps.length ? `; about ${clock(later)} for the ${this.steps.length - index} steps left` : ''})`,
    );
    this.timer = this.interactive
      ? setInterval(() => this.drawStatus(), 1000)
      : setInterval(() => this.log(this.status()), this.logEveryS * 1000);
    try {
      const result = await fn(this);
      const took = (Date.now() - this.stepStart) / 1000;
      clearInterval(this.timer);
      this.current = -1;
      this.clearStatus();
      this.log(`  ${step.title}: done in ${clock(took)}`);
      this.remember(id, took);
      return result;
    } finally {
      clearInterval(this.timer);
      this.clearStatus();
      this.current = -1;
    }
  }

  remember(id, seconds) {
    if (!this.timingsFile) return;
    try {
      const t = readTimings(this.timingsFile);
      t[id] = Math.round(seconds);
      mkdirSync(dirname(this.timingsFile), { recursive: true });
      writeFileSync(this.timingsFile, JSON.stringify(t, null, 2) + '\n');
    } catch {
      // Estimates are a convenience: a read-only cache only keeps the defaults.
    }
  }

  /**
   * A sink for one output stream that passes on whole lines only, so that the status line never
   * lands in the middle of a child's line (and redrawing it never erases half a line).
   */
  lineWriter(sink = (text) => this.write(text)) {
    let pending = '';
    return {
      data: (b) => {
        pending += b.toString();
        const cut = pending.lastIndexOf('\n');
        if (cut < 0) return;
        sink(pending.slice(0, cut + 1));
        pending = pending.slice(cut + 1);
      },
      end: () => {
        if (pending) sink(`${pending}\n`);
        pending = '';
      },
    };
  }

  /**
   * Runs a command with its output passed through `write` (with `quiet`, kept back and shown
   * only if it fails); rejects with a message naming the command and its exit code.
   * @param {string} cmd
   * @param {string[]} args
   * @param {import('node:child_process').SpawnOptions & { quiet?: boolean }} [options]
   */
  spawn(cmd, args, options = {}) {
    const { quiet = false, ...spawnOptions } = options;
    this.log(`$ ${[cmd, ...args].join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
    const held = [];
    const sink = quiet ? (text) => held.push(text) : (text) => this.write(text);
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = this.lineWriter(sink);
      const err = this.lineWriter(sink);
      child.stdout.on('data', out.data);
      child.stderr.on('data', err.data);
      child.on('error', (e) => reject(new Error(`${cmd} could not start: ${e.message}`)));
      child.on('close', (code, signal) => {
        out.end();
        err.end();
        if (code !== 0) this.write(held.join(''));
        if (code === 0) resolve();
        else
          reject(
            new Error(`${cmd} ${args.join(' ')} failed with ${signal ?? `exit code ${code}`}`),
          );
      });
    });
  }
}
