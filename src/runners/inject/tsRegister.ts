/**
 * Heatlens's TypeScript loader, preloaded into the profiled program (`node -r tsRegister.js`, with
 * `--import esmEntry.js` when the entry file is an ES module). It runs TypeScript without a build
 * step:
 * - CommonJS: `require.extensions` for .ts/.cts/.mts/.tsx, compiled by sucrase (types stripped,
 *   `import`/`export` rewritten to `require`/`exports`, lines kept), and `require('./dep.js')`
 *   falling back to `dep.ts`, as TypeScript code writes it.
 * - ES modules: resolve/load hooks (../tsModuleHooks.ts). Node >= 22.15 runs them on the main
 *   thread (`module.registerHooks`), at no measurable cost. Node 20.6+ runs them on a loader
 *   thread (`module.register`, tsHooks.js), whose start blocked the main thread for 100-500 ms on
 *   Node 20 (a third of a short program's profile), so there a CommonJS program gets them only
 *   when it can reach an ES module: before the first TypeScript file containing `import(` runs.
 * Every transformed file's source map goes to the folder in HEATLENS_MAP_DIR for the runner. The
 * compiler itself (tsCompiler.js) is loaded only when the transform cache in HEATLENS_TS_CACHE
 * has nothing for a file as it is now (../tsTransformCache.ts).
 */
import './childGuard';

import Module from 'node:module';
import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { recordGeneratedMap } from '../generatedMaps';
import { loaderTransform } from '../tsLoaderTransform';
import { loadSync, resolveSync } from '../tsModuleHooks';
import { typeScriptCandidates, typeScriptExtensions } from '../tsResolve';
import { formatSyntaxErrorReport, isTypeScriptSyntaxError } from '../tsSyntaxError';

interface CompilableModule {
  id: string;
  _compile(code: string, filename: string): void;
}
interface ModuleInternals {
  _extensions: Record<string, (module: CompilableModule, filename: string) => void>;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  register?: (specifier: string, parentURL?: string) => void;
  registerHooks?: (hooks: { resolve: typeof resolveSync; load: typeof loadSync }) => unknown;
}

const loaderState = globalThis as { __heatlensTypeScript?: boolean };

if (!loaderState.__heatlensTypeScript) {
  // Once per process, however many times the preload is named.
  loaderState.__heatlensTypeScript = true;
  const internals = Module as unknown as ModuleInternals;
  // `--import` (or a loader) makes Node start the entry in its ES module loader: hooks needed.
  const startsInEsmLoader = process.execArgv.some((arg) =>
    /^--(?:import|experimental-loader|loader)(?:=|$)/.test(arg),
  );

  const compile = (module: CompilableModule, filename: string): void => {
    let source = readFileSync(filename, 'utf8');
    if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
    let out;
    try {
      out = loaderTransform(source, filename, 'commonjs');
    } catch (error) {
      // In the entry file nothing of the program has run yet: report it as Node reports a
      // JavaScript syntax error and end the same way, instead of a trace through this loader.
      if (!isTypeScriptSyntaxError(error) || module.id !== '.') throw error;
      writeSync(2, `${formatSyntaxErrorReport(error, source)}\nNode.js ${process.version}\n`);
      process.exit(1);
    }
    recordGeneratedMap(filename, out.map);
    if (/\bimport\s*\(/.test(source)) registerHooks();
    module._compile(out.code, filename);
  };
  let hooksRegistered = false;
  const registerHooks = (): void => {
    if (hooksRegistered) return;
    hooksRegistered = true;
    if (typeof internals.registerHooks === 'function') {
      internals.registerHooks({ resolve: resolveSync, load: loadSync });
    } else if (typeof internals.register === 'function') {
      internals.register(pathToFileURL(join(__dirname, 'tsHooks.js')).href);
    } else if (startsInEsmLoader) {
      process.stderr.write(
        `Heatlens: TypeScript ES modules need Node.js 20.6 or newer (this is ${process.version}); ` +
          'CommonJS TypeScript works on older versions.\n',
      );
    }
  };
  for (const ext of typeScriptExtensions) internals._extensions[ext] = compile;

  const resolveFilename = internals._resolveFilename;
  internals._resolveFilename = function (request, parent, isMain, options) {
    try {
      return resolveFilename.call(this, request, parent, isMain, options);
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
      for (const candidate of typeScriptCandidates(request)) {
        try {
          return resolveFilename.call(this, candidate, parent, isMain, options);
        } catch {
          // Not this one either: try the next, then report the name the code wrote.
        }
      }
      throw error;
    }
  };

  if (startsInEsmLoader || typeof internals.registerHooks === 'function') registerHooks();
}
