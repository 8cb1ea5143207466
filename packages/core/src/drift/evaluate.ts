import { z } from 'zod';
import type { CategoricalReference } from './categorical-reference.ts';
import type { ColumnKind } from './column-spec.ts';
import { dataQuality, type DataQuality } from './data-quality.ts';
import type { NumericalReference } from './numerical-reference.ts';
import { numericalSamples } from './numerical-samples.ts';
import type { ColumnReference, ReferenceProfile } from './reference-profile.ts';
import { benjaminiHochberg } from './statistics/benjamini-hochberg.ts';
import { chiSquareHomogeneity, type ChiSquareResult } from './statistics/chi-square.ts';
import { jensenShannonDistance } from './statistics/jensen-shannon.ts';
import { populationStabilityIndex, regroupByReferenceMass } from './statistics/population-stability-index.ts';
import { twoSampleKs, type KsResult } from './statistics/two-sample-ks.ts';
import { wassersteinFromBins } from './statistics/wasserstein.ts';
import type { CategoricalWindow, ColumnWindow, NumericalWindow, WindowSketch } from './window-sketch.ts';

/**
 * When a column counts as drifted. A column drifts only when its test is significant after
 * Benjamini–Hochberg adjustment across all the columns of the evaluation AND its effect size
 * exceeds the threshold: with large windows, significance alone flags shifts too small to matter.
 */
export const DriftOptionsSchema = z.object({
  /** False discovery rate for the significance tests (KS, chi-square). */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Effect size that gates numerical drift. */
  numericalEffectSize: z.enum(['wasserstein', 'psi']).default('wasserstein'),
  /** Wasserstein-1 distance in reference standard deviations: 0.1 = a tenth of a sd. */
  wassersteinThreshold: z.number().positive().default(0.1),
  /** PSI over ~10 reference-mass groups; 0.2 is the conventional "significant shift". */
  psiThreshold: z.number().positive().default(0.2),
  /** Jensen–Shannon distance (base 2, in [0, 1]) for categorical columns. */
  jensenShannonThreshold: z.number().gt(0).max(1).default(0.1),
  /** Valid values a column needs in the window before it can be flagged. */
  minSampleSize: z.number().int().min(1).default(100),
});
export type DriftOptions = z.output<typeof DriftOptionsSchema>;
export type DriftOptionsInput = z.input<typeof DriftOptionsSchema>;
export const DEFAULT_DRIFT_OPTIONS: DriftOptions = DriftOptionsSchema.parse({});

export type DriftMethod = 'ks+wasserstein' | 'ks+psi' | 'chi-square+jensen-shannon';

export interface ColumnDrift {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Significance test + effect size the decision used. */
  readonly method: DriftMethod;
  /** The effect size compared with `threshold`; null when the window has no valid values. */
  readonly statistic: number | null;
  /** Benjamini–Hochberg-adjusted p-value compared with alpha; absent when not tested. */
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** Valid values in the window. */
  readonly count: number;
  /** True when `count` < minSampleSize: such a column is reported but never flagged. */
  readonly insufficientData: boolean;
  /** Raw (unadjusted) test results and every effect size, for dashboards. */
  readonly ks?: KsResult;
  /** In reference standard deviations (raw units when the reference is constant). */
  readonly wasserstein?: number;
  readonly psi?: number;
  readonly jensenShannon?: number;
  readonly chiSquare?: ChiSquareResult;
}

/** The drift response body of the API, without `window`. */
export interface DriftReport {
  readonly drifted: boolean;
  readonly features: ColumnDrift[];
  readonly predictions: ColumnDrift[];
  readonly quality: DataQuality;
}

/** A column's statistics before the family-wide p-value adjustment. */
interface ColumnAssessment {
  readonly drift: Omit<ColumnDrift, 'pValue' | 'drifted'>;
  readonly rawPValue?: number;
}

function assessNumerical(reference: NumericalReference, window: NumericalWindow, options: DriftOptions): ColumnAssessment {
  const byPsi = options.numericalEffectSize === 'psi';
  const base = {
    name: reference.name,
    kind: 'numerical' as const,
    method: byPsi ? ('ks+psi' as const) : ('ks+wasserstein' as const),
    threshold: byPsi ? options.psiThreshold : options.wassersteinThreshold,
    count: window.count,
    insufficientData: window.count < options.minSampleSize,
  };
  if (window.count === 0) return { drift: { ...base, statistic: null } };
  const { reference: referenceSample, window: windowSample } = numericalSamples(reference, window);
  const ks = twoSampleKs(referenceSample, windowSample);
  // A constant reference has no spread to scale by; its distance stays in raw units.
  const wasserstein = wassersteinFromBins(reference, referenceSample, windowSample) / (reference.std > 0 ? reference.std : 1);
  const grouped = regroupByReferenceMass(reference.counts, window.bins);
  const psi = populationStabilityIndex(grouped.reference, grouped.window);
  return {
    drift: { ...base, statistic: byPsi ? psi : wasserstein, ks, wasserstein, psi },
    rawPValue: base.insufficientData ? undefined : ks.pValue,
  };
}

function assessCategorical(reference: CategoricalReference, window: CategoricalWindow, options: DriftOptions): ColumnAssessment {
  const base = {
    name: reference.name,
    kind: 'categorical' as const,
    method: 'chi-square+jensen-shannon' as const,
    threshold: options.jensenShannonThreshold,
    count: window.count,
    insufficientData: window.count < options.minSampleSize,
  };
  if (window.count === 0) return { drift: { ...base, statistic: null } };
  // Kept categories, then the folded "__other__" bucket, then the new-category bucket.
  const referenceCounts = [...reference.counts, reference.other, 0];
  const windowCounts = [...window.counts, window.other, window.newCategory];
  const chiSquare = chiSquareHomogeneity(referenceCounts, windowCounts);
  const jensenShannon = jensenShannonDistance(referenceCounts, windowCounts);
  return {
    drift: { ...base, statistic: jensenShannon, chiSquare, jensenShannon },
    rawPValue: base.insufficientData ? undefined : chiSquare.pValue,
  };
}

function assess(reference: ColumnReference, window: ColumnWindow, options: DriftOptions): ColumnAssessment {
  if (reference.kind === 'numerical' && window.kind === 'numerical') return assessNumerical(reference, window, options);
  if (reference.kind === 'categorical' && window.kind === 'categorical') return assessCategorical(reference, window, options);
  throw new Error(`column "${reference.name}" has a different kind in the sketch`);
}

/** Compares a window sketch with the reference profile it was built on. */
export function evaluateDrift(profile: ReferenceProfile, sketch: WindowSketch, options: DriftOptionsInput = {}): DriftReport {
  if (sketch.profile !== profile.fingerprint) throw new Error('sketch was not created from this profile');
  const resolved = DriftOptionsSchema.parse(options);
  const features = profile.features.map((reference, i) => assess(reference, sketch.features[i], resolved));
  const predictions = profile.outputs.map((reference, i) => assess(reference, sketch.outputs[i], resolved));
  const tested = [...features, ...predictions].filter((a) => a.rawPValue !== undefined);
  const adjustedPValues = benjaminiHochberg(tested.map((a) => a.rawPValue as number));
  const adjusted = new Map(tested.map((a, i) => [a, adjustedPValues[i]]));
  const decide = (assessment: ColumnAssessment): ColumnDrift => {
    const pValue = adjusted.get(assessment);
    const { statistic, threshold } = assessment.drift;
    const drifted = pValue !== undefined && pValue < resolved.alpha && statistic !== null && statistic > threshold;
    return pValue === undefined ? { ...assessment.drift, drifted } : { ...assessment.drift, pValue, drifted };
  };
  const featureDrift = features.map(decide);
  const predictionDrift = predictions.map(decide);
  return {
    drifted: [...featureDrift, ...predictionDrift].some((c) => c.drifted),
    features: featureDrift,
    predictions: predictionDrift,
    quality: dataQuality(sketch),
  };
}
