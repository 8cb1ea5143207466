import { normalCdf } from '../statistics/distributions.ts';
import { meanOf, varianceOf, type Moments } from './means.ts';
import type { BinaryCounts } from './proportions.ts';

/**
 * Mixture sequential probability ratio test (mSPRT) with a normal mixing distribution, after
 * Johari, Koomen, Pekelis & Walsh, "Peeking at A/B Tests" (KDD 2017) and "Always Valid
 * Inference" (Operations Research, 2022).
 *
 * The difference of two arm means θ̂ is treated as Gaussian with variance V = σ²_c/n_c + σ²_t/n_t.
 * Mixing the likelihood ratio of every alternative θ over θ − θ₀ ~ N(0, τ²) gives
 *   Λ = √(V / (V + τ²)) · exp((θ̂ − θ₀)² τ² / (2V(V + τ²))),
 * a non-negative martingale under H₀, so by Ville's inequality P(sup Λ ≥ 1/α) ≤ α: the running
 * minimum of 1/Λ is a p-value that stays valid however often it is looked at. Everything is a
 * function of counts, sums and sums of squares plus the previous p-value, so it can be recomputed
 * from stored aggregates at every look.
 */

/** `greater`: H₁ is treatment − control > θ₀; `less`: < θ₀. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** An arm as the test sees it: observations, mean and per-observation variance. */
export interface Arm {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
}

export interface MixtureEvidence {
  /** The estimate whose distribution under H₀ is N(nullValue, variance). */
  readonly estimate: number;
  readonly variance: number;
  readonly nullValue: number;
  /** τ², the variance of the normal mixture over the effect. */
  readonly mixingVariance: number;
  readonly alternative: Alternative;
}

/** τ in units of the per-observation standard deviation, unless a caller says otherwise. */
export const DEFAULT_EFFECT_SIZE = 0.1;

export interface SequentialOptions {
  readonly alternative?: Alternative;
  /** θ₀, the difference treatment − control under H₀; 0 unless testing a margin. */
  readonly nullDifference?: number;
  /**
   * τ in units of the pooled per-observation standard deviation: the effect size the test is
   * tuned to detect fastest. The default, 0.1, suits guardrails and typical product metrics.
   */
  readonly effectSize?: number;
  /** The always-valid p-value at the previous look; 1 before the first. */
  readonly previousPValue?: number;
}

export interface SequentialResult {
  readonly difference: number;
  readonly likelihoodRatio: number;
  /** Always-valid p-value: never above the previous look's. */
  readonly pValue: number;
}

export function armFromMoments(moments: Moments): Arm {
  return { count: moments.count, mean: meanOf(moments), variance: varianceOf(moments) };
}

/**
 * A binary arm. The variance comes from the Laplace-smoothed rate (x + 1) / (n + 2): with the raw
 * rate, an arm whose every request fails would have zero variance and so be no evidence at all.
 */
export function armFromCounts({ count, successes }: BinaryCounts): Arm {
  const smoothed = (successes + 1) / (count + 2);
  return { count, mean: count > 0 ? successes / count : 0, variance: smoothed * (1 - smoothed) };
}

/** Λ for one look; 1 (no evidence) when the variance is not positive. */
export function mixtureLikelihoodRatio(evidence: MixtureEvidence): number {
  const { variance: v, mixingVariance: tau2 } = evidence;
  if (!(v > 0 && tau2 > 0)) return 1;
  const shift = evidence.estimate - evidence.nullValue;
  const logShrinkage = 0.5 * Math.log(v / (v + tau2));
  // x² / 2 is the exponent of the two-sided mixture; x is the standardized posterior mean.
  const x = (shift * Math.sqrt(tau2)) / Math.sqrt(v * (v + tau2));
  if (evidence.alternative === 'two-sided') return Math.exp(logShrinkage + (x * x) / 2);
  // A half-normal mixture over the alternative's side only:
  //   Λ = 2 √(V/(V+τ²)) exp(x²/2) Φ(±x).
  const directed = evidence.alternative === 'greater' ? x : -x;
  return Math.exp(Math.LN2 + logShrinkage + (x * x) / 2 + Math.log(normalCdf(directed)));
}

/** The running minimum of 1/Λ, capped at 1. */
export function alwaysValidPValue(likelihoodRatio: number, previousPValue = 1): number {
  return Math.min(previousPValue, 1, 1 / likelihoodRatio);
}

/** One look of the two-sample mSPRT on treatment − control. */
export function sequentialTest(control: Arm, treatment: Arm, options: SequentialOptions = {}): SequentialResult {
  const difference = treatment.mean - control.mean;
  const effectSize = options.effectSize ?? DEFAULT_EFFECT_SIZE;
  const observed = control.count >= 2 && treatment.count >= 2;
  const pooledVariance = observed ? (control.count * control.variance + treatment.count * treatment.variance) / (control.count + treatment.count) : 0;
  const likelihoodRatio = mixtureLikelihoodRatio({
    estimate: difference,
    variance: observed ? control.variance / control.count + treatment.variance / treatment.count : 0,
    nullValue: options.nullDifference ?? 0,
    mixingVariance: effectSize * effectSize * pooledVariance,
    alternative: options.alternative ?? 'two-sided',
  });
  return { difference, likelihoodRatio, pValue: alwaysValidPValue(likelihoodRatio, options.previousPValue) };
}
