/**
 * Which Python runs the profiled program: the first of the candidates (the setting, the Python
 * extension's selection, `python3`, `python`) that answers as Python 3.8 or newer, named by its
 * `sys.executable` so that a pyenv shim is not paid for on every run. Found once per PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

import { RunError } from './runError';

/** Interpreters tried when none is configured. */
export const defaultCandidates = ['python3', 'python'];

/** Oldest Python the helper supports. */
const minVersion: readonly [number, number] = [3, 8];

const probe = 'import sys;print(sys.executable);print("%d.%d" % sys.version_info[:2])';
const resolved = new Map<string, string>();

/** `candidate` run with the probe: its sys.executable and version, or why it cannot be used. */
function probePython(
  candidate: string,
): Promise<{ executable: string; version: [number, number] } | { problem: string }> {
  return new Promise((res) => {
    execFile(
      candidate,
      ['-c', probe],
      { timeout: 30_000, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return res({ problem: 'not found' });
          if (code === 'EACCES') return res({ problem: 'not executable' });
          const said = String(stderr || '')
            .trim()
            .split('\n')
            .slice(-1)[0];
          return res({ problem: said ? `it failed: ${said}` : `it failed: ${error.message}` });
        }
        const [exe, ver] = String(stdout).trim().split(/\r?\n/);
        const m = /^(\d+)\.(\d+)$/.exec((ver ?? '').trim());
        if (!m) return res({ problem: 'it did not answer as Python does' });
        const version: [number, number] = [Number(m[1]), Number(m[2])];
        res({ executable: exe?.trim() || candidate, version });
      },
    );
  });
}

/** The first usable candidate's `sys.executable`, or what each candidate was. */
export async function findPython(
  candidates: string[],
): Promise<{ executable?: string; tried: string[] }> {
  const tried: string[] = [];
  for (const candidate of candidates) {
    const key = `${candidate}\u0000${process.env.PATH ?? ''}`;
    const known = resolved.get(key);
    if (known && existsSync(known)) return { executable: known, tried };
    const r = await probePython(candidate);
    if ('problem' in r) {
      tried.push(`\`${candidate}\` (${r.problem})`);
      continue;
    }
    const [major, minor] = r.version;
    if (major < minVersion[0] || (major === minVersion[0] && minor < minVersion[1])) {
      tried.push(`\`${candidate}\` (Python ${major}.${minor}, too old)`);
      continue;
    }
    resolved.set(key, r.executable);
    // The runner is then given this very path: known too, so it is not probed a second time.
    resolved.set(`${r.executable}\u0000${process.env.PATH ?? ''}`, r.executable);
    return { executable: r.executable, tried };
  }
  return { tried };
}

export const installHint =
  `Heatlens needs Python ${minVersion.join('.')} or newer: install it ` +
  '(https://www.python.org/downloads/), select an interpreter in the Python extension, or set ' +
  '`heatlens.python.path` to its path.';

/**
 * The first of `candidates` (paths or commands on PATH) that runs as Python 3.8 or newer,
 * given as its `sys.executable` (so a pyenv shim is not paid for on every run). Throws a
 * {@link RunError} saying what each candidate was and how to fix it.
 */
export async function resolvePython(candidates: string[]): Promise<string> {
  const { executable, tried } = await findPython(candidates);
  if (executable) return executable;
  throw new RunError(`No usable Python interpreter: tried ${tried.join(', ')}. ${installHint}`);
}
