export {
  analyzeExperiment,
  type BinaryVariantData,
  type Comparison,
  type ContinuousVariantData,
  type ExperimentAnalysis,
  type ExperimentData,
  type VariantAnalysis,
} from './analyze.ts';
export type { Interval } from './interval.ts';
export {
  compareMeans,
  estimateMean,
  meanOf,
  momentsOf,
  varianceOf,
  type MeanComparison,
  type MeanEstimate,
  type Moments,
} from './means.ts';
export {
  compareProportions,
  estimateProportion,
  type BinaryCounts,
  type ProportionComparison,
  type ProportionEstimate,
} from './proportions.ts';
export {
  alwaysValidPValue,
  armFromCounts,
  armFromMoments,
  DEFAULT_EFFECT_SIZE,
  mixtureLikelihoodRatio,
  sequentialTest,
  type Alternative,
  type Arm,
  type MixtureEvidence,
  type SequentialOptions,
  type SequentialResult,
} from './sequential.ts';
export {
  chiSquareGoodnessOfFit,
  sampleRatioMismatch,
  SRM_THRESHOLD,
  type GoodnessOfFit,
  type SampleRatioMismatch,
} from './srm.ts';
