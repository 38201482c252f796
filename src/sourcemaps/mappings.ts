/**
 * Lazy decoding of a source map's `mappings`, with validation.
 *
 * Why: trace-mapping decodes the whole `mappings` string into one small array per segment on the
 * first lookup. For the benchmark's 25 MB bundle map that is 1.5 million arrays and most of the
 * time spent (the decode took several times as long as reading and parsing the JSON), while a profile
 * looks up a few thousand positions on a few thousand lines. So one pass over the string, which allocates nothing, validates every segment
 * (the VLQ decoder of the codec does not throw on garbage: it yields wild indices) and records
 * where each generated line starts and the running field values there (VLQ fields are relative
 * to the previous segment, across lines). A line is then decoded when it is first looked up, into
 * the array that trace-mapping searches (see sourceMap.ts).
 */
import type { SourceMapSegment } from '@jridgewell/trace-mapping';

/** A reason why `mappings` is not valid, as a sentence fragment. */
export class MappingsError extends Error {}

const VLQ_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

const COMMA = 44;
const SEMICOLON = 59;
const EMPTY: SourceMapSegment[] = [];

/** The running values at the start of a line (the generated column restarts at 0 per line). */
const SOURCE = 0;
const SOURCE_LINE = 1;
const SOURCE_COLUMN = 2;
const NAME = 3;

/**
 * The `mappings` of one map: validated up front, decoded one generated line at a time.
 * `lines` is the array of decoded lines handed to trace-mapping; lines not yet decoded hold one
 * shared empty array. Call {@link LazyMappings.ensureLine} before searching a line.
 */
export class LazyMappings {
  readonly lines: SourceMapSegment[][];
  private readonly lineStart: Int32Array;
  private readonly lineState: Int32Array;
  private readonly decoded: Uint8Array;

  /** Scans and validates `mappings`; throws {@link MappingsError} with the first problem. */
  constructor(
    private readonly mappings: string,
    sourceCount: number,
    nameCount: number,
  ) {
    const index = scan(mappings, sourceCount, nameCount);
    this.lineStart = index.starts;
    this.lineState = index.states;
    this.decoded = new Uint8Array(index.starts.length);
    this.lines = new Array<SourceMapSegment[]>(index.starts.length).fill(EMPTY);
  }

  /** Number of generated lines. */
  get lineCount(): number {
    return this.lines.length;
  }

  /** Decodes generated line `line0` (0-based) into `lines`, once. */
  ensureLine(line0: number): void {
    if (line0 < 0 || line0 >= this.decoded.length || this.decoded[line0]) return;
    this.decoded[line0] = 1;
    const m = this.mappings;
    const n = m.length;
    const at = line0 * 4;
    let source = this.lineState[at + SOURCE];
    let sourceLine = this.lineState[at + SOURCE_LINE];
    let sourceColumn = this.lineState[at + SOURCE_COLUMN];
    let name = this.lineState[at + NAME];
    let column = 0;
    let sorted = true;
    const segments: SourceMapSegment[] = [];
    let i = this.lineStart[line0];
    // The constructor validated everything: decode without checks.
    while (i < n) {
      let c = m.charCodeAt(i);
      if (c === SEMICOLON) break;
      if (c === COMMA) {
        i++;
        continue;
      }
      let fields = 0;
      const lastColumn = column;
      while (i < n) {
        c = m.charCodeAt(i);
        if (c === COMMA || c === SEMICOLON) break;
        let value = 0;
        let shift = 0;
        let digit: number;
        do {
          digit = VLQ_VALUE[m.charCodeAt(i++)];
          value |= (digit & 31) << shift;
          shift += 5;
        } while (digit & 32);
        const delta = (value & 1 ? -(value >>> 1) : value >>> 1) | 0;
        if (fields === 0) column += delta;
        else if (fields === 1) source += delta;
        else if (fields === 2) sourceLine += delta;
        else if (fields === 3) sourceColumn += delta;
        else name += delta;
        fields++;
      }
      if (column < lastColumn) sorted = false;
      segments.push(
        fields === 1
          ? [column]
          : fields === 4
            ? [column, source, sourceLine, sourceColumn]
            : [column, source, sourceLine, sourceColumn, name],
      );
      if (i < n && m.charCodeAt(i) === COMMA) i++;
    }
    // Segments out of column order are allowed by the spec; trace-mapping searches sorted ones.
    if (!sorted) segments.sort((a, b) => a[0] - b[0]);
    this.lines[line0] = segments;
  }
}

/**
 * The validating pass: one flat loop over the characters (a state machine, no allocation), which
 * records each line's start offset and the running field values there.
 */
function scan(
  mappings: string,
  sourceCount: number,
  nameCount: number,
): { starts: Int32Array; states: Int32Array } {
  let capacity = 1024;
  let starts = new Int32Array(capacity);
  let states = new Int32Array(capacity * 4);
  // Line 0 starts at offset 0 with every running value at 0 (typed arrays start zeroed).
  let line = 0;
  let column = 0;
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let name = 0;
  let fields = 0; // fields completed in the current segment
  let value = 0;
  let shift = 0;
  const n = mappings.length;
  for (let i = 0; i <= n; i++) {
    // The end of the string closes the last segment and line like a `;` would.
    const c = i < n ? mappings.charCodeAt(i) : SEMICOLON;
    if (c === COMMA || c === SEMICOLON) {
      if (shift !== 0)
        throw new MappingsError(
          `its "mappings" ends a segment inside a number (generated line ${line + 1})`,
        );
      if (fields !== 0) {
        if (fields === 2 || fields === 3) {
          throw new MappingsError(
            `its "mappings" has a segment of ${fields} fields (generated line ${line + 1})`,
          );
        }
        if (fields >= 4) {
          if (source < 0 || source >= sourceCount) {
            throw invalid(line, `source index ${source} (the map has ${sourceCount} sources)`);
          }
          if (sourceLine < 0 || sourceColumn < 0)
            throw invalid(line, 'a negative original position');
          if (fields === 5 && (name < 0 || name >= nameCount)) {
            throw invalid(line, `name index ${name} (the map has ${nameCount} names)`);
          }
        }
        fields = 0;
      }
      if (c === SEMICOLON) {
        if (i === n) break;
        // A new line starts after this `;`, with the running values as they are now.
        line++;
        column = 0;
        if (line === capacity) {
          capacity *= 2;
          const grownStarts = new Int32Array(capacity);
          grownStarts.set(starts);
          starts = grownStarts;
          const grownStates = new Int32Array(capacity * 4);
          grownStates.set(states);
          states = grownStates;
        }
        const at = line * 4;
        starts[line] = i + 1;
        states[at + SOURCE] = source;
        states[at + SOURCE_LINE] = sourceLine;
        states[at + SOURCE_COLUMN] = sourceColumn;
        states[at + NAME] = name;
      }
      continue;
    }
    const digit = c < 128 ? VLQ_VALUE[c] : -1;
    if (digit < 0) {
      throw new MappingsError(
        `its "mappings" holds a character that is not base64 VLQ (generated line ${line + 1})`,
      );
    }
    // Six digits make 30 bits, the most a 32-bit decoder (the codec's) reads right.
    if (shift > 25)
      throw new MappingsError(`its "mappings" has a number too large (generated line ${line + 1})`);
    value |= (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    // `| 0` keeps -0 out: it would turn every running value into a heap number.
    const delta = (value & 1 ? -(value >>> 1) : value >>> 1) | 0;
    value = 0;
    shift = 0;
    switch (fields++) {
      case 0:
        column += delta;
        if (column < 0) throw invalid(line, 'a negative generated column');
        break;
      case 1:
        source += delta;
        break;
      case 2:
        sourceLine += delta;
        break;
      case 3:
        sourceColumn += delta;
        break;
      case 4:
        name += delta;
        break;
      default:
        throw new MappingsError(
          `its "mappings" has a segment of more than 5 fields (generated line ${line + 1})`,
        );
    }
  }
  return { starts: starts.subarray(0, line + 1), states: states.subarray(0, (line + 1) * 4) };
}

function invalid(line0: number, what: string): MappingsError {
  return new MappingsError(`its "mappings" has ${what} on generated line ${line0 + 1}`);
}
