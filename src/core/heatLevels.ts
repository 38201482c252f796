/**
 * Heat levels of lines: which of the five colors a line gets. Pure.
 *
 * By default a level means a share of the whole run, the same in every file and every run: a
 * line at 0.4% of the run is pale wherever it is, also when it is the hottest line of a cold
 * file. The thresholds grow about threefold per level, because line shares spread over orders
 * of magnitude (a hot loop holds tens of percent, a warm helper a few, the rest fractions of a
 * percent): at least 0.2% (the default `heatlens.heat.minShare`, under which a line gets no
 * heat), 1%, 5%, 15% and 40% of the run. The run's hottest line as the top was the other
 * choice; it makes a run whose hottest line holds 2% look as red as one whose loop holds 90%.
 * The per-file scale (the file's hottest line is the top level) stays available as a setting.
 */

/** Lower bounds of levels 1..5, as fractions of the run's total. */
export const HEAT_THRESHOLDS: readonly number[] = [0.002, 0.01, 0.05, 0.15, 0.4];

/** How levels are scaled: by share of the whole run (default), or by the file's hottest line. */
export type HeatScale = 'run' | 'file';

/**
 * The level (0 = coolest .. 4 = hottest) of a line with `weight`, in a run of `total` whose
 * file's hottest line has `fileMax`. Lines under the minimum share are filtered by the caller.
 */
export function heatLevel(
  weight: number,
  total: number,
  fileMax: number,
  scale: HeatScale,
): number {
  const levels = HEAT_THRESHOLDS.length;
  if (scale === 'file') {
    if (!(fileMax > 0)) return 0;
    return Math.max(0, Math.min(levels - 1, Math.floor((weight / fileMax) * levels - 1e-9)));
  }
  if (!(total > 0)) return 0;
  const share = weight / total;
  let level = 0;
  for (let i = 1; i < levels; i++) if (share >= HEAT_THRESHOLDS[i]) level = i;
  return level;
}
