export { MAX_CLASSES, SCORE_BINS, addExpected, addRealized, argmax, createClassCounts, mergeClassCounts, scoreBin, scoredClasses, type ClassCounts } from './class-counts.ts';
export { classCount, classProbabilities } from './class-scores.ts';
export { binnedAuc, classificationFigures, type ClassificationFigures } from './classification-metrics.ts';
export {
  addServedRow,
  classIndex,
  mergePerformance,
  performanceFigures,
  realizedPerformance,
  regressionFigures,
  type ErrorSums,
  type PerformanceFigures,
  type PerformanceState,
  type RegressionFigures,
} from './performance-state.ts';
export {
  PerformanceThresholdsSchema,
  performanceChecks,
  type PerformanceCheck,
  type PerformanceMetric,
  type PerformanceThresholds,
  type PerformanceThresholdsInput,
} from './performance-drop.ts';
export { referencePerformance, type ReferencePerformance } from './reference.ts';
