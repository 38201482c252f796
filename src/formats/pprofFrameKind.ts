/**
 * The kind of a pprof frame (pprof.ts): Go functions by package, native code by folder, the rest
 * by the JavaScript and Python classifiers (foreignFrame.ts). See pprof.ts's module comment.
 */
import type { FrameKind } from '../core/profile';
import { guessFrameKind } from './foreignFrame';

// Go package paths: the runtime's own, and files of a module cache or vendor folder.
const GO_RUNTIME = /^(?:runtime|runtime\/internal\/.*|internal\/runtime\/.*)$/;
const GO_LIBRARY_FILE = /[\\/]pkg[\\/]mod[\\/]|[\\/]vendor[\\/]/;
// Native code the user did not write: system folders, Rust's toolchain and crate registry.
const NATIVE_LIBRARY_FILE =
  /^\/(?:usr|lib|lib64|opt|System|Library)\/|^\/rustc\/|[\\/]\.cargo[\\/]registry[\\/]|[\\/]\.rustup[\\/]/;

/** The import path of a Go function name: `github.com/a/b.(*T).M` -> `github.com/a/b`. */
function goPackage(name: string): string {
  const plain = name.replace(/\[.*$/, ''); // generic instantiations: `main.F[...]`
  const slash = plain.lastIndexOf('/');
  const dot = plain.indexOf('.', slash + 1);
  return dot < 0 ? '' : plain.slice(0, dot);
}

function goKind(name: string, file: string | null): FrameKind {
  const pkg = goPackage(name);
  if (GO_RUNTIME.test(pkg)) return 'runtime';
  if (file && GO_LIBRARY_FILE.test(file)) return 'library';
  const firstElement = pkg.split('/')[0];
  // The standard library's import paths have no dot in their first element, and its files sit
  // under GOROOT/src/<import path>/ (or <import path>/ with -trimpath). `main` is the user's.
  if (pkg && pkg !== 'main' && !firstElement.includes('.')) {
    const normal = file?.replace(/\\/g, '/') ?? '';
    if (!file || normal.includes(`/src/${pkg}/`) || normal.startsWith(`${pkg}/`)) {
      return 'library';
    }
  }
  return 'user';
}

/** The kind of a pprof frame; see the module comment. */
export function frameKind(name: string, file: string | null): FrameKind {
  if (file?.endsWith('.go')) return goKind(name, file);
  if (file && NATIVE_LIBRARY_FILE.test(file) && !/\.(?:py[wic]?|[cm]?[jt]sx?)$/.test(file)) {
    return 'library';
  }
  if (!file && !/^\(.*\)$/.test(name)) return 'runtime';
  return guessFrameKind(name, file, null);
}
