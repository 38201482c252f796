/**
 * Stable colors: every frame of the same package (or, for the user's code, the same file) gets the
 * same hue in every profile and every session, so the eye learns them. The theme decides
 * lightness and saturation (see the renderer); this module decides only the hue.
 */
import type { Frame } from '../../src/core/profile';

/** What a frame's color is keyed on: its package for libraries, its file for the user's code. */
export function colorKey(frame: Frame): string {
  if (frame.kind === 'pseudo') return '(pseudo)';
  const file = frame.file ?? '';
  // The last node_modules segment names the package that owns the code (@scope/name or name).
  const nm = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/g;
  let last: string | undefined;
  for (let m = nm.exec(file); m; m = nm.exec(file)) last = m[1];
  if (last) return last.replace(/\\/g, '/');
  const sp = /[\\/](?:site|dist)-packages[\\/]([^\\/]+)/.exec(file);
  if (sp) return sp[1].replace(/\.py$/, '');
  if (frame.kind === 'runtime') return file.startsWith('node:') ? 'node:' : '(runtime)';
  return file || frame.name;
}

/** FNV-1a, a small stable string hash. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A hue in degrees [0, 360) for a frame. */
export function frameHue(frame: Frame): number {
  return hashString(colorKey(frame)) % 360;
}
