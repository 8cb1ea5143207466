import type { Context, ScheduledEvent } from 'aws-lambda';
import { RetentionSweeper, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { StackAdapters } from './stack-adapters.ts';

/** The retention sweep, on a daily schedule: each endpoint's shorter `retention`, as of the event's time. */
export function createRetentionHandler(clients: AwsClients, names: ResourceNames) {
  const { endpoints } = new StackAdapters(clients, names);
  const sweeper = new RetentionSweeper(clients, { bucket: names.bucket, monitoringTable: names.tables.monitoring });
  return async (event: ScheduledEvent, _context: Context) => sweeper.sweep(await endpoints.list(), new Date(event.time));
}
