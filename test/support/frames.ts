/** Finding a profile's frame by its name, for tests: a name that is not there fails the test. */
import assert from 'node:assert/strict';
import type { Frame, Profile } from '../../src/core/profile';

/**
 * The index of the first frame named `name`, and, when `file` is given, whose file ends with it
 * (a base name, or a path tail). Fails the test, naming what was looked for, when there is none.
 */
export function frameIndex(profile: Pick<Profile, 'frames'>, name: string, file?: string): number {
  const i = profile.frames.findIndex(
    (f) => f.name === name && (file === undefined || f.file?.endsWith(file) === true),
  );
  assert.ok(i >= 0, `no frame ${name}${file === undefined ? '' : ` in ${file}`}`);
  return i;
}

/** The first frame named `name` (and in a file ending with `file`); see {@link frameIndex}. */
export function frameNamed(profile: Pick<Profile, 'frames'>, name: string, file?: string): Frame {
  return profile.frames[frameIndex(profile, name, file)];
}
