/**
 * The words of the `.cpuprofile` readers' errors (cpuprofile.ts, cpuprofileJson.ts,
 * cpuprofileBuild.ts): what the format is called and what to do about a damaged file.
 */
import { formatFail, type FormatFail } from './errors';

/** The format's name in messages. */
export const V8_NAME = 'V8 CPU profile (.cpuprofile)';
/** The advice for a file that cannot be read. */
export const REDO = 're-record it (node --cpu-prof) or save it again from Chrome DevTools';
/** The advice for a file that contradicts itself. */
export const DAMAGED = `the file may be damaged, so ${REDO}`;

/** Throws the error naming the file (see errors.ts, {@link formatFail}). */
export const fail: FormatFail = formatFail('The profile', REDO);
