import { mulberry32 } from '@flywheel/core';

/**
 * Seeded random numbers for tests: reproducible samples from a few distributions, generated at
 * test time instead of checked-in fixtures.
 */
export interface Random {
  /** Uniform on [0, 1). */
  uniform(): number;
  normal(mean?: number, sd?: number): number;
  /** exp(N(mu, sigma²)). */
  lognormal(mu: number, sigma: number): number;
  /** Gamma(shape, scale) (Marsaglia–Tsang; shape < 1 boosted by U^(1/shape)). */
  gamma(shape: number, scale?: number): number;
  /** Student's t with `dof` degrees of freedom (1: Cauchy). */
  studentT(dof: number): number;
  /** Pareto with tail index `alpha` and minimum `scale`: P(X > x) = (scale/x)^alpha. */
  pareto(alpha: number, scale?: number): number;
  /** An index drawn with the given (unnormalised) weights. */
  pick(weights: readonly number[]): number;
}

export function seededRandom(seed: number): Random {
  const uniform = mulberry32(seed);
  let spare: number | null = null;
  // Box–Muller yields two independent normals per pair of uniforms; keep the second.
  const standardNormal = () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const gamma = (shape: number, scale = 1): number => {
    if (shape < 1) return gamma(shape + 1, scale) * (1 - uniform()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = standardNormal();
      const v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(1 - uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v * scale;
    }
  };
  return {
    uniform,
    normal: (mean = 0, sd = 1) => mean + sd * standardNormal(),
    lognormal: (mu, sigma) => Math.exp(mu + sigma * standardNormal()),
    gamma,
    studentT: (dof) => standardNormal() / Math.sqrt(gamma(dof / 2, 2) / dof),
    pareto: (alpha, scale = 1) => scale * (1 - uniform()) ** (-1 / alpha),
    pick: (weights) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let target = uniform() * total;
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i];
        if (target < 0) return i;
      }
      return weights.length - 1;
    },
  };
}

export function sample(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

/** A count with many zeros: 0 with probability `zeros`, else a rounded lognormal(1, 1). */
export function zeroInflatedCount(r: Random, zeros: number): number {
  return r.uniform() < zeros ? 0 : Math.round(r.lognormal(1, 1));
}
