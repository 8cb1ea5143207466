import { classCount, type EncodedRows, type TrainingFeature, type TrainingTask } from './dataset.ts';
import { solveSpd } from './linear-algebra.ts';

/**
 * Linear models on standardised numerical columns and one-hot categorical columns: logistic
 * regression (binary), softmax regression (multiclass) and ridge regression. Standardisation,
 * mean imputation and one-hot encoding are part of the model, and go into its ONNX graph.
 */
export interface LinearModel {
  readonly algorithm: 'linear';
  readonly task: TrainingTask;
  readonly columns: number;
  /** Per numerical column: (x − mean) / std, a missing value counting as the mean. */
  readonly numerical: readonly { readonly column: number; readonly mean: number; readonly std: number }[];
  /** Per categorical column: one indicator per known category code. */
  readonly categorical: readonly { readonly column: number; readonly codes: readonly number[] }[];
  /** [design width][outputs], row-major: one output per class (class 0 all zeros) or one for regression. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface LinearParams {
  /** Ridge penalty on the weights (not the bias), per row of data. */
  readonly l2?: number;
  readonly maxIterations?: number;
}

export function designWidth(model: Pick<LinearModel, 'numerical' | 'categorical'>): number {
  return model.numerical.length + model.categorical.reduce((sum, c) => sum + c.codes.length, 0);
}

/** One row of the design matrix, as the ONNX graph computes it. */
function designRow(model: Pick<LinearModel, 'numerical' | 'categorical'>, x: Float32Array, offset: number, out: Float64Array): void {
  let d = 0;
  for (const { column, mean, std } of model.numerical) {
    const value = x[offset + column];
    out[d++] = Number.isNaN(value) ? 0 : Math.fround(Math.fround(value - mean) / std);
  }
  for (const { column, codes } of model.categorical) {
    const value = x[offset + column];
    for (const code of codes) out[d++] = value === code ? 1 : 0;
  }
}

/** The settings a run leaves out; a run records them resolved, so its params name every hyperparameter. */
export const LINEAR_DEFAULTS: Required<LinearParams> = { l2: 1e-3, maxIterations: 50 };

export function trainLinear(features: readonly TrainingFeature[], task: TrainingTask, data: EncodedRows, params: LinearParams = {}): LinearModel {
  const layout = fitDesign(features, data);
  const width = designWidth(layout);
  const n = data.rows;
  const design = new Float64Array(n * width);
  const row = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    designRow(layout, data.x, i * data.columns, row);
    design.set(row, i * width);
  }
  const l2 = (params.l2 ?? LINEAR_DEFAULTS.l2) * n;
  const outputs = task.type === 'regression' ? 1 : classCount(task);
  const coefficients =
    task.type === 'regression'
      ? fitRidge(design, data.y, n, width, l2)
      : fitMultinomial(design, data.y, n, width, outputs, l2, params.maxIterations ?? LINEAR_DEFAULTS.maxIterations);
  // coefficients: [(width + 1) × free outputs], bias last; classification keeps class 0 at zero.
  const free = task.type === 'regression' ? 1 : outputs - 1;
  const weights = new Float32Array(width * outputs);
  const bias = new Float32Array(outputs);
  const first = task.type === 'regression' ? 0 : 1;
  for (let k = 0; k < free; k++) {
    for (let d = 0; d < width; d++) weights[d * outputs + k + first] = coefficients[k * (width + 1) + d];
    bias[k + first] = coefficients[k * (width + 1) + width];
  }
  return { algorithm: 'linear', task, columns: data.columns, ...layout, weights, bias };
}

function fitDesign(features: readonly TrainingFeature[], data: EncodedRows): Pick<LinearModel, 'numerical' | 'categorical'> {
  const numerical: { column: number; mean: number; std: number }[] = [];
  const categorical: { column: number; codes: number[] }[] = [];
  features.forEach((feature, column) => {
    const values: number[] = [];
    for (let i = 0; i < data.rows; i++) {
      const value = data.x[i * data.columns + column];
      if (!Number.isNaN(value)) values.push(value);
    }
    if (feature.kind === 'categorical') {
      categorical.push({ column, codes: [...new Set(values)].sort((a, b) => a - b) });
      return;
    }
    const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    const variance = values.length ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length : 0;
    numerical.push({ column, mean: Math.fround(mean), std: Math.fround(variance > 1e-12 ? Math.sqrt(variance) : 1) });
  });
  return { numerical, categorical };
}

/** Ridge regression by the normal equations; the bias is not penalised. */
function fitRidge(design: Float64Array, y: Float64Array, n: number, width: number, l2: number): Float64Array {
  const p = width + 1;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    row.set(design.subarray(i * width, (i + 1) * width));
    row[width] = 1;
    for (let j = 0; j < p; j++) {
      b[j] += row[j] * y[i];
      for (let k = 0; k <= j; k++) a[j * p + k] += row[j] * row[k];
    }
  }
  symmetrise(a, p);
  for (let j = 0; j < width; j++) a[j * p + j] += l2;
  a[width * p + width] += 1e-9;
  return solveSpd(a, b, p);
}

/**
 * Multinomial logistic regression with class 0 as the reference (binary is the case of one free
 * class), fitted by Newton's method with step halving; the penalty keeps the Hessian invertible.
 */
function fitMultinomial(design: Float64Array, y: Float64Array, n: number, width: number, classes: number, l2: number, maxIterations: number): Float64Array {
  const p = width + 1;
  const free = classes - 1;
  const size = p * free;
  let beta = new Float64Array(size);
  const probabilities = new Float64Array(n * classes);
  const row = new Float64Array(p);

  const lossAt = (coefficients: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      row.set(design.subarray(i * width, (i + 1) * width));
      row[width] = 1;
      softmaxRow(coefficients, row, p, classes, probabilities, i);
      loss -= Math.log(Math.max(probabilities[i * classes + y[i]], 1e-300));
    }
    for (let k = 0; k < free; k++) for (let d = 0; d < width; d++) loss += 0.5 * l2 * coefficients[k * p + d] ** 2;
    return loss;
  };

  let loss = lossAt(beta);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    for (let i = 0; i < n; i++) {
      row.set(design.subarray(i * width, (i + 1) * width));
      row[width] = 1;
      for (let k = 0; k < free; k++) {
        const pk = probabilities[i * classes + k + 1];
        const residual = pk - (y[i] === k + 1 ? 1 : 0);
        for (let j = 0; j < p; j++) gradient[k * p + j] += residual * row[j];
        for (let m = 0; m <= k; m++) {
          const weight = k === m ? pk * (1 - pk) : -pk * probabilities[i * classes + m + 1];
          for (let j = 0; j < p; j++) {
            const scaled = weight * row[j];
            const base = (k * p + j) * size + m * p;
            for (let l = 0; l < p; l++) hessian[base + l] += scaled * row[l];
          }
        }
      }
    }
    for (let k = 0; k < free; k++) {
      for (let d = 0; d < width; d++) {
        gradient[k * p + d] += l2 * beta[k * p + d];
        hessian[(k * p + d) * size + k * p + d] += l2;
      }
      hessian[(k * p + width) * size + k * p + width] += 1e-9;
    }
    symmetrise(hessian, size);
    const step = solveSpd(hessian, gradient, size);
    let scale = 1;
    let next = beta;
    let nextLoss = loss;
    for (let halving = 0; halving < 30; halving++) {
      const candidate = beta.map((value, j) => value - scale * step[j]);
      const candidateLoss = lossAt(candidate);
      if (candidateLoss <= loss) {
        next = candidate;
        nextLoss = candidateLoss;
        break;
      }
      scale /= 2;
    }
    const improvement = loss - nextLoss;
    beta = next;
    loss = lossAt(beta); // leaves `probabilities` at the accepted coefficients
    if (improvement <= 1e-10 * Math.max(1, Math.abs(loss))) break;
  }
  return beta;
}

function softmaxRow(coefficients: Float64Array, row: Float64Array, p: number, classes: number, out: Float64Array, i: number): void {
  let max = 0;
  const logits = new Float64Array(classes);
  for (let k = 1; k < classes; k++) {
    let z = 0;
    for (let j = 0; j < p; j++) z += coefficients[(k - 1) * p + j] * row[j];
    logits[k] = z;
    if (z > max) max = z;
  }
  let total = 0;
  for (let k = 0; k < classes; k++) total += logits[k] = Math.exp(logits[k] - max);
  for (let k = 0; k < classes; k++) out[i * classes + k] = logits[k] / total;
}

function symmetrise(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) a[k * n + j] = a[j * n + k];
}

/** Class probabilities (rows × classes) or regression values (rows × 1), as the exported graph computes them. */
export function predictLinear(model: LinearModel, x: Float32Array, rows: number): Float64Array {
  const width = designWidth(model);
  const outputs = model.bias.length;
  const result = new Float64Array(rows * outputs);
  const row = new Float64Array(width);
  const z = new Float64Array(outputs);
  for (let i = 0; i < rows; i++) {
    designRow(model, x, i * model.columns, row);
    for (let k = 0; k < outputs; k++) {
      let sum = model.bias[k];
      for (let d = 0; d < width; d++) sum += row[d] * model.weights[d * outputs + k];
      z[k] = sum;
    }
    if (model.task.type === 'regression') {
      result[i] = z[0];
      continue;
    }
    const max = Math.max(...z);
    let total = 0;
    for (let k = 0; k < outputs; k++) total += z[k] = Math.exp(z[k] - max);
    for (let k = 0; k < outputs; k++) result[i * outputs + k] = z[k] / total;
  }
  return result;
}
