/**
 * Finds and parses the source map of a generated script, once per script, through the host's
 * file reading (this layer does no I/O of its own). The order, as debuggers do it:
 *
 * 1. a map handed over in memory (`maps`, keyed by generated file path: the runner's transpiled
 *    TypeScript, say);
 * 2. the script's last `//# sourceMappingURL=` comment: an inline `data:` URL, or a relative or
 *    absolute path or `file://` URL, resolved against the script's own location;
 * 3. `<script>.map` beside the script.
 *
 * A broken map (bad JSON, bad mappings, a file the comment names that cannot be read) yields one
 * warning naming the script and what is wrong, and no map: results stay on the generated code.
 * A script without any map is silent. Warnings never quote what a file holds: a profile may name
 * any file as a script or a map, and its first bytes must not reach a message.
 */
import { fileUrlToPath, pathToFileUrl } from '../util/fileUrl';
import { decodeDataUrl, isDataUrl } from './dataUrl';
import { findSourceMappingUrl, isAbsoluteLocalPath } from './locate';
import type { SourceMapHost } from './host';
import { SourceMap, SourceMapError, parseSourceMap } from './sourceMap';

const WHAT_TO_DO =
  'Results for it stay on the generated code; rebuild it with source maps to fix this.';

/** Loads source maps for generated scripts, caching one parsed map (or its absence) per script. */
export class SourceMapLoader {
  private readonly cache = new Map<string, Promise<SourceMap | undefined>>();
  private readonly warned: string[] = [];

  constructor(
    private readonly host: SourceMapHost,
    private readonly maps: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Warnings so far, one per broken map, in the order they were found. */
  get warnings(): readonly string[] {
    return this.warned;
  }

  /** The map of `generatedFile` (an absolute path), or undefined when it has none or a broken one. */
  load(generatedFile: string): Promise<SourceMap | undefined> {
    let pending = this.cache.get(generatedFile);
    if (!pending) {
      pending = this.find(generatedFile);
      this.cache.set(generatedFile, pending);
    }
    return pending;
  }

  private async find(generatedFile: string): Promise<SourceMap | undefined> {
    const given = this.maps.get(generatedFile);
    if (given !== undefined)
      return this.parse(given, { generatedFile }, 'the source map given for it');

    const script = await this.read(generatedFile);
    if (script === undefined) return undefined;
    const url = findSourceMappingUrl(script);
    if (url === undefined) {
      // No comment: a map beside the script is a convention, not a promise; its absence is fine.
      const besideFile = `${generatedFile}.map`;
      const beside = await this.read(besideFile);
      return beside === undefined
        ? undefined
        : this.parse(
            beside,
            { generatedFile, mapFile: besideFile },
            `its source map ${besideFile}`,
          );
    }
    if (isDataUrl(url)) {
      let text: string;
      try {
        text = decodeDataUrl(url);
      } catch (e) {
        this.warn(
          generatedFile,
          `its inline source map cannot be decoded: ${(e as Error).message}`,
        );
        return undefined;
      }
      return this.parse(text, { generatedFile }, 'its inline source map');
    }
    const mapFile = resolveReference(url, generatedFile);
    if (mapFile === undefined) {
      this.warn(
        generatedFile,
        `its sourceMappingURL comment names ${JSON.stringify(url)}, which is not a local file`,
      );
      return undefined;
    }
    const text = await this.read(mapFile);
    if (text === undefined) {
      const why = this.host.whyNot?.(mapFile) ?? 'cannot be read';
      this.warn(generatedFile, `its sourceMappingURL comment names ${mapFile}, which ${why}`);
      return undefined;
    }
    return this.parse(text, { generatedFile, mapFile }, `its source map ${mapFile}`);
  }

  private parse(
    text: string,
    origin: { generatedFile: string; mapFile?: string },
    what: string,
  ): SourceMap | undefined {
    try {
      return parseSourceMap(text, origin);
    } catch (e) {
      if (!(e instanceof SourceMapError)) throw e;
      this.warn(origin.generatedFile, `${what} is broken: ${e.message}`);
      return undefined;
    }
  }

  private async read(path: string): Promise<string | undefined> {
    try {
      return await this.host.readFile(path);
    } catch {
      // A host that throws instead of answering undefined: the file is as good as missing.
      return undefined;
    }
  }

  private warn(generatedFile: string, problem: string): void {
    this.warned.push(`Source map of ${generatedFile}: ${problem}. ${WHAT_TO_DO}`);
  }
}

/**
 * The absolute path a sourceMappingURL names, resolved against the script's location; undefined
 * for URLs that are not local files (http:, and the like).
 */
export function resolveReference(url: string, generatedFile: string): string | undefined {
  // Windows paths are not URLs, but tools write them (`C:\out\app.js.map`).
  if (/^[A-Za-z]:[\\/]/.test(url) || /^\\\\[^\\]/.test(url)) return url;
  let resolved: URL;
  try {
    resolved = new URL(url, pathToFileUrl(generatedFile));
  } catch {
    return undefined;
  }
  if (resolved.protocol !== 'file:') return undefined;
  const path = fileUrlToPath(resolved.href);
  return isAbsoluteLocalPath(path) ? path : undefined;
}
