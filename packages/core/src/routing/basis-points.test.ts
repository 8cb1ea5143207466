import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKETS, toBasisPoints } from './basis-points.ts';
import { configWeights } from '@flywheel/testing/weights';

describe('toBasisPoints', () => {
  it('turns 33.33/33.33/33.34 into exactly 10000 basis points', () => {
    expect(toBasisPoints([33.33, 33.33, 33.34])).toEqual([3333, 3333, 3334]);
  });

  it('gives the leftover of an even three-way split to the first variant', () => {
    expect(toBasisPoints([100 / 3, 100 / 3, 100 / 3])).toEqual([3334, 3333, 3333]);
  });

  it('keeps a zero weight at zero', () => {
    expect(toBasisPoints([0, 100])).toEqual([0, BUCKETS]);
  });

  it('rejects weights that are all zero or negative', () => {
    expect(() => toBasisPoints([0, 0])).toThrow(RangeError);
    expect(() => toBasisPoints([-1, 101])).toThrow(RangeError);
  });

  it('maps two-decimal weights to exactly weight × 100, summing to 10000', () => {
    fc.assert(
      fc.property(configWeights(), (weights) => {
        const points = toBasisPoints(weights);
        expect(points.reduce((a, b) => a + b, 0)).toBe(BUCKETS);
        expect(points).toEqual(weights.map((w) => Math.round(w * 100)));
      }),
    );
  });

  it('stays within one basis point of any real weights and sums to 10000', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }), (weights) => {
        fc.pre(weights.some((w) => w > 0));
        const total = weights.reduce((a, b) => a + b, 0);
        const points = toBasisPoints(weights);
        expect(points.reduce((a, b) => a + b, 0)).toBe(BUCKETS);
        points.forEach((p, i) => expect(Math.abs(p - (weights[i] * BUCKETS) / total)).toBeLessThan(1 + 1e-6));
      }),
    );
  });
});
