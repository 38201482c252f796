/**
 * The source files an HTML report carries (src/shared/reportData.ts): the files of the user's code
 * the profile names that have time on their lines, heaviest first, each read through
 * readRegularFile (regular files only, opened without blocking, within a size cap), within bounds
 * on their number and their total size. Every hot file not carried is listed with the reason, for
 * the CLI's and the command's message and for the report itself.
 */
import * as path from 'node:path';
import { hotFiles } from '../core/hotFiles';
import { lineHeatForFile } from '../core/lineHeat';
import type { Profile } from '../core/profile';
import type { ReportLeftOut, ReportSource } from '../shared/reportData';
import { FileRefused, readRegularFile } from './regularFile';

/** Bounds of {@link readReportSources}. */
export interface ReportSourceLimits {
  /** Larger files are left out. */
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  /** Files that would take the sources past this are left out. */
  readonly maxTotalBytes: number;
}

export const REPORT_SOURCE_LIMITS: ReportSourceLimits = {
  maxFileBytes: 2 << 20,
  maxFiles: 50,
  maxTotalBytes: 16 << 20,
};

/** Options of {@link readReportSources}. */
export interface ReportSourceOptions {
  readonly limits?: ReportSourceLimits;
  /**
   * Whether a file may be read (the extension: inside the workspace folders); `why` completes the
   * sentence "<file> ..." for those refused. Default: every file.
   */
  readonly allow?: (file: string) => boolean | Promise<boolean>;
  readonly deniedWhy?: string;
}

/** The sources of a report, and the hot files left out. */
export interface ReportSources {
  readonly sources: ReportSource[];
  readonly leftOut: ReportLeftOut[];
}

function size(n: number): string {
  if (n < 1024) return `${n} bytes`;
  return n < 1 << 20 ? `${Math.round(n / 1024)} KB` : `${Math.round(n / (1 << 20))} MB`;
}

/** The source for `file`, with its line heat. */
function withHeat(profile: Profile, file: string, text: string): ReportSource {
  const lines = lineHeatForFile(profile, file).filter((l) => l.self > 0);
  return {
    file,
    text,
    weight: lines.reduce((sum, l) => sum + l.self, 0),
    line1: lines.map((l) => l.line1),
    self: lines.map((l) => l.self),
  };
}

/**
 * Reads the hot files of `profile` for a report (see the module comment). Never throws for a
 * file: one that cannot be read is left out with the reason.
 */
export async function readReportSources(
  profile: Profile,
  options: ReportSourceOptions = {},
): Promise<ReportSources> {
  const limits = options.limits ?? REPORT_SOURCE_LIMITS;
  const sources: ReportSource[] = [];
  const leftOut: ReportLeftOut[] = [];
  let total = 0;
  for (const { file } of hotFiles(profile)) {
    const out = (why: string) => leftOut.push({ file, why });
    if (!path.isAbsolute(file)) {
      out('is not a path on this machine');
      continue;
    }
    if (options.allow && !(await options.allow(file))) {
      out(options.deniedWhy ?? 'was not allowed to be read');
      continue;
    }
    if (sources.length >= limits.maxFiles) {
      out(`is past the first ${limits.maxFiles} files a report carries`);
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(file, { maxBytes: limits.maxFileBytes });
    } catch (err) {
      if (!(err instanceof FileRefused)) throw err;
      out(err.why);
      continue;
    }
    if (total + bytes.length > limits.maxTotalBytes) {
      out(`would take the sources past ${size(limits.maxTotalBytes)}`);
      continue;
    }
    if (bytes.includes(0)) {
      out('is not a text file');
      continue;
    }
    total += bytes.length;
    sources.push(withHeat(profile, file, new TextDecoder().decode(bytes)));
  }
  return { sources, leftOut };
}
