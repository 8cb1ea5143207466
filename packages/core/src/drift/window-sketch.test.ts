import fc from 'fast-check';
import { mean, standardDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import type { MonitoredRecord } from './column-spec.ts';
import { evaluateDrift } from './evaluate.ts';
import { buildReferenceProfile, parseReferenceProfile, type ReferenceProfile } from './reference-profile.ts';
import { OFFSET_RESOLUTION } from './statistics/binned-distribution.ts';
import { sample, seededRandom } from '@flywheel/testing/drift/random';
import { createWindowSketch, mergeSketches, observe, parseWindowSketch, windowSummary, type CategoricalWindow, type NumericalWindow, type WindowSketch } from './window-sketch.ts';

const random = seededRandom(21);
const cities = Array.from({ length: 250 }, (_, i) => `city-${i}`);
const profile = buildReferenceProfile({
  features: [
    { name: 'age', kind: 'numerical' },
    { name: 'plan', kind: 'categorical' },
    { name: 'city', kind: 'categorical' },
  ],
  records: sample(5000, () => random.uniform()).map((u, i) => ({
    age: 20 + 40 * u,
    plan: ['free', 'pro', 'team'][i % 3],
    // 250 cities, the last 50 rarer, so the cap of 200 folds them into "other".
    city: cities[i < 4800 ? i % 200 : 200 + (i % 50)],
  })),
  outputs: [{ name: 'score', kind: 'numerical' }],
  outputRecords: Array.from({ length: 5000 }, () => ({ score: random.uniform() })),
});

function sketchOf(records: readonly MonitoredRecord[], from: ReferenceProfile = profile): WindowSketch {
  const sketch = createWindowSketch(from);
  for (const record of records) observe(sketch, from, record);
  return sketch;
}

describe('observe', () => {
  it('bins numbers, and counts missing, type errors and out-of-range values', () => {
    const values = [25, 30, 59.5, 5, 90, null, undefined, Number.NaN, 'forty', Infinity];
    const sketch = sketchOf(values.map((age) => ({ features: { age } })));
    const age = sketch.features[0] as NumericalWindow;
    expect([age.count, age.missing, age.typeErrors]).toEqual([5, 3, 2]);
    expect(age.bins[0]).toBe(1);
    expect(age.bins.at(-1)).toBe(1);
    expect(age.underflowDistance).toBeCloseTo(profile.features[0].kind === 'numerical' ? profile.features[0].min - 5 : NaN, 12);
    expect([age.min, age.max]).toEqual([5, 90]);
    expect(sketch.records).toBe(values.length);
  });

  it('keeps ties on the edges and the offsets of the values inside each bin', () => {
    const reference = profile.features[0];
    if (reference.kind !== 'numerical') throw new Error('age is numerical');
    const [a, b] = [reference.edges[10], reference.edges[11]];
    const sketch = sketchOf([b, b, a + (b - a) / 4, a + (3 * (b - a)) / 4].map((age) => ({ features: { age } })));
    const { bins, detail } = sketch.features[0] as NumericalWindow;
    expect(bins[12]).toBe(4);
    expect(detail?.edgeCounts[11]).toBe(2);
    expect(detail?.offsetSums[12]).toBe(OFFSET_RESOLUTION);
  });

  it('keeps the moments of the valid values', () => {
    const ages = sample(1000, () => random.normal(40, 8));
    const sketch = sketchOf(ages.map((age) => ({ features: { age } })));
    const reference = profile.features[0];
    if (reference.kind !== 'numerical') throw new Error('age is numerical');
    const summary = windowSummary(reference, sketch.features[0] as NumericalWindow);
    expect(summary?.mean).toBeCloseTo(mean(ages), 10);
    expect(summary?.std).toBeCloseTo(standardDeviation(ages), 10);
  });

  it('tells known, folded ("other") and new categories apart, and caps the new names it keeps', () => {
    const newCities = Array.from({ length: 20 }, (_, i) => `atlantis-${i}`);
    const records = [
      { features: { city: 'city-3', plan: 'pro' } },
      { features: { city: 'city-230', plan: 'enterprise' } },
      { features: { city: 'x'.repeat(100), plan: 'enterprise' } },
      ...newCities.map((city) => ({ features: { city } })),
    ];
    const sketch = sketchOf(records);
    const plan = sketch.features[1] as CategoricalWindow;
    const city = sketch.features[2] as CategoricalWindow;
    expect([plan.newCategory, plan.missing, plan.newNames]).toEqual([2, 20, [['enterprise', 2]]]);
    expect([city.count, city.other, city.newCategory]).toEqual([23, 1, 21]);
    expect(city.counts.reduce((s, c) => s + c, 0)).toBe(1);
    expect(city.newNames.length).toBe(16);
    expect(city.newNames).toContainEqual(['x'.repeat(64), 1]);
    expect(city.newNames[0]).toEqual(['atlantis-0', 1]);
  });

  it('reads outputs from the record’s outputs, missing when absent', () => {
    const sketch = sketchOf([{ features: {}, outputs: { score: 0.4 } }, { features: {} }]);
    const score = sketch.outputs[0] as NumericalWindow;
    expect([score.count, score.missing]).toEqual([1, 1]);
  });

  it('refuses a profile the sketch was not created from', () => {
    const other = buildReferenceProfile({ features: [{ name: 'age', kind: 'numerical' }], records: [{ age: 1 }, { age: 2 }] });
    expect(() => observe(createWindowSketch(profile), other, { features: { age: 1 } })).toThrow(/profile/);
  });
});

/** Records drawn by fast-check: valid, out-of-range, missing and mistyped values, old and new categories. */
const recordArbitrary: fc.Arbitrary<MonitoredRecord> = fc.record({
  features: fc.record({
    age: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constant(null), fc.constant('n/a')),
    plan: fc.constantFrom('free', 'pro', 'team', 'enterprise', 'trial', undefined),
    city: fc.constantFrom('city-1', 'city-2', 'city-240', 'gotham'),
  }),
  outputs: fc.record({ score: fc.integer({ min: -1, max: 2 }) }),
});

/** Sums of floats depend on their order; everything else must match exactly. */
function expectSameSketch(actual: WindowSketch, expected: WindowSketch): void {
  const floats = ['deviationSum', 'deviationSquareSum', 'underflowDistance', 'overflowDistance'];
  const strip = (sketch: WindowSketch) => JSON.parse(JSON.stringify(sketch), (key, value) => (floats.includes(key) ? Math.round(value * 1e6) : value));
  expect(strip(actual)).toEqual(strip(expected));
}

describe('mergeSketches', () => {
  it('equals observing both windows into one sketch', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 60 }), fc.array(recordArbitrary, { maxLength: 60 }), (a, b) => {
        expectSameSketch(mergeSketches(sketchOf(a), sketchOf(b)), sketchOf([...a, ...b]));
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('is commutative and associative', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 30 }), fc.array(recordArbitrary, { maxLength: 30 }), fc.array(recordArbitrary, { maxLength: 30 }), (a, b, c) => {
        const [x, y, z] = [sketchOf(a), sketchOf(b), sketchOf(c)];
        expectSameSketch(mergeSketches(x, y), mergeSketches(y, x));
        expectSameSketch(mergeSketches(mergeSketches(x, y), z), mergeSketches(x, mergeSketches(y, z)));
      }),
      { seed: 6, numRuns: 100 },
    );
  });

  it('refuses sketches of different profiles', () => {
    const other = buildReferenceProfile({ features: [{ name: 'age', kind: 'numerical' }], records: [{ age: 1 }] });
    expect(() => mergeSketches(createWindowSketch(profile), createWindowSketch(other))).toThrow(/different reference profiles/);
  });
});

describe('serialisation', () => {
  const records = Array.from({ length: 500 }, () => ({
    features: { age: random.normal(40, 15), plan: 'pro', city: `city-${Math.floor(random.uniform() * 260)}` },
    outputs: { score: random.uniform() },
  }));
  const sketch = sketchOf(records);

  it('round-trips through JSON', () => {
    expect(parseWindowSketch(JSON.parse(JSON.stringify(sketch)), profile)).toEqual(sketch);
  });

  it('rejects JSON that does not fit the profile', () => {
    const short = JSON.parse(JSON.stringify(sketch));
    short.features[0].bins.pop();
    expect(() => parseWindowSketch(short, profile)).toThrow(/does not fit/);
    const other = buildReferenceProfile({ features: [{ name: 'age', kind: 'numerical' }], records: [{ age: 1 }] });
    expect(() => parseWindowSketch(JSON.parse(JSON.stringify(sketch)), other)).toThrow(/does not fit/);
    expect(() => parseWindowSketch({ ...sketch, records: -1 }, profile)).toThrow();
  });
});

describe('states stored before bin detail', () => {
  const ages = Array.from({ length: 400 }, () => ({ features: { age: random.normal(40, 10) } }));
  const stripDetail = <T>(value: T): T => JSON.parse(JSON.stringify(value), (key, v) => (key === 'detail' ? undefined : v));

  it('reads, merges and evaluates a window without detail; a merge with one drops it', () => {
    const current = sketchOf(ages);
    const stored = parseWindowSketch(stripDetail(current), profile);
    expect((stored.features[0] as NumericalWindow).detail).toBeUndefined();
    expect((current.features[0] as NumericalWindow).detail).toBeDefined();
    for (const merged of [mergeSketches(stored, current), mergeSketches(current, stored)]) {
      expect((merged.features[0] as NumericalWindow).detail).toBeUndefined();
      expect((merged.features[0] as NumericalWindow).bins).toEqual((current.features[0] as NumericalWindow).bins.map((c) => 2 * c));
    }
    const [age] = evaluateDrift(profile, stored).features;
    expect(age.ks?.statistic).toBeGreaterThan(0);
    expect(age.wasserstein).toBeGreaterThan(0);
  });

  it('counts windows of a profile without detail as before: no detail to keep', () => {
    const old = parseReferenceProfile(stripDetail(profile));
    expect(old.fingerprint).toBe(profile.fingerprint);
    const sketch = sketchOf(ages, old);
    expect((sketch.features[0] as NumericalWindow).detail).toBeUndefined();
    expect(JSON.stringify(sketch)).not.toContain('detail');
    const [age] = evaluateDrift(old, sketch).features;
    const [withDetail] = evaluateDrift(profile, sketchOf(ages)).features;
    // The same counts over the same edges: the same statistics to within the bin resolution.
    expect(Math.abs((age.ks?.statistic ?? NaN) - (withDetail.ks?.statistic ?? NaN))).toBeLessThan(1 / 256);
    expect(age.wasserstein).toBeCloseTo(withDetail.wasserstein ?? NaN, 1);
  });
});

describe('sketch size', () => {
  // 20 features: 15 numerical, 5 categorical at the 200-category cap.
  const features = [
    ...Array.from({ length: 15 }, (_, i) => ({ name: `n${i}`, kind: 'numerical' as const })),
    ...Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, kind: 'categorical' as const })),
  ];
  const draw = (categories: number) =>
    Object.fromEntries(features.map((f) => [f.name, f.kind === 'numerical' ? random.lognormal(0, 1) : `category-${Math.floor(random.uniform() * categories)}`]));
  const wide = buildReferenceProfile({ features, records: Array.from({ length: 5000 }, () => draw(200)) });

  function bytesPerColumn(records: number) {
    const sketch = createWindowSketch(wide);
    // 260 categories: 60 are new, with the longest names kept.
    for (let i = 0; i < records; i++) observe(sketch, wide, { features: draw(260) });
    return sketch.features.map((column) => JSON.stringify(column).length);
  }

  it('stays ≤ 16 KiB per feature and does not grow with traffic (1k → 100k records)', () => {
    const small = bytesPerColumn(1_000);
    const large = bytesPerColumn(100_000);
    for (const bytes of [...small, ...large]) expect(bytes).toBeLessThanOrEqual(16 * 1024);
    // Only the digits of the counts and offset sums grow: a few bytes per bin and array.
    large.forEach((bytes, i) => expect(bytes - small[i]).toBeLessThan(6 * 386));
  });

  it('stays ≤ 16 KiB for a heavy-tailed column at a million values', () => {
    const heavy = buildReferenceProfile({
      features: [{ name: 'x', kind: 'numerical' }],
      records: Array.from({ length: 20_000 }, () => ({ x: Math.tan(Math.PI * (random.uniform() - 0.5)) })),
    });
    const sketch = createWindowSketch(heavy);
    for (let i = 0; i < 1_000_000; i++) observe(sketch, heavy, { features: { x: 3 * Math.tan(Math.PI * (random.uniform() - 0.5)) } });
    expect(JSON.stringify(sketch.features[0]).length).toBeLessThanOrEqual(16 * 1024);
  });
});
