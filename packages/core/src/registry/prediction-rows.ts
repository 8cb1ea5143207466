import type { PredictionRow } from '../logs/entry.ts';
import type { Feature } from './metadata.ts';
import type { ModelSignature } from './signature.ts';

/** Tensors by name, each as its rows (the outer level of a nested array); a scalar stands for every row. */
export type TensorRows = Readonly<Record<string, unknown>>;

/**
 * A request's rows for the prediction log: inputs by feature name when the model declares
 * features (records-style requests give them as sent; a tensor's categorical codes are named as
 * the categories they stand for), otherwise each input's row slice as the tensor holds it (a
 * float32 input's values rounded to float32: what the model saw); and each output's row slice.
 */
export function predictionRows(
  request: { inputs: TensorRows; records?: readonly unknown[] },
  outputs: TensorRows,
  version: { readonly features?: readonly Feature[]; readonly signature?: ModelSignature } | undefined,
): PredictionRow[] {
  const features = version?.features;
  const count = request.records?.length ?? rowCount(request.inputs);
  const inputNames = Object.keys(request.inputs);
  const outputNames = Object.keys(outputs);
  const rows: PredictionRow[] = new Array(count);
  let float32Inputs: Set<string> | undefined;
  for (let r = 0; r < count; r++) {
    let inputs: Record<string, unknown>;
    if (request.records) inputs = request.records[r] as Record<string, unknown>;
    else if (features?.length) {
      inputs = {};
      for (const feature of features) {
        const row = rowOf(request.inputs[feature.input], r, count);
        const value = Array.isArray(row) ? row[feature.index ?? 0] : row;
        inputs[feature.name] = feature.kind === 'categorical' && feature.categories ? categoryOf(feature.categories, value) : value;
      }
    } else {
      inputs = {};
      float32Inputs ??= new Set(version?.signature?.inputs.filter((input) => input.datatype === 'FP32').map((input) => input.name));
      for (const name of inputNames) {
        const row = rowOf(request.inputs[name], r, count);
        inputs[name] = float32Inputs.has(name) ? asFloat32(row) : row;
      }
    }
    const rowOutputs: Record<string, unknown> = {};
    for (const name of outputNames) rowOutputs[name] = rowOf(outputs[name], r, count);
    rows[r] = { inputs, outputs: rowOutputs };
  }
  return rows;
}

/** Rows in a request: the longest outer dimension among its tensors (1 for scalars only). */
export function rowCount(tensors: TensorRows): number {
  let count = 0;
  for (const name in tensors) {
    const value = tensors[name];
    count = Math.max(count, Array.isArray(value) ? value.length : 1);
  }
  return count;
}

/**
 * A categorical value as monitoring knows it: string categories reach a numeric input as their
 * position in `categories` (see records.ts), so a code that is such a position is logged as the
 * category itself; anything else (a numeric category, a string, a code out of range) as it came.
 */
function categoryOf(categories: readonly (string | number)[], value: unknown): unknown {
  if (typeof value !== 'number') return value;
  const category = categories[value];
  return typeof category === 'string' ? category : value;
}

/** A flat row of numbers rounded to float32; anything else (nested, mixed, scalar) as it is. */
function asFloat32(row: unknown): unknown {
  if (!Array.isArray(row)) return row;
  const rounded = new Array<number>(row.length);
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value !== 'number') return row;
    rounded[i] = Math.fround(value);
  }
  return rounded;
}

function rowOf(value: unknown, row: number, count: number): unknown {
  return Array.isArray(value) && value.length === count ? value[row] : value;
}
