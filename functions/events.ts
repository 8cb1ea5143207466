import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger, WebhookDeliveryOptions } from '@flywheel/core';
import {
  DynamoEndpointStore,
  DynamoEventStore,
  S3DatasetStore,
  createAwsClients,
  createFunctionLogger,
  createRetrainPorts,
  resourceNamesFromEnv,
  type AwsClients,
  type ResourceNames,
} from '@flywheel/aws';
import { consumeEvents, environmentSecrets, type EventsConsumerDependencies } from '@flywheel/train';

export interface EventsHandlerOptions {
  webhook?: WebhookDeliveryOptions;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `events`). */
  logger?: Logger;
}

/** The events consumer: records CloudEvents, applies the retraining policy, notifies webhook trainers. */
export function createEventsHandler(clients: AwsClients, names: ResourceNames, options: EventsHandlerOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('events');
  const deps: EventsConsumerDependencies = {
    events: new DynamoEventStore(clients.dynamodb, names.tables.operations),
    retrain: createRetrainPorts(clients, names),
    endpoints: new DynamoEndpointStore(clients.dynamodb, names.tables.registry),
    secrets: environmentSecrets(options.env ?? process.env),
    datasets: new S3DatasetStore(clients.s3, names.bucket),
    webhook: options.webhook,
    logger,
  };
  return async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const result = await consumeEvents(deps, event.Records.map((record) => ({ messageId: record.messageId, body: record.body })));
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let lambdaHandler: ReturnType<typeof createEventsHandler> | undefined;

/** Lambda entry; built on the first invocation, not at import. */
export const handler = (event: SQSEvent, context: Context) => {
  lambdaHandler ??= createEventsHandler(createAwsClients(), resourceNamesFromEnv());
  return lambdaHandler(event, context);
};
