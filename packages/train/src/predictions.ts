import type { EncodedRows, TrainingTask } from './dataset.ts';
import { predictBoostedTrees } from './boosted-trees.ts';
import type { TrainedModel } from './export-onnx.ts';
import { predictLinear } from './linear.ts';

/** What a model said about each row: class probabilities and/or positions, or regression values. */
export type Predictions =
  | {
      readonly kind: 'classes';
      /** Predicted class positions. */
      readonly labels: Int32Array;
      /** rows × classes; absent when the model only names a label. */
      readonly probabilities?: Float64Array;
    }
  | { readonly kind: 'values'; readonly values: Float64Array };

/** The first most probable class, as ArgMax picks it. */
export function argmaxRows(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    labels[i] = best;
  }
  return labels;
}

/** The trained model's predictions, computed in TypeScript. */
export function predictModel(model: TrainedModel, data: Pick<EncodedRows, 'x' | 'rows'>): Predictions {
  const raw = model.algorithm === 'linear' ? predictLinear(model, data.x, data.rows) : predictBoostedTrees(model, data.x, data.rows);
  return fromScores(model.task, raw);
}

export function fromScores(task: TrainingTask, raw: Float64Array): Predictions {
  if (task.type === 'regression') return { kind: 'values', values: raw };
  const classes = task.classes?.length ?? 0;
  return { kind: 'classes', labels: argmaxRows(raw, classes), probabilities: raw };
}
