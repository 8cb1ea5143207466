import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@flywheel/core';
import {
  DynamoDatasetRegistry,
  DynamoEndpointStore,
  DynamoErasedSubjects,
  DynamoModelRegistry,
  S3ArtifactStore,
  S3DatasetStore,
  S3LogArchiveReader,
  S3ReferenceProfileStore,
  createAwsClients,
  createFunctionLogger,
  createFeedbackPorts,
  createRetrainPorts,
  createTrackingPorts,
  resourceNamesFromEnv,
  trackingLocations,
  type AwsClients,
  type ResourceNames,
} from '@flywheel/aws';
import { currentCodeVersion, runTrainJob, type LabelSource, type TrainJobDependencies } from '@flywheel/train';

export interface TrainHandlerOptions {
  /** Ground truth for logged predictions; by default the labels and values sent as feedback. */
  labels?: LabelSource;
  /** Default: Powertools Logger (JSON lines, service `train`). */
  logger?: Logger;
  /** Joins view-backed features point-in-time (the local stack's feature store); without it the logged values are trained on. */
  features?: TrainJobDependencies['features'];
}

/** The trainer: one run per message (batch size 1); a run's failure is recorded on the run, not retried by the queue. */
export function createTrainHandler(clients: AwsClients, names: ResourceNames, options: TrainHandlerOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('train');
  const deps: TrainJobDependencies = {
    retrain: createRetrainPorts(clients, names),
    registry: new DynamoModelRegistry(clients.dynamodb, names.tables.registry),
    endpoints: new DynamoEndpointStore(clients.dynamodb, names.tables.registry),
    artifacts: new S3ArtifactStore(clients.s3, names.bucket),
    archive: new S3LogArchiveReader(clients.s3, names.bucket),
    labels: options.labels ?? feedbackLabels(clients, names),
    datasets: { registry: new DynamoDatasetRegistry(clients.dynamodb, names.tables.registry), objects: new S3DatasetStore(clients.s3, names.bucket) },
    erasedUnits: new DynamoErasedSubjects(clients.dynamodb, names.tables.operations),
    baselines: new S3ReferenceProfileStore(clients.s3, names.bucket),
    ...(options.features ? { features: options.features } : {}),
    tracking: { store: createTrackingPorts(clients, names).store, locations: trackingLocations(names) },
    code: currentCodeVersion(),
    logger,
  };
  const trainJob = async (record: SQSRecord): Promise<void> => {
    let runId: unknown;
    try {
      runId = (JSON.parse(record.body) as { runId?: unknown }).runId;
    } catch {
      runId = undefined;
    }
    if (typeof runId !== 'string') {
      logger.warn('dropped a train job without a run id', { messageId: record.messageId });
      return;
    }
    try {
      await runTrainJob(deps, runId);
    } catch (error) {
      // Only the bookkeeping around a run can throw here (the store was unreachable): try again later.
      logger.error('train job failed before its run could record it', { runId, error: String(error) });
      throw error;
    }
  };
  // Powertools' partial batch response, runs one after another (each trains a model).
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, trainJob, new BatchProcessor(EventType.SQS), { context, processInParallel: false, throwOnFullBatchFailure: false });
}

function feedbackLabels(clients: AwsClients, names: ResourceNames): LabelSource {
  const { feedback } = createFeedbackPorts(clients, names);
  return (endpoint, range) => feedback.labels(endpoint, range);
}

let lambdaHandler: ReturnType<typeof createTrainHandler> | undefined;

/** Lambda entry; built on the first invocation, not at import. */
export const handler = (event: SQSEvent, context: Context) => {
  lambdaHandler ??= createTrainHandler(createAwsClients(), resourceNamesFromEnv());
  return lambdaHandler(event, context);
};
