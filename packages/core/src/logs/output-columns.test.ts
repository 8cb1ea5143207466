import { describe, expect, it } from 'vitest';
import { outputColumnSpecs, outputColumns } from './output-columns.ts';

describe('outputColumns', () => {
  it('names a column per scalar output and per position of a vector output, and skips wide ones', () => {
    const columns = outputColumns({ label: 'churn', probabilities: [[0.25, 0.75]], embedding: new Array(100).fill(0) });
    expect(columns).toEqual({ label: 'churn', 'probabilities[0]': 0.25, 'probabilities[1]': 0.75 });
    expect(outputColumnSpecs([{ label: null, p: 0.1 }, columns])).toEqual([
      { name: 'p', kind: 'numerical' },
      { name: 'label', kind: 'categorical' },
      { name: 'probabilities[0]', kind: 'numerical' },
      { name: 'probabilities[1]', kind: 'numerical' },
    ]);
  });
});
