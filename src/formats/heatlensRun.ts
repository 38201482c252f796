/**
 * Heatlens' own file format for stored runs (`.heatlens.json`): a faithful copy of a
 * {@link Profile}, every field of the model, so that a run reopened from the history shows exactly
 * what it showed when it was made.
 *
 * JSON of the profile's columns (src/core/profileColumns.ts, the codec the webview's wire form
 * uses too) with the typed arrays as base64 of their little-endian bytes (exact, and about a third
 * larger than binary; the run history gzips the file). Totals, depths and child ranges are
 * recomputed on reading exactly as the builder computes them, so they cannot disagree with the
 * rest. The first key is `"format": "heatlens-run"` so that the format is recognisable from the
 * first bytes.
 *
 * Reading validates everything an analysis indexes with (node, frame and file ids, parent order,
 * array lengths), so a damaged file fails with a {@link ProfileFormatError} that names it instead
 * of crashing a view later.
 */
import type { Profile } from '../core/profile';
import { profileColumns, type ProfileColumns } from '../core/profileColumns';
import { obj, readProfileColumns } from '../core/profileColumnsRead';
import { bytesToBase64 } from '../util/base64';
import { ProfileFormatError } from './errors';

/** The value of the `format` key. */
export const HEATLENS_RUN_FORMAT = 'heatlens-run';
/** The version this code writes; it reads this one and older ones. */
export const HEATLENS_RUN_VERSION = 1;
/** The file name extension of a stored run. */
export const HEATLENS_RUN_EXTENSION = '.heatlens.json';

/** The JSON shape of a stored run (version 1): the profile's columns, typed arrays as base64. */
interface RunFileV1 extends ProfileColumns<string> {
  readonly format: typeof HEATLENS_RUN_FORMAT;
  readonly version: 1;
}

/** Serializes a profile to the bytes of a `.heatlens.json` file (UTF-8 JSON). */
export function serializeProfile(profile: Profile): Uint8Array {
  const file: RunFileV1 = {
    format: HEATLENS_RUN_FORMAT,
    version: HEATLENS_RUN_VERSION,
    ...profileColumns(profile, bytesToBase64),
  };
  return new TextEncoder().encode(JSON.stringify(file));
}

/**
 * True when `bytes` look like a stored Heatlens run: the name ends in `.heatlens.json`, or the
 * content starts with the format key (after whitespace and a byte-order mark).
 */
export function isHeatlensRun(name: string | undefined, bytes: Uint8Array): boolean {
  if (name && name.toLowerCase().endsWith(HEATLENS_RUN_EXTENSION)) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).replace(/^\uFEFF?\s*/, '');
  return /^\{\s*"format"\s*:\s*"heatlens-run"/.test(head);
}

/**
 * The run format version a stored run's bytes declare, read from their first bytes only (the
 * serializer writes `{"format":"heatlens-run","version":N` first); undefined when they do not
 * start that way. Tells a file from a newer Heatlens, to be left alone, from a damaged one.
 */
export function runFileVersion(bytes: Uint8Array): number | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, 200));
  const m = /^\s*\{\s*"format"\s*:\s*"heatlens-run"\s*,\s*"version"\s*:\s*(\d+)/.exec(head);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a stored run. Throws {@link ProfileFormatError} naming `name` when the bytes are not a
 * Heatlens run, come from a newer Heatlens, or are damaged.
 */
export function deserializeProfile(bytes: Uint8Array, name: string): Profile {
  const fail = (what: string): never => {
    throw new ProfileFormatError(
      `"${name}" is not a readable Heatlens run: ${what}. Delete it (or profile the program ` +
        'again); Heatlens writes these files itself.',
      name,
    );
  };
  if (bytes.length === 0) fail('it is empty');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not the parser's message: it quotes the text, and a profile file is not ours to quote.
    fail('it is not valid JSON; it may have been cut short');
  }
  const root = obj(value, 'the file', fail);
  if (root.format !== HEATLENS_RUN_FORMAT) fail('it has no "format": "heatlens-run" key');
  if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) {
    fail('its "version" is not a positive integer');
  }
  if ((root.version as number) > HEATLENS_RUN_VERSION) {
    throw new ProfileFormatError(
      `"${name}" was written by a newer Heatlens (run format version ${String(root.version)}; ` +
        `this one reads up to ${HEATLENS_RUN_VERSION}). Update Heatlens to open it.`,
      name,
    );
  }
  // Every stored run has a line table (the wire form leaves it out, a file never does).
  obj(root.lines, '"lines"', fail);
  return readProfileColumns(root, { fail, checks: 'all', field: (path) => `"${path}"` });
}
