import { describe, expect, it } from 'vitest';
import { evaluateDrift } from './evaluate.ts';
import { buildReferenceProfile } from './reference-profile.ts';
import { exactKs, exactWasserstein, sortedCopy } from './testing/exact-statistics.ts';
import { sample, seededRandom, type Random } from './testing/random.ts';
import { createWindowSketch, observe } from './window-sketch.ts';

/**
 * The binned statistics against the same statistics computed exactly on the raw samples: the
 * error budget the design promises (KS within 0.01, Wasserstein within 5 %).
 */
function binnedAndExact(reference: number[], window: number[]) {
  const profile = buildReferenceProfile({ features: [{ name: 'x', kind: 'numerical' }], records: reference.map((x) => ({ x })) });
  const sketch = createWindowSketch(profile);
  for (const x of window) observe(sketch, profile, { features: { x } });
  const [drift] = evaluateDrift(profile, sketch, { minSampleSize: 1 }).features;
  const referenceColumn = profile.features[0];
  if (referenceColumn.kind !== 'numerical') throw new Error('x is numerical');
  const [sortedReference, sortedWindow] = [sortedCopy(reference), sortedCopy(window)];
  return {
    ks: drift.ks?.statistic ?? NaN,
    exactKs: exactKs(sortedReference, sortedWindow),
    wasserstein: drift.wasserstein ?? NaN,
    exactWasserstein: exactWasserstein(sortedReference, sortedWindow) / referenceColumn.std,
  };
}

const random = seededRandom(2024);
const LOGNORMAL_SIGMA = 0.5;
const lognormalMean = Math.exp(LOGNORMAL_SIGMA ** 2 / 2);
const lognormalSd = Math.sqrt((Math.exp(LOGNORMAL_SIGMA ** 2) - 1) * Math.exp(LOGNORMAL_SIGMA ** 2));

type Draw = (r: Random) => number;
const windows: Record<string, Draw> = {
  'same distribution': (r) => r.normal(),
  'mean +0.5 sd': (r) => r.normal(0.5, 1),
  'sd × 1.5': (r) => r.normal(0, 1.5),
  'lognormal, same mean and sd': (r) => (r.lognormal(0, LOGNORMAL_SIGMA) - lognormalMean) / lognormalSd,
  'gamma(2), shifted': (r) => r.gamma(2) - 2,
  'mean +0.05 sd': (r) => r.normal(0.05, 1),
};

describe('binned statistics vs exact statistics on the raw samples (normal reference, n = 5000)', () => {
  const reference = sample(5000, () => random.normal());

  for (const [name, draw] of Object.entries(windows)) {
    it.each([100, 1000, 5000, 20_000])(`${name}, window n = %i`, (n) => {
      const result = binnedAndExact(reference, sample(n, () => draw(random)));
      // Binning can only miss the supremum, by at most one reference bin (1 %).
      expect(result.ks).toBeLessThanOrEqual(result.exactKs + 1e-12);
      expect(result.exactKs - result.ks).toBeLessThanOrEqual(0.01);
      const error = Math.abs(result.wasserstein - result.exactWasserstein);
      if (result.exactWasserstein >= 0.1) expect(error / result.exactWasserstein).toBeLessThanOrEqual(0.05);
      else expect(error).toBeLessThanOrEqual(0.005);
    });
  }
});

describe('binned statistics vs exact, skewed reference (gamma(2), n = 5000)', () => {
  const reference = sample(5000, () => random.gamma(2));

  it.each([
    ['same distribution', (r: Random) => r.gamma(2)],
    ['scale × 1.3', (r: Random) => 1.3 * r.gamma(2)],
    ['gamma(3) rescaled to the same mean', (r: Random) => (2 / 3) * r.gamma(3)],
  ] as const)('%s', (_, draw) => {
    const result = binnedAndExact(reference, sample(5000, () => draw(random)));
    expect(result.exactKs - result.ks).toBeLessThanOrEqual(0.01);
    expect(result.ks).toBeLessThanOrEqual(result.exactKs + 1e-12);
    const error = Math.abs(result.wasserstein - result.exactWasserstein);
    if (result.exactWasserstein >= 0.1) expect(error / result.exactWasserstein).toBeLessThanOrEqual(0.05);
    else expect(error).toBeLessThanOrEqual(0.005);
  });
});

describe('discrete features are binned exactly', () => {
  const binomial = (r: Random, p: number) => sample(20, () => (r.uniform() < p ? 1 : 0)).reduce((s, x) => s + x, 0);

  it('KS and Wasserstein equal the exact values', () => {
    const reference = sample(5000, () => binomial(random, 0.5));
    const result = binnedAndExact(reference, sample(3000, () => binomial(random, 0.55)));
    expect(result.ks).toBeCloseTo(result.exactKs, 12);
    expect(result.wasserstein).toBeCloseTo(result.exactWasserstein, 12);
  });
});
