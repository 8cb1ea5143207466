import { cdfAtEdges, type BinnedSample } from './binned-distribution.ts';
import { kolmogorovSurvival } from '../../statistics/special-functions.ts';

export interface KsResult {
  /** sup |F − G| over the bin edges. */
  readonly statistic: number;
  /** Asymptotic two-sided p-value. */
  readonly pValue: number;
}

/**
 * Asymptotic p-value of a two-sample KS statistic: P(K > √nₑ · D) under the Kolmogorov
 * distribution, with the effective sample size nₑ = n·m / (n + m).
 */
export function ksPValue(statistic: number, n: number, m: number): number {
  return kolmogorovSurvival(Math.sqrt((n * m) / (n + m)) * statistic);
}

/**
 * Two-sample Kolmogorov–Smirnov test on two samples binned over the same layout.
 *
 * Both CDFs are exact at every edge — and, when both samples carry bin detail, just left of
 * every edge too, the ties on it being counted apart — so the only error is the supremum inside
 * a bin being missed. Inside a bin (a, b) F and G rise by at most the mass ΔF, ΔG strictly inside
 * it, and D = F − G stays within D(a) − ΔG … D(a) + ΔF and D(b−) − ΔF … D(b−) + ΔG: the binned
 * statistic is below the exact one by at most min(ΔF, ΔG) ({@link ksErrorBound}). A reference
 * profile's bins hold less than 1/quantileBins of its values strictly inside (1/256 by
 * default: within 0.0039 of the exact value, exact for discrete features). Missing the supremum
 * makes the p-value slightly conservative, never anti-conservative.
 */
export function twoSampleKs(reference: BinnedSample, window: BinnedSample): KsResult {
  const f = cdfAtEdges(reference);
  const g = cdfAtEdges(window);
  let statistic = 0;
  for (let i = 0; i < f.length; i++) statistic = Math.max(statistic, Math.abs(f[i] - g[i]));
  if (reference.detail && window.detail) {
    // F(e[j]−) = F(e[j]) − ties on e[j]; for e[0] that is the underflow point, already in f.
    const [tiesF, tiesG] = [reference.detail.edgeCounts, window.detail.edgeCounts];
    for (let j = 1; j < tiesF.length; j++) {
      const gap = f[j + 1] - tiesF[j] / reference.total - (g[j + 1] - tiesG[j] / window.total);
      statistic = Math.max(statistic, Math.abs(gap));
    }
  }
  return { statistic, pValue: ksPValue(statistic, reference.total, window.total) };
}

/** How far below the exact statistic {@link twoSampleKs} can be: the largest min(ΔF, ΔG) over the bins. */
export function ksErrorBound(reference: BinnedSample, window: BinnedSample): number {
  const f = cdfAtEdges(reference);
  const g = cdfAtEdges(window);
  const withTies = reference.detail && window.detail;
  const last = f.length - 1;
  // Below the first edge and above the last, each CDF moves by its under- or overflow mass.
  let bound = Math.max(Math.min(f[0], g[0]), Math.min(1 - f[last], 1 - g[last]));
  for (let j = 1; j + 1 < f.length; j++) {
    const riseF = f[j + 1] - f[j] - (withTies ? reference.detail!.edgeCounts[j] / reference.total : 0);
    const riseG = g[j + 1] - g[j] - (withTies ? window.detail!.edgeCounts[j] / window.total : 0);
    bound = Math.max(bound, Math.min(riseF, riseG));
  }
  return bound;
}
