import { regularizedBeta, regularizedGammaQ } from './special-functions.ts';

/** P(Z > z) for a standard normal Z; accurate deep into the tail (erfc(x) = Q(½, x²)). */
export function normalSf(z: number): number {
  const half = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
  return z >= 0 ? half : 1 - half;
}

export function normalCdf(z: number): number {
  return normalSf(-z);
}

/** The p-quantile of the standard normal distribution. */
export function normalQuantile(p: number): number {
  return invertCdf(normalCdf, p);
}

/** P(T > t) for Student's t with `df` (possibly fractional) degrees of freedom. */
export function studentTSf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  return invertCdf((t) => 1 - studentTSf(t, df), p);
}

/** P(X > x) for a chi-square X with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2);
}

// Bisection is slower than Newton steps but cannot diverge, and quantiles are needed only once
// per confidence interval.
function invertCdf(cdf: (x: number) => number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), not ${p}`);
  let [low, high] = [-1, 1];
  while (cdf(low) > p) low *= 2;
  while (cdf(high) < p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-15 * Math.max(1, Math.abs(low)); i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
