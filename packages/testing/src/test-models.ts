// Test fixtures: models written with the writer, each with a sample request and the outputs a
// plain TypeScript forward pass computes for it. Imported by tests only.
import { mulberry32 } from '@flywheel/core';
import type { NestedValue } from '@flywheel/inference';
import { floatTensor, mapType, sequenceType, tensorType, writeModel, type AttributeValue, type NodeSpec } from '@flywheel/inference';

export interface ModelFixture {
  bytes: Uint8Array;
  inputs: Record<string, NestedValue>;
  /** Reference outputs for `inputs`. */
  expected: Record<string, NestedValue>;
}

type Matrix = number[][];

/** Deterministic weights (mulberry32), rounded to float32 so the reference uses what the model holds. */
export function seededRandom(seed: number): (scale?: number) => number {
  const unit = mulberry32(seed);
  return (scale = 1) => Math.fround((unit() * 2 - 1) * scale);
}

const matrix = (random: () => number, rows: number, columns: number): Matrix => Array.from({ length: rows }, () => Array.from({ length: columns }, () => random()));

const vector = (random: () => number, length: number): number[] => Array.from({ length }, () => random());

// Reference operators, on plain arrays.

/** x · Wᵀ + b for x [n, in], W [out, in] (Gemm with transB = 1). */
const linear = (x: Matrix, w: Matrix, b: number[]): Matrix => x.map((row) => w.map((weights, j) => weights.reduce((sum, weight, k) => sum + weight * row[k], b[j])));

const transpose = (m: Matrix): Matrix => m[0].map((_, j) => m.map((row) => row[j]));
const relu = (m: Matrix): Matrix => m.map((row) => row.map((v) => Math.max(0, v)));
const sigmoid = (m: Matrix): Matrix => m.map((row) => row.map((v) => 1 / (1 + Math.exp(-v))));
const softmax = (m: Matrix): Matrix =>
  m.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((v) => v / total);
  });
const argmax = (row: number[]): number => row.indexOf(Math.max(...row));

/** A dense MLP: Gemm → Relu → MatMul + Add → Softmax and Sigmoid heads; batch is a dim_param. */
export function mlpFixture(): ModelFixture {
  const random = seededRandom(1);
  const w1 = matrix(random, 8, 4);
  const b1 = vector(random, 8);
  const w2 = matrix(random, 8, 3); // MatMul weights: [in, out]
  const b2 = vector(random, 3);
  const bytes = writeModel({
    inputs: [{ name: 'features', type: tensorType('float32', ['batch', 4]) }],
    outputs: [
      { name: 'probs', type: tensorType('float32', ['batch', 3]) },
      { name: 'gate', type: tensorType('float32', ['batch', 3]) },
    ],
    nodes: [
      { opType: 'Gemm', inputs: ['features', 'w1', 'b1'], outputs: ['h0'], attributes: { transB: { int: 1 } } },
      { opType: 'Relu', inputs: ['h0'], outputs: ['h'] },
      { opType: 'MatMul', inputs: ['h', 'w2'], outputs: ['m'] },
      { opType: 'Add', inputs: ['m', 'b2'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probs'], attributes: { axis: { int: -1 } } },
      { opType: 'Sigmoid', inputs: ['logits'], outputs: ['gate'] },
    ],
    initializers: [floatTensor('w1', [8, 4], w1.flat()), floatTensor('b1', [8], b1), floatTensor('w2', [8, 3], w2.flat()), floatTensor('b2', [3], b2)],
  });
  const features = [
    [0.1, 2.0, 3.5, 1.0],
    [-1.5, 0.25, 0.0, 4.0],
    [0.0, 0.0, 0.0, 0.0],
  ];
  const logits = linear(relu(linear(features, w1, b1)), transpose(w2), b2);
  return { bytes, inputs: { features }, expected: { probs: softmax(logits), gate: sigmoid(logits) } };
}

/**
 * A small CNN on [N, 1, 6, 6] images (batch an unnamed dim): Conv → Relu → MaxPool → Flatten →
 * Gemm gives `logits`; the same activations through GlobalAveragePool → Flatten give `pooled`.
 */
export function cnnFixture(): ModelFixture {
  const random = seededRandom(2);
  const kernels = Array.from({ length: 2 }, () => matrix(random, 3, 3));
  const kernelBias = vector(random, 2);
  const w = matrix(random, 3, 2 * 3 * 3);
  const b = vector(random, 3);
  const bytes = writeModel({
    inputs: [{ name: 'image', type: tensorType('float32', [null, 1, 6, 6]) }],
    outputs: [
      { name: 'logits', type: tensorType('float32', [null, 3]) },
      { name: 'pooled', type: tensorType('float32', [null, 2]) },
    ],
    nodes: [
      {
        opType: 'Conv',
        inputs: ['image', 'kernels', 'kernel_bias'],
        outputs: ['conv'],
        attributes: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } },
      },
      { opType: 'Relu', inputs: ['conv'], outputs: ['act'] },
      {
        opType: 'MaxPool',
        inputs: ['act'],
        outputs: ['pool'],
        attributes: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } },
      },
      { opType: 'Flatten', inputs: ['pool'], outputs: ['flat'], attributes: { axis: { int: 1 } } },
      { opType: 'Gemm', inputs: ['flat', 'w', 'b'], outputs: ['logits'], attributes: { transB: { int: 1 } } },
      { opType: 'GlobalAveragePool', inputs: ['act'], outputs: ['gap'] },
      { opType: 'Flatten', inputs: ['gap'], outputs: ['pooled'] },
    ],
    initializers: [
      floatTensor('kernels', [2, 1, 3, 3], kernels.flat(2)),
      floatTensor('kernel_bias', [2], kernelBias),
      floatTensor('w', [3, 18], w.flat()),
      floatTensor('b', [3], b),
    ],
  });
  const images = [0, 1].map((n) => [matrix(seededRandom(10 + n), 6, 6)]);
  const activations = images.map(([image]) => kernels.map((kernel, c) => relu(conv3x3(image, kernel, kernelBias[c]))));
  const pools = activations.map((channels) => channels.map(maxPool2x2));
  return {
    bytes,
    inputs: { image: images },
    expected: {
      logits: linear(
        pools.map((channels) => channels.flat(2)),
        w,
        b,
      ),
      pooled: activations.map((channels) => channels.map((plane) => plane.flat().reduce((a, v) => a + v, 0) / plane.flat().length)),
    },
  };
}

/** 3×3 convolution (cross-correlation, as ONNX Conv) with zero padding 1. */
function conv3x3(image: Matrix, kernel: Matrix, bias: number): Matrix {
  const at = (y: number, x: number) => image[y]?.[x] ?? 0;
  return image.map((row, y) => row.map((_, x) => kernel.reduce((sum, kernelRow, dy) => kernelRow.reduce((s, k, dx) => s + k * at(y + dy - 1, x + dx - 1), sum), bias)));
}

function maxPool2x2(plane: Matrix): Matrix {
  const half = (n: number) => Array.from({ length: n / 2 }, (_, i) => i * 2);
  return half(plane.length).map((y) => half(plane[0].length).map((x) => Math.max(plane[y][x], plane[y][x + 1], plane[y + 1][x], plane[y + 1][x + 1])));
}

/** int64 ids → Gather on an embedding table → Flatten, concatenated with a float input → Gemm → Sigmoid. */
export function embeddingFixture(): ModelFixture {
  const random = seededRandom(3);
  const table = matrix(random, 5, 4);
  const w = matrix(random, 1, 2 * 4 + 3);
  const b = vector(random, 1);
  const bytes = writeModel({
    inputs: [
      { name: 'ids', type: tensorType('int64', ['batch', 2]) },
      { name: 'dense', type: tensorType('float32', ['batch', 3]) },
    ],
    outputs: [{ name: 'prob', type: tensorType('float32', ['batch', 1]) }],
    nodes: [
      { opType: 'Gather', inputs: ['table', 'ids'], outputs: ['embedded'], attributes: { axis: { int: 0 } } },
      { opType: 'Flatten', inputs: ['embedded'], outputs: ['embedded_flat'], attributes: { axis: { int: 1 } } },
      { opType: 'Concat', inputs: ['embedded_flat', 'dense'], outputs: ['joined'], attributes: { axis: { int: 1 } } },
      { opType: 'Gemm', inputs: ['joined', 'w', 'b'], outputs: ['z'], attributes: { transB: { int: 1 } } },
      { opType: 'Sigmoid', inputs: ['z'], outputs: ['prob'] },
    ],
    initializers: [floatTensor('table', [5, 4], table.flat()), floatTensor('w', [1, 11], w.flat()), floatTensor('b', [1], b)],
  });
  const ids = [
    [0, 4],
    [3, 3],
  ];
  const dense = [
    [0.5, -1, 2],
    [0, 0.25, -0.75],
  ];
  const joined = ids.map((row, n) => [...row.flatMap((id) => table[id]), ...dense[n]]);
  return { bytes, inputs: { ids, dense }, expected: { prob: sigmoid(linear(joined, w, b)) } };
}

/**
 * ai.onnx.ml LinearClassifier (opset 1) with softmax scores. Without ZipMap it has int labels and a
 * `probabilities` tensor; with ZipMap it has string labels and `probabilities` becomes
 * seq(map(string, float)), which is left out, so only `label` is expected.
 */
export function linearClassifierFixture(zipMap: boolean): ModelFixture {
  const random = seededRandom(4);
  const coefficients = matrix(random, 3, 3); // one row per class
  const intercepts = vector(random, 3);
  const classes = zipMap ? ['cat', 'dog', 'eel'] : [10, 20, 30];
  const labels: AttributeValue = zipMap ? { strings: classes as string[] } : { ints: classes as number[] };
  const nodes: NodeSpec[] = [
    {
      opType: 'LinearClassifier',
      domain: 'ai.onnx.ml',
      inputs: ['x'],
      outputs: ['label', zipMap ? 'scores' : 'probabilities'],
      attributes: {
        [zipMap ? 'classlabels_strings' : 'classlabels_ints']: labels,
        coefficients: { floats: coefficients.flat() },
        intercepts: { floats: intercepts },
        post_transform: { string: 'SOFTMAX' },
      },
    },
  ];
  if (zipMap) {
    nodes.push({
      opType: 'ZipMap',
      domain: 'ai.onnx.ml',
      inputs: ['scores'],
      outputs: ['probabilities'],
      attributes: { classlabels_strings: labels },
    });
  }
  const bytes = writeModel({
    opsets: { 'ai.onnx.ml': 1 },
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [
      { name: 'label', type: tensorType(zipMap ? 'string' : 'int64', ['N']) },
      {
        name: 'probabilities',
        type: zipMap ? sequenceType(mapType('string', tensorType('float32'))) : tensorType('float32', ['N', 3]),
      },
    ],
    nodes,
  });
  const x = [
    [1, 0.5, -2],
    [-0.3, 2, 0.7],
    [0.9, -1.1, 0.2],
  ];
  const probabilities = softmax(linear(x, coefficients, intercepts));
  const label = probabilities.map((row) => classes[argmax(row)]);
  return { bytes, inputs: { x }, expected: zipMap ? { label } : { label, probabilities } };
}

// Decision trees for the ai.onnx.ml TreeEnsemble* fixtures: branch nodes test `x[feature] <= threshold`.
type TreeNode = { id: number; feature: number; threshold: number; ifTrue: number; ifFalse: number } | { id: number; votes: [target: number, weight: number][] };

const trees: TreeNode[][] = [
  [
    { id: 0, feature: 0, threshold: 0.5, ifTrue: 1, ifFalse: 2 },
    { id: 1, feature: 1, threshold: 0.3, ifTrue: 3, ifFalse: 4 },
    {
      id: 2,
      votes: [
        [0, 0.1],
        [1, 0.2],
        [2, 1.5],
      ],
    },
    {
      id: 3,
      votes: [
        [0, 2.0],
        [1, 0.5],
        [2, 0.25],
      ],
    },
    {
      id: 4,
      votes: [
        [0, 0.3],
        [1, 1.75],
        [2, 0.5],
      ],
    },
  ],
  [
    { id: 0, feature: 2, threshold: -0.2, ifTrue: 1, ifFalse: 2 },
    {
      id: 1,
      votes: [
        [0, 0.5],
        [1, -0.25],
        [2, 0.125],
      ],
    },
    {
      id: 2,
      votes: [
        [0, -0.5],
        [1, 0.75],
        [2, 0.0],
      ],
    },
  ],
];

function treeAttributes(prefix: 'class' | 'target'): Record<string, AttributeValue> {
  const nodes = trees.flatMap((tree, treeId) => tree.map((node) => ({ treeId, node })));
  const votes = nodes.flatMap(({ treeId, node }) => ('votes' in node ? node.votes.map((vote) => ({ treeId, id: node.id, vote })) : []));
  const branch = (node: TreeNode) => ('feature' in node ? node : undefined);
  return {
    nodes_treeids: { ints: nodes.map(({ treeId }) => treeId) },
    nodes_nodeids: { ints: nodes.map(({ node }) => node.id) },
    nodes_featureids: { ints: nodes.map(({ node }) => branch(node)?.feature ?? 0) },
    nodes_values: { floats: nodes.map(({ node }) => branch(node)?.threshold ?? 0) },
    nodes_modes: { strings: nodes.map(({ node }) => (branch(node) ? 'BRANCH_LEQ' : 'LEAF')) },
    nodes_truenodeids: { ints: nodes.map(({ node }) => branch(node)?.ifTrue ?? 0) },
    nodes_falsenodeids: { ints: nodes.map(({ node }) => branch(node)?.ifFalse ?? 0) },
    [`${prefix}_treeids`]: { ints: votes.map(({ treeId }) => treeId) },
    [`${prefix}_nodeids`]: { ints: votes.map(({ id }) => id) },
    [`${prefix}_ids`]: { ints: votes.map(({ vote }) => vote[0]) },
    [`${prefix}_weights`]: { floats: votes.map(({ vote }) => vote[1]) },
  };
}

/** Sum over trees of the reached leaf's votes, per target. */
function evaluateTrees(row: number[], targets: number): number[] {
  const sums = new Array<number>(targets).fill(0);
  for (const tree of trees) {
    let node = tree[0];
    while ('feature' in node) {
      const next: number = Math.fround(row[node.feature]) <= Math.fround(node.threshold) ? node.ifTrue : node.ifFalse;
      node = tree.find((candidate) => candidate.id === next)!;
    }
    for (const [target, weight] of node.votes) sums[target] += weight;
  }
  return sums;
}

const treeRows = [
  [0.2, 0.1, -1],
  [0.2, 0.9, 0],
  [0.8, 0.1, -0.5],
  [0.5, 0.3, -0.2],
];

/** ai.onnx.ml TreeEnsembleClassifier (opset 3), three classes, raw summed scores. */
export function treeClassifierFixture(): ModelFixture {
  const bytes = writeModel({
    opsets: { 'ai.onnx.ml': 3 },
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [
      { name: 'label', type: tensorType('int64', ['N']) },
      { name: 'scores', type: tensorType('float32', ['N', 3]) },
    ],
    nodes: [
      {
        opType: 'TreeEnsembleClassifier',
        domain: 'ai.onnx.ml',
        inputs: ['x'],
        outputs: ['label', 'scores'],
        attributes: { ...treeAttributes('class'), classlabels_int64s: { ints: [0, 1, 2] }, post_transform: { string: 'NONE' } },
      },
    ],
  });
  const scores = treeRows.map((row) => evaluateTrees(row, 3));
  return { bytes, inputs: { x: treeRows }, expected: { label: scores.map(argmax), scores } };
}

/** ai.onnx.ml TreeEnsembleRegressor (opset 3), three targets, summed plus base values. */
export function treeRegressorFixture(): ModelFixture {
  const base = [0.5, -0.5, 1];
  const bytes = writeModel({
    opsets: { 'ai.onnx.ml': 3 },
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }],
    nodes: [
      {
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        inputs: ['x'],
        outputs: ['y'],
        attributes: {
          ...treeAttributes('target'),
          n_targets: { int: 3 },
          aggregate_function: { string: 'SUM' },
          base_values: { floats: base },
        },
      },
    ],
  });
  const y = treeRows.map((row) => evaluateTrees(row, 3).map((sum, target) => sum + base[target]));
  return { bytes, inputs: { x: treeRows }, expected: { y } };
}
