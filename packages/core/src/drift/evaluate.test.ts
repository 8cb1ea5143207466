import { describe, expect, it } from 'vitest';
import type { ColumnSpec, MonitoredRecord, Row } from './column-spec.ts';
import { DEFAULT_DRIFT_OPTIONS, evaluateDrift, type ColumnDrift } from './evaluate.ts';
import { buildReferenceProfile, type ReferenceProfile } from './reference-profile.ts';
import { seededRandom, type Random } from '@flywheel/testing/drift/random';
import { createWindowSketch, observe, type WindowSketch } from './window-sketch.ts';

const random = seededRandom(99);
const LOGNORMAL_SIGMA = 0.5;
const lognormalMean = Math.exp(LOGNORMAL_SIGMA ** 2 / 2);
const lognormalSd = Math.sqrt((Math.exp(LOGNORMAL_SIGMA ** 2) - 1) * Math.exp(LOGNORMAL_SIGMA ** 2));
const PLANS = ['free', 'pro', 'team'];

const features: ColumnSpec[] = [
  { name: 'stable', kind: 'numerical' },
  { name: 'shifted', kind: 'numerical' },
  { name: 'rescaled', kind: 'numerical' },
  { name: 'skewed', kind: 'numerical' },
  { name: 'plan', kind: 'categorical' },
  { name: 'remixed', kind: 'categorical' },
];

/** Baseline: every numerical feature N(0, 1) (the skewed one with the lognormal's mean and sd). */
function baselineRow(r: Random): Row {
  return {
    stable: r.normal(),
    shifted: r.normal(),
    rescaled: r.normal(),
    skewed: r.normal(lognormalMean, lognormalSd),
    plan: PLANS[r.pick([5, 3, 2])],
    remixed: PLANS[r.pick([5, 3, 2])],
  };
}

/** A drifted window: mean +0.5 sd, sd × 1.5, normal → lognormal with the same mean, new mix. */
function driftedRow(r: Random): Row {
  return {
    stable: r.normal(),
    shifted: r.normal(0.5, 1),
    rescaled: r.normal(0, 1.5),
    skewed: r.lognormal(0, LOGNORMAL_SIGMA),
    plan: PLANS[r.pick([5, 3, 2])],
    remixed: PLANS[r.pick([35, 35, 30])],
  };
}

const baseline = Array.from({ length: 5000 }, () => baselineRow(random));
const profile = buildReferenceProfile({
  features,
  records: baseline,
  outputs: [{ name: 'score', kind: 'numerical' }],
  outputRecords: baseline.map((row) => ({ score: (row.shifted as number) / 4 })),
});

function sketchOf(records: readonly MonitoredRecord[], from: ReferenceProfile = profile): WindowSketch {
  const sketch = createWindowSketch(from);
  for (const record of records) observe(sketch, from, record);
  return sketch;
}

function windowOf(count: number, row: (r: Random) => Row): MonitoredRecord[] {
  return Array.from({ length: count }, () => {
    const features = row(random);
    return { features, outputs: { score: (features.shifted as number) / 4 } };
  });
}

const byName = (columns: ColumnDrift[]) => Object.fromEntries(columns.map((c) => [c.name, c]));

describe('evaluateDrift', () => {
  it('flags shifted, rescaled, skewed and re-mixed features but not stable ones (n = 5000)', () => {
    const report = evaluateDrift(profile, sketchOf(windowOf(5000, driftedRow)));
    const drift = byName(report.features);
    expect(Object.fromEntries(report.features.map((c) => [c.name, c.drifted]))).toEqual({
      stable: false,
      shifted: true,
      rescaled: true,
      skewed: true,
      plan: false,
      remixed: true,
    });
    expect(report.drifted).toBe(true);
    expect(report.predictions.map((c) => [c.name, c.drifted])).toEqual([['score', true]]);
    expect(drift.shifted.method).toBe('ks+wasserstein');
    expect(drift.shifted.wasserstein).toBeGreaterThan(0.45);
    expect(drift.remixed.method).toBe('chi-square+jensen-shannon');
    expect(drift.remixed.jensenShannon).toBeGreaterThan(0.1);
  });

  it('flags nothing in a fresh sample of the baseline distribution (n = 5000)', () => {
    const report = evaluateDrift(profile, sketchOf(windowOf(5000, baselineRow)));
    expect(report.drifted).toBe(false);
    for (const column of [...report.features, ...report.predictions]) {
      expect(column.drifted).toBe(false);
      expect(column.statistic).toBeLessThan(column.threshold);
    }
  });

  it('reports the API shape, with BH-adjusted p-values no smaller than the raw ones', () => {
    const report = evaluateDrift(profile, sketchOf(windowOf(2000, driftedRow)));
    expect(Object.keys(report)).toEqual(['drifted', 'features', 'predictions', 'quality']);
    const stable = byName(report.features).stable;
    expect(stable).toMatchObject({ name: 'stable', kind: 'numerical', threshold: 0.1, count: 2000, insufficientData: false });
    for (const key of ['statistic', 'pValue', 'ks', 'wasserstein', 'psi'] as const) expect(stable[key]).toBeDefined();
    for (const column of report.features) {
      const raw = column.ks?.pValue ?? column.chiSquare?.pValue ?? NaN;
      expect(column.pValue).toBeGreaterThanOrEqual(raw);
    }
    expect(byName(report.features).plan.chiSquare?.degreesOfFreedom).toBe(2);
  });

  it('does not flag a shift that is significant but too small to matter', () => {
    const big = buildReferenceProfile({
      features: [{ name: 'x', kind: 'numerical' }],
      records: Array.from({ length: 50_000 }, () => ({ x: random.normal() })),
    });
    const window = Array.from({ length: 200_000 }, () => ({ features: { x: random.normal(0.04, 1) } }));
    const [x] = evaluateDrift(big, sketchOf(window, big)).features;
    expect(x.pValue).toBeLessThan(0.001);
    expect(x.wasserstein).toBeLessThan(0.1);
    expect(x.drifted).toBe(false);
  });

  it('flags nothing below the minimum sample size, and says so', () => {
    const sketch = sketchOf(windowOf(50, driftedRow));
    const report = evaluateDrift(profile, sketch);
    const shifted = byName(report.features).shifted;
    expect(report.drifted).toBe(false);
    expect(shifted).toMatchObject({ drifted: false, insufficientData: true, count: 50 });
    expect(shifted.pValue).toBeUndefined();
    expect(shifted.statistic).toBeGreaterThan(0.1);
    const tested = byName(evaluateDrift(profile, sketch, { minSampleSize: 50 }).features).shifted;
    expect(tested.insufficientData).toBe(false);
    expect(tested.pValue).toBeDefined();
  });

  it('reports an empty column without statistics', () => {
    const report = evaluateDrift(profile, createWindowSketch(profile));
    expect(report.features[0]).toEqual({
      name: 'stable',
      kind: 'numerical',
      method: 'ks+wasserstein',
      threshold: DEFAULT_DRIFT_OPTIONS.wassersteinThreshold,
      count: 0,
      insufficientData: true,
      statistic: null,
      drifted: false,
    });
  });

  it('can gate numerical drift on PSI instead', () => {
    const report = evaluateDrift(profile, sketchOf(windowOf(5000, driftedRow)), { numericalEffectSize: 'psi' });
    const shifted = byName(report.features).shifted;
    expect(shifted).toMatchObject({ method: 'ks+psi', threshold: 0.2, drifted: true });
    expect(shifted.statistic).toBe(shifted.psi);
    expect(byName(report.features).stable.drifted).toBe(false);
  });

  it('reports data quality per column', () => {
    const records: MonitoredRecord[] = [
      ...windowOf(96, baselineRow),
      { features: { ...baselineRow(random), stable: null, plan: 'enterprise' } },
      { features: { ...baselineRow(random), stable: 'n/a', plan: 'enterprise' } },
      { features: { ...baselineRow(random), shifted: 1e6, remixed: 'gold' } },
      { features: { ...baselineRow(random), shifted: -1e6 } },
    ];
    const { quality } = evaluateDrift(profile, sketchOf(records));
    expect(quality.missing).toEqual([
      { name: 'stable', count: 1, rate: 0.01 },
      { name: 'score', count: 4, rate: 0.04 },
    ]);
    expect(quality.typeErrors).toEqual([{ name: 'stable', count: 1, rate: 0.01 }]);
    expect(quality.outOfRange).toContainEqual({ name: 'shifted', count: 2, rate: 0.02 });
    expect(quality.newCategories).toEqual([
      { name: 'plan', count: 2, rate: 0.02, examples: ['enterprise'] },
      { name: 'remixed', count: 1, rate: 0.01, examples: ['gold'] },
    ]);
  });

  it('validates its options', () => {
    expect(() => evaluateDrift(profile, createWindowSketch(profile), { alpha: 2 })).toThrow();
  });
});
