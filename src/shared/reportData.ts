/**
 * What an HTML report carries besides the viewer's code (reportHtml.ts writes it, the page's
 * webview/reportHost.ts reads it): the profile in its wire form (wire.ts, typed arrays as base64),
 * the hot source files with their line heat, and which files were left out and why.
 *
 * Everything in it came from a profile or the files it names, so it is hostile data. It travels
 * as JSON inside `<script type="application/json">` (never executed), with every character that
 * could end the element or start markup (`<`, `>`, `&`) and the two line terminators JavaScript
 * once disagreed with JSON about (U+2028, U+2029) written as `\uXXXX` escapes: the JSON means the
 * same, and no name can close the block. The page reads it with `JSON.parse(textContent)`.
 */
import { profileTotal, type Profile, type WeightUnit } from '../core/profile';
import type { FlameFocus } from './protocol';
import { encodeProfile, type WireProfile } from './wire';

/** The id of the data block in the report's page. */
export const REPORT_DATA_ID = 'heatlens-report-data';

/** One source file in the report, with the self weight of its measured lines. */
export interface ReportSource {
  /** The path as the profile names it. */
  readonly file: string;
  readonly text: string;
  /** Self weight of the file's lines (the sum of `self`). */
  readonly weight: number;
  /** 1-based lines with heat, and their self weight (parallel arrays). */
  readonly line1: readonly number[];
  readonly self: readonly number[];
}

/** A file the profile names whose source is not in the report, and why (a sentence's end). */
export interface ReportLeftOut {
  readonly file: string;
  readonly why: string;
}

/** The report's data block. */
export interface ReportData {
  readonly version: 1;
  /** What was profiled or opened (a file name), shown as text. */
  readonly title: string;
  readonly profile: WireProfile;
  readonly focus?: FlameFocus;
  /** The profile's unit and total, for the source view's labels (as the gutter's). */
  readonly unit: WeightUnit;
  readonly total: number;
  /** Sources left out on request (`--no-source`): the report says so instead of listing files. */
  readonly sourcesOmitted: boolean;
  readonly sources: readonly ReportSource[];
  readonly leftOut: readonly ReportLeftOut[];
  /**
   * The call graph as Graphviz drew it when the report was written (SVG text, at gprof2dot's
   * default thresholds): a report runs no WebAssembly, so it carries the drawing. The page shows
   * it as an image (an image runs no script and loads nothing).
   */
  readonly callGraphSvg?: string;
}

/** What {@link reportData} puts beside the profile. */
export interface ReportParts {
  readonly title: string;
  readonly focus?: FlameFocus;
  /** Undefined when the sources were left out on request. */
  readonly sources: readonly ReportSource[] | undefined;
  readonly leftOut: readonly ReportLeftOut[];
  readonly callGraphSvg?: string;
}

/** The data block of a report on `profile` (its typed arrays as base64: JSON carries them). */
export function reportData(profile: Profile, parts: ReportParts): ReportData {
  return {
    version: 1,
    title: parts.title,
    profile: encodeProfile(profile),
    ...(parts.focus ? { focus: parts.focus } : {}),
    unit: profile.meta.unit,
    total: profileTotal(profile),
    sourcesOmitted: parts.sources === undefined,
    sources: parts.sources ?? [],
    leftOut: parts.leftOut,
    ...(parts.callGraphSvg ? { callGraphSvg: parts.callGraphSvg } : {}),
  };
}

const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;

/**
 * `data` as JSON that can sit inside a `<script type="application/json">` element: `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as `\uXXXX` (outside strings JSON has none of them).
 */
export function reportDataJson(data: ReportData): string {
  return JSON.stringify(data).replace(
    UNSAFE_IN_SCRIPT,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
