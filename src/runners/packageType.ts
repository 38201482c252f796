/**
 * Node's rule for what a `.js`/`.ts` file is: the `"type"` of the nearest package.json up the tree
 * (`"module"` makes it an ES module, anything else CommonJS). `.mts`/`.mjs` are always ES
 * modules, `.cts`/`.cjs` always CommonJS.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { ModuleFormat } from './tsTransform';

const typeByFolder = new Map<string, ModuleFormat>();

/** The `"type"` of the package.json nearest to `folder` (inclusive), as a module format. */
export function packageTypeOf(folder: string): ModuleFormat {
  const seen: string[] = [];
  let format: ModuleFormat = 'commonjs';
  for (let dir = folder; ;) {
    const cached = typeByFolder.get(dir);
    if (cached) {
      format = cached;
      break;
    }
    seen.push(dir);
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined; // No package.json here: keep walking up.
    }
    if (text !== undefined) {
      try {
        format = (JSON.parse(text) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        format = 'commonjs'; // Node itself fails on a broken package.json; the program will say.
      }
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const dir of seen) typeByFolder.set(dir, format);
  return format;
}

/** The module format Node gives the file at `path` (absolute), by extension, then package type. */
export function moduleFormatOf(path: string): ModuleFormat {
  if (/\.m[jt]s$/i.test(path)) return 'module';
  if (/\.c[jt]s$/i.test(path)) return 'commonjs';
  return packageTypeOf(dirname(path));
}
