import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients, ResourceNames } from '@flywheel/aws';
import { currentCodeVersion, runTrainJob, type LabelSource, type TrainJobDependencies } from '@flywheel/train';
import { StackAdapters } from './stack-adapters.ts';
import { trackingLocations } from './tracking-ports.ts';

export interface TrainHandlerOptions {
  /** Ground truth for logged predictions; by default the labels and values sent as feedback. */
  labels?: LabelSource;
  log?: TrainJobDependencies['log'];
  /** Joins view-backed features point-in-time (DuckDB locally, Athena in AWS); without it the logged values are trained on. */
  features?: TrainJobDependencies['features'];
}

/** The trainer: one run per message (batch size 1); a run's failure is recorded on the run, not retried by the queue. */
export function createTrainHandler(clients: AwsClients, names: ResourceNames, options: TrainHandlerOptions = {}) {
  const logger = options.log ? undefined : new Logger({ serviceName: 'train' });
  const stack = new StackAdapters(clients, names);
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
    log: options.log ?? ((level, message, fields) => logger?.[level](message, fields ?? {})),
  };
  return async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      let runId: unknown;
      try {
        runId = (JSON.parse(record.body) as { runId?: unknown }).runId;
      } catch {
        runId = undefined;
      }
      if (typeof runId !== 'string') {
        deps.log?.('warn', 'dropped a train job without a run id', { messageId: record.messageId });
        continue;
      }
      try {
        await runTrainJob(deps, runId);
      } catch (error) {
        // Only the bookkeeping around a run can throw here (the store was unreachable): try again later.
        deps.log?.('error', 'train job failed before its run could record it', { runId, error: String(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

function feedbackLabels(stack: StackAdapters): LabelSource {
  const { feedback } = stack.feedback;
  return (endpoint, range) => feedback.labels(endpoint, range);
}
