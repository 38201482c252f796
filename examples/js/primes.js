// Counts primes below a limit the slow way. Profile it: the heat lands on isPrime's loop.
'use strict';

function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) return false;
  }
  return true;
}

function countPrimes(limit) {
  let count = 0;
  for (let n = 0; n < limit; n++) {
    if (isPrime(n)) count++;
  }
  return count;
}

function formatReport(limit, count) {
  const lines = [];
  for (let i = 0; i < 2000; i++) lines.push(`${i}: ${limit} -> ${count}`);
  return lines.join('\n').length;
}

const limit = Number(process.argv[2] ?? 3_000_000);
const count = countPrimes(limit);
formatReport(limit, count);
console.log(`${count} primes below ${limit}`);
