import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sample, seededRandom, zeroInflatedCount, type Random } from '@flywheel/testing/drift/random';
import { binnedAndExact, fromStateAndExact, profileOf, sketchOf, toleranceViolations } from '@flywheel/testing/drift/state-vs-exact';
import { mergeSketches, type WindowSketch } from './window-sketch.ts';

/**
 * The statistics from the mergeable state against exact computation on the raw samples: on a
 * normal reference, for any mixture (within the bounds the state certifies), over merged
 * windows, and exactly for discrete features. Hard data has its own file.
 */
const random = seededRandom(2024);
type Draw = (r: Random) => number;
const lognormalMean = Math.exp(0.5 ** 2 / 2);
const lognormalSd = Math.sqrt((Math.exp(0.5 ** 2) - 1) * Math.exp(0.5 ** 2));

describe('binned statistics vs exact statistics on the raw samples (normal reference, n = 5000)', () => {
  const reference = sample(5000, () => random.normal());
  const windows: Record<string, Draw> = {
    'same distribution': (r) => r.normal(),
    'mean +0.5 sd': (r) => r.normal(0.5, 1),
    'sd × 1.5': (r) => r.normal(0, 1.5),
    'lognormal, same mean and sd': (r) => (r.lognormal(0, 0.5) - lognormalMean) / lognormalSd,
    'gamma(2), shifted': (r) => r.gamma(2) - 2,
    'mean +0.05 sd': (r) => r.normal(0.05, 1),
  };
  for (const [name, draw] of Object.entries(windows)) {
    it.each([100, 1000, 5000, 20_000])(`${name}, window n = %i`, (n) => {
      expect(
        toleranceViolations(
          binnedAndExact(
            reference,
            sample(n, () => draw(random)),
          ),
        ),
      ).toEqual([]);
    });
  }
});

describe('error bounds the state certifies', () => {
  /** A mixture of a few components drawn by fast-check: location, scale, shape and tie. */
  const component = fc.record({
    kind: fc.constantFrom('normal', 'cauchy', 'lognormal', 'integer', 'point'),
    location: fc.double({ min: -10, max: 10, noNaN: true }),
    scale: fc.double({ min: 0.01, max: 10, noNaN: true }),
  });
  type Component = { kind: string; location: number; scale: number };
  const drawFrom = (components: readonly Component[], r: Random) => () => {
    const { kind, location, scale } = components[Math.floor(r.uniform() * components.length)];
    if (kind === 'normal') return r.normal(location, scale);
    if (kind === 'cauchy') return location + scale * r.studentT(1);
    if (kind === 'lognormal') return location + r.lognormal(0, Math.min(scale, 2));
    if (kind === 'integer') return Math.round(location + scale * r.normal());
    return location;
  };

  it('hold for any mixtures of heavy, skewed, discrete and point-mass components', () => {
    fc.assert(
      fc.property(
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer(),
        (referenceMix, windowMix, n, m, seed) => {
          const r = seededRandom(seed);
          const reference = sample(n, drawFrom(referenceMix, r));
          const window = sample(m, drawFrom(windowMix, r));
          const result = binnedAndExact(reference, window);
          expect(result.ks).toBeLessThanOrEqual(result.exactKs + 1e-12);
          expect(result.exactKs - result.ks).toBeLessThanOrEqual(result.ksBound + 1e-12);
          expect(result.ksBound).toBeLessThan(1 / 256);
          const error = Math.abs(result.wasserstein - result.exactWasserstein);
          expect(error).toBeLessThanOrEqual(result.wassersteinBound * (1 + 1e-9) + 1e-9 * result.exactWasserstein);
        },
      ),
      { seed: 11, numRuns: 150 },
    );
  });
});

describe('drift over a range of windows is a merge', () => {
  it('gives the same statistics whichever way 24 windows are merged, within tolerance of the raw samples', () => {
    const reference = sample(20_000, () => random.lognormal(0, 1));
    const hours = Array.from({ length: 24 }, () => sample(2000, () => 1.2 * random.lognormal(0, 1)));
    const profile = profileOf(reference);
    const windows = hours.map((values) => sketchOf(profile, values));
    const leftToRight = windows.reduce((a, b) => mergeSketches(a, b));
    const rightToLeft = windows.reduceRight((a, b) => mergeSketches(b, a));
    const pairwise = (list: WindowSketch[]): WindowSketch =>
      list.length === 1
        ? list[0]
        : pairwise(Array.from({ length: Math.ceil(list.length / 2) }, (_, i) => (list[2 * i + 1] ? mergeSketches(list[2 * i], list[2 * i + 1]) : list[2 * i])));
    const all = hours.flat();
    const results = [leftToRight, rightToLeft, pairwise(windows)].map((sketch) => fromStateAndExact(profile, sketch, reference, all));
    for (const result of results) {
      expect(result.ks).toBe(results[0].ks);
      expect(result.wasserstein).toBeCloseTo(results[0].wasserstein, 12);
      expect(result.psi).toBeCloseTo(results[0].psi, 12);
      expect(toleranceViolations(result)).toEqual([]);
    }
    expect(fromStateAndExact(profile, sketchOf(profile, all), reference, all).wasserstein).toBeCloseTo(results[0].wasserstein, 12);
  });
});

describe('PSI from the new state', () => {
  it('is small for the same distribution and large for a drift, on heavy and tied data', () => {
    for (const [referenceDraw, windowDraw, drifted] of [
      [(r: Random) => r.studentT(1), (r: Random) => r.studentT(1), false],
      [(r: Random) => r.studentT(1), (r: Random) => 3 * r.studentT(1), true],
      [(r: Random) => zeroInflatedCount(r, 0.6), (r: Random) => zeroInflatedCount(r, 0.6), false],
      [(r: Random) => zeroInflatedCount(r, 0.6), (r: Random) => zeroInflatedCount(r, 0.3), true],
    ] as const) {
      const { psi } = binnedAndExact(
        sample(5000, () => referenceDraw(random)),
        sample(5000, () => windowDraw(random)),
      );
      if (drifted) expect(psi).toBeGreaterThan(0.2);
      else expect(psi).toBeLessThan(0.05);
    }
  });
});

describe('discrete features are binned exactly', () => {
  const binomial = (r: Random, p: number) => sample(20, () => (r.uniform() < p ? 1 : 0)).reduce((s, x) => s + x, 0);

  it('KS and Wasserstein equal the exact values', () => {
    const reference = sample(5000, () => binomial(random, 0.5));
    const result = binnedAndExact(
      reference,
      sample(3000, () => binomial(random, 0.55)),
    );
    expect(result.ks).toBeCloseTo(result.exactKs, 12);
    expect(result.wasserstein).toBeCloseTo(result.exactWasserstein, 12);
  });
});
