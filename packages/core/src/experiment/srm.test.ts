import { describe, expect, it } from 'vitest';
import { expectClose } from '@flywheel/testing/close-to';
import { chiSquareGoodnessOfFit, sampleRatioMismatch } from './srm.ts';

// Expected values: scipy.stats.chisquare, SciPy 1.17.
describe('chiSquareGoodnessOfFit', () => {
  it('matches scipy', () => {
    const fit = chiSquareGoodnessOfFit([3100, 3000, 2900], [1, 1, 1]);
    expectClose(fit.chiSquare, 6.666666666666667, 1e-14);
    expect(fit.df).toBe(2);
    expectClose(fit.pValue, 0.035673993347252395, 1e-12);
  });

  it('takes expected shares on any scale', () => {
    expect(chiSquareGoodnessOfFit([9050, 950], [90, 10])).toEqual(chiSquareGoodnessOfFit([9050, 950], [0.9, 0.1]));
    expectClose(chiSquareGoodnessOfFit([9050, 950], [90, 10]).pValue, 0.09558070454562936, 1e-12);
  });
});

describe('sampleRatioMismatch', () => {
  it('flags 5200/4800 on a 50/50 split (p = 6.3e-5)', () => {
    const srm = sampleRatioMismatch([
      { count: 5200, weight: 50 },
      { count: 4800, weight: 50 },
    ]);
    expectClose(srm.pValue, 6.334248366623988e-5, 1e-12);
    expect(srm.mismatch).toBe(true);
  });

  it('does not flag ordinary noise', () => {
    const srm = sampleRatioMismatch([
      { count: 9050, weight: 90 },
      { count: 950, weight: 10 },
    ]);
    expect(srm.mismatch).toBe(false);
  });

  it('flags traffic to a variant weighted 0', () => {
    expect(
      sampleRatioMismatch([
        { count: 100, weight: 100 },
        { count: 1, weight: 0 },
      ]),
    ).toMatchObject({ chiSquare: Infinity, pValue: 0, mismatch: true });
  });

  it('has nothing to test without traffic or with a single variant', () => {
    expect(
      sampleRatioMismatch([
        { count: 0, weight: 50 },
        { count: 0, weight: 50 },
      ]).mismatch,
    ).toBe(false);
    expect(
      sampleRatioMismatch([
        { count: 100, weight: 100 },
        { count: 0, weight: 0 },
      ]),
    ).toMatchObject({ df: 0, pValue: 1 });
  });
});
