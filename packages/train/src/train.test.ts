import { afterAll, describe, expect, test } from 'vitest';
import { loadModel, predict, releaseModel, type LoadedModel } from '@flywheel/inference';
import {
  encodeRows,
  exportOnnx,
  ExportMismatchError,
  generateTabularDataset,
  predictModel,
  retrainableShape,
  trainChallenger,
  verifyExport,
  type Algorithm,
  type TaskType,
} from './index.ts';

const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map(releaseModel)));

const cases: [TaskType, Algorithm][] = [
  ['binary-classification', 'boosted-trees'],
  ['binary-classification', 'linear'],
  ['multiclass-classification', 'boosted-trees'],
  ['multiclass-classification', 'linear'],
  ['regression', 'boosted-trees'],
  ['regression', 'linear'],
];

describe('trained models exported as ONNX', () => {
  test.each(cases)('%s with %s: the runtime computes what the trained model computes', async (task, algorithm) => {
    const dataset = generateTabularDataset({ seed: 11, rows: 1500, task });
    const result = await trainChallenger({ dataset, params: { algorithm } });
    // Fresh rows, plus ones the training data never had: an unseen category code, a missing value, extremes.
    const fresh = generateTabularDataset({ seed: 12, rows: 200, task, covariateShift: 1 });
    const rows = encodeRows(dataset, fresh.examples);
    rows.x.set([0, 1e6, 40, -5, 2, 7], 0);
    rows.x.set([Number.NaN, 50, Number.NaN, 20, Number.NaN, 1], rows.columns);
    const model = await loadModel(result.bytes);
    loaded.push(model);
    const nested = Array.from({ length: rows.rows }, (_, i) => Array.from(rows.x.subarray(i * rows.columns, (i + 1) * rows.columns)));
    const outputs = await predict(model, { features: nested });
    const expected = predictModel(result.model, rows);

    if (expected.kind === 'values') {
      const values = (outputs.prediction as number[][]).map((row) => row[0]);
      values.forEach((value, i) => expect(Math.abs(value - expected.values[i]) / Math.max(1, Math.abs(expected.values[i]))).toBeLessThanOrEqual(1e-5));
      expect(result.metrics.challenger.rmse).toBeLessThan(6);
    } else {
      const classes = dataset.task.classes!;
      const probabilities = outputs.probabilities as number[][];
      probabilities.forEach((row, i) => row.forEach((p, k) => expect(Math.abs(p - expected.probabilities![i * classes.length + k])).toBeLessThanOrEqual(1e-5)));
      expect(outputs.label).toEqual(Array.from(expected.labels, (k) => classes[k]));
      expect(result.metrics.challenger.accuracy).toBeGreaterThan(0.7);
    }
    expect(result.exportDifference).toBeLessThanOrEqual(1e-5);
    expect(model.signature.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 6] }]);
  });

  test('string classes come out as string labels', async () => {
    const dataset = generateTabularDataset({ seed: 5, rows: 600, task: 'multiclass-classification' });
    const result = await trainChallenger({ dataset, params: { algorithm: 'boosted-trees', trees: { rounds: 10 } } });
    const model = await loadModel(result.bytes);
    loaded.push(model);
    expect(model.signature.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    ]);
  });

  test('an export that disagrees with the trained model is caught before it ships', async () => {
    const dataset = generateTabularDataset({ seed: 3, rows: 400 });
    const { model, layout } = await trainChallenger({ dataset, params: { algorithm: 'linear' } });
    if (model.algorithm !== 'linear') throw new Error('expected a linear model');
    const tampered = { ...model, bias: model.bias.map((b, k) => (k === 1 ? b + 0.01 : b)) };
    const bytes = exportOnnx(tampered, layout);
    await expect(verifyExport(bytes, model, layout, encodeRows(dataset, dataset.examples.slice(0, 50)))).rejects.toThrow(ExportMismatchError);
  });
});

describe('retraining after a concept change', () => {
  test('a model retrained on post-shift data beats the old one on fresh post-shift data', async () => {
    const before = generateTabularDataset({ seed: 21, rows: 3000, concept: 1 });
    const old = await trainChallenger({ dataset: before });
    const after = generateTabularDataset({ seed: 22, rows: 3000, concept: 2, covariateShift: 1, idPrefix: 'after' });
    const champion = { bytes: old.bytes, task: { ...before.task, output: 'probabilities' } };
    const retrained = await trainChallenger({ dataset: after, champion });
    expect(retrained.comparison).toMatchObject({ primary: 'accuracy' });
    expect(retrained.comparison!.improvement).toBeGreaterThan(0.1);

    // Judged again on data neither model has seen, through the serving runtime.
    const fresh = generateTabularDataset({ seed: 23, rows: 2000, concept: 2, covariateShift: 1, idPrefix: 'fresh' });
    const accuracy = async (bytes: Uint8Array) => {
      const model = await loadModel(bytes);
      loaded.push(model);
      const labels = (await predict(model, { features: fresh.examples.map((e) => Object.values(encodeRows(fresh, [e]).x)) })).label as number[];
      return labels.filter((label, i) => label === fresh.examples[i].label).length / labels.length;
    };
    const [oldAccuracy, newAccuracy] = [await accuracy(old.bytes), await accuracy(retrained.bytes)];
    expect(newAccuracy).toBeGreaterThan(0.75);
    expect(newAccuracy - oldAccuracy).toBeGreaterThan(0.15);
  });
});

describe('retrainableShape', () => {
  const outputs = [
    { name: 'label', datatype: 'INT64' },
    { name: 'probabilities', datatype: 'FP32' },
  ];
  const features = [
    { name: 'b', kind: 'numerical' as const, input: 'x', index: 1 },
    { name: 'a', kind: 'categorical' as const, input: 'x', index: 0, categories: ['u', 'v'] },
  ];

  test('keeps the champion’s input and output names and orders features by column', () => {
    const shape = retrainableShape({ features, task: { type: 'binary-classification', output: 'probabilities', classes: [0, 1] } }, outputs);
    expect(shape).toMatchObject({ features: [{ name: 'a' }, { name: 'b' }], layout: { input: 'x', outputs: { label: 'label', probabilities: 'probabilities' } } });
    const byLabel = retrainableShape({ features, task: { type: 'binary-classification', output: 'label', classes: [0, 1] } }, outputs);
    expect(byLabel).toMatchObject({ layout: { outputs: { label: 'label', probabilities: 'probabilities' } } });
  });

  test.each([
    ['no task', { features }, /no task/],
    [
      'features across inputs',
      { features: [...features, { name: 'c', kind: 'numerical' as const, input: 'y', index: 0 }], task: { type: 'regression' as const, output: 'y' } },
      /one float input/,
    ],
    ['a gap in the columns', { features: [features[0]], task: { type: 'regression' as const, output: 'y' } }, /without gaps/],
  ])('explains why a model with %s cannot be retrained', (_, metadata, reason) => {
    expect(retrainableShape(metadata, outputs)).toMatchObject({ reason: expect.stringMatching(reason) });
  });
});
