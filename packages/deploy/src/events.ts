import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients, ResourceNames } from '@flywheel/aws';
import { consumeEvents, environmentSecrets, type EventsConsumerDependencies, type WebhookDeliveryOptions } from '@flywheel/train';
import { StackAdapters } from './stack-adapters.ts';

export interface EventsHandlerOptions {
  webhook?: WebhookDeliveryOptions;
  env?: Record<string, string | undefined>;
  log?: EventsConsumerDependencies['log'];
}

/** The events consumer: records CloudEvents, applies the retraining policy, notifies webhook trainers. */
export function createEventsHandler(clients: AwsClients, names: ResourceNames, options: EventsHandlerOptions = {}) {
  const logger = options.log ? undefined : new Logger({ serviceName: 'events' });
  const env = options.env ?? process.env;
  const stack = new StackAdapters(clients, names, env);
  const deps: EventsConsumerDependencies = {
    events: stack.eventStore,
    retrain: stack.retrain,
    endpoints: stack.endpoints,
    secrets: environmentSecrets(env),
    datasets: stack.datasetObjects,
    webhook: options.webhook,
    log: options.log ?? ((level, message, fields) => logger?.[level](message, fields ?? {})),
  };
  return async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const result = await consumeEvents(deps, event.Records.map((record) => ({ messageId: record.messageId, body: record.body })));
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
