/**
 * Everything the views derive from one profile, computed on first use and cached: profiles are
 * immutable, so a toggle that comes back to an earlier combination costs nothing.
 */
import type { CallTree, Frame, Profile } from '../src/core/profile';
import type { CompareData } from '../src/shared/wireCompare';
import { sampleSquares } from '../src/core/significance';
import { diffColors, mapBeforeWeights, type NodeTest } from './layout/diffColors';
import { layoutFlame, type FlameLayout } from './layout/flameLayout';
import { compileSearch, searchTree, type SearchResult } from './layout/search';
import {
  sortTableRows,
  tableRowsFromGraph,
  tableRowsFromTree,
  type TableRow,
  type TableSort,
} from './layout/table';
import { timeOrder, type TimeOrderChart } from './layout/timeOrder';
import {
  invertTree,
  isMyCode,
  myCodeOnly,
  sandwichFromGraph,
  type InvertedTree,
  sandwichFromTree,
  type MappedTree,
  type Sandwich,
} from './layout/transforms';
import { nestedOccurrences } from './layout/tree';

/** Function-level figures for tooltips: exact from a call graph, else from the tree. */
export interface FunctionFigures {
  readonly self: number;
  readonly total: number;
  readonly calls: number | null;
}

/** The differential view of one tree: the old run's weights per node and the colors. */
export interface DiffTree {
  readonly tree: CallTree;
  /** Scaled before total and self weight per node of `tree`. */
  readonly beforeTotal: Float64Array;
  readonly beforeSelf: Float64Array;
  /** How its nodes' changes are tested (layout/diffColors.ts). */
  readonly test: NodeTest;
  /** Per node: the diff color (layout/diffColors.ts). */
  readonly colors: Uint8Array;
}

/** The derived data of one profile (and of its comparison with an earlier run, if any). */
export class Model {
  readonly total: number;
  private mine: MappedTree | undefined;
  private readonly inverted = new Map<CallTree, InvertedTree>();
  private readonly layouts = new Map<CallTree, FlameLayout>();
  private readonly times = new Map<boolean, TimeOrderChart | undefined>();
  private readonly sandwiches = new Map<string, Sandwich>();
  private readonly tables = new Map<boolean, TableRow[]>();
  private readonly figures = new Map<boolean, Map<number, FunctionFigures>>();
  private searchCache: { tree: CallTree; key: string; result: SearchResult | null } | undefined;
  private readonly diffs = new Map<boolean, DiffTree>();

  constructor(
    readonly profile: Profile,
    readonly compare?: CompareData,
  ) {
    this.total = profile.tree.size ? profile.tree.total[0] : 0;
  }

  get frames(): readonly Frame[] {
    return this.profile.frames;
  }

  /** The call tree, or its "my code only" version. */
  base(mine: boolean): CallTree {
    return mine ? this.myCode().tree : this.profile.tree;
  }

  myCode(): MappedTree {
    this.mine ??= myCodeOnly(this.profile.tree, this.profile.frames);
    return this.mine;
  }

  /** The tree the flame view shows. */
  flameTree(mine: boolean, inverted: boolean): CallTree {
    const base = this.base(mine);
    if (!inverted) return base;
    return this.invert(base).tree;
  }

  /** The inverted tree of a base tree, with what its work budget cut (null when nothing). */
  invert(base: CallTree): InvertedTree {
    let inv = this.inverted.get(base);
    if (!inv) this.inverted.set(base, (inv = invertTree(base)));
    return inv;
  }

  layout(tree: CallTree): FlameLayout {
    let l = this.layouts.get(tree);
    if (!l) this.layouts.set(tree, (l = layoutFlame(tree)));
    return l;
  }

  /** The differential view of the (my code only) tree, or undefined without a comparison. */
  diff(mine: boolean): DiffTree | undefined {
    const c = this.compare;
    if (!c) return undefined;
    let d = this.diffs.get(mine);
    if (!d) {
      const tree = this.base(mine);
      const w = mine
        ? mapBeforeWeights(
            this.profile.tree,
            this.myCode(),
            c.beforeTotalPerNode,
            c.beforeSelfPerNode,
          )
        : { total: c.beforeTotalPerNode, self: c.beforeSelfPerNode };
      const test = this.nodeTest(mine);
      d = {
        tree,
        beforeTotal: w.total,
        beforeSelf: w.self,
        test,
        colors: diffColors(tree, w.total, test),
      };
      this.diffs.set(mine, d);
    }
    return d;
  }

  /**
   * How the nodes of the (my code only) tree are tested: the comparison's noise, and both runs'
   * squared sample weights per node for the nodes' own grains (carried onto the smaller tree
   * like weights: a merged node's samples are its parts').
   */
  private nodeTest(mine: boolean): NodeTest {
    const c = this.compare!;
    const after = sampleSquares(this.profile)?.nodeTotal;
    const carry = (sq: Float64Array | undefined) =>
      sq && mine
        ? mapBeforeWeights(this.profile.tree, this.myCode(), sq, new Float64Array(sq.length)).total
        : sq;
    return {
      noise: c.noise,
      zCritical: c.critical.nodes,
      beforeSq: carry(c.beforeTotalSqPerNode),
      afterSq: carry(after),
    };
  }

  /** The time-order chart, or undefined when the profile has no timed samples. */
  timeOrder(mine: boolean): TimeOrderChart | undefined {
    if (!this.profile.samples) return undefined;
    if (!this.times.has(mine)) {
      const m = mine ? this.myCode() : undefined;
      this.times.set(mine, timeOrder(this.base(mine), this.profile.samples, m?.nodeMap));
    }
    return this.times.get(mine);
  }

  /** The sandwich of a function: exact call-graph figures when the profile has a call graph. */
  sandwich(mine: boolean, frameId: number): Sandwich {
    const graph = this.profile.callGraph;
    const key = graph ? `g${frameId}` : `${mine ? 'm' : 'a'}${frameId}`;
    let s = this.sandwiches.get(key);
    if (!s) {
      s = graph ? sandwichFromGraph(graph, frameId) : sandwichFromTree(this.base(mine), frameId);
      this.sandwiches.set(key, s);
    }
    return s;
  }

  /** Table rows (unsorted copy is sorted in place by the caller through {@link sortedTable}). */
  table(mine: boolean): TableRow[] {
    let rows = this.tables.get(mine);
    if (!rows) {
      const graph = this.profile.callGraph;
      rows = graph
        ? tableRowsFromGraph(graph, this.frames, mine ? isMyCode : undefined)
        : tableRowsFromTree(this.base(mine), this.frames.length);
      this.tables.set(mine, rows);
    }
    return rows;
  }

  sortedTable(mine: boolean, by: TableSort): TableRow[] {
    return sortTableRows(this.table(mine), by, this.frames);
  }

  /** Self, total (recursion once) and calls of a function. */
  functionFigures(mine: boolean, frameId: number): FunctionFigures | undefined {
    let map = this.figures.get(mine);
    if (!map) {
      map = new Map(this.table(mine).map((r) => [r.frameId, r]));
      this.figures.set(mine, map);
    }
    return map.get(frameId);
  }

  /** The outermost node of a frame with the largest total (where to zoom to focus a function). */
  heaviestNodeOf(tree: CallTree, frameId: number): number {
    const nested = nestedOccurrences(tree);
    let best = -1;
    for (let i = 1; i < tree.size; i++) {
      if (
        tree.frame[i] === frameId &&
        !nested[i] &&
        (best < 0 || tree.total[i] > tree.total[best])
      ) {
        best = i;
      }
    }
    return best;
  }

  /** A search over a tree, cached for the last (tree, query); null when the query is empty. */
  search(
    tree: CallTree,
    query: string,
    regex: boolean,
  ): { result: SearchResult | null; error?: string } {
    const key = `${regex ? 'r' : 'p'}:${query}`;
    const compiled = compileSearch(query, regex);
    if (!compiled.match) return { result: null, error: compiled.error };
    if (this.searchCache?.tree === tree && this.searchCache.key === key) {
      return { result: this.searchCache.result };
    }
    const result = searchTree(tree, this.frames, compiled.match);
    this.searchCache = { tree, key, result };
    return { result };
  }
}
