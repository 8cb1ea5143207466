export { createAwsClients, endpointsFromEnv, endpointsToEnv } from './clients.ts';
export type { AwsClients, AwsClientOptions, AwsEndpoints } from './clients.ts';
export { resourceNamesFromEnv, resourceNamesToEnv, MissingResourceError } from './resources.ts';
export type { ResourceNames } from './resources.ts';
export { DynamoApiKeyStore } from './api-key-store.ts';
export { DynamoModelRegistry, type DynamoModelRegistryOptions } from './model-registry-store.ts';
export { DynamoEndpointStore } from './endpoint-store.ts';
export { DynamoGovernanceStore } from './governance-store.ts';
export { S3ArtifactStore } from './artifact-store.ts';
export { createFunctionLogger } from './function-logger.ts';
export {
  SqsPredictionLogSink,
  LOCAL_UNIT_HASH_KEY,
  createPredictionLogSink,
  hmacUnitHasher,
  type PredictionLogSinkStats,
  type SqsPredictionLogSinkOptions,
} from './prediction-log-sink.ts';
export { S3PredictionLogSpill, replaySpilledLogs, type ReplayResult } from './prediction-log-spill.ts';
export { replaySpilledPredictionLogs } from './spill-replay.ts';
export { S3ReferenceProfileStore, profileKey } from './reference-profile-store.ts';
export { DynamoWindowStore, type DynamoWindowStoreOptions } from './monitoring-window-store.ts';
export { DynamoBatchLedger, type DynamoBatchLedgerOptions } from './log-batch-ledger.ts';
export { DynamoAlertStore } from './alert-store.ts';
export { DynamoDriftScoreStore } from './drift-score-store.ts';
export { DynamoPerformanceScoreStore } from './performance-score-store.ts';
export { WindowPerformanceWriter } from './feedback-window-performance.ts';
export { S3LogArchive, encodeArchive } from './log-archive.ts';
export { SqsDeadLetterQueue } from './dead-letter-queue.ts';
export { SqsEventPublisher } from './sqs-event-publisher.ts';
export { DynamoRunStore } from './run-store.ts';
export { DynamoAuditLog, type DynamoAuditLogOptions } from './audit-log.ts';
export { DynamoRateLimitLedger } from './rate-limit-ledger.ts';
export { DynamoEventStore, MAX_EVENT_PAGE, type DynamoEventStoreOptions } from './event-store.ts';
export { DynamoGuardrailStateStore, DynamoRetrainStateStore } from './state-store.ts';
export { SqsTrainJobQueue } from './train-job-queue.ts';
export { S3LogArchiveReader, type ArchiveReadStats } from './log-archive-reader.ts';
export { S3DatasetStore } from './dataset-store.ts';
export { DynamoDatasetRegistry } from './dataset-registry-store.ts';
export { DynamoExperimentStore, type DynamoExperimentStoreOptions } from './experiment-store.ts';
export { DynamoFeedbackStore, type DynamoFeedbackStoreOptions } from './feedback-store.ts';
export { DynamoPredictionObserver, type DynamoPredictionObserverOptions } from './feedback-prediction-observer.ts';
export { FeedbackJoiner, type FeedbackJoinerOptions } from './feedback-join.ts';
export { DynamoFeatureViewStore } from './feature-view-store.ts';
export { DynamoOnlineFeatureStore } from './online-feature-store.ts';
export { S3ParquetFeatureFiles, S3ParquetFeatureStore, type FeatureJoinEngine, type FeatureJoinRequest, type JoinedRow } from './offline-feature-store.ts';
export { decodeFeatureRows, encodeFeatureRows, encodeSpine, type StoredFeatureRow } from './feature-parquet.ts';
export { AthenaFeatureEngine, createAthenaClient, featureCatalogNamesFromEnv, type AthenaPolling, type FeatureCatalogNames } from './athena-feature-engine.ts';
export { DynamoBatchJobStore } from './batch-job-store.ts';
export { S3BatchObjects } from './batch-objects.ts';
export { SqsBatchDispatcher } from './batch-dispatcher.ts';
export { BatchPredictionLogSink, type BatchPredictionLogSinkOptions } from './batch-prediction-log.ts';
export { DynamoTrackingStore } from './tracking-store.ts';
export { S3TrackingArtifacts } from './tracking-artifacts.ts';
export { DynamoRegisteredModelStore } from './tracking-registered-models.ts';
export { DynamoErasureStore, DynamoErasedSubjects } from './erasure-store.ts';
export { S3ErasureArchive, DynamoErasureJoinItems, DynamoErasureUnitClaims, S3ErasureDatasets } from './erasure-targets.ts';
export { SqsErasureQueue } from './erasure-queue.ts';
export { RetentionSweeper, type RetentionSweepResult } from './retention-sweep.ts';
