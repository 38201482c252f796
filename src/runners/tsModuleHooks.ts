/**
 * The ES module hooks for TypeScript, as plain functions shared by both ways of installing them:
 * `module.registerHooks` (Node >= 22.15, synchronous, on the main thread: no extra cost) and
 * `module.register` (Node >= 20.6, asynchronous, on a loader thread: inject/tsHooks.ts).
 *
 * `resolve` maps `./dep.js` to `./dep.ts` when only the TypeScript file exists (also `./dep` to
 * `./dep.ts` or `./dep/index.ts`); `load` compiles .ts/.mts/.cts/.tsx with sucrase (through the
 * loader's cache, tsLoaderTransform.ts): as an ES
 * module for .mts and for .ts in a `"type": "module"` package, as CommonJS otherwise, and hands
 * the source map to the runner.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { recordGeneratedMap } from './generatedMaps';
import { moduleFormatOf } from './packageType';
import { loaderTransform } from './tsLoaderTransform';
import { isTypeScriptPath, typeScriptCandidates } from './tsResolve';

/** What a resolve hook returns. */
export interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}

/** What a load hook returns. */
export interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

const notFoundCodes = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT']);

/** Whether a resolve failure means "no such file", after which TypeScript names are tried. */
export function isNotFound(error: unknown): boolean {
  return notFoundCodes.has((error as { code?: string } | null)?.code ?? '');
}

/** Other specifiers to try after `specifier` was not found. */
export function resolveCandidates(specifier: string): string[] {
  return typeScriptCandidates(specifier, true);
}

/** The compiled module for a TypeScript `file:` URL, or undefined for anything else. */
export function loadTypeScript(url: string): LoadResult | undefined {
  if (!/^file:/i.test(url)) return undefined;
  const path = fileURLToPath(url);
  if (!isTypeScriptPath(path)) return undefined;
  const format = moduleFormatOf(path);
  let source = readFileSync(path, 'utf8');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const out = loaderTransform(source, path, format);
  recordGeneratedMap(path, out.map);
  return { format, source: out.code, shortCircuit: true };
}

/** Synchronous resolve hook (`module.registerHooks`). */
export function resolveSync(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context?: unknown) => ResolveResult,
): ResolveResult {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    for (const candidate of resolveCandidates(specifier)) {
      try {
        return nextResolve(candidate, context);
      } catch {
        // Not this one either.
      }
    }
    throw error;
  }
}

/** Synchronous load hook (`module.registerHooks`). */
export function loadSync(
  url: string,
  context: unknown,
  nextLoad: (url: string, context?: unknown) => LoadResult,
): LoadResult {
  return loadTypeScript(url) ?? nextLoad(url, context);
}
