export {
  COUNTED_LABEL_MEMORY,
  INITIAL_RETRAIN_STATE,
  decideRetrain,
  type AlertTriggerKind,
  type DecideOptions,
  type PendingTrigger,
  type RetrainDecision,
  type RetrainSignal,
  type RetrainState,
  type RunTrigger,
} from './policy.ts';
export {
  MAX_RUN_LOG_LINES,
  MAX_RUN_LOG_LINE_LENGTH,
  appendRunLog,
  type Run,
  type RunDataset,
  type RunMetrics,
  InvalidCursorError,
  type RunPage,
  type RunStatus,
  type RunStore,
  type RunTrainer,
} from './run.ts';
export type { DatasetFeatureView, DatasetManifest, Lineage } from './lineage.ts';
export {
  datasetRef,
  datasetRequestSchema,
  describeDataset,
  type DatasetErasure,
  type DatasetObjects,
  type DatasetRef,
  type DatasetRegistry,
  type DatasetRequest,
  type DatasetSchema,
  type DatasetVersion,
  type DatasetVersionDraft,
} from './dataset-version.ts';
export type { RetrainStateStore, StoredRetrainState } from './state-store.ts';
export type { TrainJob, TrainJobQueue } from './jobs.ts';
export { RetrainContentionError, finishRetrain, signalRetrain, type RetrainPorts, type SignalContext, type SignalOutcome } from './coordinator.ts';
export { championVariant, randomRunId, runIdFor } from './ids.ts';
export { trainParamsSchema, type TrainParamsInput } from './params.ts';
export { canaryVerdict, withCanary } from './rollout.ts';
export { InvalidScheduleError, latestScheduledInstant, parseSchedule, type RetrainSchedule } from './schedule.ts';
export { consumeEvent, type EventMessage, type EventsConsumerDependencies } from './events-consumer.ts';
export { deliverTrainerWebhook, environmentSecrets, WebhookDeliveryError, type SecretResolver } from './webhook-trainer.ts';
