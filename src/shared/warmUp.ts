/**
 * The first profile in a window (and every CLI run, a fresh process) paid for compiling the code
 * that reads, maps and summarises it: V8 compiles a function the first time it runs, and reading
 * a 0.2 s program's profile took 40-180 ms on the first run against 12-30 ms on later ones (a
 * loaded 2-core machine). While the program runs, the extension host or the CLI waits for it;
 * running that code once on a tiny profile then takes the compiling out of the wait after the
 * program's end. Pure: no file is read.
 */
import { functionStats } from '../core/functionStats';
import { formatShare, formatWeight } from '../core/format';
import { filesInProfile, lineHeatForFile } from '../core/lineHeat';
import { profileTotal, type Profile } from '../core/profile';
import { importCpuprofile } from '../formats/cpuprofile';
import { remapProfile } from '../sourcemaps/remap';

/** A V8 profile of two samples in one function of a file that does not exist. */
const tinyCpuprofile = JSON.stringify({
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
      children: [2],
    },
    {
      id: 2,
      callFrame: {
        functionName: 'warm',
        scriptId: '1',
        url: 'file:///heatlens-warm-up/warm.js',
        lineNumber: 0,
        columnNumber: 9,
      },
      hitCount: 2,
      positionTicks: [{ line: 2, ticks: 2 }],
    },
  ],
  startTime: 0,
  endTime: 2000,
  samples: [2, 2],
  timeDeltas: [1000, 1000],
});

let warmed: Promise<Profile> | undefined;

/** Runs {@link warmUpProfileCode} once the current callbacks are done (a runner's `onSpawn`). */
export function warmUpSoon(): void {
  // After the spawn's own callbacks: the program starts on the other core meanwhile.
  setImmediate(() => void warmUpProfileCode().catch(() => undefined));
}

/**
 * Reads, remaps and summarises a tiny profile once per extension host, as the first real profile
 * will (no file is read: the warm-up's file does not exist). Resolves with that profile.
 */
export function warmUpProfileCode(): Promise<Profile> {
  warmed ??= (async () => {
    const raw = importCpuprofile(tinyCpuprofile, { runtimePaths: [] });
    const profile = await remapProfile(raw, { readFile: async () => undefined });
    const total = profileTotal(profile);
    for (const stat of functionStats(profile)) formatShare(stat.self, total);
    for (const file of filesInProfile(profile)) {
      for (const line of lineHeatForFile(profile, file)) {
        formatWeight(line.self, profile.meta.unit);
      }
    }
    return profile;
  })();
  return warmed;
}
