/**
 * The one entry point from a profile to the bytes of a file in another tool's format (issue 6,
 * "Export"): speedscope JSON, collapsed stacks, callgrind, V8 `.cpuprofile` and Python pstats.
 * Pure: the caller writes the bytes. Each writer's comment says what it keeps and why; in short,
 * every frame's self and total weight survive a round trip through our importers, with these
 * limits:
 *
 * - speedscope, collapsed and .cpuprofile hold a tree: a profile from a call graph (pstats,
 *   callgrind) is written as its tree, which approximates the graph (its figures are the flame
 *   graph's, not the graph's).
 * - pstats and callgrind hold a call graph keyed by function without a column: a sampled tree is
 *   written as the graph it implies, frames that differ only in column merge.
 * - collapsed and callgrind want whole numbers: weights are scaled (microseconds or nanoseconds
 *   for time) and rounded only where a weight has a finer fraction.
 */
import type { Profile } from '../core/profile';
import { exportCallgrind } from './exportCallgrind';
import { exportCollapsed } from './exportCollapsed';
import { exportCpuprofile } from './cpuprofile';
import { exportPstats } from './exportPstats';
import { exportSpeedscope } from './exportSpeedscope';

/** A format Heatlens writes. */
export type ExportFormat = 'speedscope' | 'collapsed' | 'callgrind' | 'cpuprofile' | 'pstats';

/**
 * The formats, with a label for pickers and the file-name ending of each (callgrind files are
 * conventionally named `callgrind.out.<name>`; `.callgrind` is what a save dialog can filter on,
 * and our importer and KCachegrind read both: see {@link exportFileName}).
 */
export const EXPORT_FORMATS: readonly { id: ExportFormat; label: string; extension: string }[] =
  Object.freeze([
    { id: 'speedscope', label: 'speedscope JSON', extension: '.speedscope.json' },
    { id: 'collapsed', label: 'Collapsed stacks (flamegraph.pl)', extension: '.folded' },
    { id: 'callgrind', label: 'callgrind (KCachegrind)', extension: '.callgrind' },
    { id: 'cpuprofile', label: 'V8 CPU profile (Chrome DevTools)', extension: '.cpuprofile' },
    { id: 'pstats', label: 'Python pstats (python -m pstats, snakeviz)', extension: '.prof' },
  ]);

/** True for the ids of {@link EXPORT_FORMATS}. */
export function isExportFormat(id: string): id is ExportFormat {
  return EXPORT_FORMATS.some((f) => f.id === id);
}

const encoder = new TextEncoder();

/** The file bytes of `profile` in format `to`. */
export function exportProfile(profile: Profile, to: ExportFormat): Uint8Array {
  switch (to) {
    case 'speedscope':
      return encoder.encode(exportSpeedscope(profile));
    case 'collapsed':
      return encoder.encode(exportCollapsed(profile));
    case 'callgrind':
      return encoder.encode(exportCallgrind(profile));
    case 'cpuprofile':
      return encoder.encode(exportCpuprofile(profile));
    case 'pstats':
      return exportPstats(profile);
  }
}

/** File-name endings of the formats Heatlens reads, longest first, stripped to name exports. */
const PROFILE_ENDINGS =
  /(?:\.speedscope\.json|\.pysamples\.json|\.heatlens\.json|\.pb\.gz|\.cpuprofile|\.pstats?|\.prof|\.folded|\.collapsed|\.stacks|\.callgrind|\.pprof|\.json|\.txt)$/i;

/**
 * The default name of an export of the profile file `input` (a path, either separator): the same
 * folder and stem with the format's ending (`app.cpuprofile` -> `app.speedscope.json`), and for
 * callgrind `callgrind.out.<stem>`, the name KCachegrind's file dialog looks for. A callgrind
 * input `callgrind.out.<stem>` has the stem `<stem>`. May equal `input` (converting a file to
 * its own format): callers must check.
 */
export function exportFileName(input: string, to: ExportFormat): string {
  const cut = Math.max(input.lastIndexOf('/'), input.lastIndexOf('\\')) + 1;
  const folder = input.slice(0, cut);
  let stem = input.slice(cut);
  const callgrind = /^callgrind\.out\.(.+)$/i.exec(stem);
  if (callgrind) stem = callgrind[1];
  else stem = stem.replace(PROFILE_ENDINGS, '') || stem;
  if (to === 'callgrind') {
    // Readers look at a file's ending before its `callgrind.out.` prefix: a stem that still ends
    // like another format (`app.cpuprofile.speedscope.json`) would name a file read as that one.
    let bare = stem;
    while (PROFILE_ENDINGS.test(bare) && bare.replace(PROFILE_ENDINGS, '')) {
      bare = bare.replace(PROFILE_ENDINGS, '');
    }
    return `${folder}callgrind.out.${bare}`;
  }
  const format = EXPORT_FORMATS.find((f) => f.id === to)!;
  return `${folder}${stem}${format.extension}`;
}
