import { describe, expect, it } from 'vitest';
import type { BinnedSample } from './binned-distribution.ts';
import { wassersteinFromBins } from './wasserstein.ts';

const continuous = { edges: [0, 1, 2, 3, 4], discrete: false };
const binned = (counts: number[], overflowDistance = 0, underflowDistance = 0): BinnedSample => ({
  counts,
  total: counts.reduce((s, c) => s + c, 0),
  underflowDistance,
  overflowDistance,
});
// Uniform on (0, 4]: ten values in each interior bin.
const uniform = binned([0, 0, 10, 10, 10, 10, 0]);

describe('wassersteinFromBins', () => {
  it('integrates |F − G| of the interpolated CDFs, crossings included', () => {
    // Uniform (0, 4] vs uniform (3, 4]: 9/8 below 3 plus 3/8 inside the last bin.
    expect(wassersteinFromBins(continuous, uniform, binned([0, 0, 0, 0, 0, 10, 0]))).toBeCloseTo(1.5, 12);
    // Uniform (0, 1] ∪ (3, 4] vs (1, 3]: the CDFs cross at 2; ½ + ½.
    expect(wassersteinFromBins(continuous, binned([0, 0, 10, 0, 0, 10, 0]), binned([0, 0, 0, 10, 10, 0, 0]))).toBeCloseTo(1, 12);
    expect(wassersteinFromBins(continuous, uniform, uniform)).toBe(0);
  });

  it('is exact over the tails, from the mean distance beyond the edges', () => {
    // Everything above 4, 2 beyond it on average: the means differ by 6 − 2.
    expect(wassersteinFromBins(continuous, uniform, binned([0, 0, 0, 0, 0, 0, 10], 20))).toBeCloseTo(4, 12);
    // Everything below 0, 1 below it on average: −1 vs 2.
    expect(wassersteinFromBins(continuous, uniform, binned([10, 0, 0, 0, 0, 0, 0], 0, 10))).toBeCloseTo(3, 12);
  });

  it('puts discrete mass on the edges', () => {
    const flags = { edges: [0, 1], discrete: true };
    // P(1) = 0.2 vs 0.7: W1 = |0.2 − 0.7| · 1.
    expect(wassersteinFromBins(flags, binned([0, 8, 2, 0]), binned([0, 3, 7, 0]))).toBeCloseTo(0.5, 12);
  });
});
