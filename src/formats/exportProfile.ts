/**
 * The one entry point from a profile to the bytes of a file in another tool's format ("Export"):
 * the registry rows with an `export` (registry.ts), today speedscope JSON, collapsed stacks,
 * callgrind, V8 `.cpuprofile`, Python pstats and pprof, and the drawings of the call graph
 * (`DRAWING_FORMATS`: DOT and SVG), which are written only. Pure: the caller writes
 * the bytes. Each writer's comment says what it keeps and why; in short, every frame's self and
 * total weight survive a round trip through our importers (the drawings excepted), with these
 * limits:
 *
 * - speedscope, collapsed, .cpuprofile and pprof hold a tree: a profile from a call graph (pstats,
 *   callgrind) is written as its tree, which approximates the graph (its figures are the flame
 *   graph's, not the graph's).
 * - pstats and callgrind hold a call graph keyed by function without a column: a sampled tree is
 *   written as the graph it implies, frames that differ only in column merge.
 * - collapsed, callgrind and pprof want whole numbers: weights are scaled (microseconds or nanoseconds
 *   for time) and rounded only where a weight has a finer fraction.
 */
import type { GraphOptions } from '../core/graphPrune';
import type { Profile } from '../core/profile';
import {
  DRAWING_FORMATS,
  FORMAT_ROWS,
  profileEndings,
  type DrawingSpec,
  type ExportFormat,
  type ProfileExportFormat,
} from './registry';

export type { ExportFormat, ProfileExportFormat };

/** A format Heatlens writes, as the Export picker and the CLI list it. */
export interface ExportFormatInfo {
  readonly id: ExportFormat;
  /** For pickers. */
  readonly label: string;
  /** The file-name ending of an export (see {@link exportFileName} for callgrind's name). */
  readonly extension: string;
  /** The CLI help's words after the id. */
  readonly help: string;
  /**
   * 'profile': a profile format our importers read back; 'drawing': a drawing of the call graph
   * (DOT, SVG), written only.
   */
  readonly kind: 'profile' | 'drawing';
}

const WRITERS = new Map<string, DrawingSpec & { kind: ExportFormatInfo['kind'] }>();
for (const f of FORMAT_ROWS) if (f.export) WRITERS.set(f.id, { ...f.export, kind: 'profile' });
for (const f of DRAWING_FORMATS) WRITERS.set(f.id, { ...f.export, kind: 'drawing' });

/** The formats Heatlens writes (profile formats, then drawings), in the order pickers list them. */
export const EXPORT_FORMATS: readonly ExportFormatInfo[] = Object.freeze(
  [...WRITERS]
    .sort(([, a], [, b]) => a.rank - b.rank)
    .map(([id, spec]) =>
      Object.freeze({
        id: id as ExportFormat,
        label: spec.label,
        extension: spec.extension,
        help: spec.help,
        kind: spec.kind,
      }),
    ),
);

/** The profile formats of {@link EXPORT_FORMATS}: those our importers read back. */
export const PROFILE_EXPORT_FORMATS = EXPORT_FORMATS.filter(
  (f) => f.kind === 'profile',
) as readonly (ExportFormatInfo & { readonly id: ProfileExportFormat })[];

/** True for the ids of {@link EXPORT_FORMATS}. */
export function isExportFormat(id: string): id is ExportFormat {
  return WRITERS.has(id);
}

/**
 * The file bytes of `profile` in format `to`: at once for a profile format, possibly later for a
 * drawing (SVG waits for Graphviz's WebAssembly). `drawing`: what a drawing shows of the call
 * graph (thresholds; gprof2dot's by default).
 */
export function exportProfile(profile: Profile, to: ProfileExportFormat): Uint8Array;
export function exportProfile(
  profile: Profile,
  to: ExportFormat,
  drawing?: GraphOptions,
): Uint8Array | Promise<Uint8Array>;
export function exportProfile(
  profile: Profile,
  to: ExportFormat,
  drawing?: GraphOptions,
): Uint8Array | Promise<Uint8Array> {
  return WRITERS.get(to)!.write(profile, drawing);
}

/** File-name endings of the formats Heatlens reads, longest first, stripped to name exports. */
const PROFILE_ENDINGS = profileEndings();

/** Name prefixes of exports (`callgrind.out.`), stripped from an input's name first. */
const PREFIXES = [...WRITERS.values()].flatMap((spec) => (spec.prefix ? [spec.prefix] : []));

/**
 * The default name of an export of the profile file `input` (a path, either separator): the same
 * folder and stem with the format's ending (`app.cpuprofile` -> `app.speedscope.json`), and for
 * a format with a prefix `<prefix><stem>` (callgrind: `callgrind.out.<stem>`, the name
 * KCachegrind's file dialog looks for). An input `<prefix><stem>` has the stem `<stem>`. May
 * equal `input` (converting a file to its own format): callers must check.
 */
export function exportFileName(input: string, to: ExportFormat): string {
  const cut = Math.max(input.lastIndexOf('/'), input.lastIndexOf('\\')) + 1;
  const folder = input.slice(0, cut);
  let stem = input.slice(cut);
  const prefix = PREFIXES.find((p) => stem.toLowerCase().startsWith(p) && stem.length > p.length);
  if (prefix) stem = stem.slice(prefix.length);
  else stem = stem.replace(PROFILE_ENDINGS, '') || stem;
  const spec = WRITERS.get(to)!;
  if (spec.prefix) {
    // Readers look at a file's ending before its prefix: a stem that still ends like another
    // format (`app.cpuprofile.speedscope.json`) would name a file read as that one.
    let bare = stem;
    while (PROFILE_ENDINGS.test(bare) && bare.replace(PROFILE_ENDINGS, '')) {
      bare = bare.replace(PROFILE_ENDINGS, '');
    }
    return `${folder}${spec.prefix}${bare}`;
  }
  return `${folder}${stem}${spec.extension}`;
}
