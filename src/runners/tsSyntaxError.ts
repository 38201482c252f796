/**
 * TypeScript syntax errors as the TypeScript loader reports them. Kept apart from the compiler
 * (tsTransform.ts) so that the loader can report them without loading the compiler: an error
 * comes from the compiler's own bundle (inject/tsCompiler.js), so the loader recognises it by its
 * shape ({@link isTypeScriptSyntaxError}), not by `instanceof` of its own copy of the class.
 */

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

/** Whether `error` is a {@link TypeScriptSyntaxError}, from whichever bundle it came. */
export function isTypeScriptSyntaxError(error: unknown): error is TypeScriptSyntaxError {
  return (
    error instanceof SyntaxError &&
    typeof (error as Partial<TypeScriptSyntaxError>).detail === 'string' &&
    typeof (error as Partial<TypeScriptSyntaxError>).file === 'string'
  );
}
