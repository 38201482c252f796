/**
 * Markdown built from hostile strings. A profile's function names and file paths end up in
 * VS Code hovers and tooltips (MarkdownString); left raw, a name holding a blank line ends a
 * code span and what follows renders as markdown: an image from a remote host (a request leaves
 * the machine just by hovering), or a link that looks like Heatlens' own. Here a value can only
 * become text: every ASCII punctuation character is backslash-escaped (CommonMark lets any of
 * them be escaped, and none then starts emphasis, a link, an image, HTML, an entity or an
 * autolink), line breaks become spaces, and control characters are dropped. Code spans and code
 * blocks get a fence longer than any backtick run inside them.
 *
 * The literal parts of a {@link safeMarkdown} template are Heatlens' own markdown; every value
 * interpolated into it is escaped, unless it is itself {@link SafeMarkdown} made here.
 */

const made: unique symbol = Symbol('SafeMarkdown');

/** Markdown made by this module (by {@link safeMarkdown}, {@link code}, {@link codeBlock}) only. */
export interface SafeMarkdown {
  readonly [made]: true;
  readonly text: string;
}

function safe(text: string): SafeMarkdown {
  return { [made]: true, text };
}

function isSafe(v: unknown): v is SafeMarkdown {
  return typeof v === 'object' && v !== null && made in v;
}

/** What may be interpolated: values (escaped) or markdown made here (as is). */
export type MarkdownValue = string | number | SafeMarkdown;

/** Line breaks and other controls: a value stays on its line and inside its span. */
const CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

/** A value as markdown text that renders exactly as the value reads. */
export function escapeMarkdown(value: string): string {
  return value.replace(CONTROLS, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** A value as inline code: shown literally, in a code font. */
export function code(value: string): SafeMarkdown {
  const text = value.replace(CONTROLS, ' ') || ' ';
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  // A space on each side keeps a backtick at either end from joining the fence (and the
  // renderer strips one space on each side again).
  return safe(`${fence} ${text} ${fence}`);
}

/** A value as a fenced code block, in `language` (Heatlens' own word, not a value). */
export function codeBlock(value: string, language: string): SafeMarkdown {
  const text = value.replace(/[\0-\x08\x0b-\x1f\x7f-\x9f]/g, ' ');
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return safe(`\n${fence}${language.replace(/[^\w-]/g, '')}\n${text}\n${fence}\n`);
}

/**
 * A template whose literal parts are markdown and whose values are escaped text. (Not named
 * `markdown` or `md`: prettier reformats templates with those tags as Markdown documents, which
 * changes what they say.)
 */
export function safeMarkdown(
  strings: TemplateStringsArray,
  ...values: MarkdownValue[]
): SafeMarkdown {
  let out = strings[0];
  values.forEach((v, i) => {
    out += isSafe(v) ? v.text : escapeMarkdown(String(v));
    out += strings[i + 1];
  });
  return safe(out);
}

/**
 * A profile's name or path for a place where VS Code renders `$(icon)` syntax as an icon (quick
 * pick labels and descriptions, the status bar): every `$(…)` escaped, as VS Code's own
 * `escapeIcons` does, so that a function called `$(check) tests passed` shows as written.
 */
export function noIcons(text: string): string {
  return text.replace(/(\\)?\$\([a-z0-9-]+?(?:~[a-z0-9-]*?)?\)/gi, (match, escaped) =>
    escaped ? match : `\\${match}`,
  );
}
