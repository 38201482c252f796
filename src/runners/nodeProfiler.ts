/**
 * Node.js (JavaScript and TypeScript) under V8's CPU profiler, or with `settings.node.memory`
 * under its sampling heap profiler (bytes per function), through the inspector (nodeRunner.ts).
 * Its profile is read while the process is still exiting: the runner hands it over as soon as the
 * profiler stopped (readNodeRun), so the CLI and the extension show it sooner.
 */
import type { Profile } from '../core/profile';
import { exportCpuprofile } from '../formats/exportCpuprofile';
import { exportHeapProfile } from '../formats/exportHeapProfile';
import { startNodeProfile } from './nodeRunner';
import { matchesFile, matchesLanguage, type FileRule, type ProfileTarget } from './profilable';
import type { Profiler, ProfileOptions, ProfilerRun } from './profiler';
import { readNodeRun } from './readRun';

/** File name extensions run under Node's V8 profiler (TypeScript is transpiled on the fly). */
export const NODE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** The V8 CPU profiler, or the heap profiler in memory mode; see nodeRunner.ts for the protocol. */
export class NodeProfiler implements Profiler {
  readonly id = 'node';
  readonly label = 'Node.js (V8 CPU or heap profiler)';
  readonly files: FileRule = {
    extensions: NODE_EXTENSIONS,
    command: 'node',
    commands: /^(?:node|nodejs)(?:\d+)?$/,
  };

  canProfile(target: ProfileTarget): boolean {
    return matchesLanguage(this.files, target) || matchesFile(this.files, target);
  }

  start(options: ProfileOptions): ProfilerRun {
    const run = startNodeProfile({
      file: options.file,
      args: options.args,
      cwd: options.cwd,
      env: options.env,
      intervalUs: options.intervalUs,
      stdin: options.stdin,
      onOutput: options.onOutput,
      onSpawn: options.onSpawn,
      ...options.settings?.node,
    });
    // Reading starts when the profile is handed over, while the process is still exiting. No
    // hand-over (stopped without a profile): the result's (empty) profile.
    const reader = readNodeRun(run, {
      host: options.host,
      sourceFile: options.file,
      onMark: options.onMark,
    });
    return {
      done: run.done,
      cancel: () => run.cancel(),
      dispose: () => run.dispose(),
      profile: () => reader.profile(),
      // The profile as shown (remapped to the sources): it opens in any .cpuprofile viewer, or in
      // memory mode any .heapprofile viewer.
      saved: (profile: Profile) =>
        options.settings?.node?.memory ? exportHeapProfile(profile) : exportCpuprofile(profile),
    };
  }
}
