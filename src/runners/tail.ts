/** The end of a profiled program's output, as the runners quote it in the error of a failed run. */

/** The last lines of `text`, at most `max` characters, cut at a line start. */
export function tail(text: string, max = 4000): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(-max);
  const nl = cut.indexOf('\n');
  return nl >= 0 ? cut.slice(nl + 1) : cut;
}
