/**
 * pprof's `drop_frames`/`keep_frames`, applied as `go tool pprof` applies them by default
 * (github.com/google/pprof, profile/prune.go, `Prune`); see pprof.ts's module comment.
 */
import type { Profile as PprofProfile } from 'pprof-format';
import { num, type Numeric } from './pprofDecode';

/** What a profile's `drop_frames`/`keep_frames` ask for, as regular expressions. */
export interface PruneRule {
  /** True when the profile sets either field. */
  readonly asked: boolean;
  readonly dropFrames: string;
  readonly keepFrames: string;
  /** The anchored patterns; `drop` undefined when nothing is dropped (unset, or unreadable). */
  readonly drop?: RegExp;
  readonly keep?: RegExp;
  /** Set when a pattern is not a regular expression JavaScript reads. */
  readonly unreadable?: string;
}

/** The rule a profile asks for; see {@link PruneRule}. */
export function pruneRule(profile: PprofProfile, str: (i: Numeric) => string): PruneRule {
  const dropFrames = str(profile.dropFrames);
  const keepFrames = str(profile.keepFrames);
  const asked = Boolean(dropFrames || keepFrames);
  // go tool pprof looks at keep_frames only when drop_frames is set.
  if (!dropFrames) return { asked, dropFrames, keepFrames };
  // Go's RE2 matches in linear time; JavaScript backtracks, and a repeated group that repeats
  // inside ("(a+)+") can take exponential time: a file must not be able to hang the reader.
  if (NESTED_REPEAT.test(dropFrames) || NESTED_REPEAT.test(keepFrames)) {
    return {
      asked,
      dropFrames,
      keepFrames,
      unreadable: 'a repeated group repeats inside: too slow to match safely',
    };
  }
  try {
    const drop = new RegExp(`^(?:${dropFrames})$`);
    const keep = keepFrames ? new RegExp(`^(?:${keepFrames})$`) : undefined;
    return { asked, dropFrames, keepFrames, drop, keep };
  } catch {
    return {
      asked,
      dropFrames,
      keepFrames,
      unreadable: 'not a regular expression JavaScript reads',
    };
  }
}

/** A group holding `+`, `*` or `{`, itself followed by one of them. */
const NESTED_REPEAT = /\([^()]*[+*{][^()]*\)[+*{]/;

/** The warning that says what the rule did (or why it was not applied). */
export function pruneWarning(label: string, rule: PruneRule, pruned: number): string {
  const quote = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
  const asked = `${label} asks to hide frames (drop_frames ${quote(rule.dropFrames)}, keep_frames ${quote(rule.keepFrames)})`;
  if (rule.unreadable) {
    return `${asked}, but Heatlens does not apply the patterns (${rule.unreadable}); every frame is shown, where go tool pprof may hide some.`;
  }
  if (!rule.drop) return `${asked}; without drop_frames nothing is hidden, as in go tool pprof.`;
  return (
    `${asked}: they are hidden as go tool pprof does, each with the functions it called; ` +
    `${pruned} sample${pruned === 1 ? '' : 's'} lost frames, their weight given to the frame above.`
  );
}

/**
 * How `drop_frames` cuts one location (prune.go's first loop): its lines are scanned from the
 * outermost caller in; at the first function that matches, the location is cut there.
 * `keepLines` is how many outer lines stay (0: the whole location matches; undefined: no match).
 */
export interface LocationPrune {
  readonly keepLines?: number;
}

/** A location nothing cuts. */
export const KEEP: LocationPrune = Object.freeze({});

/** How `drop_frames` cuts one location; see {@link LocationPrune}. */
export function locationPrune(
  loc: PprofProfile['location'][number],
  functions: Map<number, PprofProfile['function'][number]>,
  str: (i: Numeric) => string,
  drop: RegExp,
  keep: RegExp | undefined,
): LocationPrune {
  const lines = loc.line;
  for (let i = lines.length - 1; i >= 0; i--) {
    const f = functions.get(num(lines[i].functionId));
    const name = f ? str(f.name) : '';
    if (!name) continue;
    const simple = simplifyFunctionName(name);
    if (drop.test(simple) && !keep?.test(simple)) return { keepLines: lines.length - 1 - i };
  }
  return KEEP;
}

/**
 * The index in `ids` (leaf first) of the sample's leaf after pruning (prune.go's second loop):
 * from the root down, frames before the first location that nothing matches stay; after it, the
 * first location cut whole ends the stack above it, and a location cut inside ends the stack at
 * itself (with its outer lines only). -1 when nothing is cut.
 */
export function leafAfterPrune(
  ids: readonly Numeric[],
  pruneOf: (id: number) => LocationPrune,
): number {
  let foundUser = false;
  for (let i = ids.length - 1; i >= 0; i--) {
    const { keepLines } = pruneOf(num(ids[i]));
    if (keepLines === undefined) {
      foundUser = true;
      continue;
    }
    if (!foundUser) continue;
    return keepLines === 0 ? i + 1 : i;
  }
  return -1;
}

// pprof's reserved names that hold a "(" that does not start an argument list.
const BRACKET = /\(anonymous namespace\)|operator\(\)|\(/g;

/**
 * A function name as pprof matches it against drop_frames: a leading "." (PPC64 ELF v1) dropped
 * and everything from the first "(" that is not part of "(anonymous namespace)" or "operator()"
 * cut (C++ argument lists; note that this also cuts Go's "main.(*T).M" to "main.").
 */
function simplifyFunctionName(name: string): string {
  const f = name.startsWith('.') ? name.slice(1) : name;
  for (const m of f.matchAll(BRACKET)) {
    if (m[0] === '(') return f.slice(0, m.index);
  }
  return f;
}
