import { describe, expect, it } from 'vitest';
import { RowAgreementSchema, compareRowOutputs, isRowAgreement } from './shadow-agreement.ts';

describe('compareRowOutputs', () => {
  it('compares the argmax of the first score vector and averages |differences| over every shared value', () => {
    const primary = { label: 2, probs: [0.1, 0.2, 0.7] };
    expect(compareRowOutputs(primary, { label: 2, probs: [0.2, 0.1, 0.7] })).toEqual({ argmax: true, absDiff: expect.closeTo(0.05, 12) });
    // label differs by 1, probs by 0.6 + 0.1 + 0.5: four values compared.
    expect(compareRowOutputs(primary, { label: 1, probs: [0.7, 0.1, 0.2] })).toEqual({ argmax: false, absDiff: expect.closeTo(2.2 / 4, 12) });
  });

  it('reads the class from a declared classification output: labels as they are, a binary score at 0.5', () => {
    const task = { type: 'binary-classification' as const, output: 'p' };
    expect(compareRowOutputs({ p: [0.8] }, { p: [0.6] }, task).argmax).toBe(true);
    expect(compareRowOutputs({ p: 0.8 }, { p: 0.3 }, task).argmax).toBe(false);
    const multiclass = { type: 'multiclass-classification' as const, output: 'label' };
    expect(compareRowOutputs({ label: 'gold', probs: [0.1, 0.9] }, { label: 'gold', probs: [0.9, 0.1] }, multiclass).argmax).toBe(true);
    // A map of class → score (a ZipMap output) has its argmax by key.
    expect(compareRowOutputs({ scores: { a: 0.2, b: 0.8 } }, { scores: { a: 0.6, b: 0.4 } })).toEqual({ argmax: false, absDiff: expect.closeTo(0.4, 12) });
  });

  it('leaves out what cannot be compared: regressions have no class, mismatched shapes no differences', () => {
    expect(compareRowOutputs({ y: 1.5 }, { y: 2 }, { type: 'regression', output: 'y' })).toEqual({ absDiff: 0.5 });
    expect(compareRowOutputs({ y: [1, 2] }, { y: [1, 2, 0] })).toEqual({ argmax: true });
    expect(compareRowOutputs({ y: 'a' }, { z: 'a' })).toEqual({});
  });

  it('produces what the log record accepts, and the fast check agrees with the schema', () => {
    const agreement = compareRowOutputs({ y: [1, 5] }, { y: [2, 3] });
    expect(RowAgreementSchema.parse(agreement)).toEqual(agreement);
    for (const value of [{}, { argmax: true }, { absDiff: 0 }, { absDiff: -1 }, { absDiff: Infinity }, { argmax: 1 }, { other: 1 }, null, []]) {
      expect(isRowAgreement(value), JSON.stringify(value)).toBe(RowAgreementSchema.safeParse(value).success);
    }
  });
});
