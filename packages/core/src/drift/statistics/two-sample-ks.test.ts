import { describe, expect, it } from 'vitest';
import { OFFSET_RESOLUTION } from './binned-distribution.ts';
import { ksErrorBound, ksPValue, twoSampleKs } from './two-sample-ks.ts';

describe('twoSampleKs', () => {
  it('takes the largest CDF gap at the edges', () => {
    // Edges [0, 1, 2]: CDFs at e0−, e0, e1, e2 are (0, .5, .75, 1) and (0, .25, .25, .5).
    const result = twoSampleKs(
      { counts: [0, 2, 1, 1, 0], total: 4, underflowDistance: 0, overflowDistance: 0 },
      { counts: [0, 1, 0, 1, 2], total: 4, underflowDistance: 0, overflowDistance: 3 },
    );
    expect(result.statistic).toBe(0.5);
    expect(result.pValue).toBe(ksPValue(0.5, 4, 4));
  });

  it('uses the Kolmogorov distribution at √(nm/(n+m))·D', () => {
    // √(200·200/400) · 0.1 = 1; scipy.stats.kstwobign.sf(1.0).
    expect(ksPValue(0.1, 200, 200)).toBeCloseTo(0.26999967167735456, 14);
    expect(ksPValue(0, 10, 10)).toBe(1);
  });

  it('sees the gap just left of an edge that holds ties', () => {
    // Edges [0, 1]. Reference: five values on 0, five on 1. Window: five on 0, five at 0.5.
    // Their counts per bin are the same; on [0.5, 1) the CDFs are 0.5 and 1.
    const reference = { counts: [0, 5, 5, 0], total: 10, underflowDistance: 0, overflowDistance: 0, detail: { edgeCounts: [5, 5], offsetSums: [0, 0, 0, 0] } };
    const window = {
      counts: [0, 5, 5, 0],
      total: 10,
      underflowDistance: 0,
      overflowDistance: 0,
      detail: { edgeCounts: [5, 0], offsetSums: [0, 0, 5 * (OFFSET_RESOLUTION / 2), 0] },
    };
    expect(twoSampleKs(reference, window).statistic).toBe(0.5);
    expect(ksErrorBound(reference, window)).toBe(0);
    // Without detail the gap is missed, and the bound says by how much it may be.
    const [plainReference, plainWindow] = [
      { ...reference, detail: undefined },
      { ...window, detail: undefined },
    ];
    expect(twoSampleKs(plainReference, plainWindow).statistic).toBe(0);
    expect(ksErrorBound(plainReference, plainWindow)).toBe(0.5);
  });
});
