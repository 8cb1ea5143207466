export {
  TrackingError,
  doesNotExist,
  invalidParameter,
  runStatuses,
  trackingErrorStatus,
  type LifecycleStage,
  type MetricPoint,
  type TrackingDatasetInput,
  type TrackingErrorCode,
  type TrackingExperiment,
  type TrackingRun,
  type TrackingRunStatus,
} from './model.ts';
export { parseFilter, parseSubject, likeMatches, type Comparator, type FilterClause, type FilterEntity } from './filter.ts';
export {
  decodePageToken,
  encodePageToken,
  inView,
  pageOf,
  parseOrderBy,
  searchExperiments,
  searchRuns,
  viewTypes,
  type SearchPage,
  type SearchRequest,
  type ViewType,
} from './search.ts';
export {
  TRACKING_LIMITS,
  applyBatch,
  deleteTag,
  later,
  latestPoints,
  updateRunInfo,
  validateBatch,
  validateKey,
  validateMetric,
  type KeyValue,
  type RunBatch,
} from './run-changes.ts';
export { MODEL_TAG, builtinTrackingRun, flattenParams, modelExperiment, recordBuiltinRun, type BuiltinRunLocations } from './builtin-run.ts';
export type { ArtifactFile, TrackingArtifacts, TrackingStore } from './ports.ts';
export { compareRuns, lowerIsBetter, type RunComparison } from './compare.ts';
export { registryFilter, type RegisteredModelRecord, type RegisteredModelStore } from './registered-models.ts';
