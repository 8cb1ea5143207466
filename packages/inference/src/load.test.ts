import { describe, expect, test } from 'vitest';
import { ModelLoadError } from './errors.ts';
import { loadModel } from './load.ts';
import { releaseModel } from './run.ts';
import { mlpFixture } from '@flywheel/testing/test-models';
import { mapType, sequenceType, tensorType, writeModel } from './writer.ts';

async function loadError(bytes: Uint8Array): Promise<ModelLoadError> {
  const error = await loadModel(bytes).then(
    async (model) => {
      await releaseModel(model);
      throw new Error('expected the model not to load');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

test('concurrent first loads share the runtime start-up', async () => {
  const models = await Promise.all([1, 2, 3].map(() => loadModel(mlpFixture().bytes)));
  expect(new Set(models.map((model) => model.session)).size).toBe(3);
  await Promise.all(models.map(releaseModel));
});

describe('loadModel rejects what it cannot serve with ModelLoadError and the reason', () => {
  test('garbage bytes', async () => {
    const error = await loadError(new TextEncoder().encode('this is not an onnx model at all'));
    expect(error.reason).toMatch(/protobuf parsing failed/);
    expect(error.message).toMatch(/^model cannot be loaded: /);
  });

  test('empty bytes', async () => {
    const error = await loadError(new Uint8Array(0));
    expect(error.reason.length).toBeGreaterThan(0);
  });

  test('truncated model bytes', async () => {
    const bytes = mlpFixture().bytes;
    const error = await loadError(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(error.reason).toMatch(/protobuf parsing failed/);
  });

  test('a model with an unknown op names the op', async () => {
    const bytes = writeModel({
      inputs: [{ name: 'x', type: tensorType('float32', [1]) }],
      outputs: [{ name: 'y', type: tensorType('float32', [1]) }],
      nodes: [{ opType: 'Frobnicate', inputs: ['x'], outputs: ['y'] }],
    });
    const error = await loadError(bytes);
    expect(error.reason).toMatch(/Frobnicate/);
  });

  test('a model stamped with an unreleased opset, refused before the runtime sees it', async () => {
    const bytes = writeModel({
      opsets: { '': 99 },
      inputs: [{ name: 'x', type: tensorType('float32', [1]) }],
      outputs: [{ name: 'y', type: tensorType('float32', [1]) }],
      nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    const { reason } = await loadError(bytes);
    expect(reason).toBe('opset 99 of domain "ai.onnx" is outside the supported 1–23');
  });

  test('a model whose node reads an input nobody produces', async () => {
    const bytes = writeModel({
      inputs: [{ name: 'x', type: tensorType('float32', [1]) }],
      outputs: [{ name: 'y', type: tensorType('float32', [1]) }],
      nodes: [{ opType: 'Add', inputs: ['x', 'nowhere'], outputs: ['y'] }],
    });
    expect((await loadError(bytes)).reason).toMatch(/nowhere/);
  });

  test('a model with a map input (DictVectorizer): JSON cannot feed it', async () => {
    const bytes = writeModel({
      opsets: { 'ai.onnx.ml': 1 },
      inputs: [{ name: 'counts', type: mapType('string', tensorType('float32')) }],
      outputs: [{ name: 'y', type: tensorType('float32') }],
      nodes: [
        {
          opType: 'DictVectorizer',
          domain: 'ai.onnx.ml',
          inputs: ['counts'],
          outputs: ['y'],
          attributes: { string_vocabulary: { strings: ['a', 'b'] } },
        },
      ],
    });
    expect((await loadError(bytes)).reason).toBe('input counts is map(string,tensor(float)); only tensor inputs can be fed');
  });

  test('a model whose only output is a ZipMap has nothing to serve', async () => {
    const bytes = writeModel({
      opsets: { 'ai.onnx.ml': 1 },
      inputs: [{ name: 'scores', type: tensorType('float32', ['N', 2]) }],
      outputs: [{ name: 'probs', type: sequenceType(mapType('int64', tensorType('float32'))) }],
      nodes: [
        {
          opType: 'ZipMap',
          domain: 'ai.onnx.ml',
          inputs: ['scores'],
          outputs: ['probs'],
          attributes: { classlabels_int64s: { ints: [0, 1] } },
        },
      ],
    });
    expect((await loadError(bytes)).reason).toBe('the model has no tensor outputs to serve');
  });
});
