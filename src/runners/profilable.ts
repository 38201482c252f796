/**
 * Which files Heatlens can run under a profiler, and with which runtime: one answer for the CLI
 * and the extension. A file of another type (README.md, data.json) is refused with a sentence
 * naming the types that work, instead of being handed to Node, which would fail on it with a
 * syntax error as if the program were broken.
 */
import { extname } from 'node:path';

/** The runtime that runs a profilable file. */
export type ProfiledRuntime = 'node' | 'python';

/** File name extensions run under Node's V8 profiler (TypeScript is transpiled on the fly). */
export const NODE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
/** File name extensions run under a Python profiler. */
export const PYTHON_EXTENSIONS: readonly string[] = ['.py', '.pyw'];

/** The profilable file types, for messages: "Heatlens profiles <this>." */
export const PROFILABLE_FILES =
  '.js, .mjs, .cjs, .ts, .mts, .cts, .py and .pyw files, and scripts whose first line is a #! ' +
  'line naming node or python';

/**
 * The runtime of `file`, from its extension, or for a file without one (a script installed as a
 * command) from its `#!` line; undefined when Heatlens does not profile files of its type.
 *
 * @param firstLine the file's first line, when the caller has read it (needed for files
 *   without an extension only)
 */
export function runtimeOf(file: string, firstLine?: string): ProfiledRuntime | undefined {
  const ext = extname(file).toLowerCase();
  if (NODE_EXTENSIONS.includes(ext)) return 'node';
  if (PYTHON_EXTENSIONS.includes(ext)) return 'python';
  if (ext !== '' || firstLine === undefined) return undefined;
  // `#!/usr/bin/env node`, `#!/usr/bin/python3 -u`, `#!/usr/bin/env -S node --flag`.
  const shebang = /^#!\s*(\S+)(.*)$/.exec(firstLine);
  if (!shebang) return undefined;
  const words = [shebang[1], ...shebang[2].trim().split(/\s+/)];
  const command = /(?:^|\/)env$/.test(words[0])
    ? words.slice(1).find((w) => !w.startsWith('-'))
    : words[0];
  const base = command?.slice(command.lastIndexOf('/') + 1) ?? '';
  if (/^(?:node|nodejs)(?:\d+)?$/.test(base)) return 'node';
  if (/^python(?:\d+(?:\.\d+)?)?$/.test(base)) return 'python';
  return undefined;
}
