import { describe, expect, it } from 'vitest';
import { predictionRows, rowCount } from './prediction-rows.ts';

describe('prediction rows for the log', () => {
  const outputs = { probs: [[0.1, 0.9], [0.7, 0.3]], label: [1, 0] };

  it('names input values by feature when the model declares features', () => {
    const rows = predictionRows(
      { inputs: { x: [[1, 2], [3, 4]], plan: ['pro', 'free'] } },
      outputs,
      [
        { name: 'age', kind: 'numerical', input: 'x', index: 1 },
        { name: 'plan', kind: 'categorical', input: 'plan' },
      ],
    );
    expect(rows).toEqual([
      { inputs: { age: 2, plan: 'pro' }, outputs: { probs: [0.1, 0.9], label: 1 } },
      { inputs: { age: 4, plan: 'free' }, outputs: { probs: [0.7, 0.3], label: 0 } },
    ]);
  });

  it('keeps records as sent and slices inputs by row without features', () => {
    const records = [{ age: 2, email: 'a@b.c' }, { age: 4 }];
    expect(predictionRows({ inputs: {}, records }, outputs, undefined).map((row) => row.inputs)).toEqual(records);
    expect(predictionRows({ inputs: { x: [[1, 2], [3, 4]] } }, outputs, undefined)[1].inputs).toEqual({ x: [3, 4] });
    expect(rowCount({ x: [[1], [2], [3]], scale: 2 })).toBe(3);
  });
});
