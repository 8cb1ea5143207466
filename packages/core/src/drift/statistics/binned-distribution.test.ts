import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binIndex, cdfAtEdges } from './binned-distribution.ts';

describe('binIndex', () => {
  const edges = [0, 1, 2.5, 4];

  it('puts values in right-closed bins with a point bin for the first edge', () => {
    expect([-1, 0, 0.5, 1, 1.0001, 2.5, 3, 4, 4.1].map((x) => binIndex(edges, x))).toEqual([0, 1, 2, 2, 3, 3, 4, 4, 5]);
  });

  it('handles a constant reference (one edge)', () => {
    expect([-1, 7, 8].map((x) => binIndex([7], x))).toEqual([0, 1, 2]);
  });

  it('agrees with a linear scan', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: -1100, max: 1100 }), (values, x) => {
        const sorted = [...values].sort((a, b) => a - b);
        const expected = x < sorted[0] ? 0 : x === sorted[0] ? 1 : 1 + sorted.filter((e) => e < x).length;
        expect(binIndex(sorted, x)).toBe(expected);
      }),
      { seed: 3 },
    );
  });
});

describe('cdfAtEdges', () => {
  it('gives F(e0−), F(e0), …, F(last edge)', () => {
    const cdf = cdfAtEdges({ counts: [1, 2, 3, 4], total: 10, underflowDistance: 1, overflowDistance: 0 });
    expect([...cdf]).toEqual([0.1, 0.3, 0.6]);
  });
});
