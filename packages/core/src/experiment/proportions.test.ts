import { describe, expect, it } from 'vitest';
import { expectClose } from '@flywheel/testing/close-to';
import { compareProportions, estimateProportion } from './proportions.ts';

/**
 * erfc by a series of positive terms, erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)),
 * so the test checks the library against arithmetic it does not share.
 */
function erfcBySeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

describe('compareProportions', () => {
  const control = { count: 2000, successes: 200 };
  const treatment = { count: 2000, successes: 250 };

  it('gives the two-proportion z-test of 200/2000 vs 250/2000', () => {
    const result = compareProportions(control, treatment);
    // By hand: pooled p = 450/4000 = 0.1125, SE = √(0.1125 · 0.8875 · (1/2000 + 1/2000)),
    // z = 0.025 / SE = 2.50195541680267188…, p = erfc(z/√2) = 0.01235094771119140433…
    // (40-digit arithmetic).
    expectClose(result.z, 2.501955416802672, 1e-14);
    expectClose(result.pValue, 0.012350947711191404, 1e-12);
    expectClose(result.lift ?? NaN, 0.25, 1e-12);
    expectClose(result.difference, 0.025, 1e-12);
  });

  it('agrees with the formula re-derived in the test', () => {
    const [p1, p2] = [200 / 2000, 250 / 2000];
    const pooled = (200 + 250) / (2000 + 2000);
    const z = (p2 - p1) / Math.sqrt(pooled * (1 - pooled) * (1 / 2000 + 1 / 2000));
    const pValue = erfcBySeries(Math.abs(z) / Math.SQRT2);
    const result = compareProportions(control, treatment);
    expectClose(result.z, z, 1e-14);
    expectClose(result.pValue, pValue, 1e-11);
  });

  it('is symmetric in the arms', () => {
    const forward = compareProportions(control, treatment);
    const backward = compareProportions(treatment, control);
    expect(backward.z).toBeCloseTo(-forward.z, 12);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 14);
  });

  it('finds no evidence without observations or without variation', () => {
    expect(compareProportions({ count: 0, successes: 0 }, treatment)).toMatchObject({ z: 0, pValue: 1 });
    expect(compareProportions({ count: 50, successes: 0 }, { count: 80, successes: 0 })).toEqual({
      difference: 0,
      lift: null,
      z: 0,
      pValue: 1,
    });
  });
});

describe('estimateProportion', () => {
  it('gives the Wilson score interval', () => {
    const { rate, ci } = estimateProportion({ count: 2000, successes: 200 });
    expect(rate).toBe(0.1);
    // 30-digit arithmetic of the Wilson formula with z = √2 · erf⁻¹(0.95).
    expectClose(ci.lower, 0.08760922541834984, 1e-13);
    expectClose(ci.upper, 0.1139244124066525, 1e-13);
  });

  it('stays inside [0, 1] at the edges', () => {
    const none = estimateProportion({ count: 30, successes: 0 });
    expect(none.ci.lower).toBe(0);
    expect(none.ci.upper).toBeGreaterThan(0.05);
    const all = estimateProportion({ count: 30, successes: 30 });
    expect(all.ci.upper).toBe(1);
    expect(estimateProportion({ count: 0, successes: 0 })).toEqual({ rate: null, ci: { lower: 0, upper: 1 } });
  });

  it('widens with the confidence level', () => {
    const at95 = estimateProportion({ count: 500, successes: 50 }).ci;
    const at99 = estimateProportion({ count: 500, successes: 50 }, 0.99).ci;
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
  });
});
