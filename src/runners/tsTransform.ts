/**
 * TypeScript to JavaScript for the profiled program, without a build step: sucrase strips the
 * types (and, for CommonJS, rewrites `import`/`export` to `require`/`exports`) while keeping every
 * statement on its original line, so profiles and stack traces land on the TypeScript lines even
 * before the source map is applied. Bundled into the injected compiler (inject/tsCompiler.ts),
 * which the loader loads only when its cache has no up-to-date output (tsTransformCache.ts); never
 * into the extension.
 */
import { transform, type Transform } from 'sucrase';
import { basename } from 'node:path';

import { TypeScriptSyntaxError } from './tsSyntaxError';

/** Which module system the transformed code is for. */
export type ModuleFormat = 'commonjs' | 'module';

/**
 * Assembled at run time: a literal `//# sourceMappingURL=` at the start of a line of the bundled
 * loader would be taken for the loader's own map comment (by Node's --enable-source-maps and by
 * our remapper, which then warned about a broken map for tsRegister.js).
 */
const sourceMappingComment = ['//', '# sourceMappingURL='].join('');

/** Transformed code and its source map (raw JSON text). */
export interface TransformedTypeScript {
  /** JavaScript with an inline `sourceMappingURL`, for Node's own `--enable-source-maps`. */
  readonly code: string;
  /** The map as JSON; `sources` is the file's base name, relative to the file itself. */
  readonly map: string;
}

/**
 * Transforms one TypeScript file. `path` is absolute: it names the file in errors. Throws
 * {@link TypeScriptSyntaxError} on code sucrase cannot parse.
 */
export function transformTypeScript(
  source: string,
  path: string,
  format: ModuleFormat,
): TransformedTypeScript {
  const transforms: Transform[] = ['typescript'];
  if (format === 'commonjs') transforms.push('imports');
  if (/\.tsx$/i.test(path)) transforms.push('jsx');
  let result;
  try {
    result = transform(source, {
      transforms,
      filePath: path,
      sourceMapOptions: { compiledFilename: basename(path) },
      // Node runs modern syntax natively: fewer rewrites keep columns closer to the source.
      disableESTransforms: true,
      // `import()` in CommonJS stays a real dynamic import, as TypeScript's node16/nodenext emit
      // it, so CommonJS TypeScript can still load ES modules.
      preserveDynamicImport: true,
      // `import x = require('y')` in an ES module: what TypeScript emits for module nodenext.
      injectCreateRequireForImportRequire: format === 'module',
    });
  } catch (error) {
    // sucrase says "Error transforming /a/b.ts: Unexpected token (3:5)", 1-based line and column.
    let what = error instanceof Error ? error.message : String(error);
    const prefix = `Error transforming ${path}: `;
    if (what.startsWith(prefix)) what = what.slice(prefix.length);
    const where = /\s*\((\d+):(\d+)\)$/.exec(what);
    if (where) what = what.slice(0, where.index);
    throw new TypeScriptSyntaxError(
      what,
      path,
      where ? Number(where[1]) : undefined,
      where ? Number(where[2]) : undefined,
    );
  }
  const map = result.sourceMap ?? {
    version: 3,
    file: basename(path),
    sources: [],
    names: [],
    mappings: '',
  };
  // Sources relative to the file itself: the map describes the file in place, and a relative
  // name survives Windows paths, which source-map resolvers would read as URL schemes.
  const mapText = JSON.stringify({ ...map, sources: [basename(path)] });
  const inline = Buffer.from(mapText, 'utf8').toString('base64');
  return {
    code: `${result.code}\n${sourceMappingComment}data:application/json;charset=utf-8;base64,${inline}\n`,
    map: mapText,
  };
}
