// A multi-file TypeScript program, run without a build step: the heat lands on matrix.ts lines.
import { multiply, random, trace, type Matrix } from './matrix';

function power(m: Matrix, times: number): Matrix {
  let result = m;
  for (let i = 1; i < times; i++) result = multiply(result, m);
  return result;
}

const size: number = Number(process.argv[2] ?? 220);
const m = random(size, 42);
const p = power(m, 8);
console.log(`trace of m^8 (${size}x${size}): ${trace(p).toExponential(3)}`);
