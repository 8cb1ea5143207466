export { ColumnSpecSchema, type ColumnKind, type ColumnSpec, type MonitoredRecord, type Row } from './column-spec.ts';
export { InvalidBaselineError } from './invalid-baseline-error.ts';
export type { NumericalReference } from './numerical-reference.ts';
export type { CategoricalReference } from './categorical-reference.ts';
export {
  DEFAULT_QUANTILE_BINS,
  PROFILE_VERSION,
  ReferenceProfileSchema,
  buildReferenceProfile,
  parseReferenceProfile,
  type Baseline,
  type ColumnReference,
  type ProfileOptions,
  type ReferenceProfile,
} from './reference-profile.ts';
export {
  SKETCH_VERSION,
  WindowSketchSchema,
  createWindowSketch,
  mergeSketches,
  observe,
  parseWindowSketch,
  windowSummary,
  type CategoricalWindow,
  type ColumnWindow,
  type NumericalWindow,
  type WindowSketch,
} from './window-sketch.ts';
export { MAX_NEW_CATEGORY_NAMES, MAX_NEW_CATEGORY_NAME_LENGTH } from './new-category-names.ts';
export {
  DEFAULT_DRIFT_OPTIONS,
  DriftOptionsSchema,
  evaluateDrift,
  type ColumnDrift,
  type DriftMethod,
  type DriftOptions,
  type DriftOptionsInput,
  type DriftReport,
} from './evaluate.ts';
export { featureDistribution, type CategoricalDistribution, type FeatureDistribution, type NumericalDistribution } from './feature-distribution.ts';
export type { DataQuality, NewCategoryCount, QualityCount } from './data-quality.ts';
export { benjaminiHochberg } from './statistics/benjamini-hochberg.ts';
export { OFFSET_RESOLUTION, binIndex, cdfAtEdges, type BinDetail, type BinLayout, type BinnedSample } from './statistics/binned-distribution.ts';
export { numericalSamples } from './numerical-samples.ts';
export { chiSquareHomogeneity, type ChiSquareResult } from './statistics/chi-square.ts';
export { jensenShannonDistance } from './statistics/jensen-shannon.ts';
export { PSI_EPSILON, populationStabilityIndex, regroupByReferenceMass } from './statistics/population-stability-index.ts';
export { ksErrorBound, ksPValue, twoSampleKs, type KsResult } from './statistics/two-sample-ks.ts';
export { wassersteinErrorBound, wassersteinFromBins } from './statistics/wasserstein.ts';
export type { BaselineFeature, BaselineStore, ProfileSource } from './baseline-store.ts';
