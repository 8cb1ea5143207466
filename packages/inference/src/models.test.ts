import { afterAll, describe, expect, test } from 'vitest';
import type { NestedValue } from './codec.ts';
import type { BackendName } from './backend.ts';
import { InferenceError } from './errors.ts';
import { loadModel, type LoadedModel } from './load.ts';
import { predict } from './predict.ts';
import { releaseModel } from './run.ts';
import { cnnFixture, embeddingFixture, linearClassifierFixture, mlpFixture, treeClassifierFixture, treeRegressorFixture, type ModelFixture } from '@flywheel/testing/test-models';
import { floatTensor, tensorType, writeModel, type NodeSpec, type ValueSpec } from './writer.ts';

const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map(releaseModel)));

async function load(bytes: Uint8Array, backend?: BackendName): Promise<LoadedModel> {
  const model = await loadModel(bytes, { backend });
  loaded.push(model);
  return model;
}

/** Same structure, numbers within 1e-5, everything else equal. */
function expectClose(actual: NestedValue, expected: NestedValue, path = 'output'): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as NestedValue[]).length, path).toBe(expected.length);
    expected.forEach((item, i) => expectClose((actual as NestedValue[])[i], item, `${path}[${i}]`));
  } else if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-5);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

async function expectReference(fixture: ModelFixture, model: LoadedModel): Promise<void> {
  const outputs = await predict(model, fixture.inputs);
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(fixture.expected).sort());
  for (const [name, expected] of Object.entries(fixture.expected)) expectClose(outputs[name], expected, name);
}

describe('models made with the writer load, describe themselves and match a reference', () => {
  test('MLP (Gemm, Relu, MatMul + Add, Softmax, Sigmoid) with a dim_param batch', async () => {
    const fixture = mlpFixture();
    const model = await load(fixture.bytes);
    expect(model.signature).toEqual({
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probs', datatype: 'FP32', shape: [-1, 3] },
        { name: 'gate', datatype: 'FP32', shape: [-1, 3] },
      ],
    });
    expect(model.notes).toEqual([]);
    await expectReference(fixture, model);
  });

  test('CNN (Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm) with an unnamed batch dim', async () => {
    const fixture = cnnFixture();
    const model = await load(fixture.bytes);
    expect(model.signature).toEqual({
      inputs: [{ name: 'image', datatype: 'FP32', shape: [-1, 1, 6, 6] }],
      outputs: [
        { name: 'logits', datatype: 'FP32', shape: [-1, 3] },
        { name: 'pooled', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
    await expectReference(fixture, model);
  });

  test('int64 ids through Gather, concatenated with a float input', async () => {
    const fixture = embeddingFixture();
    const model = await load(fixture.bytes);
    expect(model.signature.inputs).toEqual([
      { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
      { name: 'dense', datatype: 'FP32', shape: [-1, 3] },
    ]);
    await expectReference(fixture, model);
  });

  test('inputs that fit the signature but not the graph fail as InferenceError with the runtime reason', async () => {
    const fixture = embeddingFixture();
    const model = await load(fixture.bytes);
    const error = await predict(model, {
      ...fixture.inputs,
      ids: [
        [0, 99],
        [1, 2],
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as Error).message).toMatch(/^inference failed: .*indices/i);
  });

  test('ai.onnx.ml LinearClassifier without ZipMap serves labels and probabilities', async () => {
    const fixture = linearClassifierFixture(false);
    const model = await load(fixture.bytes);
    expect(model.signature.outputs).toEqual([
      { name: 'label', datatype: 'INT64', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    ]);
    await expectReference(fixture, model);
  });

  test('ai.onnx.ml LinearClassifier with ZipMap serves the label and leaves the map out with a note', async () => {
    const fixture = linearClassifierFixture(true);
    const model = await load(fixture.bytes);
    expect(model.signature.outputs).toEqual([{ name: 'label', datatype: 'BYTES', shape: [-1] }]);
    expect(model.notes).toEqual(['output probabilities is seq(map(string,tensor(float))), not a tensor; it is left out of predictions']);
    await expectReference(fixture, model);
  });

  test('ai.onnx.ml TreeEnsembleClassifier', async () => {
    const fixture = treeClassifierFixture();
    const model = await load(fixture.bytes);
    expect(model.signature.outputs.map((output) => output.datatype)).toEqual(['INT64', 'FP32']);
    await expectReference(fixture, model);
  });

  test('ai.onnx.ml TreeEnsembleRegressor', async () => {
    const fixture = treeRegressorFixture();
    await expectReference(fixture, await load(fixture.bytes));
  });

  test('an IR 3 model listing its initializers as graph inputs: they are not request inputs', async () => {
    const bytes = writeModel({
      irVersion: 3,
      opsets: { '': 8 },
      inputs: [
        { name: 'x', type: tensorType('float32', [null, 2]) },
        { name: 'w', type: tensorType('float32', [1, 2]) },
        { name: 'b', type: tensorType('float32', [1]) },
      ],
      outputs: [{ name: 'y', type: tensorType('float32', [null, 1]) }],
      nodes: [{ opType: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: { int: 1 } } }],
      initializers: [floatTensor('w', [1, 2], [2, -1]), floatTensor('b', [1], [0.5])],
    });
    const model = await load(bytes);
    expect(model.signature.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    expect(model.notes).toHaveLength(2);
    expect(model.notes[0]).toMatch(/graph input w is an initializer/);
    expect(
      await predict(model, {
        x: [
          [1, 1],
          [3, 2],
        ],
      }),
    ).toEqual({ y: [[1.5], [4.5]] });
  });
});

// The rest of the ai.onnx.ml operators converters commonly emit, each on a tiny hand-checked case,
// so a runtime upgrade that drops ML ops from the wasm build (or the native one) fails here.
describe.each(['web', 'node'] as const)('other ai.onnx.ml operators run in onnxruntime-%s', (backend) => {
  const x = [
    [0.2, 0.9],
    [0.8, 0.1],
  ];
  const floatIn: ValueSpec = { name: 'x', type: tensorType('float32', ['N', 2]) };
  const floatOut: ValueSpec = { name: 'y', type: tensorType('float32') };
  const ml = (opType: string, attributes: NodeSpec['attributes'], inputs = ['x']): NodeSpec => ({
    opType,
    domain: 'ai.onnx.ml',
    inputs,
    outputs: ['y'],
    attributes,
  });
  const cases: { node: NodeSpec; opset?: number; inputs?: ValueSpec[]; output?: ValueSpec; feed?: Record<string, NestedValue>; y: NestedValue }[] = [
    {
      node: ml('Scaler', { offset: { floats: [1, 1] }, scale: { floats: [2, 2] } }),
      y: [
        [-1.6, -0.2],
        [-0.4, -1.8],
      ],
    },
    {
      node: ml('Normalizer', { norm: { string: 'MAX' } }),
      y: [
        [0.2 / 0.9, 1],
        [1, 0.125],
      ],
    },
    {
      node: ml('Binarizer', { threshold: { float: 0.5 } }),
      y: [
        [0, 1],
        [1, 0],
      ],
    },
    {
      node: ml('Imputer', { imputed_value_floats: { floats: [7, 7] }, replaced_value_float: { float: 0.1 } }),
      y: [
        [0.2, 0.9],
        [0.8, 7],
      ],
    },
    { node: ml('LinearRegressor', { coefficients: { floats: [1, 2] }, intercepts: { floats: [0.5] } }), y: [[2.5], [1.5]] },
    {
      node: ml('SVMRegressor', {
        kernel_type: { string: 'LINEAR' },
        kernel_params: { floats: [0, 0, 1] },
        support_vectors: { floats: [0, 0, 1, 1] },
        coefficients: { floats: [1, -1] },
        n_supports: { int: 2 },
        rho: { floats: [0.1] },
      }),
      y: [[-1], [-0.8]],
    },
    {
      node: ml('ArrayFeatureExtractor', undefined, ['x', 'columns']),
      inputs: [floatIn, { name: 'columns', type: tensorType('int64', [1]) }],
      feed: { x, columns: [1] },
      y: [[0.9], [0.1]],
    },
    {
      node: ml('FeatureVectorizer', { inputdimensions: { ints: [2, 2] } }, ['x', 'x']),
      y: [
        [0.2, 0.9, 0.2, 0.9],
        [0.8, 0.1, 0.8, 0.1],
      ],
    },
    {
      node: ml('OneHotEncoder', { cats_int64s: { ints: [1, 2, 3] } }, ['category']),
      inputs: [{ name: 'category', type: tensorType('int64', ['N', 1]) }],
      feed: { category: [[2], [3]] },
      y: [[[0, 1, 0]], [[0, 0, 1]]],
    },
    ...(['LabelEncoder', 'CategoryMapper'] as const).map((opType) => ({
      node: ml(
        opType,
        opType === 'LabelEncoder'
          ? { keys_strings: { strings: ['a', 'b'] }, values_int64s: { ints: [1, 2] }, default_int64: { int: -1 } }
          : { cats_strings: { strings: ['a', 'b'] }, cats_int64s: { ints: [1, 2] } },
        ['plan'],
      ),
      opset: 2,
      inputs: [{ name: 'plan', type: tensorType('string', ['N']) }],
      output: { name: 'y', type: tensorType('int64', ['N']) },
      feed: { plan: ['b', 'zzz'] },
      y: [2, -1],
    })),
    {
      node: ml('TreeEnsemble', {
        tree_roots: { ints: [0] },
        nodes_featureids: { ints: [0] },
        nodes_splits: { tensor: { elemType: 'float32', dims: [1], values: [0.5] } },
        nodes_modes: { tensor: { elemType: 'uint8', dims: [1], values: [0] } }, // BRANCH_LEQ
        nodes_truenodeids: { ints: [0] },
        nodes_trueleafs: { ints: [1] },
        nodes_falsenodeids: { ints: [1] },
        nodes_falseleafs: { ints: [1] },
        leaf_targetids: { ints: [0, 0] },
        leaf_weights: { tensor: { elemType: 'float32', dims: [2], values: [1.5, -2] } },
        n_targets: { int: 1 },
        aggregate_function: { int: 1 }, // SUM
      }),
      opset: 5,
      y: [[1.5], [-2]],
    },
  ];

  test.each(cases.map((c) => [c.node.opType, c] as const))('%s', async (_, { node, opset = 1, inputs = [floatIn], output = floatOut, feed = { x }, y }) => {
    const model = await load(
      writeModel({ opsets: { 'ai.onnx.ml': opset, '': opset >= 4 ? 21 : 17 }, irVersion: opset >= 4 ? 10 : 8, inputs, outputs: [output], nodes: [node] }),
      backend,
    );
    expectClose((await predict(model, feed)).y, y, 'y');
  });
});
