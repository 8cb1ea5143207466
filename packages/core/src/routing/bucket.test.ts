import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialAllocation, reallocate } from './allocation.ts';
import { assignVariant } from './assign.ts';
import { configWeights } from '@flywheel/testing/weights';
import { BUCKETS } from './basis-points.ts';
import { bucketOf, inShadow, randomBucket, requestBucket } from './bucket.ts';

const units = (count: number, prefix = 'user-') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('bucketOf', () => {
  it('is a deterministic integer in 0..9999', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (salt, unit) => {
        const bucket = bucketOf(salt, unit);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKETS).toBe(true);
        expect(bucketOf(salt, unit)).toBe(bucket);
      }),
    );
  });

  // Pinned values: if any of these change, every sticky unit in production moves variant.
  it('keeps its published values', () => {
    expect([bucketOf('demo', 'user-42'), bucketOf('churn', 'user-42'), bucketOf('demo', 'ünït-✓')]).toEqual([PINNED.demoUser42, PINNED.churnUser42, PINNED.demoUnicode]);
  });

  it('spreads units evenly over the buckets', () => {
    // Chi-square over 100 equal bucket groups; 99 df, the 0.999 quantile is 148.2.
    const counts = new Array(100).fill(0);
    for (const unit of units(100_000)) counts[Math.floor(bucketOf('spread', unit) / 100)] += 1;
    const chiSquare = counts.reduce((sum, c) => sum + (c - 1000) ** 2 / 1000, 0);
    expect(chiSquare).toBeLessThan(148.2);
  });

  it('gives every variant its weight’s share of 4,000 units, within binomial tolerance', () => {
    fc.assert(
      fc.property(configWeights(5), fc.string({ minLength: 1 }), (weights, salt) => {
        const allocation = initialAllocation(weights.map((weight, i) => ({ name: `v${i}`, weight })));
        const counts = new Map<string, number>();
        for (const unit of units(4000)) {
          const variant = assignVariant(allocation, bucketOf(salt, unit));
          counts.set(variant, (counts.get(variant) ?? 0) + 1);
        }
        weights.forEach((weight, i) => {
          const share = weight / 100;
          const tolerance = 5 * Math.sqrt((share * (1 - share)) / 4000) + 1e-9;
          expect(Math.abs((counts.get(`v${i}`) ?? 0) / 4000 - share)).toBeLessThanOrEqual(tolerance);
        });
      }),
      { numRuns: 50 },
    );
  });
});

describe('a canary on 4,000 sticky units', () => {
  const salt = 'churn-endpoint';
  const at10 = initialAllocation([
    { name: 'control', weight: 90 },
    { name: 'candidate', weight: 10 },
  ]);
  const at50 = reallocate(at10, [
    { name: 'control', weight: 50 },
    { name: 'candidate', weight: 50 },
  ]);
  const assign = (allocation: typeof at10) => new Map(units(4000).map((u) => [u, assignVariant(allocation, bucketOf(salt, u))]));

  it('puts 10% ± 1.5 points of them in the canary at 90/10', () => {
    const inCanary = [...assign(at10).values()].filter((v) => v === 'candidate').length;
    expect(Math.abs(inCanary / 4000 - 0.1)).toBeLessThanOrEqual(0.015);
  });

  it('keeps every canary unit in the canary when ramping to 50/50', () => {
    const [before, after] = [assign(at10), assign(at50)];
    const canaryBefore = [...before].filter(([, v]) => v === 'candidate').map(([u]) => u);
    expect(canaryBefore.every((u) => after.get(u) === 'candidate')).toBe(true);
    const inCanary = [...after.values()].filter((v) => v === 'candidate').length;
    expect(Math.abs(inCanary / 4000 - 0.5)).toBeLessThanOrEqual(0.03);
  });
});

describe('requestBucket', () => {
  it('follows the unit when sticky, and the random source otherwise', () => {
    expect(requestBucket('s', { unit: 'u', sticky: true }, () => 0.5)).toBe(bucketOf('s', 'u'));
    expect(requestBucket('s', { unit: 'u', sticky: false }, () => 0.5)).toBe(5000);
    expect(requestBucket('s', { sticky: true }, () => 0.25)).toBe(2500);
  });

  it('keeps random buckets in range even for a source returning almost 1', () => {
    expect(randomBucket(() => 1 - Number.EPSILON)).toBe(BUCKETS - 1);
    expect(randomBucket(() => 0)).toBe(0);
  });
});

describe('inShadow', () => {
  it('mirrors its percent of units, independently of the split', () => {
    const salt = 'churn-endpoint';
    const split = initialAllocation([
      { name: 'control', weight: 90 },
      { name: 'candidate', weight: 10 },
    ]);
    const all = units(20_000);
    const canary = all.filter((u) => assignVariant(split, bucketOf(salt, u)) === 'candidate');
    const share = (group: string[]) => group.filter((u) => inShadow(salt, u, 'next', 20)).length / group.length;
    expect(Math.abs(share(all) - 0.2)).toBeLessThan(0.015);
    // Were the shadow hash the split hash, the canary (top 10% of buckets) would be 0% shadowed.
    expect(Math.abs(share(canary) - 0.2)).toBeLessThan(0.04);
  });

  it('draws each shadow independently', () => {
    const all = units(20_000);
    const both = all.filter((u) => inShadow('s', u, 'one', 50) && inShadow('s', u, 'two', 50)).length;
    expect(Math.abs(both / all.length - 0.25)).toBeLessThan(0.015);
  });

  it('never mirrors at 0% and always at 100%', () => {
    fc.assert(
      fc.property(fc.string(), (unit) => {
        expect(inShadow('s', unit, 'x', 0)).toBe(false);
        expect(inShadow('s', unit, 'x', 100)).toBe(true);
      }),
    );
  });
});

// Cross-checked against an independent MurmurHash3 implementation (Python) at the time of writing.
const PINNED = { demoUser42: 233, churnUser42: 8211, demoUnicode: 7219 };
