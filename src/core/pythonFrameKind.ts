import type { FrameKind } from './profile';

// CPython's standard library: `.../lib/python3.11/...` (Unix, pyenv, conda, venvs' base) or
// `...\Python311\Lib\...` (Windows installs).
const STDLIB = /[\\/]lib[\\/]python\d+(?:\.\d+)?[a-z]?[\\/]|[\\/]Python\d+[\\/]Lib[\\/]/i;
const BUILTIN_NAME = /^<(?:built-in (?:method|function) |method '|slot wrapper |function )/;
const THIRD_PARTY = /[\\/](?:site-packages|dist-packages)[\\/]/;

/**
 * Classifies a Python frame by its file (as the profiler recorded it) and name: built-ins (no
 * file, pstats' `~`, or cProfile's `<built-in method ...>` and `<method '...' of '...' objects>`
 * names) are the runtime's; the standard library (including modules frozen into
 * the interpreter, `<frozen importlib._bootstrap>`), site-packages and dist-packages are library
 * code; everything else, `<string>` and `<stdin>` included, is the user's.
 */
export function classifyPythonFrame(file: string | null, name: string): FrameKind {
  if (file === null || file === '' || file === '~') return 'runtime';
  if (BUILTIN_NAME.test(name)) return 'runtime';
  if (file.startsWith('<frozen ')) return 'library';
  if (THIRD_PARTY.test(file) || STDLIB.test(file)) return 'library';
  return 'user';
}
