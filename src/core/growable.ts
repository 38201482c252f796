/**
 * Typed arrays that grow by doubling: columns that importers fill a value at a time without an
 * object or a boxed number per value.
 */
import { keepShape } from '../util/keepShape';

/** A growable Int32Array; slots past the values written hold `fill`. */
export class Int32Column {
  data: Int32Array;
  length = 0;

  constructor(
    private readonly fill = 0,
    capacity = 256,
  ) {
    this.data = new Int32Array(capacity);
    if (fill) this.data.fill(fill);
  }

  /** Makes room for indexes below `size` (new slots hold `fill`). */
  reserve(size: number): void {
    if (size <= this.data.length) return;
    // Doubling, or exactly what was asked for when that is more (a known final size).
    const capacity = Math.max(16, size, this.data.length * 2);
    const bigger = new Int32Array(capacity);
    if (this.fill) bigger.fill(this.fill, this.data.length);
    bigger.set(this.data);
    this.data = bigger;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Sets index `i`, growing as needed (length becomes at least i + 1). */
  set(i: number, value: number): void {
    this.reserve(i + 1);
    this.data[i] = value;
    if (i >= this.length) this.length = i + 1;
  }

  /** Takes `values` as its contents, without a copy (length becomes values.length). */
  adopt(values: Int32Array): void {
    this.data = values;
    this.length = values.length;
  }

  /** The value at `i`, or `fill` past the end. */
  get(i: number): number {
    return i < this.data.length ? this.data[i] : this.fill;
  }
}

/** A growable Float64Array. */
export class Float64Column {
  data: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Float64Array(capacity);
  }

  /** Makes room for indexes below `size` (new slots hold 0). */
  reserve(size: number): void {
    if (size <= this.data.length) return;
    // Doubling, or exactly what was asked for when that is more (a known final size).
    const capacity = Math.max(16, size, this.data.length * 2);
    const bigger = new Float64Array(capacity);
    bigger.set(this.data);
    this.data = bigger;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  /** Takes `values` as its contents, without a copy (length becomes values.length). */
  adopt(values: Float64Array): void {
    this.data = values;
    this.length = values.length;
  }
}

// Their hidden classes outlive every import (see keepShape).
keepShape(new Int32Column(0, 0));
keepShape(new Float64Column(0));
