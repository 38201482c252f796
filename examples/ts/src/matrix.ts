/** A dense square matrix stored row by row. */
export interface Matrix {
  readonly size: number;
  readonly data: Float64Array;
}

export function random(size: number, seed: number): Matrix {
  const data = new Float64Array(size * size);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = s / 2147483647;
  }
  return { size, data };
}

/** The naive triple loop: this is where the time goes. */
export function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.size;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a.data[i * n + k] * b.data[k * n + j];
      out[i * n + j] = sum;
    }
  }
  return { size: n, data: out };
}

export function trace(m: Matrix): number {
  let t = 0;
  for (let i = 0; i < m.size; i++) t += m.data[i * m.size + i];
  return t;
}
