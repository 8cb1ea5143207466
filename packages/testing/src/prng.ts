// Test support only: a seeded PRNG so simulations give the same answer on every run.

// The project's one generator (statistics/random.ts).
export { mulberry32 } from '@flywheel/core';

/** A standard normal draw by Box–Muller. */
export function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
