/**
 * TypeScript's import convention: code says `import './dep.js'` and the file on disk is `dep.ts`
 * (likewise `.mjs` -> `.mts`, `.cjs` -> `.cts`, `.jsx` -> `.tsx`). Node resolves the written name
 * only; when that fails, the loaders retry with these candidates.
 */

/** The extensions the TypeScript loader takes over. */
export const typeScriptExtensions = ['.ts', '.cts', '.mts', '.tsx'] as const;

/** Whether `path` names a TypeScript file the loader transforms (not a declaration file). */
export function isTypeScriptPath(path: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/i.test(path) && !/\.d\.[cm]?ts$/i.test(path);
}

/** Whether a specifier names a file by path (relative, absolute or `file:` URL), not a package. */
export function isPathSpecifier(specifier: string): boolean {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('/') ||
    /^file:/i.test(specifier) ||
    /^[A-Za-z]:[\\/]/.test(specifier) ||
    specifier.startsWith('.\\') ||
    specifier.startsWith('..\\')
  );
}

const swaps: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/\.js$/, ['.ts', '.tsx']],
  [/\.mjs$/, ['.mts']],
  [/\.cjs$/, ['.cts']],
  [/\.jsx$/, ['.tsx']],
];

/**
 * Other names to try, in order, for a path specifier that did not resolve. With `extensionless`
 * (ES modules, where Node adds no extensions itself) `./dep` also tries `./dep.ts`, `./dep.tsx`
 * and `./dep/index.ts`, as TypeScript's bundler resolution allows.
 */
export function typeScriptCandidates(specifier: string, extensionless = false): string[] {
  if (!isPathSpecifier(specifier)) return [];
  const cut = specifier.search(/[?#]/);
  const path = cut < 0 ? specifier : specifier.slice(0, cut);
  const suffix = cut < 0 ? '' : specifier.slice(cut);
  for (const [pattern, replacements] of swaps) {
    if (pattern.test(path)) return replacements.map((ext) => path.replace(pattern, ext) + suffix);
  }
  if (!extensionless) return [];
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (/\.[cm]?tsx?$/i.test(last)) return [];
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  const candidates = [];
  if (!path.endsWith('/') && last !== '.' && last !== '..') {
    candidates.push(`${base}.ts`, `${base}.tsx`);
  }
  candidates.push(`${base}/index.ts`, `${base}/index.tsx`);
  return candidates.map((c) => c + suffix);
}
