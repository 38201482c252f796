// The workload of bench/nodeMemOverhead.mjs: an allocation-heavy program (short-lived arrays and
// strings, some kept), about 0.1 s of work per unit of its argument, that prints how long its
// work took ("work-ms N") so that the profilers' start and end are not counted.
import { performance } from 'node:perf_hooks';

const scale = Number(process.argv[2] ?? 1);
const kept = [];

function churn(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = new Array(64).fill(i);
    sum += a.length + `k${i}`.length;
  }
  return sum;
}

function keep(n) {
  for (let i = 0; i < n; i++) kept.push({ id: i, name: `item-${i}`, tags: [i, i + 1] });
}

const start = performance.now();
let total = 0;
for (let round = 0; round < scale; round++) {
  total += churn(150_000);
  keep(10_000);
}
const ms = performance.now() - start;
console.log(`work-ms ${ms.toFixed(1)} (${total}, kept ${kept.length})`);
