/**
 * Whether a path a profile names lies inside the folders Heatlens may read on its own (the
 * workspace folders, for a profile opened from a file). Decided on the real path: a path that
 * climbs out with `..`, or a link inside a folder that points outside it, is outside.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathKey } from '../core/paths';

function under(file: string, root: string): boolean {
  const rel = path.relative(pathKey(root), pathKey(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Whether `file` lies inside one of `roots` (given as real paths), after following links; a file
 * that does not exist is judged by its resolved path.
 */
export async function insideFolders(file: string, roots: readonly string[]): Promise<boolean> {
  const real = await fs.realpath(path.resolve(file)).catch(() => path.resolve(file));
  return roots.some((root) => under(real, root));
}
