/**
 * TypeScript to JavaScript for the profiled program, without a build step: sucrase strips the
 * types (and, for CommonJS, rewrites `import`/`export` to `require`/`exports`) while keeping every
 * statement on its original line, so profiles and stack traces land on the TypeScript lines even
 * before the source map is applied. Bundled into the injected helpers (src/runners/inject), never
 * into the extension.
 */
import { transform, type Transform } from 'sucrase';
import { basename } from 'node:path';

/** Which module system the transformed code is for. */
export type ModuleFormat = 'commonjs' | 'module';

/** The extensions this loader takes over. */
export const typeScriptExtensions = ['.ts', '.cts', '.mts', '.tsx'] as const;

/** Whether `path` names a TypeScript file we transform. */
export function isTypeScriptPath(path: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/i.test(path) && !/\.d\.[cm]?ts$/i.test(path);
}

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

/** A TypeScript syntax error, named after the file and position like V8 names its own. */
export class TypeScriptSyntaxError extends SyntaxError {
  /** What is wrong, without the position ("Unexpected token, expected \",\""). */
  declare readonly detail: string;
  declare readonly file: string;
  /** 1-based position, when sucrase gave one. */
  declare readonly line1: number | undefined;
  declare readonly col1: number | undefined;

  constructor(detail: string, file: string, line1?: number, col1?: number) {
    super(`${file}${line1 ? `:${line1}:${col1}` : ''}: ${detail} (TypeScript could not be parsed)`);
    this.name = 'SyntaxError';
    // The loader's own frames say nothing to the person; point at the TypeScript instead.
    this.stack = `SyntaxError: ${this.message}\n    at ${file}${line1 ? `:${line1}:${col1}` : ''}`;
    // Not enumerable, so that Node's report of an uncaught error does not list them.
    for (const [key, value] of Object.entries({ detail, file, line1, col1 })) {
      Object.defineProperty(this, key, { value, enumerable: false });
    }
  }
}

/**
 * Node's own layout for a syntax error in the entry file ("file:line", the line, a caret, the
 * error): printed by the loader instead of a stack trace through the loader's internals.
 */
export function formatSyntaxErrorReport(error: TypeScriptSyntaxError, source: string): string {
  const lines: string[] = [];
  if (error.line1) {
    const text = source.split(/\r?\n/)[error.line1 - 1] ?? '';
    lines.push(
      `${error.file}:${error.line1}`,
      text,
      `${' '.repeat(Math.max(0, (error.col1 ?? 1) - 1))}^`,
      '',
    );
  } else lines.push(error.file, '');
  lines.push(`SyntaxError: ${error.detail} (TypeScript could not be parsed)`);
  return `${lines.join('\n')}\n`;
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
