import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { consumeEvent, environmentSecrets, type EventsConsumerDependencies, type Logger, type WebhookDeliveryOptions } from '@flywheel/core';
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
  // Powertools' partial batch response, one message after another (events of one model are acted
  // on in order); a failed message is reported, never the whole batch (the others are done).
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => consumeEvent(deps, { messageId: record.messageId, body: record.body }), new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
}

let lambdaHandler: ReturnType<typeof createEventsHandler> | undefined;

/** Lambda entry; built on the first invocation, not at import. */
export const handler = (event: SQSEvent, context: Context) => {
  lambdaHandler ??= createEventsHandler(createAwsClients(), resourceNamesFromEnv());
  return lambdaHandler(event, context);
};
