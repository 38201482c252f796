/**
 * The transform the TypeScript loader uses inside the profiled program: through the cache of
 * tsTransformCache.ts, with the compiler's bundle (tsCompiler.js) loaded from beside the loader's
 * own bundle on the first miss only.
 */
import { join } from 'node:path';

import type { ModuleFormat, TransformedTypeScript } from './tsTransform';
import { TransformCache, transformCacheEnv } from './tsTransformCache';

let cache: TransformCache | undefined;

/** Transforms one TypeScript file for the loader; see tsTransform.ts for what it makes. */
export function loaderTransform(
  source: string,
  path: string,
  format: ModuleFormat,
): TransformedTypeScript {
  cache ??= new TransformCache({
    dir: process.env[transformCacheEnv] || undefined,
    compilerFile: join(__dirname, 'tsCompiler.js'),
  });
  return cache.transform(source, path, format);
}
