/** Adler-style rolling checksum, deliberately slow: the hot spot of the bundle. */
export function checksum(data: Uint8Array, rounds: number): number {
  let a = 1;
  let b = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < data.length; i++) {
      a = (a + data[i]) % 65521;
      b = (b + a) % 65521;
    }
  }
  return (b << 16) | a;
}
