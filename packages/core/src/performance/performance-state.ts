import { regressionError, sameLabel, type FeedbackSide, type PredictionSide } from '../feedback/join.ts';
import type { LabelValue } from '../feedback/feedback.ts';
import type { Task } from '../registry/metadata.ts';
import { addExpected, addRealized, createClassCounts, mergeClassCounts, type ClassCounts } from './class-counts.ts';
import { classCount, classProbabilities } from './class-scores.ts';
import { classificationFigures, type ClassificationFigures } from './classification-metrics.ts';

/** A regressor's errors on rows whose true value joined. */
export interface ErrorSums {
  readonly rows: number;
  readonly absoluteError: number;
  readonly squaredError: number;
}

/**
 * Performance kept per monitoring window. `estimated` is counted at ingest from every served
 * row's class probabilities (no labels needed); `realized` and `errors` from feedback as it
 * joins, each row once, into the window of its prediction. All sums, so windows merge.
 */
export interface PerformanceState {
  readonly estimated?: ClassCounts;
  readonly realized?: ClassCounts;
  readonly errors?: ErrorSums;
}

export interface RegressionFigures {
  readonly rows: number;
  readonly mae: number | null;
  readonly rmse: number | null;
}

export interface PerformanceFigures {
  /** From labels: a classifier's figures, or a regressor's errors; null before any joined. */
  readonly realized: ClassificationFigures | RegressionFigures | null;
  /** Confidence-based estimate from the predicted probabilities of every served row; null without probabilities. */
  readonly estimated: ClassificationFigures | null;
}

export function mergePerformance(a: PerformanceState | undefined, b: PerformanceState | undefined): PerformanceState | undefined {
  if (!a || !b) return a ?? b;
  const estimated = mergeClassCounts(a.estimated, b.estimated);
  const realized = mergeClassCounts(a.realized, b.realized);
  const errors = !a.errors || !b.errors ? (a.errors ?? b.errors) : addErrors(a.errors, b.errors);
  return { ...(estimated ? { estimated } : {}), ...(realized ? { realized } : {}), ...(errors ? { errors } : {}) };
}

function addErrors(a: ErrorSums, b: ErrorSums): ErrorSums {
  return { rows: a.rows + b.rows, absoluteError: a.absoluteError + b.absoluteError, squaredError: a.squaredError + b.squaredError };
}

export function performanceFigures(state: PerformanceState | undefined): PerformanceFigures {
  const realized = state?.realized ? classificationFigures(state.realized) : state?.errors ? regressionFigures(state.errors) : null;
  return { realized, estimated: state?.estimated ? classificationFigures(state.estimated) : null };
}

export function regressionFigures(errors: ErrorSums): RegressionFigures {
  const ratio = (x: number) => (errors.rows > 0 ? x / errors.rows : null);
  const meanSquare = ratio(errors.squaredError);
  return { rows: errors.rows, mae: ratio(errors.absoluteError), rmse: meanSquare === null ? null : Math.sqrt(meanSquare) };
}

/**
 * Counts a served row's class probabilities into a window's expected counts (created on first
 * use, and returned): the input of the confidence-based estimate. Rows without probabilities
 * add nothing.
 */
export function addServedRow(estimated: ClassCounts | undefined, task: Task, outputs: Readonly<Record<string, unknown>> | undefined): ClassCounts | undefined {
  const probabilities = classProbabilities(task, outputs);
  if (!probabilities) return estimated;
  const classes = classCount(task, probabilities);
  if (classes === undefined || classes !== probabilities.length) return estimated;
  const counts = estimated ?? createClassCounts(classes);
  addExpected(counts, probabilities);
  return counts;
}

/**
 * What one joined row adds to its prediction's window: a regression's error, or a classifier's
 * (truth, predicted, scores). The same rows the experiment's quality counts (see `facetDelta`),
 * less labels outside the task's classes, which no confusion cell holds.
 */
export function realizedPerformance(feedback: FeedbackSide, prediction: PredictionSide): PerformanceState | undefined {
  const { predicted, task } = prediction;
  if (predicted === undefined || task === undefined) return undefined;
  if (task === 'regression') {
    const error = regressionError(feedback, predicted);
    return error === undefined ? undefined : { errors: { rows: 1, absoluteError: Math.abs(error), squaredError: error * error } };
  }
  if (feedback.label === undefined) return undefined;
  const classes = classCount({ type: task, classes: prediction.classes }, prediction.scores);
  if (classes === undefined) return undefined;
  const truth = classIndex(feedback.label, prediction.classes, classes);
  const guessed = classIndex(predicted, prediction.classes, classes);
  if (truth === undefined || guessed === undefined) return undefined;
  const realized = createClassCounts(classes);
  addRealized(realized, truth, guessed, prediction.scores);
  return { realized };
}

/** A label's class position: in the task's classes, or, without them, the label read as a position (true is 1). */
export function classIndex(label: LabelValue, classes: readonly LabelValue[] | undefined, count: number): number | undefined {
  if (classes) {
    const at = classes.findIndex((c) => sameLabel(c, label));
    return at >= 0 ? at : undefined;
  }
  const position = typeof label === 'string' ? (/^\d{1,3}$/.test(label) ? Number(label) : NaN) : Number(label);
  return Number.isInteger(position) && position >= 0 && position < count ? position : undefined;
}
