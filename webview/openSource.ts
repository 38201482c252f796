/** Which frames the editor can open, and the message that asks the host to open one. */
import type { Frame } from '../src/core/profile';
import type { OpenSourceMessage } from '../src/shared/protocol';

/** A frame of a local file (node:internal modules, http: URLs and the like cannot be opened). */
export function isOpenable(frame: Frame | undefined): frame is Frame & { file: string } {
  if (!frame?.file) return false;
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(frame.file);
}

/** The message opening a frame's source, or undefined when it cannot be opened. */
export function openSourceMessage(frame: Frame | undefined): OpenSourceMessage | undefined {
  return isOpenable(frame)
    ? { type: 'openSource', file: frame.file, line1: frame.line1 ?? 1 }
    : undefined;
}
