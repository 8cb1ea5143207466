import { studentTQuantile, studentTSf } from '../statistics/distributions.ts';
import { relativeLift, type Interval } from './interval.ts';

/**
 * Sufficient statistics of a continuous metric. They add up across windows and shards, so an
 * experiment can be analyzed from stored aggregates without keeping observations.
 */
export interface Moments {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export interface MeanEstimate {
  /** null without observations. */
  readonly mean: number | null;
  /** Unbiased sample variance; null with fewer than two observations. */
  readonly variance: number | null;
  /** Student t interval; null with fewer than two observations. */
  readonly ci: Interval | null;
}

export interface MeanComparison {
  /** Treatment mean minus control mean. */
  readonly difference: number;
  readonly lift: number | null;
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided. */
  readonly pValue: number;
}

export function momentsOf(values: readonly number[]): Moments {
  let [sum, sumSquares] = [0, 0];
  for (const value of values) {
    sum += value;
    sumSquares += value * value;
  }
  return { count: values.length, sum, sumSquares };
}

export function meanOf({ count, sum }: Moments): number {
  return count > 0 ? sum / count : 0;
}

/** Unbiased sample variance; 0 with fewer than two observations. */
export function varianceOf({ count, sum, sumSquares }: Moments): number {
  if (count < 2) return 0;
  // Rounding can leave a constant sample a hair below zero.
  return Math.max(0, (sumSquares - (sum * sum) / count) / (count - 1));
}

export function estimateMean(moments: Moments, confidence = 0.95): MeanEstimate {
  if (moments.count === 0) return { mean: null, variance: null, ci: null };
  const mean = meanOf(moments);
  if (moments.count < 2) return { mean, variance: null, ci: null };
  const variance = varianceOf(moments);
  const halfWidth = studentTQuantile(1 - (1 - confidence) / 2, moments.count - 1) * Math.sqrt(variance / moments.count);
  return { mean, variance, ci: { lower: mean - halfWidth, upper: mean + halfWidth } };
}

/** Welch's unequal-variance t-test of treatment against control. */
export function compareMeans(control: Moments, treatment: Moments): MeanComparison {
  const difference = meanOf(treatment) - meanOf(control);
  const lift = relativeLift(meanOf(control), meanOf(treatment));
  if (control.count < 2 || treatment.count < 2) return { difference, lift, t: 0, df: 0, pValue: 1 };
  const controlShare = varianceOf(control) / control.count;
  const treatmentShare = varianceOf(treatment) / treatment.count;
  const standardError = Math.sqrt(controlShare + treatmentShare);
  if (standardError === 0) {
    // Two constant samples: identical means are no evidence, different ones are conclusive.
    const df = control.count + treatment.count - 2;
    return difference === 0 ? { difference, lift, t: 0, df, pValue: 1 } : { difference, lift, t: Math.sign(difference) * Infinity, df, pValue: 0 };
  }
  const t = difference / standardError;
  const df = (controlShare + treatmentShare) ** 2 / (controlShare ** 2 / (control.count - 1) + treatmentShare ** 2 / (treatment.count - 1));
  return { difference, lift, t, df, pValue: 2 * studentTSf(Math.abs(t), df) };
}
