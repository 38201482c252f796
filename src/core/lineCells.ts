/**
 * The line table as {@link ProfileBuilder} fills it: one cell per (frame, file, line), with its
 * self and external weight, in typed columns. A frame's cells are chained in a list (most frames
 * have a few lines); a frame with many also gets a Map. No Map or array is made per frame that
 * has only a few lines: a profile has tens of thousands of such frames.
 */
import { Float64Column, Int32Column } from './growable';
import type { LineTable } from './model';
import { keepShape } from '../util/keepShape';

/** Past this many cells a frame's cells are also indexed by a Map. */
const WIDE = 8;

/** The cells of a line table, made on first use. */
export class LineCells {
  private readonly files: string[] = [];
  private readonly fileIds = new Map<string, number>();
  private file = new Int32Column();
  private line = new Int32Column();
  private frame = new Int32Column();
  readonly self = new Float64Column();
  readonly external = new Float64Column();
  /** A cell's identity within its frame: line + file * 2^21. */
  private key = new Float64Column();
  /** The next cell of the same frame, -1 at the end; the first cell of each frame id. */
  private next = new Int32Column(-1);
  private first = new Int32Column(-1);
  private tally = new Int32Column(0);
  private readonly wide = new Map<number, Map<number, number>>();

  get count(): number {
    return this.self.length;
  }

  /** The index of `file` in the table's `files`, interning it on first sight. */
  fileId(file: string): number {
    let fileId = this.fileIds.get(file);
    if (fileId === undefined) {
      fileId = this.files.length;
      this.files.push(file);
      this.fileIds.set(file, fileId);
    }
    return fileId;
  }

  /** The cell for (file, line, frame), made on first use; -1: a line no Int32Array holds. */
  cell(file: string, line1: number, frameId: number): number {
    if (!(line1 >= 1 && line1 <= 0x7fffffff) || !Number.isInteger(line1)) return -1;
    return this.cellAt(this.fileId(file), line1, frameId);
  }

  /** The cell for (file `fileId`, line, frame), made on first use; the line is a valid one. */
  cellAt(fileId: number, line1: number, frameId: number): number {
    const key = line1 + fileId * 2097152;
    const tally = this.tally.get(frameId);
    if (tally > WIDE) {
      const map = this.wide.get(frameId)!;
      const found = map.get(key);
      if (found !== undefined) return found;
      const id = this.add(fileId, line1, frameId, key);
      map.set(key, id);
      return id;
    }
    const keys = this.key.data;
    const next = this.next.data;
    for (let c = this.first.get(frameId); c !== -1; c = next[c]) if (keys[c] === key) return c;
    const id = this.add(fileId, line1, frameId, key);
    if (tally + 1 > WIDE) {
      const map = new Map<number, number>();
      for (let c = this.first.get(frameId); c !== -1; c = this.next.data[c]) {
        map.set(this.key.data[c], c);
      }
      this.wide.set(frameId, map);
    }
    return id;
  }

  private add(fileId: number, line1: number, frameId: number, key: number): number {
    const id = this.self.length;
    this.file.push(fileId);
    this.line.push(line1);
    this.frame.push(frameId);
    this.self.push(0);
    this.external.push(0);
    this.key.push(key);
    this.next.push(this.first.get(frameId));
    this.first.set(frameId, id);
    this.tally.set(frameId, this.tally.get(frameId) + 1);
    return id;
  }

  /** The line table (without `perNode`); `withExternal` adds the external column. */
  table(withExternal: boolean): LineTable {
    const n = this.count;
    return {
      files: Object.freeze([...this.files]),
      count: n,
      file: this.file.data.slice(0, n),
      line1: this.line.data.slice(0, n),
      frame: this.frame.data.slice(0, n),
      self: this.self.data.slice(0, n),
      ...(withExternal ? { external: this.external.data.slice(0, n) } : {}),
    };
  }
}

// Its hidden class outlives every import (see keepShape).
keepShape(new LineCells());
