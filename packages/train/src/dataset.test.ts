import { describe, expect, test } from 'vitest';
import { assembleExamples, datasetManifest, encodeRows, evaluatePredictions, generateTabularDataset, rocAuc, splitByTime, type LabelRow, type LoggedRow } from './index.ts';

const logged = (id: string, minute: number, extra: Partial<LoggedRow> = {}): LoggedRow => ({
  id,
  row: 0,
  time: new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString(),
  features: { x: minute },
  ...extra,
});

async function* streamed<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('assembleExamples', () => {
  test('joins predictions with labels by request id and row, oldest first', async () => {
    const predictions = [logged('b', 2), logged('a', 1), logged('a', 1, { row: 1 }), logged('c', 3)];
    const labels: LabelRow[] = [
      { id: 'a', row: 1, label: 1 },
      { id: 'b', row: 0, label: 0 },
    ];
    const result = await assembleExamples(streamed(predictions), labels);
    expect(result.examples.map((e) => [e.key, e.label])).toEqual([
      ['a/1', 1],
      ['b/0', 0],
    ]);
    expect(result.unlabelled).toBe(2);
  });

  test('a row logged twice counts once; a later label corrects an earlier one', async () => {
    const labels: LabelRow[] = [
      { id: 'a', row: 0, label: 0, time: '2025-01-02T00:00:00Z' },
      { id: 'a', row: 0, label: 1, time: '2025-01-03T00:00:00Z' },
      { id: 'a', row: 0, label: 0, time: '2025-01-01T00:00:00Z' },
    ];
    const result = await assembleExamples([logged('a', 1), logged('a', 1)], labels);
    expect(result.examples).toHaveLength(1);
    expect(result.examples[0].label).toBe(1);
    expect(result.duplicates).toBe(1);
  });

  test('uses a label archived with the row when no feedback names it; honours the time window and row cap', async () => {
    const predictions = [logged('a', 1, { label: 1 }), logged('b', 5, { label: 0 }), logged('c', 9, { label: 1 }), logged('d', 12, { label: 1 })];
    const result = await assembleExamples(predictions, [], { from: logged('', 2).time, to: logged('', 12).time, maxRows: 1 });
    expect(result.examples.map((e) => e.key)).toEqual(['c/0']);
  });
});

describe('datasetManifest', () => {
  const dataset = generateTabularDataset({ seed: 4, rows: 100 });

  test('describes the data: rows, time range, features, label counts and a sha256 of the canonical bytes', async () => {
    const manifest = await datasetManifest(dataset, splitByTime(dataset.examples, 0.2));
    const ones = dataset.examples.filter((e) => e.label === 1).length;
    expect(manifest).toEqual({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      rows: 100,
      trainRows: 80,
      holdoutRows: 20,
      timeRange: { from: dataset.examples[0].time, to: dataset.examples[99].time },
      features: ['tenure_months', 'monthly_spend', 'support_calls', 'usage_hours', 'plan', 'region'],
      labels: { kind: 'classes', counts: { '0': 100 - ones, '1': ones } },
    });
  });

  test('the same data in any order hashes the same; one changed label does not', async () => {
    const manifest = await datasetManifest(dataset, splitByTime(dataset.examples, 0.2));
    const reversed = [...dataset.examples].reverse().map((e) => ({ ...e, features: Object.fromEntries(Object.entries(e.features).reverse()) }));
    expect((await datasetManifest(dataset, splitByTime(reversed, 0.2))).sha256).toBe(manifest.sha256);
    const changed = dataset.examples.map((e, i) => (i === 50 ? { ...e, label: 1 - (e.label as number) } : e));
    expect((await datasetManifest(dataset, splitByTime(changed, 0.2))).sha256).not.toBe(manifest.sha256);
  });
});

describe('splitByTime', () => {
  test('holds out the newest rows, so evaluation looks forward in time', () => {
    const examples = [logged('c', 3), logged('a', 1), logged('d', 4), logged('b', 2)].map((l) => ({ key: l.id, time: l.time, features: l.features, label: 0 }));
    const split = splitByTime(examples, 0.25, 4);
    expect(split.train.map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(split.holdout.map((e) => e.key)).toEqual(['d']);
  });

  test('refuses to train on too few labelled rows', () => {
    expect(() => splitByTime([], 0.2, 10)).toThrow(/only 0 labelled rows/);
  });
});

describe('generateTabularDataset', () => {
  test('is deterministic in its seed', () => {
    expect(generateTabularDataset({ seed: 9, rows: 50 })).toEqual(generateTabularDataset({ seed: 9, rows: 50 }));
    expect(generateTabularDataset({ seed: 9, rows: 50 })).not.toEqual(generateTabularDataset({ seed: 10, rows: 50 }));
  });

  test('covariate shift moves the feature distributions', () => {
    const mean = (shift: number, feature: string) => {
      const rows = generateTabularDataset({ seed: 1, rows: 2000, covariateShift: shift }).examples;
      return rows.reduce((sum, e) => sum + (e.features[feature] as number), 0) / rows.length;
    };
    expect(mean(1, 'usage_hours') - mean(0, 'usage_hours')).toBeGreaterThan(6);
    expect(mean(1, 'tenure_months')).toBeLessThan(mean(0, 'tenure_months') - 10);
  });

  test('categorical values encode as their position among the categories', () => {
    const dataset = generateTabularDataset({ seed: 2, rows: 1 });
    const example = { ...dataset.examples[0], features: { ...dataset.examples[0].features, plan: 'enterprise', region: 'west' } };
    const { x } = encodeRows(dataset, [example]);
    expect([x[4], x[5]]).toEqual([2, 3]);
  });
});

describe('metrics', () => {
  test('AUC, accuracy and log loss on a hand-checked case', () => {
    const y = Float64Array.from([0, 0, 1, 1]);
    expect(rocAuc(Float64Array.from([0.1, 0.4, 0.35, 0.8]), y)).toBeCloseTo(0.75, 12);
    expect(rocAuc(Float64Array.from([0.5, 0.5, 0.5, 0.5]), y)).toBeCloseTo(0.5, 12);
    const probabilities = Float64Array.from([0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]);
    const metrics = evaluatePredictions({ type: 'binary-classification', classes: [0, 1] }, { kind: 'classes', labels: Int32Array.from([0, 0, 0, 1]), probabilities }, y);
    expect(metrics.accuracy).toBe(0.75);
    expect(metrics.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 12);
    expect(metrics.auc).toBeCloseTo(0.75, 12);
  });

  test('RMSE and MAE for regression', () => {
    const metrics = evaluatePredictions({ type: 'regression' }, { kind: 'values', values: Float64Array.from([1, 2, 3]) }, Float64Array.from([1, 4, 0]));
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(13 / 3), 12);
    expect(metrics.mae).toBeCloseTo(5 / 3, 12);
  });
});
