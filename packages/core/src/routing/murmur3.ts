/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) over the UTF-8 bytes of a string.
 *
 * Chosen for traffic assignment because it is fast, mixes well (full avalanche in the final
 * fmix step), is specified bit-for-bit, and needs only 32-bit integer arithmetic — so Lambda,
 * edge runtimes and Node compute identical buckets without Node's crypto module. It is not a
 * cryptographic hash; bucket assignment needs uniformity, not secrecy.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const utf8 = new TextEncoder();

export function murmur3(text: string, seed = 0): number {
  const bytes = utf8.encode(text);
  const tailStart = bytes.length - (bytes.length % 4);
  let h = seed >>> 0;

  for (let i = 0; i < tailStart; i += 4) {
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h ^= scramble(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  if (tailStart < bytes.length) {
    let k = 0;
    for (let i = bytes.length - 1; i >= tailStart; i--) k = (k << 8) | bytes[i];
    h ^= scramble(k);
  }

  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}
