import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Serving, batchChunkScorer } from '@flywheel/api';
import { BatchPredictionLogSink, createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { failBatchJob, parseBatchMessage, planBatchJob, scoreBatchChunk, type BatchWorkerDependencies, type Logger } from '@flywheel/core';
import { queues } from '@flywheel/infra';
import { StackAdapters } from './stack-adapters.ts';

export interface BatchHandlerOptions {
  /** Receives after which a failing message ends its job as failed (the queue's maxReceiveCount). */
  maxReceives?: number;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `batch`). */
  logger?: Logger;
}

/**
 * The batch function: plans jobs and scores their chunks, the records of one invocation
 * concurrently. A chunk's prediction logs are on their queue before it is counted, in batches
 * with ids of its own (see BatchPredictionLogSink), so scoring it again logs nothing twice. A
 * message that fails is left on the queue and retried; on its last receive its job is ended as
 * failed with the reason (and the message goes on to the dead-letter queue).
 */
export function createBatchHandler(clients: AwsClients, names: ResourceNames, options: BatchHandlerOptions = {}) {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createFunctionLogger('batch');
  const stack = new StackAdapters(clients, names, env, logger);
  const serving = new Serving({
    ...stack.serving,
    // Batch rows carry no unit; the key is the API's, should one ever be named.
    predictionLog: new BatchPredictionLogSink({
      sqs: clients.sqs,
      queueUrl: names.queues.predictionLogs,
      hashUnit: stack.hashUnit,
      logger,
    }),
  });
  const deps: BatchWorkerDependencies = { ...stack.batch, scorer: batchChunkScorer(serving) };
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
    return { batchItemFailures };
  };
}
