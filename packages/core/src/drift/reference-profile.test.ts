import { describe, expect, it } from 'vitest';
import type { CategoricalReference } from './categorical-reference.ts';
import { InvalidBaselineError } from './invalid-baseline-error.ts';
import type { NumericalReference } from './numerical-reference.ts';
import { buildReferenceProfile, parseReferenceProfile } from './reference-profile.ts';
import { sample, seededRandom } from '@flywheel/testing/drift/random';
import { createWindowSketch, observe, type NumericalWindow } from './window-sketch.ts';

const random = seededRandom(11);
const normals = sample(5000, () => random.normal(10, 2));

function numericalProfile(values: unknown[]) {
  const profile = buildReferenceProfile({ features: [{ name: 'x', kind: 'numerical' }], records: values.map((x) => ({ x })) });
  return profile.features[0] as NumericalReference;
}

describe('numerical reference', () => {
  const reference = numericalProfile(normals);

  it('freezes at most 384 edges spanning the reference, fewer than 1/256 of it strictly inside any bin', () => {
    expect(reference.discrete).toBe(false);
    expect(reference.edges.length).toBeLessThanOrEqual(384);
    expect(reference.edges.length).toBeGreaterThan(256);
    expect(reference.edges[0]).toBe(Math.min(...normals));
    expect(reference.edges.at(-1)).toBe(Math.max(...normals));
    expect(reference.edges.every((e, i) => i === 0 || e > reference.edges[i - 1])).toBe(true);
    expect(reference.counts.length).toBe(reference.edges.length + 2);
    const inside = reference.counts.map((count, bin) => count - (bin >= 1 && bin <= reference.edges.length ? reference.detail!.edgeCounts[bin - 1] : 0));
    expect(Math.max(...inside)).toBeLessThan(5000 / 256);
  });

  it('counts the reference over its own bins: nothing out of range', () => {
    expect(reference.counts.reduce((s, c) => s + c, 0)).toBe(5000);
    expect(reference.counts[0]).toBe(0);
    expect(reference.counts.at(-1)).toBe(0);
  });

  it('keeps ties on the edges (a zero-inflated column)', () => {
    const zeros = numericalProfile(normals.map((x, i) => (i % 2 === 0 ? 0 : x)));
    const zero = zeros.edges.indexOf(0);
    expect(zero).toBeGreaterThanOrEqual(0);
    expect(zeros.detail!.edgeCounts[zero]).toBe(2500);
    expect(zeros.detail!.edgeCounts.reduce((s, c) => s + c, 0)).toBeLessThan(2500 + zeros.edges.length);
  });

  it('keeps the moments', () => {
    expect(reference.count).toBe(5000);
    expect(reference.mean).toBeCloseTo(10, 1);
    expect(reference.std).toBeCloseTo(2, 1);
  });

  it('uses the distinct values as edges when there are few (exact, discrete layout)', () => {
    const flags = numericalProfile([0, 1, 1, 0, 1, 1]);
    expect(flags.discrete).toBe(true);
    expect(flags.edges).toEqual([0, 1]);
    expect(flags.counts).toEqual([0, 2, 4, 0]);
    expect(flags.detail).toEqual({ edgeCounts: [2, 4], offsetSums: [0, 0, 0, 0] });
  });

  it('handles values near the largest doubles (widths that would overflow)', () => {
    const huge = numericalProfile([-1.7e308, -1, 0, 1, 1.7e308]);
    expect(huge.edges.length).toBeGreaterThan(5);
    expect(huge.edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > huge.edges[i - 1]))).toBe(true);
    const profile = buildReferenceProfile({ features: [{ name: 'x', kind: 'numerical' }], records: [-1.7e308, -1, 0, 1, 1.7e308].map((x) => ({ x })) });
    const sketch = createWindowSketch(profile);
    for (const x of [-1e308, 5, 1e308]) observe(sketch, profile, { features: { x } });
    const detail = (sketch.features[0] as NumericalWindow).detail!;
    expect([...detail.offsetSums, ...detail.edgeCounts].every(Number.isInteger)).toBe(true);
    expect(detail.offsetSums.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
  });

  it('handles a constant column', () => {
    const constant = numericalProfile([3, 3, 3]);
    expect(constant.edges).toEqual([3]);
    expect(constant.counts).toEqual([0, 3, 0]);
    expect(constant.std).toBe(0);
  });

  it('counts missing values and type errors apart from valid ones', () => {
    const column = numericalProfile([1, null, undefined, Number.NaN, '2', {}, Infinity, 2]);
    expect([column.count, column.missing, column.typeErrors]).toEqual([2, 3, 3]);
  });
});

describe('categorical reference', () => {
  it('counts categories, spelling numbers and booleans as strings', () => {
    const profile = buildReferenceProfile({
      features: [{ name: 'plan', kind: 'categorical' }],
      records: [{ plan: 'pro' }, { plan: 'free' }, { plan: 'pro' }, { plan: 3 }, { plan: '3' }, { plan: true }, { plan: null }, { plan: [1] }],
    });
    const plan = profile.features[0] as CategoricalReference;
    expect(plan.categories).toEqual(['3', 'pro', 'free', 'true']);
    expect(plan.counts).toEqual([2, 2, 1, 1]);
    expect([plan.count, plan.missing, plan.typeErrors, plan.other, plan.otherNames]).toEqual([6, 1, 1, 0, null]);
  });

  it('keeps the most frequent categories up to the cap and folds the rest into other', () => {
    // Category i appears i + 1 times, so the 200 most frequent are 100 … 299.
    const records = Array.from({ length: 300 }, (_, i) => Array.from({ length: i + 1 }, () => ({ city: `city-${i}` }))).flat();
    const city = buildReferenceProfile({ features: [{ name: 'city', kind: 'categorical' }], records }).features[0] as CategoricalReference;
    expect(city.categories.length).toBe(200);
    expect(city.categories[0]).toBe('city-299');
    expect(city.categories).not.toContain('city-99');
    expect(city.other).toBe((100 * 101) / 2);
    expect(city.otherNames).not.toBeNull();
  });

  it('keeps declared categories even when the baseline lacks them', () => {
    const profile = buildReferenceProfile({
      features: [{ name: 'plan', kind: 'categorical', categories: ['enterprise'] }],
      records: [{ plan: 'pro' }],
    });
    const plan = profile.features[0] as CategoricalReference;
    expect(plan.categories).toEqual(['enterprise', 'pro']);
    expect(plan.counts).toEqual([0, 1]);
  });
});

describe('buildReferenceProfile', () => {
  const baseline = {
    features: [
      { name: 'age', kind: 'numerical' as const },
      { name: 'plan', kind: 'categorical' as const },
    ],
    records: normals.map((age, i) => ({ age, plan: i % 3 === 0 ? 'pro' : 'free' })),
    outputs: [{ name: 'score', kind: 'numerical' as const }],
    outputRecords: normals.map((x) => ({ score: x / 20 })),
  };
  const profile = buildReferenceProfile(baseline);

  it('is versioned plain JSON that parses back to itself', () => {
    expect(profile.profileVersion).toBe(1);
    expect(profile.records).toBe(5000);
    expect(profile.outputs.map((c) => c.name)).toEqual(['score']);
    expect(parseReferenceProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
  });

  it('fingerprints the layout: same baseline, same fingerprint; a tampered layout is rejected', () => {
    expect(buildReferenceProfile(baseline).fingerprint).toBe(profile.fingerprint);
    const tampered = JSON.parse(JSON.stringify(profile));
    tampered.features[0].edges[5] += 1e-9;
    expect(() => parseReferenceProfile(tampered)).toThrow(/fingerprint/);
    const broken = JSON.parse(JSON.stringify(profile));
    broken.features[0].counts.pop();
    expect(() => parseReferenceProfile(broken)).toThrow(/edges.length \+ 2/);
  });

  it('rejects baselines it cannot profile', () => {
    const age = [{ name: 'age', kind: 'numerical' as const }];
    expect(() => buildReferenceProfile({ features: age, records: [] })).toThrow(InvalidBaselineError);
    expect(() => buildReferenceProfile({ features: age, records: [{ age: 'x' }] })).toThrow(/"age" has no numeric values/);
    expect(() => buildReferenceProfile({ features: [...age, ...age], records: [{ age: 1 }] })).toThrow(/named twice/);
    expect(() => buildReferenceProfile({ features: age, records: [{ age: 1 }], outputs: age })).toThrow(/outputRecords/);
  });
});
