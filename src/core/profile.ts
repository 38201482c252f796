/**
 * The builder of the profile model: importers fill a {@link ProfileBuilder}, whose `build()`
 * returns the frozen {@link Profile} every stage shares. The model's types are in model.ts and
 * are exported from here too, so that a module imports the model and its builder from one place.
 */
import { freezeTree } from './callTree';
import { Float64Column, Int32Column } from './growable';
import { LineCells } from './lineCells';
import type {
  CallGraph,
  Frame,
  LineTable,
  NodeLines,
  Profile,
  ProfileMeta,
  Samples,
} from './model';
import { keepShape } from '../util/keepShape';

export * from './model';

/** The largest single weight the builder takes: sums of up to 1e18 of them stay finite. */
const MAX_WEIGHT = 1e290;

/** Past this many children a node's children are also indexed by a Map. */
const WIDE = 16;

/** An Int32Column holding one value: the root's. */
function column(root: number): Int32Column {
  const c = new Int32Column();
  c.push(root);
  return c;
}

/** The first `count` values: the array itself when it holds exactly that many, else a copy. */
function trimmed<T extends Int32Array | Float64Array>(values: T, count: number): T {
  return (values.length === count ? values : values.slice(0, count)) as T;
}

/** A Float64Column holding the root's weight, 0. */
function rootWeight(): Float64Column {
  const c = new Float64Column();
  c.push(0);
  return c;
}

/**
 * A frozen plain object with `frame`'s fields. Built property by property rather than as an
 * object literal: V8 tracks each literal by the place that makes it, and after a full
 * collection revisits where such objects go, throwing away the compiled code that makes them
 * (and the importer loops it was part of) on every import. Not a spread either: copying with
 * `...` cost ten times as much on large profiles.
 */
function frozenCopy(frame: Frame): Frame {
  const copy = Object.create(Object.prototype) as {
    name: string;
    file: string | null;
    line1: number | null;
    col1: number | null;
    kind: Frame['kind'];
  };
  copy.name = frame.name;
  copy.file = frame.file;
  copy.line1 = frame.line1;
  copy.col1 = frame.col1;
  copy.kind = frame.kind;
  return Object.freeze(copy);
}

/** Positions are equal: the same number (NaN equals NaN), or both null. */
function samePosition(a: number | null, b: number | null): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * Builds a {@link Profile}. Importers intern frames, grow the tree through `child` (or push whole
 * stacks through `addStack`), attribute self weight, and append samples and line weights. Nodes
 * with the same frame under the same parent are merged, so remapped frames that collapse onto one
 * original function merge as they should.
 */
export class ProfileBuilder {
  private readonly frames: Frame[] = [];
  // Frames by file (null as ''), then name: the strings an importer passes are mostly ones it
  // passed before, whose hashes V8 keeps, so a lookup builds no key string. Frames of one file
  // and name are chained through `sameName`.
  private readonly framesByFile = new Map<string, Map<string, number>>();
  private sameName: number[] = [];
  // The tree in typed columns; node 0 is the root.
  private parent = column(-1);
  private frameOf = column(-1);
  private selfW = rootWeight();
  // Children of a node as a singly linked list (most nodes have a handful); nodes with many
  // children also get a Map by frame id. Small-integer keys keep every lookup allocation-free.
  private firstChild = column(-1);
  private nextSibling = column(-1);
  private childTally = column(0);
  private readonly wideChildren = new Map<number, Map<number, number>>();
  // Typed columns: a profile of millions of samples costs no boxed number per sample.
  private sampleNode = new Int32Column();
  private sampleWeight = new Float64Column();
  private sampleStart = new Float64Column();
  private lines = new LineCells();
  private anyLineExternal = false;
  private nodeLineNode: number[] = [];
  private nodeLineFile: number[] = [];
  private nodeLineLine: number[] = [];
  private nodeLineSelf: number[] = [];
  private nodeLines: NodeLines | undefined;
  private callGraph: CallGraph | undefined;
  private readonly warnings: string[] = [];
  private built = false;

  /** The id of `frame`, interning it on first sight. */
  frame(frame: Frame): number {
    const file = frame.file ?? '';
    let names = this.framesByFile.get(file);
    if (!names) this.framesByFile.set(file, (names = new Map()));
    const first = names.get(frame.name) ?? -1;
    for (let id = first; id >= 0; id = this.sameName[id]) {
      const f = this.frames[id];
      if (
        f.kind === frame.kind &&
        samePosition(f.line1, frame.line1) &&
        samePosition(f.col1, frame.col1)
      )
        return id;
    }
    const id = this.frames.length;
    this.frames.push(frozenCopy(frame));
    this.sameName.push(first);
    names.set(frame.name, id);
    return id;
  }

  /** The frame with id `id`, as interned. */
  frameAt(id: number): Frame {
    return this.frames[id];
  }

  get frameCount(): number {
    return this.frames.length;
  }

  /** The node for `frameId` under `parentNode` (0 is the root), created on first use. */
  child(parentNode: number, frameId: number): number {
    const tally = this.childTally.data[parentNode];
    if (tally > WIDE) {
      const map = this.wideChildren.get(parentNode)!;
      const found = map.get(frameId);
      if (found !== undefined) return found;
      const id = this.newNode(parentNode, frameId);
      map.set(frameId, id);
      return id;
    }
    const frameOf = this.frameOf.data;
    const next = this.nextSibling.data;
    for (let c = this.firstChild.data[parentNode]; c !== -1; c = next[c]) {
      if (frameOf[c] === frameId) return c;
    }
    const id = this.newNode(parentNode, frameId);
    if (tally + 1 > WIDE) {
      const map = new Map<number, number>();
      for (let c = this.firstChild.data[parentNode]; c !== -1; c = this.nextSibling.data[c]) {
        map.set(this.frameOf.data[c], c);
      }
      this.wideChildren.set(parentNode, map);
    }
    return id;
  }

  private newNode(parentNode: number, frameId: number): number {
    const id = this.parent.length;
    this.parent.push(parentNode);
    this.frameOf.push(frameId);
    this.selfW.push(0);
    this.nextSibling.push(this.firstChild.data[parentNode]);
    this.firstChild.push(-1);
    this.childTally.push(0);
    this.firstChild.data[parentNode] = id;
    this.childTally.data[parentNode]++;
    return id;
  }

  /** The node at the end of `stack` (frame ids, outermost first), created as needed. */
  nodeFor(stack: readonly number[]): number {
    let node = 0;
    for (const f of stack) node = this.child(node, f);
    return node;
  }

  /**
   * Whether a weight counts: positive and finite, and not so large that sums of a few overflow
   * to Infinity (no profiler records 1e290 of anything; a damaged file can). Such weights are
   * left out, with a warning.
   */
  private counts(weight: number): boolean {
    if (!(weight > 0) || !Number.isFinite(weight)) return false;
    if (weight <= MAX_WEIGHT) return true;
    this.warn(
      `Some weights are larger than any profiler records (over ${MAX_WEIGHT}) and were left out; the file may be damaged.`,
    );
    return false;
  }

  /** Adds self weight to a node. Negative, non-finite and absurdly large weights are ignored. */
  addSelf(node: number, weight: number): void {
    if (this.counts(weight)) this.selfW.data[node] += weight;
  }

  /** Adds a stack (frame ids, outermost first) with its weight; returns its leaf node. */
  addStack(stack: readonly number[], weight: number): number {
    const node = this.nodeFor(stack);
    this.addSelf(node, weight);
    return node;
  }

  /** Makes room for `count` more samples (an importer that knows how many saves the growing). */
  reserveSamples(count: number): void {
    const size = this.sampleNode.length + count;
    this.sampleNode.reserve(size);
    this.sampleWeight.reserve(size);
    this.sampleStart.reserve(size);
  }

  /** Appends a timed sample (does not add self weight: call `addSelf` for that). */
  addSample(node: number, weight: number, start: number): void {
    this.sampleNode.push(node);
    this.sampleWeight.push(this.counts(weight) ? weight : 0);
    this.sampleStart.push(start);
  }

  /**
   * Sets every timed sample at once, in columns of one length (the arrays are taken, not
   * copied): the cheap route for an importer that knows them all. Replaces what `addSample`
   * appended. Each weight must be one `addSample` keeps as it is: 0, or positive and at most
   * 1e290 (the caller checks; a weight `addSample` would not take is stored there as 0).
   */
  setSamples(node: Int32Array, weight: Float64Array, start: Float64Array): void {
    this.sampleNode.adopt(node);
    this.sampleWeight.adopt(weight);
    this.sampleStart.adopt(start);
  }

  /**
   * Adds self weight to a source line executed by `frameId`. Weights that are not positive and
   * finite, and lines that are not whole numbers an Int32Array holds, are ignored.
   */
  addLine(file: string, line1: number, frameId: number, weight: number): void {
    if (!this.counts(weight)) return;
    const cell = this.lines.cell(file, line1, frameId);
    if (cell >= 0) this.lines.self.data[cell] += weight;
  }

  /**
   * {@link addLine} with the file as its {@link lineFileIndex}, for a weight and line already
   * known to count (positive and at most 1e290; a whole number from 1 to 2^31 - 1).
   */
  addLineAt(fileIndex: number, line1: number, frameId: number, weight: number): void {
    const cell = this.lines.cellAt(fileIndex, line1, frameId);
    this.lines.self.data[cell] += weight;
  }

  /**
   * Records that tree node `node` spent `weight` of its self on a line (see
   * {@link LineTable.perNode}). It adds nothing to the line table: call `addLine` for that.
   */
  addNodeLine(node: number, file: string, line1: number, weight: number): void {
    if (!this.counts(weight)) return;
    if (!(line1 >= 1 && line1 <= 0x7fffffff) || !Number.isInteger(line1)) return;
    this.nodeLineNode.push(node);
    this.nodeLineFile.push(this.lines.fileId(file));
    this.nodeLineLine.push(line1);
    this.nodeLineSelf.push(weight);
  }

  /**
   * Sets every per-node line weight at once, in columns (files as {@link lineFileIndex}): the
   * cheap route for an importer that knows them all (V8's `positionTicks`). Replaces what
   * `addNodeLine` recorded.
   */
  setNodeLines(lines: NodeLines): void {
    this.nodeLines = lines;
  }

  /** The index of `file` in the line table's `files`, interning it on first sight. */
  lineFileIndex(file: string): number {
    return this.lines.fileId(file);
  }

  /**
   * Adds to a line of the user's code the time spent below it in code that is not the user's
   * (see {@link LineTable.external}); it is not self weight and is kept apart from it.
   */
  addLineExternal(file: string, line1: number, frameId: number, weight: number): void {
    if (!this.counts(weight)) return;
    const cell = this.lines.cell(file, line1, frameId);
    if (cell < 0) return;
    this.lines.external.data[cell] += weight;
    this.anyLineExternal = true;
  }

  /** Sets the exact call graph of a deterministic profiler. */
  setCallGraph(graph: CallGraph): void {
    this.callGraph = graph;
  }

  /** Records something the person should know about this profile. */
  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Freezes everything into a {@link Profile}. The builder cannot be used afterwards. */
  build(
    meta: Omit<ProfileMeta, 'warnings'> & { warnings?: readonly string[] },
    options: { treeIsApproximate?: boolean } = {},
  ): Profile {
    if (this.built) throw new Error('ProfileBuilder.build() was called twice.');
    this.built = true;
    const tree = freezeTree(
      this.parent.data.slice(0, this.parent.length),
      this.frameOf.data.slice(0, this.frameOf.length),
      this.selfW.data.slice(0, this.selfW.length),
    );
    const count = this.sampleNode.length;
    const samples: Samples | undefined = count
      ? {
          count,
          node: trimmed(this.sampleNode.data, count),
          weight: trimmed(this.sampleWeight.data, count),
          start: trimmed(this.sampleStart.data, count),
        }
      : undefined;
    const lines: LineTable = {
      ...this.lines.table(this.anyLineExternal),
      ...(this.nodeLines
        ? { perNode: this.nodeLines }
        : this.nodeLineNode.length
          ? {
              perNode: {
                count: this.nodeLineNode.length,
                node: Int32Array.from(this.nodeLineNode),
                file: Int32Array.from(this.nodeLineFile),
                line1: Int32Array.from(this.nodeLineLine),
                self: Float64Array.from(this.nodeLineSelf),
              },
            }
          : {}),
    };
    // Release the builder's working memory before the caller goes on.
    this.parent = this.frameOf = column(-1);
    this.selfW = new Float64Column(0);
    this.sampleNode = new Int32Column(0, 0);
    this.sampleWeight = this.sampleStart = new Float64Column(0);
    this.lines = new LineCells();
    this.nodeLineNode = this.nodeLineFile = this.nodeLineLine = this.nodeLineSelf = [];
    this.firstChild = this.nextSibling = this.childTally = column(0);
    this.wideChildren.clear();
    this.framesByFile.clear();
    this.sameName = [];
    return Object.freeze({
      meta: Object.freeze({
        ...meta,
        warnings: Object.freeze([...(meta.warnings ?? []), ...this.warnings]),
      }),
      frames: Object.freeze([...this.frames]),
      tree,
      samples,
      lines,
      callGraph: this.callGraph,
      treeIsApproximate: options.treeIsApproximate ?? false,
    });
  }
}

// Its hidden class outlives every import (see keepShape).
keepShape(new ProfileBuilder());
