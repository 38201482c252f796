/**
 * Reads one sample type of a decoded pprof profile into a {@link ProfileBuilder} (pprof.ts says
 * what the model gets, and why): one method per message kind (a function becomes a frame, a
 * location its frames, innermost inlined function last, a sample a stack), each made once and on
 * first use, with the counts that the importer's warnings report.
 */
import type { Profile as PprofProfile } from 'pprof-format';
import type { Frame, FrameKind, ProfileBuilder } from '../core/profile';
import { fileUrlToPath } from '../util/fileUrl';
import { hex, num, type Numeric } from './pprofDecode';
import { frameKind } from './pprofFrameKind';
import {
  KEEP,
  leafAfterPrune,
  locationPrune,
  pruneRule,
  type LocationPrune,
  type PruneRule,
} from './pprofPrune';

type PprofFunction = PprofProfile['function'][number];
type PprofLocation = PprofProfile['location'][number];
type PprofSample = PprofProfile['sample'][number];

/** A location's frames, outermost first, and the leaf line (file, line) with its frame. */
interface LocationFrames {
  readonly frames: readonly number[];
  readonly leafFile: string | null;
  readonly leafLine: number;
}

/** What to read of every sample: the value at `index`, times `scale`, of `typeCount` values. */
export interface ChosenValue {
  readonly index: number;
  readonly scale: number;
  readonly typeCount: number;
}

/** The reader of one profile; see the module comment. */
export class PprofReader {
  /** Functions and locations that samples name but the file does not define. */
  missingFunctions = 0;
  missingLocations = 0;
  /** Samples with a negative value, with as many values as sample types, with weight. */
  negative = 0;
  malformed = 0;
  weighted = 0;
  /** Samples that `drop_frames` cut. */
  pruned = 0;
  /** The profile's `drop_frames`/`keep_frames`. */
  readonly prune: PruneRule;
  /** The string at an index of the string table ('' when there is none). */
  readonly str: (i: Numeric) => string;

  private readonly functions = new Map<number, PprofFunction>();
  private readonly locations = new Map<number, PprofLocation>();
  private readonly mappings = new Map<number, PprofProfile['mapping'][number]>();
  // Without start_line, a function's line is the lowest any location records in it.
  private readonly lowestLine = new Map<string, number>();
  private readonly functionFrames = new Map<number, number>();
  private readonly pruneOf = new Map<number, LocationPrune>();
  private readonly locationFrames = new Map<number, LocationFrames>();
  private readonly stack: number[] = [];
  private readonly pruneOfId = (id: number): LocationPrune => this.pruneOfLocation(id);

  constructor(
    private readonly profile: PprofProfile,
    private readonly builder: ProfileBuilder,
  ) {
    const strings = profile.stringTable.strings;
    this.str = (i) => strings[num(i)] ?? '';
    for (const f of profile.function) this.functions.set(num(f.id), f);
    for (const l of profile.location) this.locations.set(num(l.id), l);
    for (const m of profile.mapping) this.mappings.set(num(m.id), m);
    for (const l of profile.location) {
      for (const line of l.line) {
        const f = this.functions.get(num(line.functionId));
        const n = num(line.line);
        if (!f || num(f.startLine) > 0 || !(n >= 1)) continue;
        const key = `${this.nameOf(f)}\u0000${this.fileOf(f) ?? ''}`;
        const known = this.lowestLine.get(key);
        if (known === undefined || n < known) this.lowestLine.set(key, n);
      }
    }
    this.prune = pruneRule(profile, this.str);
  }

  /** Adds every sample's stack and leaf line; `onProgress` gets the fraction read. */
  readSamples(value: ChosenValue, onProgress?: (fraction: number) => void): void {
    const samples = this.profile.sample;
    for (let s = 0; s < samples.length; s++) {
      if (onProgress && s % 65536 === 65535) onProgress(s / samples.length);
      this.readSample(samples[s], value);
    }
    onProgress?.(1);
  }

  private readSample(sample: PprofSample, { index, scale, typeCount }: ChosenValue): void {
    if (sample.value.length !== typeCount) {
      this.malformed++;
      if (sample.value.length <= index) return;
    }
    const value = num(sample.value[index]) * scale;
    if (value < 0) this.negative++;
    if (!(value > 0) || !Number.isFinite(value)) return;
    const stack = this.stack;
    stack.length = 0;
    const ids = sample.locationId;
    const cut = this.prune.drop ? leafAfterPrune(ids, this.pruneOfId) : -1;
    if (cut >= 0) this.pruned++;
    const from = Math.max(0, cut);
    let leaf: LocationFrames | null = null;
    for (let i = ids.length - 1; i >= from; i--) {
      const loc = this.framesOfLocation(num(ids[i]));
      for (const f of loc.frames) stack.push(f);
      if (i === from) leaf = loc;
    }
    this.builder.addStack(stack, value);
    if (leaf && leaf.leafFile && leaf.leafLine >= 1) {
      const frame = leaf.frames[leaf.frames.length - 1];
      this.builder.addLine(leaf.leafFile, leaf.leafLine, frame, value);
    }
    this.weighted++;
  }

  private nameOf(f: PprofFunction): string {
    return this.str(f.name) || this.str(f.systemName) || `(function ${num(f.id)})`;
  }

  private fileOf(f: PprofFunction): string | null {
    const file = this.str(f.filename);
    return file ? fileUrlToPath(file) : null;
  }

  private frameOfFunction(id: number): number {
    let frame = this.functionFrames.get(id);
    if (frame !== undefined) return frame;
    const f = this.functions.get(id);
    let value: Frame;
    if (!f) {
      this.missingFunctions++;
      value = {
        name: `(missing function ${id})`,
        file: null,
        line1: null,
        col1: null,
        kind: 'pseudo',
      };
    } else {
      const name = this.nameOf(f);
      const file = this.fileOf(f);
      const start = num(f.startLine);
      const line1 = start > 0 ? start : (this.lowestLine.get(`${name}\u0000${file ?? ''}`) ?? null);
      value = { name, file, line1, col1: null, kind: frameKind(name, file) };
    }
    frame = this.builder.frame(value);
    this.functionFrames.set(id, frame);
    return frame;
  }

  private pruneOfLocation(id: number): LocationPrune {
    let known = this.pruneOf.get(id);
    if (known === undefined) {
      const loc = this.locations.get(id);
      const { drop, keep } = this.prune;
      known = drop && loc ? locationPrune(loc, this.functions, this.str, drop, keep) : KEEP;
      this.pruneOf.set(id, known);
    }
    return known;
  }

  private framesOfLocation(id: number): LocationFrames {
    let known = this.locationFrames.get(id);
    if (known) return known;
    const loc = this.locations.get(id);
    // A location cut inside its inlined functions keeps only the callers above the cut.
    const kept = this.pruneOfLocation(id).keepLines;
    if (!loc) {
      this.missingLocations++;
      const frame = this.builder.frame({
        name: `(missing location ${id})`,
        file: null,
        line1: null,
        col1: null,
        kind: 'pseudo',
      });
      known = { frames: [frame], leafFile: null, leafLine: 0 };
    } else if (!loc.line.length) {
      known = { frames: [this.addressFrame(loc)], leafFile: null, leafLine: 0 };
    } else {
      // line[0] is the innermost inlined function, the last line its caller at this address.
      const lines = !kept ? loc.line : loc.line.slice(loc.line.length - kept);
      const frames: number[] = [];
      for (let i = lines.length - 1; i >= 0; i--) {
        frames.push(this.frameOfFunction(num(lines[i].functionId)));
      }
      const leaf = lines[0];
      const f = this.functions.get(num(leaf.functionId));
      known = { frames, leafFile: f ? this.fileOf(f) : null, leafLine: num(leaf.line) };
    }
    this.locationFrames.set(id, known);
    return known;
  }

  /** The frame of a location without lines (no symbols): its address and mapped file. */
  private addressFrame(loc: PprofLocation): number {
    const address = hex(loc.address);
    const mapping = this.mappings.get(num(loc.mappingId));
    const object = mapping ? this.str(mapping.filename) : '';
    const base = object.replace(/^.*[\\/]/, '');
    const name = `${base ? `${base} ` : ''}0x${address}`;
    const kind: FrameKind = /\.so(?:\.|$)|\.dylib$|\.dll$/i.test(base) ? 'library' : 'runtime';
    return this.builder.frame({ name, file: null, line1: null, col1: null, kind });
  }
}
