/**
 * Python under Heatlens' sampler, cProfile or yappi (pythonRunner.ts, python/heatlens_profile.py).
 * Its profile is read once the program is over: the helper writes it when the program ends.
 */
import { matchesFile, matchesLanguage, type FileRule, type ProfileTarget } from './profilable';
import type { Profiler, ProfileOptions, ProfilerRun } from './profiler';
import { startPythonProfile, type PythonRunResult } from './pythonRunner';
import { readPythonRun } from './readRun';
import { RunError } from './runError';
import { describeEnd } from './runResult';

/** File name extensions run under a Python profiler. */
export const PYTHON_EXTENSIONS: readonly string[] = ['.py', '.pyw'];

/** Heatlens' sampler, cProfile or yappi, by the `mode` setting (default: the sampler). */
export class PythonProfiler implements Profiler {
  readonly id = 'python';
  readonly label = 'Python (sampler, cProfile or yappi)';
  readonly files: FileRule = {
    extensions: PYTHON_EXTENSIONS,
    command: 'python',
    commands: /^python(?:\d+(?:\.\d+)?)?$/,
    languageIds: ['python'],
  };

  canProfile(target: ProfileTarget): boolean {
    return matchesLanguage(this.files, target) || matchesFile(this.files, target);
  }

  start(options: ProfileOptions): ProfilerRun {
    const settings = options.settings?.python;
    const run = startPythonProfile({
      file: options.file,
      args: options.args,
      cwd: options.cwd,
      env: options.env,
      intervalUs: options.intervalUs,
      stdin: options.stdin,
      onOutput: options.onOutput,
      onSpawn: options.onSpawn,
      ...settings,
      mode: settings?.mode ?? 'sampling',
    });
    let ended: PythonRunResult | undefined;
    return {
      done: run.done,
      cancel: () => run.cancel(),
      dispose: () => run.dispose(),
      async profile() {
        const result = (ended = await run.done);
        if (result.profileBytes.length === 0) {
          throw new RunError(
            `the program ${describeEnd(result)} before a profile could be written` +
              (result.errorText ? ` (${result.errorText.trim().split('\n').pop()})` : '') +
              '.',
          );
        }
        return readPythonRun(result, { sourceFile: options.file, onMark: options.onMark });
      },
      // What the Python profiler wrote, as is: pstats opens in snakeviz and `python -m pstats`.
      saved: () => ended?.profileBytes ?? new Uint8Array(),
    };
  }
}
