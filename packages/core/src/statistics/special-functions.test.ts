import { describe, expect, it } from 'vitest';
import { chiSquareSf } from './distributions.ts';
import { kolmogorovSurvival, regularizedGammaQ } from './special-functions.ts';

/** Closed form for even degrees of freedom: e^(−x/2) Σ_{k<df/2} (x/2)^k / k!. */
function chiSquareSurvivalEvenDf(x: number, df: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < df / 2; k++) {
    term *= x / 2 / k;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

describe('chiSquareSf', () => {
  it('matches scipy.stats.chi2.sf reference values', () => {
    expect(chiSquareSf(10, 3)).toBeCloseTo(0.018566135463043, 13);
    expect(chiSquareSf(3, 2)).toBeCloseTo(0.22313016014842982, 14);
  });

  it.each([
    [0.5, 2],
    [4, 4],
    [20, 10],
    [9, 30],
    [200, 10],
    [150, 100],
  ])('matches the even-df closed form at x=%d, df=%d to 1e-12 relative', (x, df) => {
    const expected = chiSquareSurvivalEvenDf(x, df);
    expect(Math.abs(chiSquareSf(x, df) - expected) / expected).toBeLessThan(1e-12);
  });

  it('is 1 at and below zero', () => {
    expect(chiSquareSf(0, 5)).toBe(1);
    expect(chiSquareSf(-1, 5)).toBe(1);
  });
});

describe('regularizedGammaQ', () => {
  it('is e^(−x) for a = 1', () => {
    for (const x of [0.1, 1, 2, 5, 30]) expect(regularizedGammaQ(1, x)).toBeCloseTo(Math.exp(-x), 14);
  });

  it('rejects a ≤ 0', () => {
    expect(() => regularizedGammaQ(0, 1)).toThrow(RangeError);
  });
});

describe('kolmogorovSurvival', () => {
  it('matches scipy.stats.kstwobign.sf(1.0)', () => {
    expect(kolmogorovSurvival(1.0)).toBeCloseTo(0.26999967167735456, 14);
  });

  it('matches the alternating series where it converges in two terms', () => {
    expect(kolmogorovSurvival(2)).toBeCloseTo(2 * (Math.exp(-8) - Math.exp(-32)), 15);
  });

  it('is continuous where it switches series, and decreasing', () => {
    expect(kolmogorovSurvival(1.18 - 1e-12)).toBeCloseTo(kolmogorovSurvival(1.18), 11);
    let previous = 1;
    for (let lambda = 0.05; lambda < 4; lambda += 0.05) {
      const value = kolmogorovSurvival(lambda);
      expect(value).toBeLessThanOrEqual(previous);
      previous = value;
    }
    expect(kolmogorovSurvival(0)).toBe(1);
  });
});
