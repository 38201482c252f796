/**
 * The compact form in which a {@link Profile} crosses to the flame graph webview, once: the
 * profile's columns (src/core/profileColumns.ts, the codec the stored-run file uses too) with a
 * version.
 *
 * Typed arrays travel as raw bytes: an ArrayBuffer per array when the channel carries binary
 * data (VS Code webviews do since 1.57, and so does a browser's postMessage), else base64 of the
 * same bytes (for JSON-only channels). Totals, depths and child ranges are recomputed on arrival
 * (linear passes), so they cannot disagree with what was sent.
 *
 * The line table is left out: the webview does not use it, and the decoded profile carries an
 * empty one. The comparison of two runs travels beside the profile (wireCompare.ts).
 */
import type { Profile } from '../core/profile';
import { profileColumns, type ProfileColumns } from '../core/profileColumns';
import { readProfileColumns } from '../core/profileColumnsRead';
import { bytesToBase64 } from '../util/base64';
import { rawCopy } from '../util/typedArrays';

/** The bytes of one typed array: an ArrayBuffer (binary channels) or base64 (JSON channels). */
export type WireBytes = ArrayBuffer | string;

/** A profile as sent to the webview (see the module comment). */
export interface WireProfile extends ProfileColumns<WireBytes> {
  readonly version: 1;
}

/** A malformed wire profile (a bug between host and webview, never the person's file). */
export class WireError extends Error {
  constructor(detail: string) {
    super(
      `Heatlens could not read the profile sent to the flame graph: ${detail}. Reopen the panel; if it persists, report it.`,
    );
    this.name = 'WireError';
  }
}

/** Options of {@link encodeProfile} and `encodeCompare`. */
export interface EncodeOptions {
  /**
   * Send typed arrays as ArrayBuffers (copies, so the host's profile is never detached) for
   * channels that carry binary data; default: base64 strings, safe for JSON.
   */
  readonly binary?: boolean;
}

/** How {@link EncodeOptions} carries a typed array. */
export function wireBytes(options: EncodeOptions): (view: ArrayBufferView) => WireBytes {
  return options.binary ? rawCopy : bytesToBase64;
}

const encoded = new WeakMap<Profile, WireProfile>();

/** The compact form of a profile (the base64 form is cached per profile: profiles are immutable). */
export function encodeProfile(profile: Profile, options: EncodeOptions = {}): WireProfile {
  const binary = options.binary ?? false;
  const cached = binary ? undefined : encoded.get(profile);
  if (cached) return cached;
  const wire: WireProfile = {
    version: 1,
    ...profileColumns(profile, wireBytes(options), { lines: false }),
  };
  if (!binary) encoded.set(profile, wire);
  return wire;
}

/**
 * A {@link Profile} back from its wire form, usable by every pure analysis (its line table is
 * empty). Throws {@link WireError} when the arrays do not fit together.
 */
export function decodeProfile(wire: WireProfile): Profile {
  if (!wire || wire.version !== 1) throw new WireError(`unknown version ${String(wire?.version)}`);
  return readProfileColumns(wire as unknown as Record<string, unknown>, {
    fail: (what) => {
      throw new WireError(what);
    },
    checks: 'structure',
    field: (path) => path,
  });
}
