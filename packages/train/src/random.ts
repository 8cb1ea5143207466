import { mulberry32 } from '@flywheel/core';

/** Draws from the project's seeded PRNG (mulberry32): the same seed gives the same dataset on every machine. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** An index drawn with the given (unnormalised) weights. */
  pick(weights: readonly number[]): number;
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: (weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      let u = next() * total;
      for (let i = 0; i < weights.length; i++) {
        u -= weights[i];
        if (u < 0) return i;
      }
      return weights.length - 1;
    },
  };
}
