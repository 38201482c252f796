/**
 * One parsed source map behind a small wrapper over `@jridgewell/trace-mapping`: parsing with a
 * reason when the map is broken, sources resolved to absolute paths, and lookups in the model's
 * 1-based positions. trace-mapping normalises `sources` (it joins `sourceRoot` and resolves
 * against the map's URL, which can lose path segments); the map's own `sources` and `sourceRoot`
 * are kept beside the normalised ones, so nothing it said is lost. Lines are decoded on demand
 * (mappings.ts), so a 25 MB bundle map costs a parse and one scan, not a million small arrays.
 */
import {
  FlattenMap,
  TraceMap,
  decodedMappings,
  isIgnored,
  presortedDecodedMap,
  traceSegment,
  type SourceMapSegment,
} from '@jridgewell/trace-mapping';
import { col1ToMapCol0, mapCol0ToCol1 } from '../core/positions';
import { fileUrlToPath, pathToFileUrl } from '../util/fileUrl';
import { LazyMappings, MappingsError } from './mappings';

/** A map that cannot be used; the message says what is wrong with it, for a person. */
export class SourceMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceMapError';
  }
}

/** Where a map came from: the generated file it maps, and the map file when it had its own. */
export interface SourceMapOrigin {
  /** The generated (running) file, an absolute path. */
  readonly generatedFile: string;
  /** The map file's absolute path, or undefined for inline maps and maps handed over in memory. */
  readonly mapFile?: string;
}

/** An original position, in the model's bases (1-based line and column). */
export interface OriginalPosition {
  /** Index into the map's `sources`. */
  readonly sourceIndex: number;
  /** The original source: an absolute path, or a URL when the map names one (`webpack://...`). */
  readonly source: string;
  readonly line1: number;
  readonly col1: number;
  /** The original identifier at that position (the map's `names`), when the mapping has one. */
  readonly name: string | null;
  /** The generated column (1-based) of the mapping found: at, before or after the one asked. */
  readonly generatedCol1: number;
}

/** A parsed, validated source map. Create it with {@link parseSourceMap}. */
export class SourceMap {
  /** `sources` exactly as the map wrote them. */
  readonly sources: readonly (string | null)[];
  /** `sourceRoot` exactly as the map wrote it. */
  readonly sourceRoot: string | undefined;
  /** trace-mapping's normalised sources (URLs resolved against the map's location). */
  readonly resolvedSources: readonly string[];
  /** Each source as an absolute path (a URL when it is not a local file), null when unnamed. */
  readonly sourcePaths: readonly (string | null)[];

  constructor(
    private readonly map: TraceMap,
    readonly origin: SourceMapOrigin,
    raw: { sources: readonly (string | null)[]; sourceRoot: string | undefined },
    /** Lines decoded on demand into the map's decoded mappings (see mappings.ts). */
    private readonly lazy?: LazyMappings,
  ) {
    this.sources = raw.sources;
    this.sourceRoot = raw.sourceRoot;
    this.resolvedSources = map.resolvedSources;
    this.sourcePaths = map.resolvedSources.map((resolved, i) =>
      sourcePath(map.sources[i], map.sourceRoot, resolved),
    );
  }

  /**
   * The original position of a generated position (1-based line, 1-based column; null column:
   * unknown). With a column, the closest mapping at or before it on that line (trace-mapping's
   * default bias), else the first one after it on the line (a function whose line maps nothing
   * before its position). Without a column, the first mapping of the line. Null when the line
   * has no mapping to a source.
   */
  originalPosition(line1: number, col1: number | null): OriginalPosition | null {
    if (!(line1 >= 1)) return null;
    if (col1 !== null) {
      const found = this.lookup(line1, col1ToMapCol0(col1), false);
      if (found) return found;
    }
    return this.lookup(line1, col1 !== null ? col1ToMapCol0(col1) : 0, true);
  }

  /**
   * The first original position mapped on a generated line (1-based) at or after a 1-based
   * column (the line's start when null). A V8 line tick knows no column, so the first mapping
   * of the line stands for the whole line; in the line where a function starts, the caller
   * passes the function's column, so that the code before it (another function, in a minified
   * one-line bundle) does not claim the tick; when nothing is mapped after that column, the
   * mapping before it (the function's own) is taken.
   */
  firstPositionOnLine(line1: number, fromCol1: number | null = null): OriginalPosition | null {
    if (!(line1 >= 1)) return null;
    const col0 = col1ToMapCol0(fromCol1);
    return this.lookup(line1, col0, true) ?? (col0 > 0 ? this.lookup(line1, col0, false) : null);
  }

  /** True when the map lists the source in `ignoreList` (third-party code, say its tool). */
  isIgnored(sourceIndex: number): boolean {
    const raw = this.map.sources[sourceIndex];
    return raw != null && isIgnored(this.map, raw);
  }

  private lookup(line1: number, col0: number, after: boolean): OriginalPosition | null {
    // trace-mapping's segment-level API counts lines from 0 (its originalPositionFor from 1).
    const line0 = line1 - 1;
    this.lazy?.ensureLine(line0);
    let seg: Readonly<SourceMapSegment> | null;
    if (after) {
      const segments = decodedMappings(this.map)[line0];
      seg = segments ? atOrAfter(segments, col0) : null;
    } else {
      seg = traceSegment(this.map, line0, col0);
    }
    if (!seg || seg.length === 1) return null;
    const source = this.sourcePaths[seg[1]];
    if (source === null || source === undefined) return null;
    const name = seg.length === 5 ? this.map.names[seg[4]] : null;
    return {
      sourceIndex: seg[1],
      source,
      line1: seg[2] + 1,
      col1: mapCol0ToCol1(seg[3]),
      name: typeof name === 'string' ? name : null,
      generatedCol1: mapCol0ToCol1(seg[0]),
    };
  }
}

/**
 * The segment trace-mapping's LEAST_UPPER_BOUND lookup finds: the first at or after `col0`, or
 * the last of several at exactly `col0` (its upper bound, kept for identical answers).
 */
function atOrAfter(
  segments: readonly Readonly<SourceMapSegment>[],
  col0: number,
): Readonly<SourceMapSegment> | null {
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (segments[mid][0] < col0) low = mid + 1;
    else high = mid;
  }
  if (low === segments.length) return null;
  if (segments[low][0] === col0) {
    while (low + 1 < segments.length && segments[low + 1][0] === col0) low++;
  }
  return segments[low];
}

function isWindowsAbsolute(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]/.test(path);
}

/** A source's absolute path: trace-mapping's resolution, except where it cannot do paths. */
function sourcePath(
  raw: string | null,
  sourceRoot: string | undefined,
  resolved: string,
): string | null {
  if (raw === null || raw === undefined) return null;
  // A Windows path is not a URL: resolve-uri would take `C:\x` for a relative reference.
  if (isWindowsAbsolute(raw)) return raw.replace(/\//g, '\\');
  if (sourceRoot && isWindowsAbsolute(sourceRoot)) {
    return `${sourceRoot.replace(/[\\/]+$/, '')}\\${raw.replace(/\//g, '\\')}`;
  }
  return fileUrlToPath(resolved);
}

/**
 * Parses and validates a source map's JSON text. Throws {@link SourceMapError} with a sentence
 * fragment saying what is wrong (not valid JSON, not a version 3 map, mappings that do not
 * decode or point outside `sources`/`names`). Sectioned (index) maps are flattened.
 */
export function parseSourceMap(text: string, origin: SourceMapOrigin): SourceMap {
  let json: unknown;
  try {
    // A map may start with the XSSI guard `)]}'` (the spec allows it).
    json = JSON.parse(text.startsWith(")]}'") ? text.slice(text.indexOf('\n') + 1) : text);
  } catch {
    // V8's message quotes the text's first bytes, and the file may be anything a profile named.
    throw new SourceMapError('it is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SourceMapError('it is not a JSON object');
  }
  const obj = json as Record<string, unknown>;
  if (obj.version !== undefined && obj.version !== 3) {
    throw new SourceMapError(
      typeof obj.version === 'number'
        ? `it is a version ${obj.version} map; only version 3 is read`
        : 'its "version" is not 3; only version 3 maps are read',
    );
  }
  const mapUrl = pathToFileUrl(origin.mapFile ?? origin.generatedFile);
  const sourceRoot = typeof obj.sourceRoot === 'string' ? obj.sourceRoot : undefined;
  if (Array.isArray(obj.sections)) {
    let map: TraceMap;
    try {
      map = new FlattenMap(obj as never, mapUrl);
    } catch (e) {
      throw new SourceMapError(
        `trace-mapping could not read its sections (${(e as Error).message})`,
      );
    }
    validateMappings(map);
    return new SourceMap(map, origin, { sources: map.sources, sourceRoot });
  }

  const { mappings, sources } = obj;
  const names = obj.names ?? [];
  if (typeof mappings !== 'string') throw new SourceMapError('its "mappings" is not a string');
  if (!Array.isArray(sources) || !sources.every((s) => s === null || typeof s === 'string')) {
    throw new SourceMapError('its "sources" is not a list of names');
  }
  if (!Array.isArray(names)) throw new SourceMapError('its "names" is not an array');
  let lazy: LazyMappings;
  try {
    lazy = new LazyMappings(mappings, sources.length, names.length);
  } catch (e) {
    if (e instanceof MappingsError) throw new SourceMapError(e.message);
    throw e;
  }
  const fields = {
    version: 3 as const,
    file: typeof obj.file === 'string' ? obj.file : undefined,
    names: names as string[],
    sourceRoot,
    sources: sources as (string | null)[],
    // `sourcesContent` is left out: nothing here shows sources from the map, and in a bundle's
    // map it is most of the bytes (19 of 25 MB in the benchmark's), kept alive with the map.
    ignoreList: (Array.isArray(obj.ignoreList)
      ? obj.ignoreList
      : Array.isArray(obj.x_google_ignoreList)
        ? obj.x_google_ignoreList
        : undefined) as number[] | undefined,
  };
  const map = presortedDecodedMap({ ...fields, mappings: lazy.lines }, mapUrl);
  if (decodedMappings(map) !== lazy.lines) {
    // A trace-mapping that copies the lines it is given cannot see lines decoded later: let it
    // decode everything itself (the mappings are already validated).
    return new SourceMap(new TraceMap({ ...fields, mappings }, mapUrl), origin, {
      sources: fields.sources,
      sourceRoot,
    });
  }
  return new SourceMap(map, origin, { sources: fields.sources, sourceRoot }, lazy);
}

/**
 * Checks every segment of an already decoded map (a flattened sectioned map) points inside
 * `sources` and `names`: the codec does not throw on garbage, it yields wild indices.
 */
function validateMappings(map: TraceMap): void {
  let lines: Readonly<ReturnType<typeof decodedMappings>>;
  try {
    lines = decodedMappings(map);
  } catch (e) {
    throw new SourceMapError(`its "mappings" does not decode (${(e as Error).message})`);
  }
  const sourceCount = map.sources.length;
  const nameCount = map.names.length;
  for (let l = 0; l < lines.length; l++) {
    const segments = lines[l];
    for (let s = 0; s < segments.length; s++) {
      const seg = segments[s];
      const n = seg.length;
      if (n === 1) {
        if (!(seg[0] >= 0)) throw badSegment(l, seg);
        continue;
      }
      if (n !== 4 && n !== 5) throw badSegment(l, seg);
      const src = seg[1] as number;
      if (
        !(seg[0] >= 0) ||
        !(src >= 0 && src < sourceCount) ||
        !(seg[2]! >= 0) ||
        !(seg[3]! >= 0)
      ) {
        throw badSegment(l, seg);
      }
      if (n === 5 && !(seg[4]! >= 0 && seg[4]! < nameCount)) throw badSegment(l, seg);
    }
  }
}

function badSegment(line0: number, seg: readonly number[]): SourceMapError {
  return new SourceMapError(
    `its "mappings" has an invalid segment on generated line ${line0 + 1} ([${seg.join(', ')}]: ` +
      'a negative position or an index outside "sources" or "names")',
  );
}
