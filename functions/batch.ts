import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Serving, batchChunkScorer } from '@flywheel/api';
import { createAwsClients, createFunctionLogger, createBatchPorts, createPredictionLogSink, createServingDependencies, resourceNamesFromEnv, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { failBatchJob, parseBatchMessage, planBatchJob, scoreBatchChunk, type BatchWorkerDependencies, type Logger } from '@flywheel/core';
import { queues } from '@flywheel/infra';

export interface BatchHandlerOptions {
  /** Receives after which a failing message ends its job as failed (the queue's maxReceiveCount). */
  maxReceives?: number;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `batch`). */
  logger?: Logger;
}

/**
 * The batch function: plans jobs and scores their chunks, the records of one invocation
 * concurrently. A message that fails is left on the queue and retried; on its last receive its
 * job is ended as failed with the reason (and the message goes on to the dead-letter queue).
 */
export function createBatchHandler(clients: AwsClients, names: ResourceNames, options: BatchHandlerOptions = {}) {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createFunctionLogger('batch');
  const serving = new Serving({
    ...createServingDependencies(clients, { registryTable: names.tables.registry, bucket: names.bucket }),
    predictionLog: createPredictionLogSink(clients, { queueUrl: names.queues.predictionLogs, bucket: names.bucket, unitHashKey: env.FLYWHEEL_UNIT_HASH_KEY || undefined }, { logger }),
  }, { logger });
  const ports = createBatchPorts(clients, names);
  const deps: BatchWorkerDependencies = { ...ports, scorer: batchChunkScorer(serving) };
  const maxReceives = options.maxReceives ?? queues.batchChunks.maxReceiveCount;
  return async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const message = parseBatchMessage(record.body);
        if (!message) {
          logger.warn('dropped a batch message that is neither a plan nor a chunk', { messageId: record.messageId });
          return;
        }
        try {
          if (message.kind === 'plan') await planBatchJob(deps, message.jobId);
          else await scoreBatchChunk(deps, message.jobId, message, record.messageId);
        } catch (error) {
          const receives = Number(record.attributes.ApproximateReceiveCount);
          logger.error('batch message failed', { jobId: message.jobId, kind: message.kind, receives, error: String(error) });
          if (receives >= maxReceives) {
            const what = message.kind === 'plan' ? 'planning' : `chunk ${message.index}`;
            await failBatchJob(deps, message.jobId, `${what} failed ${receives} times: ${(error as Error).message ?? String(error)}`).catch(() => undefined);
          }
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    // The chunks' prediction logs leave before their messages are deleted.
    await serving.settle();
    return { batchItemFailures };
  };
}

let lambdaHandler: ReturnType<typeof createBatchHandler> | undefined;

/** Lambda entry; built on the first invocation, not at import. */
export const handler = (event: SQSEvent, context: Context) => {
  lambdaHandler ??= createBatchHandler(createAwsClients(), resourceNamesFromEnv());
  return lambdaHandler(event, context);
};
