/**
 * The TypeScript ES module hooks for `module.register` (Node 20.6 to 22.14, which lack
 * `module.registerHooks`): registered by tsRegister.js, run on Node's loader thread. The logic
 * lives in ../tsModuleHooks.ts.
 */
import {
  isNotFound,
  loadTypeScript,
  resolveCandidates,
  type LoadResult,
  type ResolveResult,
} from '../tsModuleHooks';

/** Node's resolve hook: the written name first, then TypeScript's names for it. */
export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context?: unknown) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    for (const candidate of resolveCandidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // Not this one either.
      }
    }
    throw error;
  }
}

/** Node's load hook: TypeScript compiled here, everything else left to Node. */
export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context?: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  return loadTypeScript(url) ?? nextLoad(url, context);
}
