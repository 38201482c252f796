/**
 * Where the scripts the runners inject into profiled programs live (built from
 * src/runners/inject to dist/inject by scripts/build.mjs), and where the TypeScript loader among
 * them keeps its cache.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** One file every helper build contains, used to recognise the folder. */
const marker = 'childGuard.js';

/**
 * The helpers folder for the running code: `inject/` next to the bundle (dist/extension.js,
 * dist/cli.js), or, from a built test in out/ or anything else inside the repository, the
 * `dist/inject` of the nearest folder holding package.json. When neither exists the guess next
 * to the bundle is returned, and the runner names it in its error.
 */
export function defaultHelpersDir(): string {
  const besideBundle = join(__dirname, 'inject');
  if (existsSync(join(besideBundle, marker))) return besideBundle;
  for (let dir = __dirname; ;) {
    if (existsSync(join(dir, 'package.json'))) {
      const built = join(dir, 'dist', 'inject');
      if (existsSync(join(built, marker))) return built;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return besideBundle;
}

/**
 * The default folder of the TypeScript loader's transform cache: the user's cache folder
 * (`$XDG_CACHE_HOME` or `~/.cache`; `%LOCALAPPDATA%` on Windows), under `heatlens/typescript`.
 */
export function defaultTransformCacheDir(): string {
  const base =
    process.platform === 'win32'
      ? process.env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local')
      : process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'heatlens', 'typescript');
}
