/**
 * What `node --prof-process isolate.log` printed (V8's tick processor): the ticks, the flat
 * profile's self ticks per name ([Shared libraries], [JavaScript], [C++]; the unaccounted ticks
 * of [Summary] as `(unaccounted)`), and the first two levels of the bottom-up profile (each top
 * function's callers with their ticks; callers under 1% are not printed). A reference for the
 * V8 log importer (test/fixtures/v8-log/record.sh), written apart from it.
 *
 * Names are compared as Heatlens names functions: a JavaScript function is one function whatever
 * tier ran it (`JS: ~fib x.js:1:2`, `JS: *fib x.js:1:2` -> `fib x.js:1:2`; `<anonymous>` is
 * Heatlens' `(anonymous)`), and the tick processor's ` {2}` on a name seen twice is dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoRoot';

/** The tick processor's figures. */
export interface TickReport {
  readonly ticks: number;
  readonly unaccounted: number;
  /** Self ticks per name, tiers added up. */
  readonly self: Map<string, number>;
  /** Per top function of the bottom-up profile: its ticks and its printed callers' ticks. */
  readonly bottomUp: Map<string, { ticks: number; callers: Map<string, number> }>;
}

/** A tick processor name as Heatlens names the function. */
export function tickName(raw: string): string {
  return raw
    .trim()
    .replace(/ \{\d+\}$/, '')
    .replace(/^(?:JS|LazyCompile|Function|Script): [*~^+]?/, '')
    .replace(/^<anonymous>/, '(anonymous)')
    .replace(/^UNKNOWN$/, '(unaccounted)');
}

/** Reads `path` (relative to the repository), the tick processor's output. */
export function readTickReport(path: string): TickReport {
  return parseTickReport(readFileSync(join(repoRoot(), path), 'utf8'), path);
}

/** Reads the tick processor's output; `what` names it in errors. */
export function parseTickReport(text: string, what = 'the text'): TickReport {
  const head = /\((\d+) ticks, (\d+) unaccounted, \d+ excluded\)/.exec(text);
  if (!head) throw new Error(`${what}: not the tick processor's output`);
  const self = new Map<string, number>();
  const add = (name: string, ticks: number) => self.set(name, (self.get(name) ?? 0) + ticks);
  let section = '';
  const bottomUp = new Map<string, { ticks: number; callers: Map<string, number> }>();
  let top: { ticks: number; callers: Map<string, number> } | undefined;
  for (const line of text.split('\n')) {
    const title = /^ \[(.*)\]:/.exec(line);
    if (title) {
      section = title[1];
      continue;
    }
    if (['Shared libraries', 'JavaScript', 'C++'].includes(section)) {
      const m = /^\s+(\d+)\s+[\d.]+%\s+(?:[\d.]+%\s+)?(\S.*)$/.exec(line);
      if (m) add(tickName(m[2]), Number(m[1]));
    } else if (section === 'Bottom up (heavy) profile') {
      // Depth is the indent after the percentage: two blanks per level.
      const m = /^\s+(\d+)\s+[\d.]+%( +)(\S.*)$/.exec(line);
      if (!m) continue;
      const depth = (m[2].length - 2) / 2;
      const name = tickName(m[3]);
      if (depth === 0) {
        top = bottomUp.get(name) ?? { ticks: 0, callers: new Map() };
        top.ticks += Number(m[1]);
        bottomUp.set(name, top);
      } else if (depth === 1 && top) {
        top.callers.set(name, (top.callers.get(name) ?? 0) + Number(m[1]));
      }
    }
  }
  const unaccounted = Number(head[2]);
  if (unaccounted) add('(unaccounted)', unaccounted);
  return { ticks: Number(head[1]), unaccounted, self, bottomUp };
}

/** A frame's name as {@link tickName} gives the tick processor's: `fib /x.js:14:13`, `_init`. */
export function tickKey(frame: {
  name: string;
  file: string | null;
  line1: number | null;
  col1: number | null;
}): string {
  if (frame.file === null && frame.line1 === null) return frame.name;
  return `${frame.name} ${frame.file ?? ''}:${frame.line1 ?? ''}:${frame.col1 ?? ''}`;
}
