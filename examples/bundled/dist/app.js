"use strict";

// src/hash.ts
function checksum(data2, rounds) {
  let a = 1;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < data2.length; i++) {
      a = (a + data2[i]) % 65521;
      b = (b + a) % 65521;
    }
  }
  return b << 16 | a;
}

// src/app.ts
function makeData(length) {
  const data2 = new Uint8Array(length);
  for (let i = 0; i < length; i++) data2[i] = i * 31 + 7 & 255;
  return data2;
}
var data = makeData(1 << 20);
console.log(`checksum: ${checksum(data, 150).toString(16)}`);
//# sourceMappingURL=app.js.map
