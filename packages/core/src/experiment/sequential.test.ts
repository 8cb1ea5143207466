import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose } from '@flywheel/testing/close-to';
import { compareMeans, momentsOf, type Moments } from './means.ts';
import { mulberry32, standardNormal } from '@flywheel/testing/prng';
import { compareProportions } from './proportions.ts';
import { alwaysValidPValue, armFromCounts, armFromMoments, mixtureLikelihoodRatio, sequentialTest, type MixtureEvidence } from './sequential.ts';

const evidence = (estimate: number, alternative: MixtureEvidence['alternative'] = 'two-sided'): MixtureEvidence => ({
  estimate,
  variance: 0.0004,
  nullValue: 0.01,
  mixingVariance: 0.0009,
  alternative,
});

describe('mixtureLikelihoodRatio', () => {
  it('is the normal-mixture likelihood ratio', () => {
    // √(V/(V+τ²)) · exp((θ̂−θ₀)² τ² / (2V(V+τ²))) with V = 0.0004, τ² = 0.0009, θ̂ − θ₀ = 0.05.
    const [v, tau2, shift] = [0.0004, 0.0009, 0.05];
    const expected = Math.sqrt(v / (v + tau2)) * Math.exp((shift * shift * tau2) / (2 * v * (v + tau2)));
    expectClose(mixtureLikelihoodRatio(evidence(0.06)), expected, 1e-13);
  });

  it('splits the two-sided mixture into its one-sided halves', () => {
    // Φ(x) + Φ(−x) = 1, so Λ(greater) + Λ(less) = 2 Λ(two-sided).
    for (const estimate of [-0.03, 0, 0.01, 0.02, 0.09]) {
      const sum = mixtureLikelihoodRatio(evidence(estimate, 'greater')) + mixtureLikelihoodRatio(evidence(estimate, 'less'));
      expectClose(sum, 2 * mixtureLikelihoodRatio(evidence(estimate)), 1e-12);
    }
  });

  it('matches the half-normal mixture integrated numerically', () => {
    // Λ = ∫₀^∞ 2 φ(δ; τ) exp(δ z / V − δ² / (2V)) dδ, by the trapezoid rule.
    const [v, tau2, z] = [0.0004, 0.0009, 0.03];
    const tau = Math.sqrt(tau2);
    const step = tau / 20_000;
    let integral = 0;
    for (let delta = 0; delta < 12 * tau; delta += step) {
      const f = (d: number) => (2 / (tau * Math.sqrt(2 * Math.PI))) * Math.exp(-(d * d) / (2 * tau2) + (d * z) / v - (d * d) / (2 * v));
      integral += ((f(delta) + f(delta + step)) / 2) * step;
    }
    expectClose(mixtureLikelihoodRatio(evidence(0.04, 'greater')), integral, 1e-7);
  });

  it('finds no evidence without variance', () => {
    expect(mixtureLikelihoodRatio({ ...evidence(1), variance: 0 })).toBe(1);
  });
});

describe('sequentialTest', () => {
  it('gives an always-valid p-value that never rises over looks', () => {
    const batch = fc.record({ count: fc.integer({ min: 0, max: 300 }), rate: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(fc.tuple(batch, batch), { minLength: 1, maxLength: 15 }), (looks) => {
        const totals = { control: { count: 0, successes: 0 }, treatment: { count: 0, successes: 0 } };
        let previous = 1;
        for (const [c, t] of looks) {
          totals.control = { count: totals.control.count + c.count, successes: totals.control.successes + Math.round(c.count * c.rate) };
          totals.treatment = { count: totals.treatment.count + t.count, successes: totals.treatment.successes + Math.round(t.count * t.rate) };
          const { pValue } = sequentialTest(armFromCounts(totals.control), armFromCounts(totals.treatment), { previousPValue: previous });
          expect(pValue).toBeLessThanOrEqual(previous);
          expect(pValue).toBeGreaterThanOrEqual(0);
          previous = pValue;
        }
      }),
    );
  });

  it('caps the p-value at 1 and at the previous look', () => {
    expect(alwaysValidPValue(0.5)).toBe(1);
    expect(alwaysValidPValue(4, 0.1)).toBe(0.1);
    expect(alwaysValidPValue(40, 0.1)).toBe(0.025);
  });

  it('detects a real difference', () => {
    const control = armFromMoments(momentsOf(Array.from({ length: 2000 }, (_, i) => (i % 10) / 10)));
    const treatment = armFromMoments(momentsOf(Array.from({ length: 2000 }, (_, i) => (i % 10) / 10 + 0.1)));
    expect(sequentialTest(control, treatment).pValue).toBeLessThan(1e-4);
  });
});

/**
 * Simulated experiments checked after each of 20 batches of 200 per arm, stopping at the first
 * p < 0.05. In an A/A test both arms share one distribution, so every stop is a false positive.
 */
describe('peeking after every batch', () => {
  const LOOKS = 20;
  const BATCH = 200;
  type Fixed = (control: Moments, treatment: Moments) => number;

  function rejectionRates(experiments: number, seed: number, draw: (random: () => number, arm: number) => number, fixedPValue: Fixed) {
    const random = mulberry32(seed);
    let [fixedRejections, sequentialRejections] = [0, 0];
    for (let e = 0; e < experiments; e++) {
      const totals = [0, 1].map(() => ({ count: 0, sum: 0, sumSquares: 0 }));
      let [fixedRejected, sequentialP] = [false, 1];
      for (let look = 0; look < LOOKS; look++) {
        totals.forEach((total, arm) => {
          for (let i = 0; i < BATCH; i++) {
            const x = draw(random, arm);
            total.count += 1;
            total.sum += x;
            total.sumSquares += x * x;
          }
        });
        const [control, treatment] = totals;
        fixedRejected ||= fixedPValue(control, treatment) < 0.05;
        sequentialP = sequentialTest(armFromMoments(control), armFromMoments(treatment), {
          previousPValue: sequentialP,
        }).pValue;
      }
      if (fixedRejected) fixedRejections += 1;
      if (sequentialP < 0.05) sequentialRejections += 1;
    }
    return { fixed: fixedRejections / experiments, sequential: sequentialRejections / experiments };
  }

  const zTest: Fixed = (c, t) => compareProportions({ count: c.count, successes: c.sum }, { count: t.count, successes: t.sum }).pValue;
  const welch: Fixed = (c, t) => compareMeans(c, t).pValue;
  const conversion = (rates: number[]) => (random: () => number, arm: number) => (random() < rates[arm] ? 1 : 0);

  it('inflates the z-test’s false positives far above 5% but keeps the mSPRT’s at or below it', () => {
    const rates = rejectionRates(300, 20240601, conversion([0.1, 0.1]), zTest);
    // Measured: fixed 0.277, sequential 0.017.
    expect(rates.fixed).toBeGreaterThan(0.15);
    expect(rates.sequential).toBeLessThanOrEqual(0.05);
  });

  it('does the same for Welch’s t-test on a continuous metric', () => {
    const rates = rejectionRates(300, 20240602, (random) => 50 + 10 * standardNormal(random), welch);
    // Measured: fixed 0.257, sequential 0.010.
    expect(rates.fixed).toBeGreaterThan(0.15);
    expect(rates.sequential).toBeLessThanOrEqual(0.05);
  });

  it('still finds a real lift (10% → 13% conversion) in most experiments', () => {
    const rates = rejectionRates(100, 20240603, conversion([0.1, 0.13]), zTest);
    // Measured: sequential 0.86 (the peeking z-test's 1.00 is no guide: its false positives are 28%).
    expect(rates.sequential).toBeGreaterThan(0.8);
  });
});
