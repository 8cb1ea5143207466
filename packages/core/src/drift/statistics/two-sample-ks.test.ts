import { describe, expect, it } from 'vitest';
import { ksPValue, twoSampleKs } from './two-sample-ks.ts';

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
});
