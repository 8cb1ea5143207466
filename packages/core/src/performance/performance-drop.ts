import { z } from 'zod';
import type { PerformanceFigures } from './performance-state.ts';
import type { ReferencePerformance } from './reference.ts';

/** When performance has dropped: by more than the tolerance below the version's reference, on enough rows. */
export const PerformanceThresholdsSchema = z.object({
  /** Accuracy points below the reference accuracy that breach, realized or estimated. */
  maxAccuracyDrop: z.number().min(0).max(1).default(0.05),
  /** Relative rise of RMSE over the reference RMSE that breaches (0.1: 10 % worse). */
  maxErrorIncrease: z.number().min(0).default(0.1),
  /** Rows a figure needs before it can breach: labelled rows for realized, served rows for estimated. */
  minSamples: z.int().min(1).default(100),
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
  readonly rows: number;
  readonly observed: number;
  readonly reference: number;
}

/** The checks a version's figures allow against its reference; none for a figure or reference that is missing. */
export function performanceChecks(figures: PerformanceFigures, reference: ReferencePerformance | undefined, options: PerformanceThresholdsInput = {}): PerformanceCheck[] {
  if (!reference) return [];
  const { maxAccuracyDrop, maxErrorIncrease, minSamples } = PerformanceThresholdsSchema.parse(options);
  const checks: PerformanceCheck[] = [];
  const check = (metric: PerformanceMetric, rows: number, observed: number | null, referenceValue: number | undefined, drop: (o: number, r: number) => number, threshold: number) => {
    if (observed === null || referenceValue === undefined) return;
    const worse = drop(observed, referenceValue);
    checks.push({ metric, breached: rows >= minSamples && worse > threshold, drop: worse, threshold, rows, observed, reference: referenceValue });
  };
  const accuracyDrop = (observed: number, ref: number) => ref - observed;
  const { realized, estimated } = figures;
  if (realized && 'accuracy' in realized) check('accuracy', realized.rows, realized.accuracy, reference.accuracy, accuracyDrop, maxAccuracyDrop);
  if (realized && 'rmse' in realized) check('rmse', realized.rows, realized.rmse, reference.rmse, (o, r) => (r > 0 ? (o - r) / r : o > 0 ? Infinity : 0), maxErrorIncrease);
  if (estimated) check('estimated_accuracy', estimated.rows, estimated.accuracy, reference.accuracy, accuracyDrop, maxAccuracyDrop);
  return checks;
}
