import type { FrameKind } from './profile';

/**
 * Classifies a JavaScript frame by its URL and name: V8 pseudo frames such as `(program)`,
 * runtime frames (Node's own `node:` modules and engine built-ins without a URL), library code
 * (anything under node_modules), and the user's code.
 */
export function classifyJsFrame(name: string, url: string, line0: number): FrameKind {
  if (!url && line0 < 0 && /^\(.*\)$/.test(name)) return 'pseudo';
  if (!url || url.startsWith('node:') || url.startsWith('internal/')) return 'runtime';
  if (/[\\/]node_modules[\\/]/.test(url)) return 'library';
  return 'user';
}
