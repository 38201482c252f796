/**
 * Transformed TypeScript kept on disk between runs, so that a run of files unchanged since an
 * earlier run never loads the compiler. sucrase is 680 KB of JavaScript: loading it before the
 * program's first line took 190-260 ms of every TypeScript run on a loaded 2-core machine (plain
 * `node -e 0` took 330 ms there), and the first transform another 30-80 ms for its JIT.
 *
 * Runs inside the profiled program (the CommonJS loader and the ES module hooks). One entry per
 * file, module format and compiler build, named by a hash of those; an entry holds the source it
 * was made from and is used only when that is exactly the source now read, so an edit is never
 * missed and the cache never grows beyond one entry per TypeScript file run. The folder comes
 * from the runner ({@link transformCacheEnv}); without it nothing is cached. Any failure to read
 * or write the cache only means compiling as before.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { ModuleFormat, TransformedTypeScript } from './tsTransform';

/** The environment variable naming the cache folder. */
export const transformCacheEnv = 'HEATLENS_TS_CACHE';

/** The compiler's entry point: `transformTypeScript` of tsTransform.ts. */
export type TypeScriptCompiler = (
  source: string,
  path: string,
  format: ModuleFormat,
) => TransformedTypeScript;

/** Where the cache is and how to get the compiler when it is needed. */
export interface TransformCacheOptions {
  /** The cache folder (created on the first write); undefined: no cache. */
  dir: string | undefined;
  /** The compiler's bundle: its size and time identify the compiler build in entry names. */
  compilerFile: string;
  /** Loads the compiler (default: `require(compilerFile).transformTypeScript`). */
  load?: () => TypeScriptCompiler;
}

/** What an entry holds. */
interface Entry {
  compiler: string;
  path: string;
  format: ModuleFormat;
  source: string;
  code: string;
  map: string;
}

/** 32-bit FNV-1a of `text` from `seed`, as 8 hex digits. */
function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The entry's file name: 64 bits of hash of what it is for (a clash only costs a compile). */
function entryName(id: string, format: ModuleFormat, path: string): string {
  const key = `${id}\0${format}\0${path}`;
  return `${fnv1a(key, 0x811c9dc5)}${fnv1a(key, 0x050c5d1f)}.json`;
}

/** A TypeScript transform that looks in the cache first and loads the compiler on a miss only. */
export class TransformCache {
  private compiler: TypeScriptCompiler | undefined;
  private compilerId: string | undefined;
  private madeDir = false;

  constructor(private readonly options: TransformCacheOptions) {}

  /** Whether the compiler has been loaded (a miss happened). */
  get compilerLoaded(): boolean {
    return this.compiler !== undefined;
  }

  /** The transformed file, from the cache when its entry was made from this very source. */
  transform(source: string, path: string, format: ModuleFormat): TransformedTypeScript {
    const dir = this.options.dir;
    const id = dir ? this.id() : undefined;
    const file = dir && id ? join(dir, entryName(id, format, path)) : undefined;
    if (file) {
      const hit = this.read(file, id!, path, format, source);
      if (hit) return hit;
    }
    // Syntax errors are thrown from here, as without a cache; nothing is written for them.
    const out = this.compile()(source, path, format);
    if (file)
      this.write(file, { compiler: id!, path, format, source, code: out.code, map: out.map });
    return out;
  }

  private id(): string | undefined {
    if (this.compilerId === undefined) {
      try {
        const s = statSync(this.options.compilerFile);
        this.compilerId = `${s.size}-${s.mtimeMs}`;
      } catch {
        this.compilerId = '';
      }
    }
    return this.compilerId || undefined;
  }

  private compile(): TypeScriptCompiler {
    if (!this.compiler) {
      const load =
        this.options.load ??
        // Loaded at run time: the compiler is a bundle of its own, needed only on a miss.
        (() =>
          (
            createRequire(this.options.compilerFile)(this.options.compilerFile) as {
              transformTypeScript: TypeScriptCompiler;
            }
          ).transformTypeScript);
      this.compiler = load();
    }
    return this.compiler;
  }

  private read(
    file: string,
    id: string,
    path: string,
    format: ModuleFormat,
    source: string,
  ): TransformedTypeScript | undefined {
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<Entry>;
      if (
        entry.source === source &&
        entry.path === path &&
        entry.format === format &&
        entry.compiler === id &&
        typeof entry.code === 'string' &&
        typeof entry.map === 'string'
      ) {
        return { code: entry.code, map: entry.map };
      }
    } catch {
      // No entry yet, or an unreadable one: compile.
    }
    return undefined;
  }

  private write(file: string, entry: Entry): void {
    const dir = this.options.dir!;
    try {
      if (!this.madeDir) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        this.madeDir = true;
      }
      // Whole or not at all: written aside, then renamed over the old entry.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      // A read-only or full disk: the next run compiles again.
    }
  }
}
