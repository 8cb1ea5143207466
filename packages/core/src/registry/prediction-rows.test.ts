import { describe, expect, it } from 'vitest';
import { predictionRows, rowCount } from './prediction-rows.ts';

describe('prediction rows for the log', () => {
  const outputs = {
    probs: [
      [0.1, 0.9],
      [0.7, 0.3],
    ],
    label: [1, 0],
  };

  it('names input values by feature when the model declares features', () => {
    const rows = predictionRows(
      {
        inputs: {
          x: [
            [1, 2],
            [3, 4],
          ],
          plan: ['pro', 'free'],
        },
      },
      outputs,
      {
        features: [
          { name: 'age', kind: 'numerical', input: 'x', index: 1 },
          { name: 'plan', kind: 'categorical', input: 'plan' },
        ],
      },
    );
    expect(rows).toEqual([
      { inputs: { age: 2, plan: 'pro' }, outputs: { probs: [0.1, 0.9], label: 1 } },
      { inputs: { age: 4, plan: 'free' }, outputs: { probs: [0.7, 0.3], label: 0 } },
    ]);
  });

  it('logs the categorical codes of a tensor as the categories they stand for', () => {
    const features = [
      { name: 'plan', kind: 'categorical' as const, input: 'x', index: 0, categories: ['free', 'pro', 'team'] },
      { name: 'size', kind: 'categorical' as const, input: 'x', index: 1, categories: [10, 'big', 30] },
      { name: 'age', kind: 'numerical' as const, input: 'x', index: 2 },
    ];
    const inputs = {
      x: [
        [0, 0, 1],
        [2, 1, 2],
        [7, 2, 0],
        [1.5, 30, 3],
      ],
    };
    expect(predictionRows({ inputs }, {}, { features }).map((row) => row.inputs)).toEqual([
      { plan: 'free', size: 0, age: 1 },
      { plan: 'team', size: 'big', age: 2 },
      // Out of range, not an integer, or a numeric category: as sent, so monitoring sees what came.
      { plan: 7, size: 2, age: 0 },
      { plan: 1.5, size: 30, age: 3 },
    ]);
  });

  it('keeps records as sent and slices inputs by row without features', () => {
    const records = [{ age: 2, email: 'a@b.c' }, { age: 4 }];
    expect(predictionRows({ inputs: {}, records }, outputs, undefined).map((row) => row.inputs)).toEqual(records);
    expect(
      predictionRows(
        {
          inputs: {
            x: [
              [1, 2],
              [3, 4],
            ],
          },
        },
        outputs,
        undefined,
      )[1].inputs,
    ).toEqual({ x: [3, 4] });
    expect(rowCount({ x: [[1], [2], [3]], scale: 2 })).toBe(3);
  });

  it("logs a float32 input's row as the model saw it, rounded to float32", () => {
    const signature = {
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [-1, 2] },
        { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
        { name: 'image', datatype: 'FP32', shape: [-1, 1, 2] },
      ],
      outputs: [],
    };
    const inputs = { x: [[0.1, 2]], ids: [[2 ** 40 + 1, 3]], image: [[[0.1, 0.2]]] };
    expect(predictionRows({ inputs }, {}, { signature })[0].inputs).toEqual({
      x: [Math.fround(0.1), 2],
      ids: [2 ** 40 + 1, 3],
      // Nested slices are cut to a few values when logged, and stay as sent.
      image: [[0.1, 0.2]],
    });
  });
});
