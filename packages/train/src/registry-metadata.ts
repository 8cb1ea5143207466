import type { Feature, Task } from '@flywheel/core';
import type { TrainingFeature, TrainingTask } from './dataset.ts';
import type { OnnxLayout } from './export-onnx.ts';

/** The `features` to register a trained model with: every feature a column of the one input. */
export function registryFeatures(features: readonly TrainingFeature[], layout: OnnxLayout): Feature[] {
  return features.map((feature, index) => ({
    name: feature.name,
    kind: feature.kind,
    input: layout.input,
    index,
    ...(feature.categories ? { categories: [...feature.categories] } : {}),
  }));
}

/** The `task` to register with: the probabilities (or prediction) are the output to score. */
export function registryTask(task: TrainingTask, layout: OnnxLayout): Task {
  const output = 'prediction' in layout.outputs ? layout.outputs.prediction : layout.outputs.probabilities;
  return { type: task.type, output, ...(task.classes ? { classes: [...task.classes] } : {}) };
}

/**
 * What the built-in trainer can retrain: a model whose features are all columns of one float
 * input, with a task. The features, in column order, and the layout to keep; or why not.
 */
export function retrainableShape(
  metadata: { features?: readonly Feature[]; task?: Task },
  outputs: readonly { name: string; datatype: string }[],
): { features: TrainingFeature[]; task: TrainingTask & { output: string }; layout: OnnxLayout } | { reason: string } {
  const { features, task } = metadata;
  if (!task) return { reason: 'the model version has no task, so the trainer does not know what to predict' };
  if (!features?.length) return { reason: 'the model version has no features, so logged records cannot be turned into its input' };
  const inputs = new Set(features.map((f) => f.input));
  if (inputs.size !== 1) return { reason: `the built-in trainer feeds one float input; the features span ${[...inputs].join(', ')}` };
  const ordered = [...features].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  if (ordered.some((f, i) => (f.index ?? 0) !== i)) return { reason: 'the features must fill the input’s columns 0, 1, 2, … without gaps' };
  const input = ordered[0].input;
  if (task.type === 'regression') {
    return { features: ordered.map(toTraining), task, layout: { input, outputs: { prediction: task.output } } };
  }
  if (!task.classes || task.classes.length < 2) return { reason: 'a classification task needs its classes to retrain' };
  const output = outputs.find((o) => o.name === task.output);
  const isLabel = output && (output.datatype === 'INT64' || output.datatype === 'BYTES' || output.datatype === 'INT32');
  const other = (name: string) => (outputs.some((o) => o.name === name && o.name !== task.output) ? name : undefined);
  const layout: OnnxLayout = isLabel
    ? { input, outputs: { label: task.output, probabilities: other('probabilities') ?? `${task.output}_probabilities` } }
    : { input, outputs: { label: other('label') ?? `${task.output}_label`, probabilities: task.output } };
  return { features: ordered.map(toTraining), task, layout };
}

function toTraining(feature: Feature): TrainingFeature {
  return { name: feature.name, kind: feature.kind, ...(feature.categories ? { categories: feature.categories } : {}) };
}
