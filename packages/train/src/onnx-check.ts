import { loadModel, predict, releaseModel, type NestedValue } from '@flywheel/inference';
import { classIndex, type EncodedRows, type TrainingTask } from './dataset.ts';
import type { OnnxLayout, TrainedModel } from './export-onnx.ts';
import { argmaxRows, predictModel, type Predictions } from './predictions.ts';

/** Outputs of an exported model disagree with the TypeScript model: the export is wrong, never ship it. */
export class ExportMismatchError extends Error {
  override name = 'ExportMismatchError';
}

export const EXPORT_TOLERANCE = 1e-5;

/** Rows as the model's input: nested `[rows][columns]`. */
function nestedRows(data: Pick<EncodedRows, 'x' | 'rows' | 'columns'>): number[][] {
  return Array.from({ length: data.rows }, (_, i) => Array.from(data.x.subarray(i * data.columns, (i + 1) * data.columns)));
}

async function runOnnx(bytes: Uint8Array, input: string, data: Pick<EncodedRows, 'x' | 'rows' | 'columns'>): Promise<Record<string, NestedValue>> {
  // Checked once, not served: no need to probe whether requests could share runs.
  const model = await loadModel(bytes, { batching: false });
  try {
    return await predict(model, { [input]: nestedRows(data) });
  } finally {
    await releaseModel(model);
  }
}

/**
 * Loads the exported bytes with the serving runtime, predicts `data`, and checks every output
 * against the TypeScript model: probabilities within 1e-5, regression values within 1e-5 (relative
 * beyond magnitude 1, where float32 itself is coarser), labels equal (except on rows whose top two
 * probabilities are within the tolerance, where float32 may break the tie the other way). Returns
 * the largest difference seen.
 */
export async function verifyExport(bytes: Uint8Array, model: TrainedModel, layout: OnnxLayout, data: EncodedRows): Promise<number> {
  const outputs = await runOnnx(bytes, layout.input, data);
  const expected = predictModel(model, data);
  let largest = 0;
  const check = (actual: number, wanted: number, where: string) => {
    // float32 carries ~7 significant digits: beyond magnitude 1 the tolerance is relative.
    const difference = Math.abs(actual - wanted) / Math.max(1, Math.abs(wanted));
    largest = Math.max(largest, difference);
    if (!(difference <= EXPORT_TOLERANCE)) throw new ExportMismatchError(`${where}: ONNX gives ${actual}, the trained model ${wanted}`);
  };
  if (expected.kind === 'values') {
    const name = (layout.outputs as { prediction: string }).prediction;
    const values = (outputs[name] as number[][]).map((row) => row[0]);
    values.forEach((value, i) => check(value, expected.values[i], `${name}[${i}]`));
    return largest;
  }
  const names = layout.outputs as { label: string; probabilities: string };
  const classes = model.task.classes ?? [];
  const probabilities = outputs[names.probabilities] as number[][];
  probabilities.forEach((row, i) => row.forEach((p, k) => check(p, expected.probabilities![i * classes.length + k], `${names.probabilities}[${i}][${k}]`)));
  const labels = outputs[names.label] as (number | string)[];
  labels.forEach((label, i) => {
    const wanted = expected.labels[i];
    if (classIndex(classes, label) === wanted) return;
    const sorted = [...probabilities[i]].sort((a, b) => b - a);
    if (sorted[0] - sorted[1] > EXPORT_TOLERANCE) {
      throw new ExportMismatchError(`${names.label}[${i}]: ONNX says ${label}, the trained model ${String(classes[wanted])}`);
    }
  });
  return largest;
}

/**
 * Any model's predictions for `data` through the serving runtime, read from the output the
 * model's task names: a `[rows, classes]` float output is probabilities, `[rows, 1]` or `[rows]`
 * floats of a binary model the probability of the second class, otherwise labels.
 */
export async function predictOnnx(bytes: Uint8Array, task: TrainingTask & { readonly output: string }, input: string, data: EncodedRows): Promise<Predictions> {
  const outputs = await runOnnx(bytes, input, data);
  const output = outputs[task.output];
  if (!Array.isArray(output)) throw new TypeError(`the model has no tensor output ${task.output}`);
  const rows = output as NestedValue[];
  if (task.type === 'regression') return { kind: 'values', values: Float64Array.from(rows, (row) => Number(Array.isArray(row) ? row[0] : row)) };
  const classes = task.classes ?? [];
  const first = rows[0];
  if (Array.isArray(first) && first.length === classes.length && classes.length > 1) {
    const probabilities = Float64Array.from(rows.flatMap((row) => (row as number[]).map(Number)));
    return { kind: 'classes', labels: argmaxRows(probabilities, classes.length), probabilities };
  }
  const flat = rows.map((row) => (Array.isArray(row) ? row[0] : row));
  const isProbability = task.type === 'binary-classification' && flat.some((v) => typeof v === 'number' && !Number.isInteger(v));
  if (isProbability) {
    const probabilities = Float64Array.from(flat.flatMap((v) => [1 - Number(v), Number(v)]));
    return { kind: 'classes', labels: argmaxRows(probabilities, 2), probabilities };
  }
  return { kind: 'classes', labels: Int32Array.from(flat, (label) => classIndex(classes, label)) };
}
