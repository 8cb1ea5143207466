import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze.ts';
import { compareMeans, estimateMean, momentsOf } from './means.ts';
import { compareProportions, estimateProportion } from './proportions.ts';
import { armFromCounts, sequentialTest } from './sequential.ts';

describe('analyzeExperiment', () => {
  const conversion = {
    kind: 'binary' as const,
    control: 'control',
    variants: [
      { name: 'control', weight: 50, count: 2000, successes: 200 },
      { name: 'candidate', weight: 50, count: 2000, successes: 250 },
    ],
  };

  it('reports each variant and its comparison to control', () => {
    const analysis = analyzeExperiment(conversion);
    const [control, candidate] = conversion.variants;
    const fixed = compareProportions(control, candidate);
    expect(analysis.alpha).toBe(0.05);
    expect(analysis.variants[0]).toEqual({
      name: 'control',
      weight: 50,
      count: 2000,
      outcomes: 200,
      rate: 0.1,
      ci: estimateProportion(control).ci,
      comparison: null,
    });
    expect(analysis.variants[1]).toMatchObject({ count: 2000, outcomes: 250, rate: 0.125 });
    expect(analysis.variants[1].comparison).toEqual({
      difference: fixed.difference,
      lift: fixed.lift,
      pValue: fixed.pValue,
      significant: true,
      sequentialPValue: sequentialTest(armFromCounts(control), armFromCounts(candidate)).pValue,
      sequentiallySignificant: false,
    });
    expect(analysis.srm.mismatch).toBe(false);
  });

  it('carries the sequential p-value forward from the previous analysis', () => {
    const analysis = analyzeExperiment({
      ...conversion,
      variants: [conversion.variants[0], { ...conversion.variants[1], previousSequentialPValue: 0.01 }],
    });
    expect(analysis.variants[1].comparison?.sequentialPValue).toBe(0.01);
    expect(analysis.variants[1].comparison?.sequentiallySignificant).toBe(true);
  });

  it('uses 1 − alpha for intervals and alpha for significance', () => {
    const analysis = analyzeExperiment({ ...conversion, alpha: 0.01 });
    expect(analysis.variants[1].ci).toEqual(estimateProportion(conversion.variants[1], 0.99).ci);
    expect(analysis.variants[1].comparison?.significant).toBe(false);
  });

  it('analyzes a continuous metric from sums and sums of squares', () => {
    const control = momentsOf([12.1, 14.3, 11.8, 15.2, 13.9, 12.7, 14.8, 13.1]);
    const candidate = momentsOf([15.4, 16.2, 14.1, 17.3, 15.9, 16.8, 14.7, 15.1, 16.5, 17.0]);
    const analysis = analyzeExperiment({
      kind: 'continuous',
      control: 'a',
      variants: [
        { name: 'a', weight: 50, ...control },
        { name: 'b', weight: 50, ...candidate },
      ],
    });
    expect(analysis.variants[1]).toMatchObject({ mean: estimateMean(candidate).mean, outcomes: candidate.sum });
    expect(analysis.variants[1].comparison?.pValue).toBe(compareMeans(control, candidate).pValue);
  });

  it('compares every variant with the control and checks the split', () => {
    const analysis = analyzeExperiment({
      kind: 'binary',
      control: 'b',
      variants: [
        { name: 'a', weight: 25, count: 2600, successes: 260 },
        { name: 'b', weight: 50, count: 5000, successes: 500 },
        { name: 'c', weight: 25, count: 2400, successes: 240 },
      ],
    });
    expect(analysis.variants.map((v) => v.comparison === null)).toEqual([false, true, false]);
    expect(analysis.srm.df).toBe(2);
    expect(analysis.srm.mismatch).toBe(false);
  });

  it('flags a sample-ratio mismatch', () => {
    const analysis = analyzeExperiment({
      ...conversion,
      variants: [conversion.variants[0], { ...conversion.variants[1], count: 1700 }],
    });
    expect(analysis.srm.mismatch).toBe(true);
  });

  it('rejects an unknown control', () => {
    expect(() => analyzeExperiment({ ...conversion, control: 'nope' })).toThrow(RangeError);
  });
});
