import { evaluateDrift } from '@flywheel/core';
import type { NumericalReference } from '@flywheel/core';
import { numericalSamples } from '@flywheel/core';
import { buildReferenceProfile, type ReferenceProfile } from '@flywheel/core';
import { ksErrorBound } from '@flywheel/core';
import { wassersteinErrorBound } from '@flywheel/core';
import { createWindowSketch, observe, type NumericalWindow, type WindowSketch } from '@flywheel/core';
import { exactKs, exactWasserstein, sortedCopy } from './exact-statistics.ts';

/**
 * The statistics computed from the mergeable state (the reference profile and the window
 * sketch) against the same statistics computed exactly on the raw samples. The budget: KS within
 * 0.005 (absolute) and the normalised Wasserstein distance within 2 % (relative) of exact, on
 * every sample below — and never outside the error bounds the state itself certifies.
 */
export const KS_TOLERANCE = 0.005;
export const WASSERSTEIN_TOLERANCE = 0.02;

export function profileOf(reference: readonly number[]): ReferenceProfile {
  return buildReferenceProfile({ features: [{ name: 'x', kind: 'numerical' }], records: reference.map((x) => ({ x })) });
}

export function sketchOf(profile: ReferenceProfile, values: readonly number[]): WindowSketch {
  const sketch = createWindowSketch(profile);
  for (const x of values) observe(sketch, profile, { features: { x } });
  return sketch;
}

export function fromStateAndExact(profile: ReferenceProfile, sketch: WindowSketch, reference: readonly number[], window: readonly number[]) {
  const [drift] = evaluateDrift(profile, sketch, { minSampleSize: 1 }).features;
  const column = profile.features[0] as NumericalReference;
  const samples = numericalSamples(column, sketch.features[0] as NumericalWindow);
  const [sortedReference, sortedWindow] = [sortedCopy(reference), sortedCopy(window)];
  const scale = column.std > 0 ? column.std : 1;
  return {
    ks: drift.ks?.statistic ?? NaN,
    exactKs: exactKs(sortedReference, sortedWindow),
    ksBound: ksErrorBound(samples.reference, samples.window),
    wasserstein: drift.wasserstein ?? NaN,
    exactWasserstein: exactWasserstein(sortedReference, sortedWindow) / scale,
    wassersteinBound: wassersteinErrorBound(column, samples.reference, samples.window) / scale,
    psi: drift.psi ?? NaN,
  };
}

export function binnedAndExact(reference: number[], window: number[], profile = profileOf(reference)) {
  return fromStateAndExact(profile, sketchOf(profile, window), reference, window);
}

export type StateVsExact = ReturnType<typeof binnedAndExact>;

/** What is out of tolerance or out of its certified bound, in words; empty when all is within. */
export function toleranceViolations(result: StateVsExact): string[] {
  const violations: string[] = [];
  const ksError = result.exactKs - result.ks;
  const wassersteinError = Math.abs(result.wasserstein - result.exactWasserstein);
  // Binning can only miss the supremum, by at most its certified bound (< 1/256).
  if (ksError < -1e-12) violations.push(`KS ${result.ks} above the exact ${result.exactKs}`);
  if (ksError > result.ksBound + 1e-12) violations.push(`KS error ${ksError} beyond its bound ${result.ksBound}`);
  if (ksError > KS_TOLERANCE) violations.push(`KS error ${ksError} > ${KS_TOLERANCE}`);
  if (wassersteinError > result.wassersteinBound * (1 + 1e-9) + 1e-12) {
    violations.push(`Wasserstein error ${wassersteinError} beyond its bound ${result.wassersteinBound}`);
  }
  if (wassersteinError > WASSERSTEIN_TOLERANCE * result.exactWasserstein) {
    violations.push(`Wasserstein ${result.wasserstein} vs exact ${result.exactWasserstein}: ${((100 * wassersteinError) / result.exactWasserstein).toFixed(2)} % off`);
  }
  return violations;
}
