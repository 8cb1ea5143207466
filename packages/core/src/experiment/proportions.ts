import { normalQuantile, normalSf } from '../statistics/distributions.ts';
import { relativeLift, type Interval } from './interval.ts';

export interface BinaryCounts {
  readonly count: number;
  readonly successes: number;
}

export interface ProportionEstimate {
  /** successes / count; null without observations. */
  readonly rate: number | null;
  readonly ci: Interval;
}

export interface ProportionComparison {
  /** Treatment rate minus control rate. */
  readonly difference: number;
  /** Difference relative to the control rate; null when the control rate is 0. */
  readonly lift: number | null;
  readonly z: number;
  /** Two-sided. */
  readonly pValue: number;
}

/**
 * The rate with its Wilson score interval, which, unlike the Wald interval, stays inside [0, 1]
 * and keeps its coverage for rates near 0 or 1 and for small counts — the usual case for error
 * rates and conversions.
 */
export function estimateProportion({ count, successes }: BinaryCounts, confidence = 0.95): ProportionEstimate {
  if (count === 0) return { rate: null, ci: { lower: 0, upper: 1 } };
  const rate = successes / count;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2n = (z * z) / count;
  const center = (rate + z2n / 2) / (1 + z2n);
  const halfWidth = (z / (1 + z2n)) * Math.sqrt((rate * (1 - rate)) / count + z2n / (4 * count));
  // At 0 or n successes a bound is exactly 0 or 1; float rounding would leave it a hair off.
  const lower = successes === 0 ? 0 : center - halfWidth;
  const upper = successes === count ? 1 : center + halfWidth;
  return { rate, ci: { lower, upper } };
}

/** Two-proportion z-test with the pooled standard error (the variance under H0: equal rates). */
export function compareProportions(control: BinaryCounts, treatment: BinaryCounts): ProportionComparison {
  const controlRate = control.count > 0 ? control.successes / control.count : 0;
  const treatmentRate = treatment.count > 0 ? treatment.successes / treatment.count : 0;
  const difference = treatmentRate - controlRate;
  const lift = relativeLift(controlRate, treatmentRate);
  const pooled = (control.successes + treatment.successes) / (control.count + treatment.count);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / control.count + 1 / treatment.count));
  // Without observations in both arms, or with no variation at all, there is no evidence.
  if (!(standardError > 0) || !Number.isFinite(standardError)) return { difference, lift, z: 0, pValue: 1 };
  const z = difference / standardError;
  return { difference, lift, z, pValue: 2 * normalSf(Math.abs(z)) };
}
