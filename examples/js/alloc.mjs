// Where do the bytes go? Three functions allocate: one keeps strings, one builds arrays it drops
// at once, one keeps objects. Profile its memory (allocated; --memory-live: live at the end), or
// open profiles/alloc.heapprofile (`node --heap-prof`: the objects still alive at the end).
const kept = [];

function makeStrings(n) {
  for (let i = 0; i < n; i++) kept.push(`item-${i}-${'x'.repeat(50)}`);
}

function churnArrays(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = new Array(100).fill(i);
    sum += a.length;
  }
  return sum;
}

function makeObjects(n) {
  for (let i = 0; i < n; i++) kept.push({ id: i, name: `obj${i}`, tags: [i, i + 1] });
}

makeStrings(200_000);
churnArrays(100_000);
makeObjects(100_000);
globalThis.kept = kept;
console.log(`kept ${kept.length} values`);
