import { gammaln } from 'simple-statistics';

const MAX_ITERATIONS = 1000;
const RELATIVE_EPSILON = 1e-15;
// Smallest magnitude the continued fraction may divide by (Lentz's method guard).
const TINY = 1e-300;

/** Lower series of P(a, x); converges quickly for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * RELATIVE_EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - gammaln(a));
}

/** Continued fraction of Q(a, x) (modified Lentz); converges quickly for x ≥ a + 1. */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < RELATIVE_EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - gammaln(a)) * h;
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0.
 * Each branch is evaluated where it converges, and Q is computed directly (not as 1 − P)
 * in the upper region so tiny tail probabilities keep their precision.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularizedGammaQ needs a > 0 and x ≥ 0 (a=${a}, x=${x})`);
  if (x === 0) return 1;
  if (x < a + 1) return Math.max(0, 1 - lowerGammaSeries(a, x));
  return Math.min(1, upperGammaContinuedFraction(a, x));
}

/** P(X ≥ x) for X ~ χ²(degreesOfFreedom). */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (x <= 0) return 1;
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

/**
 * Survival function of the Kolmogorov distribution, P(K > λ) (scipy's `kstwobign.sf`).
 * Two series are used, each where it needs only a handful of terms: the theta-function form
 * for small λ, the alternating series 2 Σ (−1)^(k−1) e^(−2k²λ²) otherwise.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const factor = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k < 20; k++) {
      const odd = 2 * k - 1;
      const term = Math.exp(factor * odd * odd);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
