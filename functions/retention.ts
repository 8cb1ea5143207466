import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoEndpointStore, RetentionSweeper, createAwsClients, resourceNamesFromEnv, type AwsClients, type ResourceNames } from '@flywheel/aws';

/** The retention sweep, on a daily schedule: each endpoint's shorter `retention`, as of the event's time. */
export function createRetentionHandler(clients: AwsClients, names: ResourceNames) {
  const endpoints = new DynamoEndpointStore(clients.dynamodb, names.tables.registry);
  const sweeper = new RetentionSweeper(clients, { bucket: names.bucket, monitoringTable: names.tables.monitoring });
  return async (event: ScheduledEvent, _context: Context) => sweeper.sweep(await endpoints.list(), new Date(event.time));
}

let lambdaHandler: ReturnType<typeof createRetentionHandler> | undefined;

/** Lambda entry; built on the first invocation, not at import. */
export const handler = (event: ScheduledEvent, context: Context) => {
  lambdaHandler ??= createRetentionHandler(createAwsClients(), resourceNamesFromEnv());
  return lambdaHandler(event, context);
};
