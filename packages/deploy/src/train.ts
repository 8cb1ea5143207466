import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import type { Logger } from '@flywheel/core';
import { currentCodeVersion, runTrainJob, type LabelSource, type TrainJobDependencies } from '@flywheel/train';
import { StackAdapters } from './stack-adapters.ts';
import { trackingLocations } from './tracking-ports.ts';

export interface TrainHandlerOptions {
  /** Ground truth for logged predictions; by default the labels and values sent as feedback. */
  labels?: LabelSource;
  /** Default: Powertools Logger (JSON lines, service `train`). */
  logger?: Logger;
  /** Joins view-backed features point-in-time (DuckDB locally, Athena in AWS); without it the logged values are trained on. */
  features?: TrainJobDependencies['features'];
}

/** The trainer: one run per message (batch size 1); a run's failure is recorded on the run, not retried by the queue. */
export function createTrainHandler(clients: AwsClients, names: ResourceNames, options: TrainHandlerOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('train');
  const stack = new StackAdapters(clients, names, process.env, logger);
  const deps: TrainJobDependencies = {
    retrain: stack.retrain,
    registry: stack.registry,
    endpoints: stack.endpoints,
    artifacts: stack.artifacts,
    archive: stack.archiveReader,
    labels: options.labels ?? feedbackLabels(stack),
    datasets: { registry: stack.datasetRegistry, objects: stack.datasetObjects },
    erasedUnits: stack.erasedSubjects,
    baselines: stack.profiles,
    ...(options.features ? { features: options.features } : {}),
    tracking: { store: stack.tracking.store, locations: trackingLocations(names) },
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

function feedbackLabels(stack: StackAdapters): LabelSource {
  const { feedback } = stack.feedback;
  return (endpoint, range) => feedback.labels(endpoint, range);
}
