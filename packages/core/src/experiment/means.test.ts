import { describe, expect, it } from 'vitest';
import { expectClose } from '@flywheel/testing/close-to';
import { compareMeans, estimateMean, momentsOf, varianceOf } from './means.ts';

const a = [12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 14.8, 13.1];
const b = [15.4, 16.2, 14.1, 17.3, 15.9, 16.8, 14.7, 15.1, 16.5, 17.0];

/** Moments of a sample known only by its size, mean and standard deviation. */
function momentsFromSummary(count: number, mean: number, sd: number) {
  return { count, sum: count * mean, sumSquares: (count - 1) * sd * sd + count * mean * mean };
}

// Expected values: scipy.stats.ttest_ind(treatment, control, equal_var=False) and
// ttest_ind_from_stats, SciPy 1.17.
describe('compareMeans (Welch)', () => {
  it('matches scipy on two small samples', () => {
    const result = compareMeans(momentsOf(a), momentsOf(b));
    expectClose(result.t, 4.346648760476912, 1e-11);
    expectClose(result.df, 13.728038397265458, 1e-11);
    expectClose(result.pValue, 0.0007003860060797359, 1e-10);
  });

  it('matches scipy with very unequal variances and an outlier', () => {
    const result = compareMeans(momentsOf([1, 2, 3, 4, 100]), momentsOf([5.1, 5.3, 4.9, 5.0, 5.2, 5.05, 4.95]));
    expectClose(result.t, -0.8678433879521703, 1e-11);
    expectClose(result.df, 4.000059713841526, 1e-11);
    expectClose(result.pValue, 0.43444370126786935, 1e-10);
  });

  it('matches scipy from summary statistics far in the tail', () => {
    const result = compareMeans(momentsFromSummary(4000, 10, 2), momentsFromSummary(5000, 10.4, 3));
    expectClose(result.t, 7.5592894601845515, 1e-9);
    expectClose(result.pValue, 4.462704218402658e-14, 1e-7);
    expectClose(result.lift ?? NaN, 0.04, 1e-9);
  });

  it('treats constant samples as conclusive only when their means differ', () => {
    expect(compareMeans(momentsOf([3, 3, 3]), momentsOf([3, 3])).pValue).toBe(1);
    expect(compareMeans(momentsOf([3, 3, 3]), momentsOf([4, 4])).pValue).toBe(0);
  });

  it('needs two observations per arm', () => {
    expect(compareMeans(momentsOf([1]), momentsOf(b))).toMatchObject({ t: 0, pValue: 1 });
  });
});

describe('estimateMean', () => {
  it('gives the Student t interval', () => {
    const { mean, ci } = estimateMean(momentsOf(a));
    expectClose(mean ?? NaN, 13.4875, 1e-14);
    expectClose(ci?.lower ?? NaN, 12.438123650437772, 1e-12);
    expectClose(ci?.upper ?? NaN, 14.53687634956223, 1e-12);
  });

  it('has no variance or interval below two observations', () => {
    expect(estimateMean(momentsOf([]))).toEqual({ mean: null, variance: null, ci: null });
    expect(estimateMean(momentsOf([7]))).toEqual({ mean: 7, variance: null, ci: null });
  });

  it('never reports a negative variance for a constant sample', () => {
    expect(varianceOf(momentsOf(new Array(1000).fill(0.1)))).toBeGreaterThanOrEqual(0);
  });
});
