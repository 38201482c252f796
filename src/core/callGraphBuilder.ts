/**
 * Collects the call graph of a deterministic profiler (pstats, callgrind) for a
 * {@link ProfileBuilder}: one function per frame, figures added as an importer reads them, and
 * edges merged by (caller, callee) frame, so that two records of the file that name the same
 * function (yappi's built-ins, callgrind's recursion levels, a frame that two keys map to) become
 * one. `finish` freezes the graph into the builder and derives the approximate tree
 * (callGraphTree.ts).
 *
 * Figures live in growable typed arrays and edges are found through an open-addressing hash of
 * the two function indexes: an importer of a million edges allocates nothing per edge until the
 * graph's objects are made at the end.
 */
import { addTreeFromTables } from './callGraphTree';
import { Float64Column, Int32Column } from './growable';
import type { CallGraph, GraphEdge, GraphFunction, ProfileBuilder } from './profile';

/** Figures of a function or an edge, added to what is there. */
export interface GraphFigures {
  readonly calls: number;
  readonly self: number;
  readonly total: number;
}

/** Builds a {@link CallGraph}; see the module comment. */
export class CallGraphBuilder {
  private readonly fnOfFrame = new Int32Column(-1);
  private readonly fnFrame = new Int32Column();
  private readonly fnCalls = new Float64Column();
  private readonly fnPrimitive = new Float64Column();
  private readonly fnSelf = new Float64Column();
  private readonly fnTotal = new Float64Column();
  private fnCount = 0;
  private readonly edgeCaller = new Int32Column();
  private readonly edgeCallee = new Int32Column();
  private readonly edgeCalls = new Float64Column();
  private readonly edgeSelf = new Float64Column();
  private readonly edgeTotal = new Float64Column();
  /** Edges' primitive calls, once any edge has them (pstats; callgrind has none). */
  private edgePrimitive: Float64Column | undefined;
  private edgeCount = 0;
  /** Open-addressing table of edge index + 1, by hash of (caller, callee). */
  private slots = new Int32Array(1024);

  constructor(private readonly builder: ProfileBuilder) {}

  /** How many functions the graph has so far. */
  get functionCount(): number {
    return this.fnCount;
  }

  /** How many edges the graph has so far. */
  get edgeCountSoFar(): number {
    return this.edgeCount;
  }

  /** The function of a frame (a builder frame id), made with zero figures on first use. */
  functionOf(frame: number): number {
    this.fnOfFrame.reserve(frame + 1);
    let fn = this.fnOfFrame.data[frame];
    if (fn < 0) {
      fn = this.fnCount++;
      this.fnOfFrame.data[frame] = fn;
      const n = this.fnCount;
      this.fnCalls.reserve(n);
      this.fnPrimitive.reserve(n);
      this.fnSelf.reserve(n);
      this.fnTotal.reserve(n);
      this.fnFrame.reserve(n);
      this.fnFrame.data[fn] = frame;
    }
    return fn;
  }

  /** The frame of a function. */
  frameOf(fn: number): number {
    return this.fnFrame.data[fn];
  }

  /** Adds figures to a function: all calls, non-recursive calls, self and total weight. */
  addFunction(
    fn: number,
    calls: number,
    primitiveCalls: number,
    self: number,
    total: number,
  ): void {
    this.fnCalls.data[fn] += calls;
    this.fnPrimitive.data[fn] += primitiveCalls;
    this.fnSelf.data[fn] += self;
    this.fnTotal.data[fn] += total;
  }

  /** A function's figures so far. */
  functionFigures(fn: number): GraphFigures & { readonly primitiveCalls: number } {
    return {
      calls: this.fnCalls.data[fn],
      primitiveCalls: this.fnPrimitive.data[fn],
      self: this.fnSelf.data[fn],
      total: this.fnTotal.data[fn],
    };
  }

  /** Sets a function's total (importers that derive totals from the edges). */
  setTotal(fn: number, total: number): void {
    this.fnTotal.data[fn] = total;
  }

  /** The edge caller -> callee (function indexes), made with zero figures on first use. */
  edgeOf(caller: number, callee: number): number {
    if (this.edgeCount * 2 >= this.slots.length) this.rehash(this.slots.length * 2);
    const mask = this.slots.length - 1;
    let i = hash(caller, callee) & mask;
    for (;;) {
      const e = this.slots[i] - 1;
      if (e < 0) break;
      if (this.edgeCaller.data[e] === caller && this.edgeCallee.data[e] === callee) return e;
      i = (i + 1) & mask;
    }
    const e = this.edgeCount++;
    this.slots[i] = e + 1;
    const n = this.edgeCount;
    this.edgeCaller.reserve(n);
    this.edgeCallee.reserve(n);
    this.edgeCalls.reserve(n);
    this.edgeSelf.reserve(n);
    this.edgeTotal.reserve(n);
    this.edgePrimitive?.reserve(n);
    this.edgeCaller.data[e] = caller;
    this.edgeCallee.data[e] = callee;
    return e;
  }

  /**
   * Adds figures to the edge caller -> callee (function indexes); `primitiveCalls` where the
   * format counts the non-recursive calls per caller (pstats).
   */
  addEdge(
    caller: number,
    callee: number,
    calls: number,
    self: number,
    total: number,
    primitiveCalls?: number,
  ): void {
    const e = this.edgeOf(caller, callee);
    if (primitiveCalls !== undefined) {
      if (!this.edgePrimitive) {
        this.edgePrimitive = new Float64Column();
        this.edgePrimitive.reserve(this.edgeCount);
      }
      this.edgePrimitive.data[e] += primitiveCalls;
    }
    this.edgeCalls.data[e] += calls;
    this.edgeSelf.data[e] += self;
    this.edgeTotal.data[e] += total;
  }

  /** Calls `visit` with each edge: caller and callee function indexes and its figures. */
  forEachEdge(
    visit: (caller: number, callee: number, calls: number, self: number, total: number) => void,
  ): void {
    for (let e = 0; e < this.edgeCount; e++) {
      visit(
        this.edgeCaller.data[e],
        this.edgeCallee.data[e],
        this.edgeCalls.data[e],
        this.edgeSelf.data[e],
        this.edgeTotal.data[e],
      );
    }
  }

  /** Sets an edge's self weight (importers that estimate it from the callee's figures). */
  setEdgeSelf(caller: number, callee: number, self: number): void {
    this.edgeSelf.data[this.edgeOf(caller, callee)] = self;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.edgeCount; e++) {
      let i = hash(this.edgeCaller.data[e], this.edgeCallee.data[e]) & mask;
      while (slots[i]) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.slots = slots;
  }

  /**
   * Freezes the graph (functions in the order they were first named, edges in the order they
   * were first added), gives it to the profile builder and adds the approximate tree derived
   * from it. The builder cannot be used afterwards.
   */
  finish(): CallGraph {
    const n = this.fnCount;
    const m = this.edgeCount;
    // The tree first, from the columns: made after it, the graph's objects (a million for a
    // large pstats file) are not copied around by the collections the tree's work causes.
    addTreeFromTables(this.builder, {
      functionCount: n,
      frame: this.fnFrame.data.subarray(0, n),
      calls: this.fnCalls.data.subarray(0, n),
      primitiveCalls: this.fnPrimitive.data.subarray(0, n),
      self: this.fnSelf.data.subarray(0, n),
      total: this.fnTotal.data.subarray(0, n),
      edgeCount: m,
      edgeCaller: this.edgeCaller.data.subarray(0, m),
      edgeCallee: this.edgeCallee.data.subarray(0, m),
      edgeCalls: this.edgeCalls.data.subarray(0, m),
      edgeTotal: this.edgeTotal.data.subarray(0, m),
    });
    const functions = new Array<GraphFunction>(n);
    for (let fn = 0; fn < n; fn++) {
      functions[fn] = Object.freeze({
        frame: this.fnFrame.data[fn],
        calls: this.fnCalls.data[fn],
        primitiveCalls: this.fnPrimitive.data[fn],
        self: this.fnSelf.data[fn],
        total: this.fnTotal.data[fn],
      });
    }
    const edges = new Array<GraphEdge>(m);
    for (let e = 0; e < m; e++) {
      edges[e] = Object.freeze({
        caller: this.fnFrame.data[this.edgeCaller.data[e]],
        callee: this.fnFrame.data[this.edgeCallee.data[e]],
        calls: this.edgeCalls.data[e],
        ...(this.edgePrimitive && { primitiveCalls: this.edgePrimitive.data[e] }),
        self: this.edgeSelf.data[e],
        total: this.edgeTotal.data[e],
      });
    }
    this.slots = new Int32Array(0);
    const graph: CallGraph = { functions, edges };
    this.builder.setCallGraph(graph);
    return graph;
  }
}

function hash(a: number, b: number): number {
  return Math.imul(Math.imul(a, 0x9e3779b1) ^ b, 0x85ebca6b) ^ (b >>> 7);
}
