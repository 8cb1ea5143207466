import type { TrainingTask } from './dataset.ts';
import type { Predictions } from './predictions.ts';

export type Metrics = Record<string, number>;

/**
 * Holdout metrics: accuracy, plus log loss (and AUC for binary) when the model gives
 * probabilities; RMSE and MAE for regression.
 */
export function evaluatePredictions(task: TrainingTask, predictions: Predictions, y: Float64Array): Metrics {
  const n = y.length;
  if (predictions.kind === 'values') {
    let squared = 0;
    let absolute = 0;
    for (let i = 0; i < n; i++) {
      const error = predictions.values[i] - y[i];
      squared += error * error;
      absolute += Math.abs(error);
    }
    return { rmse: Math.sqrt(squared / n), mae: absolute / n, rows: n };
  }
  let correct = 0;
  for (let i = 0; i < n; i++) if (predictions.labels[i] === y[i]) correct++;
  const metrics: Metrics = { accuracy: correct / n, rows: n };
  const probabilities = predictions.probabilities;
  if (probabilities) {
    const classes = probabilities.length / n;
    let loss = 0;
    for (let i = 0; i < n; i++) loss -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i * classes + y[i]])));
    metrics.logLoss = loss / n;
    if (task.type === 'binary-classification') {
      const positive = Float64Array.from({ length: n }, (_, i) => probabilities[i * 2 + 1]);
      metrics.auc = rocAuc(positive, y);
    }
  }
  return metrics;
}

/** Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties sharing their mean rank. */
export function rocAuc(scores: Float64Array, y: Float64Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(scores.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]] = rank;
    start = end + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      positives++;
      rankSum += ranks[i];
    }
  }
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface Comparison {
  /** The metric compared: accuracy for classification, RMSE for regression. */
  readonly primary: 'accuracy' | 'rmse';
  /** Positive when the challenger is better: accuracy points, or the relative drop in RMSE. */
  readonly improvement: number;
}

export function compareMetrics(task: TrainingTask, challenger: Metrics, champion: Metrics): Comparison {
  if (task.type === 'regression') {
    return { primary: 'rmse', improvement: champion.rmse > 0 ? (champion.rmse - challenger.rmse) / champion.rmse : 0 };
  }
  return { primary: 'accuracy', improvement: challenger.accuracy - champion.accuracy };
}
