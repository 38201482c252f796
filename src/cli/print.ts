/** The result of `heatlens summary` and `heatlens profile`: the table, or the JSON summary. */
import type { Profile } from '../core/profile';
import { formatSummaryTable, summarize, type Summary } from '../core/summary';
import type { Options } from './args';
import { sanitizeForTerminal, type Terminal } from './terminal';

/** The summary with every string a profile brought escaped for a terminal. */
function terminalSafe(summary: Summary): Summary {
  const safe = sanitizeForTerminal;
  return {
    ...summary,
    profiler: safe(summary.profiler),
    functions: summary.functions.map((f) => ({
      ...f,
      name: safe(f.name),
      file: f.file === null ? null : safe(f.file),
    })),
    lines: summary.lines.map((l) => ({ ...l, file: safe(l.file) })),
    warnings: summary.warnings.map(safe),
  };
}

export function print(
  term: Terminal,
  profile: Profile,
  options: Options,
  extra?: Record<string, unknown>,
): void {
  if (options.json) {
    const summary = summarize(profile, { limit: options.limit });
    term.printJson({ ...summary, ...extra });
    return;
  }
  const limit = options.limit === 0 ? Infinity : options.limit;
  const summary = terminalSafe(summarize(profile, { limit: 0 }));
  term.printResult(
    formatSummaryTable(summary, {
      relativeTo: process.cwd(),
      all: options.all,
      maxFunctions: limit ?? 20,
      maxLines: limit ?? 10,
    }),
  );
}
