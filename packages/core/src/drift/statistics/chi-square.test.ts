import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity } from './chi-square.ts';

describe('chiSquareHomogeneity', () => {
  it('computes Pearson’s statistic of the 2 × k table exactly', () => {
    const a = [50, 30, 20];
    const b = [30, 30, 40];
    // Row totals 100 and 100, column totals 80, 60, 60: expected 40, 30, 30 in both rows.
    const expected = (10 ** 2 / 40) * 2 + 0 + (10 ** 2 / 30) * 2;
    const result = chiSquareHomogeneity(a, b);
    expect(result.statistic).toBeCloseTo(expected, 12);
    expect(result.degreesOfFreedom).toBe(2);
    // χ²(2) survival is e^(−x/2).
    expect(result.pValue).toBeCloseTo(Math.exp(-expected / 2), 14);
  });

  it('drops categories empty in both samples', () => {
    expect(chiSquareHomogeneity([5, 0, 5], [3, 0, 7])).toEqual(chiSquareHomogeneity([5, 5], [3, 7]));
  });

  it('includes a category only one sample has (the new-category bucket)', () => {
    const result = chiSquareHomogeneity([100, 100, 0], [100, 80, 20]);
    expect(result.degreesOfFreedom).toBe(2);
    expect(result.pValue).toBeLessThan(1e-4);
  });

  it('has nothing to test with one category', () => {
    expect(chiSquareHomogeneity([10, 0], [3, 0])).toEqual({ statistic: 0, degreesOfFreedom: 0, pValue: 1 });
  });
});
