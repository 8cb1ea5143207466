import { z } from 'zod';
import { regularizedBeta } from '../statistics/special-functions.ts';
import type { PerformanceFigures } from './performance-state.ts';
import type { ReferencePerformance } from './reference.ts';

/**
 * When performance has dropped: by more than the tolerance below the version's reference (effect
 * size), on enough rows, and — for accuracy — significantly below it (a one-sided exact binomial
 * test against the reference at `alpha`), so that a window of a model performing as it should seldom breaches
 * by chance: at the defaults, a window of 100 labelled rows of a 0.9-accurate model breaches with
 * a probability of about 0.5 %, against about 7 % on the tolerance alone.
 */
export const PerformanceThresholdsSchema = z.object({
  /** Accuracy points below the reference accuracy that breach, realized or estimated. */
  maxAccuracyDrop: z.number().min(0).max(1).default(0.05),
  /** Relative rise of RMSE over the reference RMSE that breaches (0.1: 10 % worse). */
  maxErrorIncrease: z.number().min(0).default(0.1),
  /** Rows a figure needs before it can breach: labelled rows for realized, served rows for estimated. */
  minSamples: z.int().min(1).default(100),
  /** Significance level of an accuracy drop below the reference. */
  alpha: z.number().gt(0).lt(1).default(0.01),
});
export type PerformanceThresholds = z.output<typeof PerformanceThresholdsSchema>;
export type PerformanceThresholdsInput = z.input<typeof PerformanceThresholdsSchema>;

/** The figure a check compares: realized accuracy, the estimate of it, or a regressor's RMSE. */
export type PerformanceMetric = 'accuracy' | 'estimated_accuracy' | 'rmse';

export interface PerformanceCheck {
  readonly metric: PerformanceMetric;
  readonly breached: boolean;
  /** How much worse than the reference: accuracy points, or the relative rise of RMSE. */
  readonly drop: number;
  readonly threshold: number;
  /** One-sided p-value of the figure being below the reference (accuracy figures; null for RMSE, judged on the tolerance alone). */
  readonly pValue: number | null;
  readonly rows: number;
  /** False below the minimum sample: the check says nothing either way. */
  readonly decided: boolean;
  readonly observed: number;
  readonly reference: number;
}

/** The checks a version's figures allow against its reference; none for a figure or reference that is missing. */
export function performanceChecks(figures: PerformanceFigures, reference: ReferencePerformance | undefined, options: PerformanceThresholdsInput = {}): PerformanceCheck[] {
  if (!reference) return [];
  const { maxAccuracyDrop, maxErrorIncrease, minSamples, alpha } = PerformanceThresholdsSchema.parse(options);
  const checks: PerformanceCheck[] = [];
  const accuracy = (metric: PerformanceMetric, rows: number, observed: number | null) => {
    if (observed === null || reference.accuracy === undefined) return;
    const drop = reference.accuracy - observed;
    const pValue = belowReference(observed, reference.accuracy, rows);
    const breached = rows >= minSamples && drop > maxAccuracyDrop && pValue < alpha;
    checks.push({ metric, breached, drop, threshold: maxAccuracyDrop, pValue, rows, decided: rows >= minSamples, observed, reference: reference.accuracy });
  };
  const { realized, estimated } = figures;
  if (realized && 'accuracy' in realized) accuracy('accuracy', realized.rows, realized.accuracy);
  // A reference RMSE of 0 (a perfect fit) has no relative rise to judge.
  if (realized && 'rmse' in realized && realized.rmse !== null && reference.rmse !== undefined && reference.rmse > 0) {
    const ref = reference.rmse;
    const drop = (realized.rmse - ref) / ref;
    const breached = realized.rows >= minSamples && drop > maxErrorIncrease;
    checks.push({
      metric: 'rmse',
      breached,
      drop,
      threshold: maxErrorIncrease,
      pValue: null,
      rows: realized.rows,
      decided: realized.rows >= minSamples,
      observed: realized.rmse,
      reference: ref,
    });
  }
  if (estimated) accuracy('estimated_accuracy', estimated.rows, estimated.accuracy);
  return checks;
}

/**
 * P(an accuracy this low on `rows` rows | the model is as accurate as its reference): the
 * binomial lower tail P(X ≤ observed · rows), X ~ Bin(rows, reference), exact (the normal
 * approximation is poor in that skewed tail); a fractional count (an estimate) by the same beta.
 */
function belowReference(observed: number, reference: number, rows: number): number {
  const correct = observed * rows;
  if (rows === 0 || correct >= rows || reference <= 0) return 1;
  if (reference >= 1) return 0;
  return regularizedBeta(1 - reference, rows - correct, correct + 1);
}
