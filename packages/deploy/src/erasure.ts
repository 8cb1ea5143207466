import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { runErasure, type ErasureWorkDependencies, type FeatureEraser, type Logger } from '@flywheel/core';
import { createErasureWorkDependencies } from './erasure-ports.ts';
import { StackAdapters } from './stack-adapters.ts';

export interface ErasureHandlerOptions {
  /** Replaces the worker's ports (tests inject a crash). */
  deps?: (deps: ErasureWorkDependencies) => ErasureWorkDependencies;
  /** Default: Powertools Logger (JSON lines, service `erasure`). */
  logger?: Logger;
  /** Where an entity's feature rows are erased; without it an entity subject cannot be asked for. */
  features?: FeatureEraser;
}

/** Time left when a run hands itself on to a new message rather than risk its timeout. */
const HAND_ON_MS = 60_000;

/** The erasure worker: one erasure per message (batch size 1), resumed from its checkpoint; a failed attempt is retried by the queue. */
export function createErasureHandler(clients: AwsClients, names: ResourceNames, options: ErasureHandlerOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('erasure');
  const stack = new StackAdapters(clients, names, process.env, logger);
  const base = createErasureWorkDependencies(stack, options.features);
  const deps = options.deps ? options.deps(base) : base;
  const queue = stack.erasureQueue;
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const erasureId = erasureIdOf(record.body);
      if (!erasureId) {
        logger.warn('dropped an erasure message without an erasure id', { messageId: record.messageId });
        continue;
      }
      try {
        const outcome = await runErasure(deps, erasureId, { shouldYield: () => context.getRemainingTimeInMillis() < HAND_ON_MS });
        if (outcome === 'yielded') await queue.enqueue(erasureId);
        logger.info(`erasure ${erasureId}: ${outcome}`);
      } catch (error) {
        logger.error('erasure attempt failed; the queue retries it', { erasureId, error: String(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

function erasureIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { erasureId?: unknown }).erasureId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
