import { describe, expect, it } from 'vitest';
import { OFFSET_RESOLUTION, type BinnedSample } from './binned-distribution.ts';
import { wassersteinErrorBound, wassersteinFromBins } from './wasserstein.ts';

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

describe('wassersteinFromBins with bin detail', () => {
  const layout = { edges: [0, 10], discrete: false };
  const withDetail = (counts: number[], edgeCounts: number[], offsetSums: number[]): BinnedSample => ({
    ...binned(counts),
    detail: { edgeCounts, offsetSums },
  });
  const units = (offset: number, width = 10) => Math.round((offset / width) * OFFSET_RESOLUTION);
  // Ten values on the edge 10 (ties) against ten inside (0, 10] averaging 2.5.
  const tiesOnTen = withDetail([0, 0, 10, 0], [0, 10], [0, 0, 0, 0]);
  const insideAtTwoAndAHalf = withDetail([0, 0, 10, 0], [0, 0], [0, 0, 10 * units(2.5), 0]);

  it('keeps ties as a jump on their edge and the mean of the rest: exact where the CDFs do not cross', () => {
    // Without detail both would be spread over the bin alike, and the distance would be 0.
    expect(wassersteinFromBins(layout, tiesOnTen, insideAtTwoAndAHalf)).toBeCloseTo(7.5, 9);
    expect(wassersteinFromBins(layout, { ...tiesOnTen, detail: undefined }, insideAtTwoAndAHalf)).toBe(0);
    // Only the rounding of the offsets is left: half a unit per value.
    expect(wassersteinErrorBound(layout, tiesOnTen, insideAtTwoAndAHalf)).toBeCloseTo(10 / (2 * OFFSET_RESOLUTION), 12);
  });

  it('puts a lone value where it is', () => {
    const loneSeven = withDetail([0, 0, 1, 0], [0, 0], [0, 0, units(7), 0]);
    expect(Math.abs(wassersteinFromBins(layout, tiesOnTen, loneSeven) - 3)).toBeLessThanOrEqual(10 / (2 * OFFSET_RESOLUTION));
  });

  it('bounds its error where the CDFs may cross inside a bin', () => {
    // {1, 9} against {4, 6}: the same mean, so the same interpolation; exactly ∫ |F − G| = 3.
    const outer = withDetail([0, 0, 2, 0], [0, 0], [0, 0, units(1) + units(9), 0]);
    const inner = withDetail([0, 0, 2, 0], [0, 0], [0, 0, units(4) + units(6), 0]);
    const estimate = wassersteinFromBins(layout, outer, inner);
    const bound = wassersteinErrorBound(layout, outer, inner);
    expect(Math.abs(estimate - 3)).toBeGreaterThan(1);
    expect(Math.abs(estimate - 3)).toBeLessThanOrEqual(bound);
  });

  it('certifies nothing without detail', () => {
    expect(wassersteinErrorBound(continuous, uniform, uniform)).toBe(Number.POSITIVE_INFINITY);
  });
});
