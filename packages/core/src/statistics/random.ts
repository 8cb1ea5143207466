/**
 * The project's one seeded PRNG, mulberry32: uniform on [0, 1), a tiny 32-bit generator with good
 * statistical quality, the same sequence on every machine for a seed (demo datasets, simulations,
 * test data).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
