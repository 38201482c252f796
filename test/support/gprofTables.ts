/**
 * gprof's own figures, read from the tables it printed in its default (GNU) layout: the flat
 * profile's self seconds and calls, the call graph's primary lines (self, children, called) and
 * arc lines. A reference for the gprof importer's tests (test/fixtures/gprof/record.sh), written
 * apart from the importer: a few regular expressions over the two tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoRoot';

/** One function as gprof printed it. */
export interface GprofFunction {
  /** The flat profile's self seconds. */
  readonly self: number;
  /** The flat profile's calls (self-calls left out); null where blank or not listed there. */
  readonly flatCalls: number | null;
  /** Whether the flat profile lists it (it lists functions with time or calls). */
  readonly inFlat: boolean;
  /** The call graph's primary line: self, children and `called` (`a+b`: a, b). */
  readonly graph?: {
    readonly self: number;
    readonly children: number;
    readonly calls: number;
    readonly selfCalls: number;
  };
}

/** An arc line with times (a caller above an entry's primary line). */
export interface GprofArcLine {
  readonly caller: string;
  readonly callee: string;
  readonly calls: number;
  readonly self: number;
  readonly children: number;
}

/** What gprof printed of a run. */
export interface GprofReport {
  /** The flat profile's last cumulative seconds. */
  readonly total: number;
  /** By name; a name printed for two functions maps to the first (see `shared`). */
  readonly functions: Map<string, GprofFunction>;
  /** Names gprof printed for two functions or more (static functions of two files). */
  readonly shared: Set<string>;
  readonly arcs: GprofArcLine[];
  /** Count-only arcs (self-calls, calls inside a cycle): caller, callee, calls. */
  readonly counted: { caller: string; callee: string; calls: number }[];
}

const name = (text: string) =>
  text
    .trim()
    .replace(/ \[\d+\]$/, '')
    .replace(/ <cycle \d+>$/, '');

/** Reads `path` (relative to the repository), gprof's default or `-b` output. */
export function readGprofReport(path: string): GprofReport {
  const lines = readFileSync(join(repoRoot(), path), 'utf8').split('\n');
  const functions = new Map<string, GprofFunction>();
  const flat = new Map<string, { self: number; calls: number | null }>();
  const arcs: GprofArcLine[] = [];
  const counted: GprofReport['counted'] = [];
  let total = 0;
  let i = lines.findIndex((l) => /^\s*time\s+seconds\s+seconds\s+calls/.test(l)) + 1;
  for (; i > 0 && i < lines.length && lines[i].trim(); i++) {
    const m = /^\s*[\d.]+\s+([\d.]+)\s+([\d.]+)\s+(?:(\d+)\s+[\d.]+\s+[\d.]+\s+)?(\S.*)$/.exec(
      lines[i],
    );
    if (!m) throw new Error(`${path}:${i + 1}: not a flat profile row`);
    total = Number(m[1]);
    if (!flat.has(m[4]))
      flat.set(m[4], { self: Number(m[2]), calls: m[3] === undefined ? null : Number(m[3]) });
  }
  const graphed = new Map<string, GprofFunction['graph']>();
  const shared = new Set<string>();
  let above: string[] = [];
  let primary: string | null = null;
  let j = lines.findIndex((l) => /^index % time/.test(l)) + 1;
  for (; j > 0 && j < lines.length && lines[j].trim(); j++) {
    const line = lines[j];
    if (/^-+$/.test(line)) {
      above = [];
      primary = null;
      continue;
    }
    const p = /^\[\d+\]\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s+(?:(\d+)(?:\+(\d+))?\s+)?(\S.*)$/.exec(
      line,
    );
    if (p) {
      primary = name(p[5]);
      if (primary.startsWith('<cycle ')) continue;
      if (graphed.has(primary)) shared.add(primary);
      else {
        graphed.set(primary, {
          self: Number(p[1]),
          children: Number(p[2]),
          calls: Number(p[3] ?? 0),
          selfCalls: Number(p[4] ?? 0),
        });
      }
      for (const a of above) {
        const t = /^\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/\d+\s+(\S.*)$/.exec(a);
        const c = /^\s+(\d+)\s+(\S.*)$/.exec(a);
        if (t) {
          arcs.push({
            caller: name(t[4]),
            callee: primary,
            calls: Number(t[3]),
            self: Number(t[1]),
            children: Number(t[2]),
          });
        } else if (c) counted.push({ caller: name(c[2]), callee: primary, calls: Number(c[1]) });
      }
    } else if (primary === null) above.push(line);
  }
  for (const [fn, f] of flat) functions.set(fn, { self: f.self, flatCalls: f.calls, inFlat: true });
  for (const [fn, g] of graphed) {
    const f = functions.get(fn);
    functions.set(fn, {
      self: f?.self ?? g!.self,
      flatCalls: f?.flatCalls ?? null,
      inFlat: f !== undefined,
      graph: g,
    });
  }
  return { total, functions, shared, arcs, counted };
}
