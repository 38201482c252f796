// Bundled into dist/app.js with a source map (see build.sh). Profile dist/app.js: the heat
// lands here and in hash.ts, not in the bundle.
import { checksum } from './hash';

function makeData(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + 7) & 0xff;
  return data;
}

const data = makeData(1 << 20);
console.log(`checksum: ${checksum(data, 150).toString(16)}`);
