import { describe, expect, it } from 'vitest';
import { featureDistribution } from './feature-distribution.ts';
import { buildReferenceProfile } from './reference-profile.ts';
import { sample, seededRandom } from '@flywheel/testing/drift/random';
import { createWindowSketch, observe } from './window-sketch.ts';

const random = seededRandom(8);
const profile = buildReferenceProfile({
  features: [
    { name: 'age', kind: 'numerical' },
    { name: 'plan', kind: 'categorical' },
  ],
  records: sample(4000, () => random.uniform()).map((u, i) => ({ age: 20 + 40 * u, plan: ['free', 'pro', 'team', 'free'][i % 4] })),
});

function sketchOf(records: Array<{ age: unknown; plan: unknown }>) {
  const sketch = createWindowSketch(profile);
  for (const features of records) observe(sketch, profile, { features });
  return sketch;
}

describe('featureDistribution', () => {
  it('gives a numerical column about ten bins of equal reference mass and counts the window exactly in them', () => {
    // 100 values above the reference range, 300 in its lower half, none elsewhere.
    const window = sketchOf([...Array.from({ length: 100 }, () => ({ age: 75, plan: 'pro' })), ...Array.from({ length: 300 }, (_, i) => ({ age: 20.5 + (i % 19), plan: 'free' }))]);
    const age = featureDistribution(profile, window, 'age');
    if (age?.kind !== 'numerical') throw new Error('age is numerical');
    expect(age.edges).toHaveLength(11);
    expect(age.edges[0]).toBeGreaterThanOrEqual(20);
    expect(age.edges.at(-1)).toBeLessThanOrEqual(60);
    expect(age.reference).toHaveLength(age.edges.length + 1);
    for (const share of age.reference.slice(1, -1)) expect(share).toBeCloseTo(0.1, 2);
    expect([age.reference[0], age.reference.at(-1)]).toEqual([0, 0]);
    expect(age.current.at(-1)).toBe(100 / 400);
    expect(age.current.reduce((s, c) => s + c, 0)).toBeCloseTo(1, 12);
    // Every window value ≤ 39 lies in bins whose left edge is below 39.
    const lowerHalf = age.current.slice(1, -1).reduce((s, c, i) => s + (age.edges[i] < 39 ? c : 0), 0);
    expect(lowerHalf).toBeCloseTo(300 / 400, 12);
    expect([age.referenceCount, age.currentCount]).toEqual([4000, 400]);
  });

  it('gives a categorical column its shares per category, then other, then the categories the reference never saw', () => {
    const window = sketchOf([
      { age: 30, plan: 'pro' },
      { age: 30, plan: 'pro' },
      { age: 30, plan: 'enterprise' },
      { age: 30, plan: null },
    ]);
    const plan = featureDistribution(profile, window, 'plan');
    if (plan?.kind !== 'categorical') throw new Error('plan is categorical');
    expect(plan.categories).toEqual(['free', 'pro', 'team']);
    expect(plan.reference).toEqual([0.5, 0.25, 0.25, 0, 0]);
    expect(plan.current).toEqual([0, 2 / 3, 0, 0, 1 / 3]);
    expect(plan.currentCount).toBe(3);
  });

  it('knows no column the profile does not have', () => {
    expect(featureDistribution(profile, sketchOf([]), 'height')).toBeUndefined();
  });
});
