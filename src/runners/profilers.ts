/**
 * Every profiler Heatlens runs programs under, one entry each (see profiler.ts for what an entry
 * is). Whoever profiles a file, the CLI or the extension, picks the entry that can profile it:
 * adding a profiler is one file (a class implementing `Profiler`) plus one entry here.
 */
import { NodeProfiler } from './nodeProfiler';
import { describeProfilable, matchesLanguage, type ProfileTarget } from './profilable';
import type { Profiler } from './profiler';
import { PythonProfiler } from './pythonProfiler';

/** Every profiler, in the order they are asked whether they can profile a file. */
export const PROFILERS: readonly Profiler[] = [new NodeProfiler(), new PythonProfiler()];

/**
 * The profiler that runs `target`, or undefined when Heatlens does not profile files of its type.
 * The editor's language id, when one claims it, goes before the file's name (a Python file named
 * without .py, in an editor set to Python).
 */
export function profilerFor(target: ProfileTarget): Profiler | undefined {
  return (
    PROFILERS.find((p) => matchesLanguage(p.files, target)) ??
    PROFILERS.find((p) => p.canProfile(target))
  );
}

/** The profilable file types, for messages: "Heatlens profiles <this>." */
export const PROFILABLE_FILES = describeProfilable(PROFILERS.map((p) => p.files));
