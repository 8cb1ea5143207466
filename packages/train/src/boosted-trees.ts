import { classCount, type EncodedRows, type TrainingFeature, type TrainingTask } from './dataset.ts';

/**
 * Gradient-boosted decision trees (second-order, histogram splits): log loss for binary and
 * multiclass classification (one tree per class per round), squared error for regression.
 * Numerical splits are `x <= threshold` on float32 thresholds and categorical splits are
 * `x == code`, exactly the BRANCH_LEQ / BRANCH_EQ tests the ai.onnx.ml tree ensemble performs, so
 * the exported graph agrees with these trees; a missing value (NaN) fails both tests.
 */
export type TreeNode =
  | { readonly feature: number; readonly mode: 'BRANCH_LEQ' | 'BRANCH_EQ'; readonly value: number; readonly ifTrue: number; readonly ifFalse: number }
  | { readonly leaf: number };

export interface Tree {
  /** Which score the tree adds to: its class for multiclass; 0 otherwise (binary has one score, the log-odds of class 1). */
  readonly target: number;
  /** Node 0 is the root. */
  readonly nodes: readonly TreeNode[];
}

export interface BoostedTreesModel {
  readonly algorithm: 'boosted-trees';
  readonly task: TrainingTask;
  readonly columns: number;
  /** Starting score per target (float32): the log-odds or log prior, or the mean. */
  readonly base: readonly number[];
  readonly trees: readonly Tree[];
}

export interface BoostedTreesParams {
  readonly rounds?: number;
  readonly learningRate?: number;
  readonly maxDepth?: number;
  /** Fewest rows in a leaf. */
  readonly minLeafRows?: number;
  /** L2 penalty on leaf values. */
  readonly lambda?: number;
  /** Candidate thresholds per numerical column (quantiles). */
  readonly maxBins?: number;
}

/** The settings a run leaves out; a run records them resolved, so its params name every hyperparameter. */
export const BOOSTED_TREES_DEFAULTS: Required<BoostedTreesParams> = { rounds: 80, learningRate: 0.1, maxDepth: 3, minLeafRows: 20, lambda: 1, maxBins: 32 };

interface ColumnBins {
  readonly mode: 'BRANCH_LEQ' | 'BRANCH_EQ';
  /** Thresholds (ascending) or category codes. */
  readonly values: readonly number[];
  /** Per row: the bin (LEQ: first threshold the value is ≤, else `values.length`; EQ: the code's index, else -1). */
  readonly bins: Int32Array;
}

export function trainBoostedTrees(features: readonly TrainingFeature[], task: TrainingTask, data: EncodedRows, params: BoostedTreesParams = {}): BoostedTreesModel {
  const p = { ...BOOSTED_TREES_DEFAULTS, ...params };
  const n = data.rows;
  const columns = features.map((feature, column) => binColumn(feature, data, column, p.maxBins));
  const targets = task.type === 'binary-classification' ? 1 : classCount(task);
  const base = initialScores(task, data.y, targets).map(Math.fround);
  // Scores per row and target, accumulated in float32 as the runtime does.
  const scores = new Float64Array(n * targets);
  for (let i = 0; i < n; i++) for (let t = 0; t < targets; t++) scores[i * targets + t] = base[t];
  const trees: Tree[] = [];
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n);
  const rows = Int32Array.from({ length: n }, (_, i) => i);

  for (let round = 0; round < p.rounds; round++) {
    const probabilities = task.type === 'multiclass-classification' ? softmaxScores(scores, n, targets) : undefined;
    for (let t = 0; t < targets; t++) {
      for (let i = 0; i < n; i++) {
        const score = scores[i * targets + t];
        if (task.type === 'regression') {
          gradient[i] = score - data.y[i];
          hessian[i] = 1;
        } else {
          const prob = probabilities ? probabilities[i * targets + t] : 1 / (1 + Math.exp(-score));
          const truth = task.type === 'binary-classification' ? data.y[i] : data.y[i] === t ? 1 : 0;
          gradient[i] = prob - truth;
          hessian[i] = Math.max(prob * (1 - prob), 1e-6);
        }
      }
      const nodes: TreeNode[] = [];
      grow(nodes, rows, 0, { columns, gradient, hessian, p });
      const tree = { target: t, nodes };
      trees.push(tree);
      for (let i = 0; i < n; i++) scores[i * targets + t] = Math.fround(scores[i * targets + t] + leafValue(tree, data.x, i * data.columns));
    }
  }
  return { algorithm: 'boosted-trees', task, columns: data.columns, base, trees };
}

function initialScores(task: TrainingTask, y: Float64Array, targets: number): number[] {
  if (task.type === 'regression') return [y.reduce((a, b) => a + b, 0) / Math.max(1, y.length)];
  const counts = new Array<number>(Math.max(targets, 2)).fill(0);
  for (const label of y) counts[label]++;
  const share = (k: number) => (counts[k] + 1) / (y.length + counts.length);
  if (task.type === 'binary-classification') return [Math.log(share(1) / share(0))];
  return counts.map((_, k) => Math.log(share(k)));
}

function softmaxScores(scores: Float64Array, n: number, targets: number): Float64Array {
  const out = new Float64Array(n * targets);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let t = 0; t < targets; t++) max = Math.max(max, scores[i * targets + t]);
    let total = 0;
    for (let t = 0; t < targets; t++) total += out[i * targets + t] = Math.exp(scores[i * targets + t] - max);
    for (let t = 0; t < targets; t++) out[i * targets + t] /= total;
  }
  return out;
}

function binColumn(feature: TrainingFeature, data: EncodedRows, column: number, maxBins: number): ColumnBins {
  const values: number[] = [];
  for (let i = 0; i < data.rows; i++) {
    const value = data.x[i * data.columns + column];
    if (!Number.isNaN(value)) values.push(value);
  }
  const bins = new Int32Array(data.rows);
  if (feature.kind === 'categorical') {
    const codes = [...new Set(values)].sort((a, b) => a - b);
    const index = new Map(codes.map((code, i) => [code, i]));
    for (let i = 0; i < data.rows; i++) bins[i] = index.get(data.x[i * data.columns + column]) ?? -1;
    return { mode: 'BRANCH_EQ', values: codes, bins };
  }
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  // Thresholds halfway between neighbouring distinct values at (roughly) equal-count cut points.
  const cuts = new Set<number>();
  const sorted = values.sort((a, b) => a - b);
  for (let q = 1; q < maxBins; q++) {
    const at = sorted[Math.floor((q * sorted.length) / maxBins)];
    const position = distinct.indexOf(at);
    if (position > 0) cuts.add(Math.fround((distinct[position - 1] + distinct[position]) / 2));
  }
  const thresholds = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < data.rows; i++) {
    const value = data.x[i * data.columns + column];
    bins[i] = Number.isNaN(value) ? thresholds.length : lowerBound(thresholds, value);
  }
  return { mode: 'BRANCH_LEQ', values: thresholds, bins };
}

/** The first index whose threshold is ≥ value (so value ≤ thresholds[index]). */
function lowerBound(thresholds: readonly number[], value: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface GrowContext {
  readonly columns: readonly ColumnBins[];
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  readonly p: Required<BoostedTreesParams>;
}

/** Adds the subtree for `rows` to `nodes` and returns its root index. */
function grow(nodes: TreeNode[], rows: Int32Array, depth: number, context: GrowContext): number {
  const { gradient, hessian, p } = context;
  let g = 0;
  let h = 0;
  for (const i of rows) {
    g += gradient[i];
    h += hessian[i];
  }
  const index = nodes.length;
  const leaf = { leaf: Math.fround((-g / (h + p.lambda)) * p.learningRate) };
  nodes.push(leaf);
  if (depth >= p.maxDepth || rows.length < 2 * p.minLeafRows) return index;
  const split = bestSplit(rows, g, h, context);
  if (!split) return index;
  const left = rows.filter((i) => split.goesTrue(i));
  const right = rows.filter((i) => !split.goesTrue(i));
  const ifTrue = grow(nodes, left, depth + 1, context);
  const ifFalse = grow(nodes, right, depth + 1, context);
  nodes[index] = { feature: split.feature, mode: split.mode, value: split.value, ifTrue, ifFalse };
  return index;
}

function bestSplit(rows: Int32Array, g: number, h: number, context: GrowContext) {
  const { columns, gradient, hessian, p } = context;
  const parentScore = (g * g) / (h + p.lambda);
  let best: { gain: number; feature: number; mode: ColumnBins['mode']; value: number; goesTrue: (i: number) => boolean } | undefined;
  columns.forEach((column, feature) => {
    const width = column.values.length + 1;
    const gs = new Float64Array(width);
    const hs = new Float64Array(width);
    const counts = new Int32Array(width);
    for (const i of rows) {
      const bin = column.bins[i] < 0 ? width - 1 : column.bins[i];
      gs[bin] += gradient[i];
      hs[bin] += hessian[i];
      counts[bin]++;
    }
    const consider = (gl: number, hl: number, nl: number, value: number, goesTrue: (i: number) => boolean) => {
      const nr = rows.length - nl;
      if (nl < p.minLeafRows || nr < p.minLeafRows) return;
      const gr = g - gl;
      const hr = h - hl;
      const gain = (gl * gl) / (hl + p.lambda) + (gr * gr) / (hr + p.lambda) - parentScore;
      if (gain > 1e-9 && (!best || gain > best.gain)) best = { gain, feature, mode: column.mode, value, goesTrue };
    };
    if (column.mode === 'BRANCH_LEQ') {
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < column.values.length; b++) {
        gl += gs[b];
        hl += hs[b];
        nl += counts[b];
        consider(gl, hl, nl, column.values[b], (i) => column.bins[i] <= b);
      }
    } else {
      for (let b = 0; b < column.values.length; b++) consider(gs[b], hs[b], counts[b], column.values[b], (i) => column.bins[i] === b);
    }
  });
  return best;
}

function leafValue(tree: Tree, x: Float32Array, offset: number): number {
  let node = tree.nodes[0];
  while (!('leaf' in node)) {
    const value = x[offset + node.feature];
    const holds = node.mode === 'BRANCH_LEQ' ? value <= node.value : value === node.value;
    node = tree.nodes[holds ? node.ifTrue : node.ifFalse];
  }
  return node.leaf;
}

/** Class probabilities (rows × classes) or values (rows × 1), accumulated as the ONNX runtime does. */
export function predictBoostedTrees(model: BoostedTreesModel, x: Float32Array, rows: number): Float64Array {
  const binary = model.task.type === 'binary-classification';
  const targets = model.base.length;
  const width = model.task.type === 'regression' ? 1 : classCount(model.task);
  const result = new Float64Array(rows * width);
  const scores = new Float64Array(targets);
  for (let i = 0; i < rows; i++) {
    scores.fill(0);
    for (const tree of model.trees) scores[tree.target] = Math.fround(scores[tree.target] + leafValue(tree, x, i * model.columns));
    for (let t = 0; t < targets; t++) scores[t] = Math.fround(scores[t] + model.base[t]);
    if (model.task.type === 'regression') {
      result[i] = scores[0];
    } else if (binary) {
      const p1 = 1 / (1 + Math.exp(-scores[0]));
      result[i * 2] = 1 - p1;
      result[i * 2 + 1] = p1;
    } else {
      const max = Math.max(...scores);
      let total = 0;
      const exps = Array.from(scores, (s) => Math.exp(s - max));
      for (const e of exps) total += e;
      exps.forEach((e, t) => (result[i * width + t] = e / total));
    }
  }
  return result;
}
