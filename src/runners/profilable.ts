/**
 * Which files a profiler runs: by the file's extension, or for a file without one (a script
 * installed as a command) by the command its `#!` line names, or by the editor's language id.
 * Each profiler states its rule (nodeProfiler.ts, pythonProfiler.ts); the list of profilers
 * (profilers.ts) asks them in turn. A file of another type (README.md, data.json) is refused with
 * a sentence naming the types that work, instead of being handed to Node, which would fail on it
 * with a syntax error as if the program were broken.
 */
import { extname } from 'node:path';

/** A file someone wants profiled, and what is known of it. */
export interface ProfileTarget {
  /** Its path. */
  readonly file: string;
  /** Its first line, when the caller has read it (needed for files without an extension only). */
  readonly firstLine?: string;
  /** The editor's language id for it (`python`), when there is an editor. */
  readonly languageId?: string;
}

/** The files one profiler runs. */
export interface FileRule {
  /** File name extensions, lower case with the dot (`.js`). */
  readonly extensions: readonly string[];
  /** The `#!` command, for messages ("naming node"). */
  readonly command: string;
  /** The `#!` commands it runs, by their base name (`node`, `nodejs20`). */
  readonly commands: RegExp;
  /** Editor language ids that say the file is its kind whatever its name. */
  readonly languageIds?: readonly string[];
}

/**
 * The command a `#!` line runs, by its base name: `#!/usr/bin/env node`, `#!/usr/bin/python3 -u`,
 * `#!/usr/bin/env -S node --flag`.
 */
function shebangCommand(firstLine: string): string | undefined {
  const shebang = /^#!\s*(\S+)(.*)$/.exec(firstLine);
  if (!shebang) return undefined;
  const words = [shebang[1], ...shebang[2].trim().split(/\s+/)];
  const command = /(?:^|\/)env$/.test(words[0])
    ? words.slice(1).find((w) => !w.startsWith('-'))
    : words[0];
  return command?.slice(command.lastIndexOf('/') + 1) ?? '';
}

/** Whether `rule` claims `target` by its name (extension, or `#!` line for a file without one). */
export function matchesFile(rule: FileRule, target: ProfileTarget): boolean {
  const ext = extname(target.file).toLowerCase();
  if (ext !== '') return rule.extensions.includes(ext);
  if (target.firstLine === undefined) return false;
  const command = shebangCommand(target.firstLine);
  return command !== undefined && rule.commands.test(command);
}

/** Whether `rule` claims `target` by the editor's language id. */
export function matchesLanguage(rule: FileRule, target: ProfileTarget): boolean {
  return target.languageId !== undefined && !!rule.languageIds?.includes(target.languageId);
}

/** The profilable file types, for messages: "Heatlens profiles <this>." */
export function describeProfilable(rules: readonly FileRule[]): string {
  const list = (items: string[], and: string) =>
    items.length > 1
      ? `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`
      : items[0];
  return (
    `${list(
      rules.flatMap((r) => r.extensions),
      'and',
    )} files, and scripts whose first line is a #! line naming ` +
    list(
      rules.map((r) => r.command),
      'or',
    )
  );
}
