import { describe, expect, it } from 'vitest';
import { isStorableNumber } from './storable-number.ts';

describe('isStorableNumber', () => {
  it('takes 0 and magnitudes from 1e-130 to below 1e126, and nothing else', () => {
    for (const value of [0, -0, 1, -1.5, 1e20, -9.99e125, 1e-130, -1e-130, Number.MAX_SAFE_INTEGER + 2]) expect(isStorableNumber(value), String(value)).toBe(true);
    for (const value of [1e126, -1.5e300, 9.9e-131, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(isStorableNumber(value), String(value)).toBe(false);
  });
});
