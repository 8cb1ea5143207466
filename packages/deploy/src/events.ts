import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { consumeEvent, environmentSecrets, type EventsConsumerDependencies, type Logger, type WebhookDeliveryOptions } from '@flywheel/core';
import { StackAdapters } from './stack-adapters.ts';

export interface EventsHandlerOptions {
  webhook?: WebhookDeliveryOptions;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `events`). */
  logger?: Logger;
}

/** The events consumer: records CloudEvents, applies the retraining policy, notifies webhook trainers. */
export function createEventsHandler(clients: AwsClients, names: ResourceNames, options: EventsHandlerOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('events');
  const env = options.env ?? process.env;
  const stack = new StackAdapters(clients, names, env, logger);
  const deps: EventsConsumerDependencies = {
    events: stack.eventStore,
    retrain: stack.retrain,
    endpoints: stack.endpoints,
    secrets: environmentSecrets(env),
    datasets: stack.datasetObjects,
    webhook: options.webhook,
    logger,
  };
  // Powertools' partial batch response, one message after another (events of one model are acted
  // on in order); a failed message is reported, never the whole batch (the others are done).
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => consumeEvent(deps, { messageId: record.messageId, body: record.body }), new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
}
